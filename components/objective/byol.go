package objective

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:     "objective.byol",
		Doc:    "BYOL: the online network's predictions regress a momentum teacher's projections of the other views; the teacher is a moving average of the online backbone and projector",
		Method: "Builds a momentum teacher: a copy of the backbone and every head but the last (the predictor), on the views crops_for_teacher names, which takes no gradient. Before the first step it copies the online weights; after every step it moves towards them with a momentum rising from momentum to final_momentum on a cosine. Checkpoints keep its weights and batch-norm statistics (method/teacher/...).",
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

// Byol is solo-learn's BYOL. The last head block is the predictor, which
// only the online network has. The teacher (the embedded momentumTeacher,
// shared with MoCo v2+, which also gives the hooks BeforeStep, State,
// SetState, Taps, Variant and StateBytes) is a copy of the backbone and
// the other heads that starts as the online weights and follows them after
// every step with momentum rising from BaseTau to FinalTau on a cosine.
// The loss sums, over every teacher view v1 and every other view v2,
// 2 - 2 cos(p[v2], z_teacher[v1]) averaged over the batch.
type Byol struct {
	BaseTau, FinalTau float64
	Teacher           []int // crops_for_teacher
	momentumTeacher
}

// CheckWiring requires teacher views that exist, one other view at least,
// and a projector and a predictor: two head blocks, the last the predictor.
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

// Branches is the teacher: the backbone and every head but the predictor,
// on the teacher views.
func (o *Byol) Branches(online *nn.Params, heads []string) ([]Branch, error) {
	if len(heads) < 2 {
		return nil, fmt.Errorf("byol needs a projector and a predictor head, the spec has %d heads", len(heads))
	}
	o.build(online, heads[:len(heads)-1])
	return []Branch{{Heads: o.heads, Views: o.Teacher, Params: o.teacher}}, nil
}

// BranchLoss is the loss of the predictions p (B, D) per view against the
// teacher's projections out[0].
func (o *Byol) BranchLoss(p []*G.Node, out [][]*G.Node) (*G.Node, error) {
	var total *G.Node
	for _, v1 := range o.Teacher {
		if len(out) != 1 || v1 >= len(p) || out[0][v1] == nil {
			return nil, fmt.Errorf("byol: no teacher projection of view %d", v1)
		}
		for v2 := range p {
			if v2 == v1 {
				continue
			}
			if !p[v2].Shape().Eq(out[0][v1].Shape()) {
				return nil, fmt.Errorf("byol: the prediction of view %d is %v, the teacher's projection %v; the predictor must give the projector's width", v2, p[v2].Shape(), out[0][v1].Shape())
			}
			zt := G.Must(ops.L2Normalize(out[0][v1]))                                          // (B, D)
			cos := G.Must(ops.Sum(G.Must(G.HadamardProd(G.Must(ops.L2Normalize(p[v2])), zt)))) // (): the batch's cosines summed
			b := float32(p[v2].Shape()[0])
			term := G.Must(G.Sub(G.NewConstant(float32(2)), G.Must(G.Mul(cos, G.NewConstant(2/b))))) // 2 - 2 mean cos
			if total == nil {
				total = term
			} else {
				total = G.Must(G.Add(total, term))
			}
		}
	}
	if total == nil {
		return nil, fmt.Errorf("byol: no pair of views")
	}
	return total, nil
}

// Tau is the teacher's momentum after optimizer step (0-based) of total.
func (o *Byol) Tau(step, total int) float64 { return teacherTau(o.BaseTau, o.FinalTau, step, total) }

// Momentum is the teacher's momentum after step s.
func (o *Byol) Momentum(s Step) float64 { return o.Tau(s.Step, s.Total) }

var _ Brancher = (*Byol)(nil)
