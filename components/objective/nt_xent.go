package objective

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "objective.nt_xent",
		Doc: "SimCLR's normalised temperature-scaled cross-entropy; the other views of the same image are the positives",
		Params: []registry.Param{
			{Name: "temperature", Type: registry.Float, Default: 0.1, Range: registry.Above(0), Doc: "divides the cosine similarities (solo-learn CIFAR: 0.2)"},
		},
		New: func(v registry.Values) (any, error) { return &ntXent{temperature: v.Float("temperature")}, nil },
	})
}

// ntXent is solo-learn's simclr_loss_func generalised to V >= 2 views: for
// each of the V*B projections, minus the log of the summed exp-similarity to
// its V-1 positives over the sum over all other V*B-1 projections, averaged.
type ntXent struct{ temperature float64 }

// CheckWiring requires at least two views: the positives of a view are the
// other views of its image.
func (o *ntXent) CheckWiring(w registry.Wiring) error {
	if n := w.ViewCount(); n < 2 {
		return fmt.Errorf("nt_xent needs at least two views of each image, the spec makes %d (raise a view's count)", n)
	}
	return nil
}

func (o *ntXent) Loss(z []*G.Node) (*G.Node, error) {
	if len(z) < 2 {
		return nil, fmt.Errorf("nt_xent needs at least two views, got %d", len(z))
	}
	b := z[0].Shape()[0]
	for i, v := range z {
		if v.Dims() != 2 || !v.Shape().Eq(z[0].Shape()) {
			return nil, fmt.Errorf("nt_xent: view %d has shape %v, view 0 %v; all must be (B, D)", i, v.Shape(), z[0].Shape())
		}
	}
	n := len(z) * b
	all, err := ops.ConcatRows(z...) // (V*B, D); not G.Concat, whose gradient merges 256-row blocks
	if err != nil {
		return nil, fmt.Errorf("nt_xent: %w", err)
	}
	zn, err := ops.L2Normalize(all) // (V*B, D)
	if err != nil {
		return nil, fmt.Errorf("nt_xent: %w", err)
	}
	sim, err := G.Mul(zn, G.Must(G.Transpose(zn))) // (V*B, V*B) cosine similarities
	if err != nil {
		return nil, fmt.Errorf("nt_xent: %w", err)
	}
	logits, err := G.Mul(sim, G.NewConstant(float32(1/o.temperature))) // (V*B, V*B)
	if err != nil {
		return nil, fmt.Errorf("nt_xent: %w", err)
	}
	others, positives := masks(n, b)
	lseAll, err := ops.MaskedLogSumExp(logits, G.NewConstant(others, G.WithName("nt_xent.others"))) // (V*B)
	if err != nil {
		return nil, fmt.Errorf("nt_xent: %w", err)
	}
	lsePos, err := ops.MaskedLogSumExp(logits, G.NewConstant(positives, G.WithName("nt_xent.positives"))) // (V*B)
	if err != nil {
		return nil, fmt.Errorf("nt_xent: %w", err)
	}
	return G.Mean(G.Must(G.Sub(lseAll, lsePos)))
}

// masks returns, for n = V*B rows where row r comes from image r mod b, the
// mask of every other row and the mask of the other views of the same image.
func masks(n, b int) (others, positives *tensor.Dense) {
	o := make([]float32, n*n)
	p := make([]float32, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			o[i*n+j] = 1
			if i%b == j%b {
				p[i*n+j] = 1
			}
		}
	}
	return tensor.New(tensor.WithShape(n, n), tensor.WithBacking(o)), tensor.New(tensor.WithShape(n, n), tensor.WithBacking(p))
}
