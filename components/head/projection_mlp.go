package head

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "head.projection_mlp",
		Doc: "SimCLR/SwAV projection MLP: (linear, batch norm, ReLU) x (layers-1), then a linear output layer",
		Params: []registry.Param{
			{Name: "layers", Type: registry.Int, Default: 2, Range: registry.AtLeast(1), Doc: "number of linear layers (SimCLR v1 and solo-learn: 2; SimCLR v2: 3)"},
			{Name: "hidden_dim", Type: registry.Int, Default: 2048, Range: registry.AtLeast(1), Doc: "width of the hidden layers"},
			{Name: "output_dim", Type: registry.Int, Default: 128, Range: registry.AtLeast(1), Doc: "width of the projection (solo-learn SimCLR CIFAR: 256, SwAV: 128)"},
			{Name: "batch_norm", Type: registry.Bool, Default: true, Doc: "batch norm after each hidden linear layer"},
		},
		New: func(v registry.Values) (any, error) {
			return &projectionMLP{layers: v.Int("layers"), hidden: v.Int("hidden_dim"), out: v.Int("output_dim"), batchNorm: v.Bool("batch_norm")}, nil
		},
	})
}

type projectionMLP struct {
	layers, hidden, out int
	batchNorm           bool
}

func (h *projectionMLP) OutputDim() int { return h.out }

// Apply builds name.0 ... name.(2*(layers-1)), numbered like the PyTorch
// nn.Sequential it mirrors (Linear, BatchNorm1d, ReLU, ..., Linear).
func (h *projectionMLP) Apply(b *nn.Builder, name string, x *G.Node) (*G.Node, error) {
	if x.Dims() != 2 {
		return nil, fmt.Errorf("%s: projection MLP wants (N, D) features, got %v", name, x.Shape())
	}
	y := x // (N, D)
	idx := 0
	for l := 0; l < h.layers-1; l++ {
		var err error
		if y, err = b.Linear(y, fmt.Sprintf("%s.%d", name, idx), y.Shape()[1], h.hidden, true); err != nil {
			return nil, err
		}
		idx++
		if h.batchNorm {
			if y, err = b.BatchNorm(y, fmt.Sprintf("%s.%d", name, idx)); err != nil {
				return nil, err
			}
			idx++
		}
		if y, err = b.ReLU(y); err != nil { // (N, hidden)
			return nil, err
		}
		idx++
	}
	return b.Linear(y, fmt.Sprintf("%s.%d", name, idx), y.Shape()[1], h.out, true) // (N, out)
}
