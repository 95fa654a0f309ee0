package objective

import (
	"fmt"
	"math"
	"slices"

	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "objective.byol",
		Doc: "BYOL: the online network's predictions regress a momentum teacher's projections of the other views; the teacher is a moving average of the online backbone and projector",
		Params: []registry.Param{
			{Name: "momentum", Type: registry.Float, Default: 0.99, Range: registry.Between(0, 1), Doc: "the teacher's first momentum tau, rising to final_momentum on a cosine (solo-learn CIFAR: 0.99; ImageNet: 0.99)"},
			{Name: "final_momentum", Type: registry.Float, Default: 1.0, Range: registry.Between(0, 1), Doc: "the teacher's momentum at the last step (solo-learn: 1.0)"},
			{Name: "crops_for_teacher", Type: registry.Floats, Default: []float64{0, 1}, Range: registry.AtLeast(0), Doc: "the views the teacher projects (solo-learn: the large crops, [0, 1]); every other view predicts each of them"},
		},
		New: func(v registry.Values) (any, error) {
			base, final := v.Float("momentum"), v.Float("final_momentum")
			if final < base {
				return nil, &registry.ParamError{Param: "final_momentum", Msg: fmt.Sprintf("%g is below momentum %g; the teacher's momentum rises", final, base)}
			}
			views, err := viewIndices("crops_for_teacher", v.Floats("crops_for_teacher"))
			if err != nil {
				return nil, err
			}
			return &Byol{BaseTau: base, FinalTau: final, Teacher: views}, nil
		},
	})
}

// viewIndices reads a list of distinct view indices.
func viewIndices(param string, fs []float64) ([]int, error) {
	out := make([]int, len(fs))
	for i, f := range fs {
		if f != math.Trunc(f) {
			return nil, &registry.ParamError{Param: param, Msg: fmt.Sprintf("element %d (%g) is not a view index", i, f)}
		}
		out[i] = int(f)
		if slices.Contains(out[:i], out[i]) {
			return nil, &registry.ParamError{Param: param, Msg: fmt.Sprintf("view %d listed twice", out[i])}
		}
	}
	if len(out) == 0 {
		return nil, &registry.ParamError{Param: param, Msg: "names no view"}
	}
	return out, nil
}

// Byol is the objective.byol component, solo-learn's BYOL: the heads'
// last block is the predictor, which only the online network has; the
// teacher is a copy of the backbone and the other heads (a Branch) that
// starts as the online network's weights and follows them as an
// exponential moving average after every optimizer step, with momentum
// tau rising from BaseTau to FinalTau on a cosine over the run
// (solo-learn's MomentumUpdater). The loss sums, over every teacher view
// v1 and every other view v2, 2 - 2 cos(p[v2], z_teacher[v1]) averaged
// over the batch (byol_loss_func).
type Byol struct {
	BaseTau, FinalTau float64
	Teacher           []int // crops_for_teacher
	momentumTeacher
}

// CheckWiring requires two views at least, teacher views that exist, and
// a projector and a predictor: two head blocks at least, the last the
// predictor.
func (o *Byol) CheckWiring(w registry.Wiring) error {
	n := w.ViewCount()
	if n < 2 {
		return fmt.Errorf("byol needs at least two views of each image, the spec makes %d (raise a view's count)", n)
	}
	for _, v := range o.Teacher {
		if v >= n {
			return fmt.Errorf("crops_for_teacher names view %d, but the spec makes only %d views (indices 0 to %d)", v, n, n-1)
		}
	}
	if len(w.Heads) < 2 {
		return fmt.Errorf("byol needs a projector and a predictor: two head blocks at least, the last the predictor, which the teacher does not copy; the spec has %d", len(w.Heads))
	}
	return nil
}

// Loss refuses to build without the teacher: BYOL's loss reads it.
func (o *Byol) Loss([]*G.Node) (*G.Node, error) {
	return nil, fmt.Errorf("byol: the loss reads the teacher's projections; build it with its branch (BranchLoss)")
}

// Branches is the teacher: the backbone and every head but the last (the
// predictor), on the teacher views, over parameters made on first use.
func (o *Byol) Branches(online *nn.Params, heads []string) ([]Branch, error) {
	if len(heads) < 2 {
		return nil, fmt.Errorf("byol needs a projector and a predictor head, the spec has %d heads", len(heads))
	}
	o.build(online, heads[:len(heads)-1])
	return []Branch{{Heads: o.heads, Views: o.Teacher, Params: o.teacher}}, nil
}

// BranchLoss is solo-learn's BYOL loss: for every teacher view v1 and
// every other view v2, 2 - 2 * mean over the batch of the cosine of the
// online prediction p[v2] and the teacher's projection of v1.
func (o *Byol) BranchLoss(p []*G.Node, out [][]*G.Node) (*G.Node, error) {
	if len(out) != 1 {
		return nil, fmt.Errorf("byol: %d branches, want the teacher", len(out))
	}
	var total *G.Node
	for _, v1 := range o.Teacher {
		if v1 >= len(p) || out[0][v1] == nil {
			return nil, fmt.Errorf("byol: no teacher projection of view %d", v1)
		}
		zt, err := ops.L2Normalize(out[0][v1]) // (B, D)
		if err != nil {
			return nil, fmt.Errorf("byol: %w", err)
		}
		for v2 := range p {
			if v2 == v1 {
				continue
			}
			if !p[v2].Shape().Eq(zt.Shape()) {
				return nil, fmt.Errorf("byol: the prediction of view %d is %v, the teacher's projection %v; the predictor must give the projector's width", v2, p[v2].Shape(), zt.Shape())
			}
			pn, err := ops.L2Normalize(p[v2]) // (B, D)
			if err != nil {
				return nil, fmt.Errorf("byol: %w", err)
			}
			prod, err := G.HadamardProd(pn, zt) // (B, D)
			if err != nil {
				return nil, fmt.Errorf("byol: %w", err)
			}
			s, err := ops.Sum(prod) // ()
			if err != nil {
				return nil, fmt.Errorf("byol: %w", err)
			}
			b := float32(p[v2].Shape()[0])
			term, err := G.Sub(G.NewConstant(float32(2)), G.Must(G.Mul(s, G.NewConstant(2/b)))) // 2 - 2 mean cos
			if err != nil {
				return nil, fmt.Errorf("byol: %w", err)
			}
			if total == nil {
				total = term
			} else if total, err = G.Add(total, term); err != nil {
				return nil, fmt.Errorf("byol: %w", err)
			}
		}
	}
	if total == nil {
		return nil, fmt.Errorf("byol: no pair of views")
	}
	return total, nil
}

// Tau is the teacher's momentum after optimizer step (0-based) of total
// (see teacherTau).
func (o *Byol) Tau(step, total int) float64 { return teacherTau(o.BaseTau, o.FinalTau, step, total) }

// Taps: BYOL reads no tap; its teacher is a branch.
func (o *Byol) Taps() (nodes, params []string) { return nil, nil }

// Variant is always the one graph.
func (o *Byol) Variant(Step) string { return "" }

// BeforeStep starts the teacher as the online network before the first
// step.
func (o *Byol) BeforeStep(Step, map[string]*nn.Param) error { return o.start() }

// AfterStep moves the teacher towards the online network.
func (o *Byol) AfterStep(s Step, _ map[string][][]float32) error {
	return o.follow(o.Tau(s.Step, s.Total))
}

// State is the teacher (momentumTeacher.state).
func (o *Byol) State() State {
	st := State{Buffers: map[string][]float32{}, Counters: map[string]int64{}}
	o.state(st)
	return st
}

// SetState restores the teacher State gave.
func (o *Byol) SetState(st State) error {
	if len(st.Buffers) == 0 && len(st.Counters) == 0 {
		o.started = false
		return nil
	}
	n, err := o.setState(st)
	if err != nil {
		return fmt.Errorf("byol: %w", err)
	}
	if len(st.Buffers) != n {
		return fmt.Errorf("byol: the state holds %d teacher tensors, the teacher %d", len(st.Buffers), n)
	}
	return nil
}

// StateBytes is the teacher's parameters and batch-norm statistics.
func (o *Byol) StateBytes(int, map[string][]int, int) int64 { return o.bytes() }

var _ Brancher = (*Byol)(nil)
