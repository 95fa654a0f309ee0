package head

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "head.prototypes",
		Doc: "SwAV prototypes: L2-normalised features times the prototype matrix (a linear layer without bias), one score per prototype",
		Params: []registry.Param{
			{Name: "count", Type: registry.Int, Default: 3000, Range: registry.AtLeast(1), Doc: "number of prototypes K (official and solo-learn: 3000)"},
			{Name: "freeze_steps", Type: registry.Int, Default: 0, Range: registry.AtLeast(0), Doc: "first optimizer steps during which the prototypes' gradient is dropped (official ImageNet: 5005)"},
			{Name: "freeze_epochs", Type: registry.Int, Default: 0, Range: registry.AtLeast(0), Doc: "the same in epochs (solo-learn CIFAR: 2); set at most one of the two"},
		},
		New: func(v registry.Values) (any, error) {
			if v.Int("freeze_steps") > 0 && v.Int("freeze_epochs") > 0 {
				return nil, &registry.ParamError{Param: "freeze_epochs", Msg: "set freeze_steps or freeze_epochs, not both"}
			}
			return &Prototypes{count: v.Int("count"), freezeSteps: v.Int("freeze_steps"), freezeEpochs: v.Int("freeze_epochs")}, nil
		},
	})
}

// Prototypes is the head.prototypes component: SwAV's
// nn.Linear(D, K, bias=False) applied to L2-normalised features. The
// training loop calls Normalize before every forward (SwAV normalises the
// prototypes every iteration) and drops the prototypes' gradient for the
// first FreezeSteps steps (or FreezeEpochs epochs).
type Prototypes struct {
	count, freezeSteps, freezeEpochs int
}

// OutputDim is the number of prototypes.
func (h *Prototypes) OutputDim() int { return h.count }

// FreezeSteps is the number of first steps whose prototype gradient is dropped.
func (h *Prototypes) FreezeSteps() int { return h.freezeSteps }

// FreezeEpochs is the number of first epochs whose prototype gradient is
// dropped.
func (h *Prototypes) FreezeEpochs() int { return h.freezeEpochs }

// Frozen reports whether the prototypes' gradient is dropped at an optimizer
// step (0-based) that falls in epoch (0-based), as main_swav.py does while
// iteration < freeze_prototypes_niters.
func (h *Prototypes) Frozen(step, epoch int) bool {
	return step < h.freezeSteps || epoch < h.freezeEpochs
}

// Apply is normalize(x) Wᵀ: x (N, D) -> scores (N, count), W (count, D)
// called name+".weight".
func (h *Prototypes) Apply(b *nn.Builder, name string, x *G.Node) (*G.Node, error) {
	if x.Dims() != 2 {
		return nil, fmt.Errorf("%s: prototypes want (N, D) features, got %v", name, x.Shape())
	}
	xn, err := ops.L2Normalize(x) // (N, D)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	b.Tap(TapPrototypesInput, xn)
	b.TapParam(TapPrototypes, name+".weight")
	return b.Linear(xn, name, x.Shape()[1], h.count, false) // (N, count)
}

// The taps a Prototypes head publishes (nn.Builder.Tap), for an objective
// that keeps a queue of its inputs.
const (
	// TapPrototypesInput is the head's L2-normalised input (N, D).
	TapPrototypesInput = "prototypes.input"
	// TapPrototypes is the prototype matrix (K, D), a parameter.
	TapPrototypes = "prototypes.weight"
)

// Normalize divides every row of the prototype matrix name+".weight" in ps
// by its L2 norm (at least 1e-12, like torch.nn.functional.normalize), in
// place. It does nothing if the parameter does not exist yet.
func (h *Prototypes) Normalize(ps *nn.Params, name string) {
	w, ok := ps.Param(name + ".weight")
	if !ok {
		return
	}
	s := w.Value.Shape()
	d := s[len(s)-1]
	data := w.Data()
	for i := 0; i+d <= len(data); i += d {
		row := data[i : i+d]
		var ss float64
		for _, v := range row {
			ss += float64(v) * float64(v)
		}
		inv := 1 / max(math.Sqrt(ss), 1e-12)
		for j, v := range row {
			row[j] = float32(float64(v) * inv)
		}
	}
}
