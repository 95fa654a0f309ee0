package objective

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:     "objective.mocov2plus",
		Doc:    "MoCo v2+ (solo-learn's mocov2plus): InfoNCE of each view's query against the momentum teacher's key of the other view, with a queue of past keys as negatives",
		Method: "Builds a momentum teacher as BYOL's (a copy of the backbone and every head, no gradient, momentum from momentum to final_momentum on a cosine) and keeps a queue of its L2-normalised keys per view, seeded normal vectors at first: after every step the teacher follows the online weights and the batch's keys replace the oldest. Checkpoints keep the teacher, the queues and their pointer.",
		Params: []registry.Param{
			{Name: "temperature", Type: registry.Float, Default: 0.2, Range: registry.Above(0), Doc: "divides the similarities (solo-learn CIFAR: 0.2; its default 0.1)"},
			{Name: "queue_size", Type: registry.Int, Default: 32768, Range: registry.AtLeast(1), Doc: "past keys kept per view as negatives, a multiple of the batch size (solo-learn CIFAR: 32768; ImageNet: 65536)"},
			{Name: "momentum", Type: registry.Float, Default: 0.99, Range: registry.Between(0, 1), Doc: "the teacher's first momentum tau, rising to final_momentum on a cosine (solo-learn CIFAR: 0.99)"},
			{Name: "final_momentum", Type: registry.Float, Default: 0.999, Range: registry.Between(0, 1), Doc: "the teacher's momentum at the last step (solo-learn CIFAR: 0.999)"},
		},
		New: func(v registry.Values) (any, error) {
			base, final := v.Float("momentum"), v.Float("final_momentum")
			if final < base {
				return nil, &registry.ParamError{Param: "final_momentum", Msg: fmt.Sprintf("%g is below momentum %g; the teacher's momentum rises", final, base)}
			}
			return &MocoV2Plus{Temperature: v.Float("temperature"), QueueSize: v.Int("queue_size"), BaseTau: base, FinalTau: final}, nil
		},
	})
}

// mocoTap is the key under which the teacher's keys are published.
const mocoTap = "mocov2plus.keys"

// MocoV2Plus is the objective.mocov2plus component, solo-learn's MoCo v2+:
// two views; the teacher (a momentum copy of the backbone and every head)
// gives each view's key k, the online network its query q, both
// L2-normalised, and the loss is the mean of InfoNCE(q1, k2, queue of view
// 1's past keys) and InfoNCE(q2, k1, queue of view 0's), where
// InfoNCE(q, k, Q) = mean over the batch of cross-entropy of the logits
// [q·k, q·Q] / temperature with the positive first (moco_loss_func).
// After each step the teacher follows the online network as in BYOL and
// the batch's keys replace the oldest in the queues (a ring, as
// _dequeue_and_enqueue). The queues start as seeded normal vectors,
// normalised, as solo-learn's register_buffer(randn) does.
type MocoV2Plus struct {
	Temperature       float64
	QueueSize         int
	BaseTau, FinalTau float64
	momentumTeacher

	// queue holds per view (D, QueueSize) keys, column j the j-th slot;
	// ptr is the next slot to write.
	queue [2][]float32
	dim   int
	ptr   int
}

// CheckWiring requires exactly two views, a head (the projector), and a
// queue that a whole number of batches fills.
func (o *MocoV2Plus) CheckWiring(w registry.Wiring) error {
	if n := w.ViewCount(); n != 2 {
		return fmt.Errorf("mocov2plus contrasts exactly two views of each image, the spec makes %d", n)
	}
	if len(w.Heads) == 0 {
		return fmt.Errorf("mocov2plus needs a projector head block, the teacher copies it")
	}
	if w.BatchSize > 0 && o.QueueSize%w.BatchSize != 0 {
		return &registry.ParamError{Param: "queue_size", Msg: fmt.Sprintf("%d is not a multiple of the batch size %d; the queue takes whole batches", o.QueueSize, w.BatchSize)}
	}
	return nil
}

// Loss refuses to build without the teacher.
func (o *MocoV2Plus) Loss([]*G.Node) (*G.Node, error) {
	return nil, fmt.Errorf("mocov2plus: the loss reads the teacher's keys; build it with its branch (BranchLoss)")
}

// Branches is the teacher: the backbone and every head, on both views,
// its outputs published for the queue. The queues are drawn on first use
// from the seed's stream "mocov2plus.queue".
func (o *MocoV2Plus) Branches(online *nn.Params, heads []string) ([]Branch, error) {
	if len(heads) == 0 {
		return nil, fmt.Errorf("mocov2plus needs a projector head")
	}
	o.build(online, heads)
	return []Branch{{Heads: o.heads, Views: []int{0, 1}, Params: o.teacher, Tap: mocoTap}}, nil
}

// initQueue draws the queues for keys of width dim: normal values in the
// (D, K) layout, row by row, then each key (column) normalised
// (F.normalize over dim 1 of (2, D, K)).
func (o *MocoV2Plus) initQueue(dim int) {
	if o.queue[0] != nil && o.dim == dim {
		return
	}
	o.dim, o.ptr = dim, 0
	rng := o.online.Stream("mocov2plus.queue")
	if rng == nil { // symbolic parameters: the queues' shapes are enough
		return
	}
	key := make([]float32, dim)
	for v := range o.queue {
		q := make([]float32, dim*o.QueueSize) // (D, K)
		for i := range q {
			q[i] = float32(rng.NormFloat64())
		}
		o.queue[v] = q
		for j := range o.QueueSize {
			for d := range key {
				key[d] = q[d*o.QueueSize+j]
			}
			o.put(v, j, key)
		}
	}
}

// put writes key (D), L2-normalised, into slot j of view v's queue, its
// column j.
func (o *MocoV2Plus) put(v, j int, key []float32) {
	var ss float64
	for _, x := range key {
		ss += float64(x) * float64(x)
	}
	inv := 1 / max(math.Sqrt(ss), 1e-12)
	q := o.queue[v]
	for d, x := range key {
		q[d*o.QueueSize+j] = float32(float64(x) * inv)
	}
}

// BranchLoss is the symmetric InfoNCE of the queries z against the
// teacher's keys out[0] and the queues, each fed to the graph as a
// (D, K) leaf over the method's own buffer.
func (o *MocoV2Plus) BranchLoss(z []*G.Node, out [][]*G.Node) (*G.Node, error) {
	if len(z) != 2 || len(out) != 1 || out[0][0] == nil || out[0][1] == nil {
		return nil, fmt.Errorf("mocov2plus: want two views' queries and the teacher's keys of both")
	}
	if z[0].Dims() != 2 || !z[0].Shape().Eq(out[0][1].Shape()) {
		return nil, fmt.Errorf("mocov2plus: queries %v and keys %v must both be (B, D)", z[0].Shape(), out[0][1].Shape())
	}
	dim := z[0].Shape()[1]
	if o.online != nil {
		o.initQueue(dim)
	}
	g := z[0].Graph()
	var total *G.Node
	for _, pair := range [][2]int{{0, 1}, {1, 0}} { // query view, key view
		q, err := ops.L2Normalize(z[pair[0]]) // (B, D)
		if err != nil {
			return nil, fmt.Errorf("mocov2plus: %w", err)
		}
		k, err := ops.L2Normalize(out[0][pair[1]]) // (B, D)
		if err != nil {
			return nil, fmt.Errorf("mocov2plus: %w", err)
		}
		opts := []G.NodeConsOpt{G.WithShape(dim, o.QueueSize), G.WithName(fmt.Sprintf("mocov2plus.queue%d", pair[1]))}
		if buf := o.queue[pair[1]]; buf != nil {
			opts = append(opts, G.WithValue(tensor.New(tensor.WithShape(dim, o.QueueSize), tensor.WithBacking(buf))))
		}
		queue := G.NewMatrix(g, tensor.Float32, opts...) // (D, K)
		l, err := infoNCE(q, k, queue, o.Temperature)
		if err != nil {
			return nil, fmt.Errorf("mocov2plus: %w", err)
		}
		if total == nil {
			total = l
		} else if total, err = G.Add(total, l); err != nil {
			return nil, fmt.Errorf("mocov2plus: %w", err)
		}
	}
	return G.Mul(total, G.NewConstant(float32(0.5))) // the mean of the two directions
}

// infoNCE is the mean over the batch of -log softmax(logits)[0] for the
// logits [q·k, q·Q] / t: log(exp(pos/t) + sum exp(neg/t)) - pos/t. The
// normalised vectors bound every logit by 1/t, so no shift is needed.
func infoNCE(q, k, queue *G.Node, t float64) (*G.Node, error) {
	inv := G.NewConstant(float32(1 / t))
	pos, err := G.Sum(G.Must(G.HadamardProd(q, k)), 1) // (B)
	if err != nil {
		return nil, err
	}
	pos, err = G.Mul(pos, inv) // (B)
	if err != nil {
		return nil, err
	}
	neg, err := G.Mul(q, queue) // (B, K)
	if err != nil {
		return nil, err
	}
	neg, err = G.Mul(neg, inv) // (B, K)
	if err != nil {
		return nil, err
	}
	negSum, err := G.Sum(G.Must(G.Exp(neg)), 1) // (B)
	if err != nil {
		return nil, err
	}
	lse, err := G.Log(G.Must(G.Add(G.Must(G.Exp(pos)), negSum))) // (B)
	if err != nil {
		return nil, err
	}
	ce, err := G.Sub(lse, pos) // (B)
	if err != nil {
		return nil, err
	}
	return G.Mean(ce) // ()
}

// Tau is the teacher's momentum after optimizer step (0-based) of total.
func (o *MocoV2Plus) Tau(step, total int) float64 {
	return teacherTau(o.BaseTau, o.FinalTau, step, total)
}

// Momentum is the teacher's momentum after step s.
func (o *MocoV2Plus) Momentum(s Step) float64 { return o.Tau(s.Step, s.Total) }

// Taps reads the teacher's keys, for the queue.
func (o *MocoV2Plus) Taps() (nodes, params []string) { return []string{mocoTap}, nil }

// AfterStep puts the step's keys, normalised, into the queues at the
// pointer.
func (o *MocoV2Plus) AfterStep(s Step, taps map[string][][]float32) error {
	keys := taps[mocoTap]
	if len(keys) != 2 || s.Batch < 1 || o.dim == 0 {
		return fmt.Errorf("mocov2plus: the step gave no keys for the queue")
	}
	b := s.Batch
	if b > o.QueueSize || o.ptr+b > o.QueueSize {
		return fmt.Errorf("mocov2plus: a batch of %d at slot %d does not fit a queue of %d", b, o.ptr, o.QueueSize)
	}
	for v, k := range keys {
		if len(k) != b*o.dim {
			return fmt.Errorf("mocov2plus: %d key values for a batch of %d x %d", len(k), b, o.dim)
		}
		for i := range b {
			o.put(v, o.ptr+i, k[i*o.dim:(i+1)*o.dim])
		}
	}
	o.ptr = (o.ptr + b) % o.QueueSize
	return nil
}

// State is the teacher and the queues ("queue.0", "queue.1", (D, K) each)
// with their pointer ("queue.ptr") and width ("queue.dim").
func (o *MocoV2Plus) State() State {
	st := State{Buffers: map[string][]float32{}, Counters: map[string]int64{}}
	o.state(st)
	if o.queue[0] != nil {
		st.Buffers["queue.0"], st.Buffers["queue.1"] = o.queue[0], o.queue[1]
		st.Counters["queue.ptr"], st.Counters["queue.dim"] = int64(o.ptr), int64(o.dim)
	}
	return st
}

// SetState restores the teacher and the queues State gave.
func (o *MocoV2Plus) SetState(st State) error {
	if len(st.Buffers) == 0 && len(st.Counters) == 0 {
		o.started = false
		return nil
	}
	n, err := o.setState(st)
	if err != nil {
		return fmt.Errorf("mocov2plus: %w", err)
	}
	dim, ptr := st.Counters["queue.dim"], st.Counters["queue.ptr"]
	if dim != int64(o.dim) || ptr < 0 || ptr >= int64(o.QueueSize) {
		return fmt.Errorf("mocov2plus: a queue of keys of width %d at slot %d does not fit keys of width %d in a queue of %d", dim, ptr, o.dim, o.QueueSize)
	}
	for v := range o.queue {
		q, ok := st.Buffers[fmt.Sprint("queue.", v)]
		if !ok || len(q) != len(o.queue[v]) {
			return fmt.Errorf("mocov2plus: queue %d holds %d values, want %d x %d", v, len(q), o.dim, o.QueueSize)
		}
		copy(o.queue[v], q)
	}
	if len(st.Buffers) != n+2 {
		return fmt.Errorf("mocov2plus: the state holds %d tensors, the teacher and queues %d", len(st.Buffers), n+2)
	}
	o.ptr = int(ptr)
	return nil
}

// StateBytes is the teacher and the two queues of keys of the width the
// projector gives.
func (o *MocoV2Plus) StateBytes(_ int, taps map[string][]int, _ int) int64 {
	k := taps[mocoTap]
	if len(k) != 2 {
		return o.bytes()
	}
	return o.bytes() + 2*int64(k[1])*int64(o.QueueSize)*4
}

var _ Brancher = (*MocoV2Plus)(nil)
