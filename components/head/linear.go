package head

import (
	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "head.linear",
		Doc: "one linear layer with bias, e.g. a classifier on frozen features",
		Params: []registry.Param{
			{Name: "output_dim", Type: registry.Int, Range: registry.AtLeast(1), Doc: "number of outputs (classes)"},
		},
		New: func(v registry.Values) (any, error) { return &linear{out: v.Int("output_dim")}, nil },
	})
}

type linear struct{ out int }

func (h *linear) OutputDim() int { return h.out }

// Apply is x Wᵀ + b: (N, D) -> (N, output_dim).
func (h *linear) Apply(b *nn.Builder, name string, x *G.Node) (*G.Node, error) {
	return b.Linear(x, name, x.Shape()[1], h.out, true)
}
