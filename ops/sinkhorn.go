package ops

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SwAV's Sinkhorn-Knopp codes as an op without gradient, so a SwAV loss is
// one graph like any other: the codes of a view are computed from its
// prototype scores in the same run that uses them.

func init() { register("sslrun.sinkhorn") }

// SinkhornCodes returns the codes (B, K) of prototype scores (B, K) by iters
// Sinkhorn-Knopp iterations at temperature eps (see Sinkhorn). No gradient
// flows through it, as in SwAV, where the codes are computed under no_grad.
func SinkhornCodes(scores *G.Node, iters int, eps float64) (*G.Node, error) {
	if scores.Dims() != 2 {
		return nil, fmt.Errorf("SinkhornCodes: want (B, K) scores, got %v", scores.Shape())
	}
	if iters < 1 || eps <= 0 {
		return nil, fmt.Errorf("SinkhornCodes: %d iterations at epsilon %v", iters, eps)
	}
	return SinkhornCodesQueued(scores, iters, eps, nil)
}

// SinkhornQueue holds prototype scores of past batches (SwAV's queue, scored
// with the current prototypes) that a queued Sinkhorn op puts before the
// batch's own. It is state read at every run, like batch-norm statistics:
// whoever owns it sets Scores and Rows before each run; Rows 0 leaves the
// queue out.
type SinkhornQueue struct {
	Scores []float32 // (Rows, K)
	Rows   int
}

// SinkhornCodesQueued is SinkhornCodes over the queue's rows followed by the
// batch's scores (B, K), returning the codes of the batch rows only, as
// SwAV's distributed_sinkhorn(cat(queue scores, scores))[-B:]. q may be nil.
func SinkhornCodesQueued(scores *G.Node, iters int, eps float64, q *SinkhornQueue) (*G.Node, error) {
	if scores.Dims() != 2 {
		return nil, fmt.Errorf("SinkhornCodes: want (B, K) scores, got %v", scores.Shape())
	}
	if iters < 1 || eps <= 0 {
		return nil, fmt.Errorf("SinkhornCodes: %d iterations at epsilon %v", iters, eps)
	}
	return G.ApplyOp(sinkhornOp{opBase{"sslrun.sinkhorn"}, iters, eps, q}, scores)
}

type sinkhornOp struct {
	opBase
	iters int
	eps   float64
	queue *SinkhornQueue
}

func (sinkhornOp) Arity() int    { return 1 }
func (sinkhornOp) Type() hm.Type { return hm.NewFnType(matType(), matType()) }
func (o sinkhornOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOf(o.kind, in[0], 2)
}
func (o sinkhornOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "%s/%d/%v/%p", o.kind, o.iters, o.eps, o.queue)
}
func (o sinkhornOp) Hashcode() uint32 { return hashOf(o) }

// Do: codes (B, K) = Sinkhorn(scores (B, K)), or the last B rows of
// Sinkhorn(queue (R, K) stacked over scores) when the queue has rows.
func (o sinkhornOp) Do(in ...G.Value) (G.Value, error) {
	x, s, err := f32(o.kind, in[0])
	if err != nil {
		return nil, err
	}
	out, y := newF32(s...)
	if o.queue == nil || o.queue.Rows == 0 {
		copy(y, Sinkhorn(x, s[0], s[1], o.iters, o.eps))
		return out, nil
	}
	r, k := o.queue.Rows, s[1]
	if len(o.queue.Scores) < r*k {
		return nil, fmt.Errorf("%s: queue of %d rows holds %d scores, want %d x %d", o.kind, r, len(o.queue.Scores), r, k)
	}
	all := make([]float32, 0, (r+s[0])*k) // (R+B, K)
	all = append(all, o.queue.Scores[:r*k]...)
	all = append(all, x...)
	copy(y, Sinkhorn(all, r+s[0], k, o.iters, o.eps)[r*k:])
	return out, nil
}

func (sinkhornOp) DiffWRT(int) []bool { return []bool{false} }

func (sinkhornOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) { return G.Nodes{nil}, nil }

// Sinkhorn is facebookresearch/swav's distributed_sinkhorn on one process:
// scores (B, K) row-major give Q = exp(scores / eps) as (K, B), divided by
// its sum; then iters times its rows are scaled to sum 1/K and its columns to
// 1/B; the result times B is returned transposed, (B, K), each row summing to
// 1. It works in float64 and subtracts the largest score first, which the
// global normalisation cancels exactly, so large scores do not overflow.
func Sinkhorn(scores []float32, b, k, iters int, eps float64) []float32 {
	if len(scores) != b*k {
		panic(fmt.Sprintf("Sinkhorn: %d scores for (%d, %d)", len(scores), b, k))
	}
	hi := math.Inf(-1)
	for _, s := range scores {
		hi = max(hi, float64(s))
	}
	q := make([]float64, b*k) // q[i*k+j] = Q[j][i]: kept (B, K), Q's transpose
	var sum float64
	for i, s := range scores {
		q[i] = math.Exp((float64(s) - hi) / eps)
		sum += q[i]
	}
	for i := range q {
		q[i] /= sum
	}
	rows := make([]float64, k) // sums over the batch, per prototype
	for it := 0; it < iters; it++ {
		clear(rows)
		for i := 0; i < b; i++ {
			for j := 0; j < k; j++ {
				rows[j] += q[i*k+j]
			}
		}
		for i := 0; i < b; i++ {
			for j := 0; j < k; j++ {
				q[i*k+j] /= rows[j] * float64(k)
			}
		}
		for i := 0; i < b; i++ {
			r := q[i*k : (i+1)*k]
			var c float64
			for _, v := range r {
				c += v
			}
			for j := range r {
				r[j] /= c * float64(b)
			}
		}
	}
	out := make([]float32, b*k)
	for i, v := range q {
		out[i] = float32(v * float64(b))
	}
	return out
}
