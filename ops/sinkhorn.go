package ops

import (
	"fmt"
	"hash"
	"math"
	"sync"

	"github.com/chewxy/hm"
	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types/dtypes"
	"github.com/gomlx/go-xla/pkg/types/shapes"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SwAV's Sinkhorn-Knopp codes as an op without gradient, so a SwAV loss is
// one graph like any other: the codes of a view are computed from its
// prototype scores in the same run that uses them.

func init() { Register(sinkhornOp{opBase: opBase{"sslrun.sinkhorn"}}) }

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
	w := sinkhornPool.Get().(*sinkhornWork)
	defer sinkhornPool.Put(w)
	if o.queue == nil || o.queue.Rows == 0 {
		w.run(y, 0, s[1], o.iters, o.eps, x)
		return out, nil
	}
	r, k := o.queue.Rows, s[1]
	if len(o.queue.Scores) < r*k {
		return nil, fmt.Errorf("%s: queue of %d rows holds %d scores, want %d x %d", o.kind, r, len(o.queue.Scores), r, k)
	}
	w.run(y, r, k, o.iters, o.eps, o.queue.Scores[:r*k], x) // (R+B, K), the batch's rows kept
	return out, nil
}

func (sinkhornOp) DiffWRT(int) []bool { return []bool{false} }

func (sinkhornOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) { return G.Nodes{nil}, nil }

// Lower: Sinkhorn's iterations unrolled, in float64 as Run computes
// them. A queue with rows when the graph is lowered makes a program input
// of its scores (R, K), state the program reads (named
// sinkhorn_queue<n>_scores), stacked before the batch's; a queue without
// rows is left out, as Do leaves it.
func (o sinkhornOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	scores := l.In[0] // (B, K)
	b, k := l.Out.Dimensions[0], l.Out.Dimensions[1]
	q := l.Convert(scores, dtypes.Float64)
	r := 0
	if o.queue != nil && o.queue.Rows > 0 {
		r = o.queue.Rows
		queued := l.State(StateKey{o.queue, "scores"}, "sinkhorn_queue", shapes.Make(l.Out.DType, r, k))
		q = l.Concat(0, l.Convert(queued, dtypes.Float64), q) // (R+B, K)
	}
	n := r + b
	s := shapes.Make(dtypes.Float64, n, k)
	// Q = exp((scores - max) / eps), divided by its sum.
	q = l.Exp(l.Div(l.Sub(q, l.Broadcast(l.ReduceMax(q, 0, 1), s)), l.Full(o.eps, s)))
	q = l.Div(q, l.Broadcast(l.Sum(q, 0, 1), s))
	cols := l.Sum(q, 0) // (K): sums over the batch, per prototype
	for it := range o.iters {
		// Prototypes to 1/K, then images to 1/B; the last scaling makes
		// each image's codes sum to 1 instead.
		q = l.Mul(q, l.Broadcast(l.Div(l.Like(1, cols), l.Mul(cols, l.Like(float64(k), cols))), s, 1))
		rows := l.Sum(q, 1) // (R+B)
		if it == o.iters-1 {
			q = l.Div(q, l.Broadcast(rows, s, 0))
			break
		}
		q = l.Div(q, l.Broadcast(l.Mul(rows, l.Like(float64(n), rows)), s, 0))
		cols = l.Sum(q, 0)
	}
	return l.Convert(l.Rows(q, r, n), l.Out.DType), l.Err()
}

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
	out := make([]float32, b*k)
	w := sinkhornPool.Get().(*sinkhornWork)
	defer sinkhornPool.Put(w)
	w.run(out, 0, k, iters, eps, scores)
	return out
}

// sinkhornBlock is the rows a sum over rows takes at a time: each block of
// rows adds its own partial sums, in row order, and the blocks' sums are
// then added in block order. Workers take whole blocks, so the result does
// not depend on their number.
const sinkhornBlock = 64

// sinkhornWork is Sinkhorn's scratch, reused from call to call.
type sinkhornWork struct {
	q    []float64 // (B, K): Q transposed
	part []float64 // (blocks, K) partial sums over rows; (blocks) for the total
	cols []float64 // (K): Q's row sums (sums over the batch, per prototype), then their scale
}

var sinkhornPool = sync.Pool{New: func() any { return new(sinkhornWork) }}

// run computes Sinkhorn over the rows of parts stacked, each (rows, k), and
// writes the codes of rows from onwards into out.
func (w *sinkhornWork) run(out []float32, from, k, iters int, eps float64, parts ...[]float32) {
	b := 0
	for _, p := range parts {
		b += len(p) / k
	}
	blocks := (b + sinkhornBlock - 1) / sinkhornBlock
	q := grow64(&w.q, b*k)
	part := grow64(&w.part, blocks*k)
	cols := grow64(&w.cols, k)
	hi := math.Inf(-1)
	for _, p := range parts {
		for _, v := range p {
			hi = max(hi, float64(v))
		}
	}
	// Q = exp((scores - max) / eps), and the per-block totals.
	sinkhornBlocks(blocks, k, func(blk int) {
		var sum float64
		for i := blk * sinkhornBlock; i < min(b, (blk+1)*sinkhornBlock); i++ {
			row := q[i*k : (i+1)*k]
			src := sinkhornRow(parts, i, k)
			for j, v := range src {
				row[j] = math.Exp((float64(v) - hi) / eps)
				sum += row[j]
			}
		}
		part[blk] = sum
	})
	var total float64
	for _, v := range part[:blocks] {
		total += v
	}
	// Q /= sum(Q), and the sums over the batch. Divisions are
	// multiplications by the reciprocal: a few times faster, and within an
	// ulp of float64, far below the float32 codes' precision.
	inv := 1 / total
	sinkhornBlocks(blocks, k, func(blk int) {
		pc := part[blk*k : (blk+1)*k]
		clear(pc)
		for i := blk * sinkhornBlock; i < min(b, (blk+1)*sinkhornBlock); i++ {
			row := q[i*k : (i+1)*k]
			for j := range row {
				row[j] *= inv
				pc[j] += row[j]
			}
		}
	})
	w.sumBlocks(cols, blocks, k)
	for it := range iters {
		last := it == iters-1
		// Q's rows (prototypes) to 1/K, then its columns (images) to 1/B,
		// and, unless last, the sums over the batch for the next iteration.
		for j := range cols {
			cols[j] = 1 / (cols[j] * float64(k))
		}
		sinkhornBlocks(blocks, k, func(blk int) {
			pc := part[blk*k : (blk+1)*k]
			clear(pc)
			for i := blk * sinkhornBlock; i < min(b, (blk+1)*sinkhornBlock); i++ {
				row := q[i*k : (i+1)*k]
				var c float64
				for j := range row {
					row[j] *= cols[j]
					c += row[j]
				}
				if last {
					// The codes are Q's columns times B: 1/(c*B)*B is 1/c.
					if i >= from {
						o := out[(i-from)*k : (i-from+1)*k]
						inv := 1 / c
						for j := range row {
							o[j] = float32(row[j] * inv)
						}
					}
					continue
				}
				inv := 1 / (c * float64(b))
				for j := range row {
					row[j] *= inv
					pc[j] += row[j]
				}
			}
		})
		if !last {
			w.sumBlocks(cols, blocks, k)
		}
	}
}

// sumBlocks adds the blocks' partial sums into cols, in block order.
func (w *sinkhornWork) sumBlocks(cols []float64, blocks, k int) {
	copy(cols, w.part[:k])
	for blk := 1; blk < blocks; blk++ {
		for j, v := range w.part[blk*k : (blk+1)*k] {
			cols[j] += v
		}
	}
}

// sinkhornRow is row i of parts stacked.
func sinkhornRow(parts [][]float32, i, k int) []float32 {
	for _, p := range parts {
		if n := len(p) / k; i >= n {
			i -= n
			continue
		}
		return p[i*k : (i+1)*k]
	}
	panic(fmt.Sprintf("sinkhorn: row %d out of range", i))
}

// sinkhornBlocks runs f on every block of rows of k scores, spread over
// GOMAXPROCS workers.
func sinkhornBlocks(blocks, k int, f func(blk int)) {
	parallel(blocks, blocks*sinkhornBlock*k, func(lo, hi int) {
		for blk := lo; blk < hi; blk++ {
			f(blk)
		}
	})
}

// grow64 returns (*buf)[:n], reallocating only when it is too small.
func grow64(buf *[]float64, n int) []float64 {
	if cap(*buf) < n {
		*buf = make([]float64, n)
	}
	return (*buf)[:n]
}
