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
	others, err := ops.Fill(logits, "nt_xent.others", tensor.Shape{n, n}, func(m []float32) { otherRows(m, n) }) // (V*B, V*B)
	if err != nil {
		return nil, fmt.Errorf("nt_xent: %w", err)
	}
	positives, err := ops.Fill(logits, "nt_xent.positives", tensor.Shape{n, n}, func(m []float32) { positiveRows(m, n, b) }) // (V*B, V*B)
	if err != nil {
		return nil, fmt.Errorf("nt_xent: %w", err)
	}
	lseAll, err := ops.MaskedLogSumExp(logits, others) // (V*B)
	if err != nil {
		return nil, fmt.Errorf("nt_xent: %w", err)
	}
	lsePos, err := ops.MaskedLogSumExp(logits, positives) // (V*B)
	if err != nil {
		return nil, fmt.Errorf("nt_xent: %w", err)
	}
	return G.Mean(G.Must(G.Sub(lseAll, lsePos)))
}

// otherRows writes into the zeroed (n, n) mask m the 1s of every other row:
// all but the diagonal.
func otherRows(m []float32, n int) {
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				m[i*n+j] = 1
			}
		}
	}
}

// positiveRows writes into the zeroed (n, n) mask m, for n = V*B rows where
// row r comes from image r mod b, the 1s of the other views of the same
// image.
func positiveRows(m []float32, n, b int) {
	for i := 0; i < n; i++ {
		for j := i % b; j < n; j += b {
			if i != j {
				m[i*n+j] = 1
			}
		}
	}
}
