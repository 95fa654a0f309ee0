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
		ID:  "objective.vicreg",
		Doc: "VICReg: invariance (mean squared error between the two views), variance (a hinge on each dimension's std) and covariance (off-diagonal covariances) terms",
		Params: []registry.Param{
			{Name: "sim_loss_weight", Type: registry.Float, Default: 25.0, Range: registry.AtLeast(0), Doc: "weight of the invariance term, the mean squared error between the views (solo-learn's default and CIFAR recipe: 25)"},
			{Name: "var_loss_weight", Type: registry.Float, Default: 25.0, Range: registry.AtLeast(0), Doc: "weight of the variance term, mean relu(1 - std) of each view's dimensions, summed over the views (solo-learn: 25)"},
			{Name: "cov_loss_weight", Type: registry.Float, Default: 1.0, Range: registry.AtLeast(0), Doc: "weight of the covariance term, each view's squared off-diagonal covariances summed and divided by D (solo-learn: 1)"},
		},
		New: func(v registry.Values) (any, error) {
			return &vicReg{
				sim: v.Float("sim_loss_weight"),
				vr:  v.Float("var_loss_weight"),
				cov: v.Float("cov_loss_weight"),
			}, nil
		},
	})
}

// vicregEps is added to each dimension's variance before its square root
// (solo-learn's variance_loss: 1e-4).
const vicregEps = 1e-4

// vicReg is solo-learn's vicreg_loss_func (solo/losses/vicreg.py):
//
//	invariance = mse_loss(z1, z2)                                    # mean over N*D
//	variance   = mean(relu(1 - sqrt(z1.var(0) + 1e-4)))              # unbiased var
//	           + mean(relu(1 - sqrt(z2.var(0) + 1e-4)))
//	covariance = Σ offdiag(cov(z1))² / D + Σ offdiag(cov(z2))² / D   # cov = zcᵀzc / (N-1)
//	loss = sim_loss_weight * invariance + var_loss_weight * variance + cov_loss_weight * covariance
//
// The two views' variance terms are added, not halved: the official
// facebookresearch/vicreg main_vicreg.py divides each by 2, solo-learn does
// not, and this follows solo-learn. solo-learn gathers z1 and z2 from every
// process before the variance and covariance terms (the official code
// does too); in one process the gather returns them unchanged.
type vicReg struct{ sim, vr, cov float64 }

// CheckWiring requires exactly two views: the invariance term compares one
// with the other.
func (o *vicReg) CheckWiring(w registry.Wiring) error {
	return checkTwoViewsWiring("vicreg", w)
}

func (o *vicReg) Loss(z []*G.Node) (*G.Node, error) {
	n, d, err := twoViews("vicreg", z)
	if err != nil {
		return nil, err
	}
	wrap := func(err error) error { return fmt.Errorf("vicreg: %w", err) }

	// invariance: mean over N*D of (z1 - z2)².
	diff, err := G.Sub(z[0], z[1]) // (N, D)
	if err != nil {
		return nil, wrap(err)
	}
	diffSq, err := G.Square(diff) // (N, D)
	if err != nil {
		return nil, wrap(err)
	}
	sse, err := ops.Sum(diffSq) // scalar, accumulated in float64
	if err != nil {
		return nil, wrap(err)
	}
	loss, err := G.Mul(sse, G.NewConstant(float32(o.sim/float64(n*d)))) // scalar
	if err != nil {
		return nil, wrap(err)
	}

	offDiagonal, err := ops.Fill(z[0], "vicreg.off_diagonal", tensor.Shape{d, d}, func(m []float32) { // (D, D)
		for i := range m {
			m[i] = 1
		}
		for i := 0; i < d; i++ {
			m[i*d+i] = 0
		}
	})
	if err != nil {
		return nil, wrap(err)
	}
	for _, zv := range z {
		centred, ss, err := centreColumns(zv, n) // (N, D), (D)
		if err != nil {
			return nil, wrap(err)
		}

		// variance: mean over D of relu(1 - sqrt(var + eps)), var unbiased.
		variance, err := G.Mul(ss, G.NewConstant(float32(1/float64(n-1)))) // (D)
		if err != nil {
			return nil, wrap(err)
		}
		shifted, err := G.Add(variance, G.NewConstant(float32(vicregEps))) // (D)
		if err != nil {
			return nil, wrap(err)
		}
		std, err := G.Sqrt(shifted) // (D)
		if err != nil {
			return nil, wrap(err)
		}
		gap, err := G.Sub(G.NewConstant(float32(1)), std) // (D)
		if err != nil {
			return nil, wrap(err)
		}
		hinge, err := ops.ReLU(gap) // (D)
		if err != nil {
			return nil, wrap(err)
		}
		hingeSum, err := ops.Sum(hinge) // scalar
		if err != nil {
			return nil, wrap(err)
		}
		varTerm, err := G.Mul(hingeSum, G.NewConstant(float32(o.vr/float64(d)))) // scalar
		if err != nil {
			return nil, wrap(err)
		}

		// covariance: Σ over i != j of cov[i, j]², divided by D.
		prod, err := G.Mul(G.Must(G.Transpose(centred)), centred) // (D, D)
		if err != nil {
			return nil, wrap(err)
		}
		cov, err := G.Mul(prod, G.NewConstant(float32(1/float64(n-1)))) // (D, D)
		if err != nil {
			return nil, wrap(err)
		}
		covSq, err := G.Square(cov) // (D, D)
		if err != nil {
			return nil, wrap(err)
		}
		off, err := G.HadamardProd(covSq, offDiagonal) // (D, D)
		if err != nil {
			return nil, wrap(err)
		}
		offSum, err := ops.Sum(off) // scalar
		if err != nil {
			return nil, wrap(err)
		}
		covTerm, err := G.Mul(offSum, G.NewConstant(float32(o.cov/float64(d)))) // scalar
		if err != nil {
			return nil, wrap(err)
		}

		for _, t := range []*G.Node{varTerm, covTerm} {
			if loss, err = G.Add(loss, t); err != nil {
				return nil, wrap(err)
			}
		}
	}
	return loss, nil
}
