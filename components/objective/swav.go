package objective

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:     "objective.swav",
		Doc:    "SwAV's swapped prediction: Sinkhorn codes of the assigned views are predicted from the prototype scores of every other view",
		Method: "Keeps a queue of past embeddings per assigned view (queue_length rows, used from queue_start_epoch): before each step it scores the queue under the present prototypes for the Sinkhorn codes; after it, the batch's embeddings replace the oldest. Checkpoints keep the queue (method/queue.N) and how full it is. The prototypes head freezes and renormalises itself.",
		Params: []registry.Param{
			{Name: "temperature", Type: registry.Float, Default: 0.1, Range: registry.Above(0), Doc: "divides the prototype scores in the softmax (official and solo-learn: 0.1)"},
			{Name: "epsilon", Type: registry.Float, Default: 0.05, Range: registry.Above(0), Doc: "Sinkhorn entropic regularisation: codes come from exp(scores / epsilon) (official: 0.05)"},
			{Name: "sinkhorn_iterations", Type: registry.Int, Default: 3, Range: registry.AtLeast(1), Doc: "Sinkhorn-Knopp iterations (official: 3)"},
			{Name: "crops_for_assign", Type: registry.Floats, Default: []float64{0, 1}, Range: registry.AtLeast(0), Doc: "indices of the views whose codes are computed (official: the two large crops, [0, 1])"},
			{Name: "queue_length", Type: registry.Int, Default: 0, Range: registry.AtLeast(0), Doc: "scores of past batches kept for the Sinkhorn (official: 3840; 0 turns the queue off)"},
			{Name: "queue_start_epoch", Type: registry.Int, Default: 15, Range: registry.AtLeast(0), Doc: "epoch from which the queue is used (official: 15; too early makes training unstable)"},
		},
		New: func(v registry.Values) (any, error) {
			fs := v.Floats("crops_for_assign")
			assign := make([]int, len(fs))
			seen := map[int]bool{}
			for i, f := range fs {
				if f != math.Trunc(f) {
					return nil, fmt.Errorf("crops_for_assign: element %d (%g) is not a view index", i, f)
				}
				assign[i] = int(f)
				if seen[assign[i]] {
					return nil, fmt.Errorf("crops_for_assign: view %d listed twice", assign[i])
				}
				seen[assign[i]] = true
			}
			return &Swav{
				Temperature:     v.Float("temperature"),
				Epsilon:         v.Float("epsilon"),
				Iterations:      v.Int("sinkhorn_iterations"),
				Assign:          assign,
				QueueLength:     v.Int("queue_length"),
				QueueStartEpoch: v.Int("queue_start_epoch"),
			}, nil
		},
	})
}

// Swav is the objective.swav component. Its input z are the per-view
// prototype scores (B, K), the outputs of a head.prototypes, in view order.
//
// The codes are the Sinkhorn-Knopp assignment of the scores of each assigned
// view, computed in the graph by ops.SinkhornCodesQueued (float64, no
// gradient). With a queue (QueueLength > 0), Swav is a Method: it keeps the
// embeddings of past batches in a Queue from QueueStartEpoch on and, once it
// is full, their scores under the current prototypes join the batch's in
// the Sinkhorn, as in the official main_swav.py.
type Swav struct {
	Temperature     float64
	Epsilon         float64
	Iterations      int
	Assign          []int // crops_for_assign
	QueueLength     int
	QueueStartEpoch int
	// sinkhorn holds, per assigned view, the queue scores its Sinkhorn op
	// reads; every graph built by Loss shares them.
	sinkhorn []*ops.SinkhornQueue
	queue    *Queue // nil until the first push
}

// Loss computes the codes of every assigned view in the graph, with the
// Sinkhorn op (no gradient), and returns the swapped-prediction loss.
func (o *Swav) Loss(z []*G.Node) (*G.Node, error) {
	if err := checkScores(z, o.Assign); err != nil {
		return nil, err
	}
	if o.QueueLength > 0 && o.sinkhorn == nil {
		o.sinkhorn = make([]*ops.SinkhornQueue, len(o.Assign))
		for c := range o.sinkhorn {
			o.sinkhorn[c] = &ops.SinkhornQueue{}
		}
	}
	codes := make([]*G.Node, len(o.Assign))
	for c, a := range o.Assign {
		var sq *ops.SinkhornQueue
		if o.sinkhorn != nil {
			sq = o.sinkhorn[c]
		}
		q, err := ops.SinkhornCodesQueued(z[a], o.Iterations, o.Epsilon, sq) // (B, K)
		if err != nil {
			return nil, fmt.Errorf("swav: %w", err)
		}
		codes[c] = q
	}
	return SwappedPredictionLoss(z, codes, o.Assign, o.Temperature)
}

// CheckWiring requires every crops_for_assign entry to name an existing view,
// at least two views (each assigned view is predicted from another one), and
// a head.prototypes among the heads.
func (o *Swav) CheckWiring(w registry.Wiring) error {
	n := w.ViewCount()
	if n < 2 {
		return fmt.Errorf("swav needs at least two views of each image, the spec makes %d (raise a view's count)", n)
	}
	for _, a := range o.Assign {
		if a >= n {
			return fmt.Errorf("crops_for_assign names view %d, but the spec makes only %d views (indices 0 to %d)", a, n, n-1)
		}
	}
	for _, h := range w.Heads {
		if h.ID == "head.prototypes" {
			return nil
		}
	}
	return fmt.Errorf("swav needs a head.prototypes block (its scores are the objective's input); the spec has none")
}

// SwappedPredictionLoss is SwAV's loss given the codes: for each assigned
// view i (assign[c], codes[c] a (B, K) node holding its codes, not
// differentiated), loss_i is the mean over every other view v of
// -mean_b sum_k codes[b, k] log_softmax(z_v / temperature)[b, k]; the result
// is the mean of loss_i over the assigned views.
func SwappedPredictionLoss(z []*G.Node, codes []*G.Node, assign []int, temperature float64) (*G.Node, error) {
	if err := checkScores(z, assign); err != nil {
		return nil, err
	}
	if len(codes) != len(assign) {
		return nil, fmt.Errorf("swav: %d code nodes for %d assigned views", len(codes), len(assign))
	}
	for c, q := range codes {
		if !q.Shape().Eq(z[0].Shape()) {
			return nil, fmt.Errorf("swav: codes of view %d have shape %v, scores %v", assign[c], q.Shape(), z[0].Shape())
		}
	}
	b, k := z[0].Shape()[0], z[0].Shape()[1]
	all, err := ops.Fill(z[0], "swav.all", tensor.Shape{b, k}, func(m []float32) { // (B, K) ones
		for i := range m {
			m[i] = 1
		}
	})
	if err != nil {
		return nil, fmt.Errorf("swav: %w", err)
	}
	logp := make([]*G.Node, len(z)) // log_softmax(z_v / T), (B, K)
	for v, zv := range z {
		x, err := G.Mul(zv, G.NewConstant(float32(1/temperature))) // (B, K)
		if err != nil {
			return nil, fmt.Errorf("swav: %w", err)
		}
		lse, err := ops.MaskedLogSumExp(x, all) // (B)
		if err != nil {
			return nil, fmt.Errorf("swav: %w", err)
		}
		if logp[v], err = G.BroadcastSub(x, lse, nil, []byte{1}); err != nil { // (B, K)
			return nil, fmt.Errorf("swav: %w", err)
		}
	}
	var terms []*G.Node // sum_b sum_k q log p, one per (assigned view, other view)
	for c, a := range assign {
		q, err := ops.StopGradient(codes[c])
		if err != nil {
			return nil, fmt.Errorf("swav: %w", err)
		}
		for v := range z {
			if v == a {
				continue
			}
			prod, err := G.HadamardProd(q, logp[v]) // (B, K)
			if err != nil {
				return nil, fmt.Errorf("swav: %w", err)
			}
			s, err := ops.Sum(prod) // scalar, accumulated in float64
			if err != nil {
				return nil, fmt.Errorf("swav: %w", err)
			}
			terms = append(terms, s)
		}
	}
	total := terms[0]
	for _, t := range terms[1:] {
		var err error
		if total, err = G.Add(total, t); err != nil {
			return nil, fmt.Errorf("swav: %w", err)
		}
	}
	// every term is -b * (its mean over b); there are len(assign)*(V-1) terms.
	scale := -1 / float64(b*len(assign)*(len(z)-1))
	return G.Mul(total, G.NewConstant(float32(scale)))
}

// checkScores requires at least two views of one (B, K) shape and every
// assigned view to exist.
func checkScores(z []*G.Node, assign []int) error {
	if len(z) < 2 {
		return fmt.Errorf("swav needs at least two views, got %d", len(z))
	}
	if len(assign) == 0 {
		return fmt.Errorf("swav: no view to assign codes to")
	}
	for i, v := range z {
		if v.Dims() != 2 || !v.Shape().Eq(z[0].Shape()) {
			return fmt.Errorf("swav: view %d has shape %v, view 0 %v; all must be (B, K)", i, v.Shape(), z[0].Shape())
		}
	}
	for _, a := range assign {
		if a < 0 || a >= len(z) {
			return fmt.Errorf("swav: crops_for_assign names view %d, got %d views", a, len(z))
		}
	}
	return nil
}
