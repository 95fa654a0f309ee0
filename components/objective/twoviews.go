package objective

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/registry"
)

// Helpers of the objectives that compare exactly two views by their
// per-dimension batch statistics (Barlow Twins, VICReg).

// checkTwoViewsWiring refuses a spec that does not make exactly two views of
// each image.
func checkTwoViewsWiring(name string, w registry.Wiring) error {
	if n := w.ViewCount(); n != 2 {
		return fmt.Errorf("%s compares exactly two views of each image, the spec makes %d (make the views' counts add up to 2)", name, n)
	}
	return nil
}

// twoViews checks that z holds two (N, D) float32 projections of one shape,
// N >= 2 (both losses divide by a batch statistic), and returns N and D.
func twoViews(name string, z []*G.Node) (n, d int, err error) {
	if len(z) != 2 {
		return 0, 0, fmt.Errorf("%s needs exactly two views, got %d", name, len(z))
	}
	for i, v := range z {
		if v.Dims() != 2 || !v.Shape().Eq(z[0].Shape()) {
			return 0, 0, fmt.Errorf("%s: view %d has shape %v, view 0 %v; both must be (N, D)", name, i, v.Shape(), z[0].Shape())
		}
	}
	n, d = z[0].Shape()[0], z[0].Shape()[1]
	if n < 2 {
		return 0, 0, fmt.Errorf("%s: batch statistics need at least two rows, the views have %d", name, n)
	}
	return n, d, nil
}

// centreColumns returns z (N, D) less the mean of each column, and the sum
// over the rows of the squared result, (D): N times the biased variance of
// each column, N-1 times the unbiased one.
func centreColumns(z *G.Node, n int) (centred, sumSquares *G.Node, err error) {
	sum, err := G.Sum(z, 0) // (D)
	if err != nil {
		return nil, nil, err
	}
	mean, err := G.Mul(sum, G.NewConstant(float32(1/float64(n)))) // (D)
	if err != nil {
		return nil, nil, err
	}
	if centred, err = G.BroadcastSub(z, mean, nil, []byte{0}); err != nil { // (N, D)
		return nil, nil, err
	}
	sq, err := G.Square(centred) // (N, D)
	if err != nil {
		return nil, nil, err
	}
	if sumSquares, err = G.Sum(sq, 0); err != nil { // (D)
		return nil, nil, err
	}
	return centred, sumSquares, nil
}

// identity writes the (d, d) identity into the zeroed m.
func identity(m []float32, d int) {
	for i := 0; i < d; i++ {
		m[i*d+i] = 1
	}
}
