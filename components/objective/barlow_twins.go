package objective

import (
	"fmt"
	"strconv"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "objective.barlow_twins",
		Doc: "Barlow Twins' redundancy reduction: the cross-correlation of the two batch-normalised views is pushed towards the identity",
		Params: []registry.Param{
			{Name: "lamb", Type: registry.Float, Default: 0.0051, Range: registry.AtLeast(0), Doc: "weight of the off-diagonal terms against the diagonal ones (solo-learn's default and CIFAR recipe: 0.0051)"},
			{Name: "scale_loss", Type: registry.Float, Default: 0.1, Range: registry.Above(0), Doc: "multiplies the whole loss (solo-learn's CIFAR and ImageNet-100 recipes: 0.1, ImageNet: 0.048, method default: 0.024)"},
		},
		New: func(v registry.Values) (any, error) {
			return &barlowTwins{lamb: v.Float("lamb"), scale: v.Float("scale_loss")}, nil
		},
	})
}

// barlowEps is added to the variance before its square root: that of
// solo-learn's torch.nn.BatchNorm1d(D, affine=False).
const barlowEps = 1e-5

// barlowTwins is solo-learn's barlow_loss_func (solo/losses/barlow.py):
//
//	bn   = torch.nn.BatchNorm1d(D, affine=False)   # a new one each call, training mode
//	corr = bn(z1)ᵀ bn(z2) / N                       # (D, D)
//	cdif = (corr - I)²; cdif[off-diagonal] *= lamb
//	loss = scale_loss * cdif.sum()
//
// The batch norm normalises each column with the batch's mean and biased
// variance, eps 1e-5, and has no scale or shift; its running statistics are
// thrown away with it, so here it is written out of element-wise ops rather
// than with ops.BatchNorm, whose statistics belong to a model. solo-learn
// all-reduces corr and divides it by the world size when torch.distributed
// is initialised, which in one process changes nothing.
type barlowTwins struct{ lamb, scale float64 }

// CheckWiring requires exactly two views: the loss correlates one with the
// other.
func (o *barlowTwins) CheckWiring(w registry.Wiring) error {
	return checkTwoViewsWiring("barlow_twins", w)
}

func (o *barlowTwins) Loss(z []*G.Node) (*G.Node, error) {
	n, d, err := twoViews("barlow_twins", z)
	if err != nil {
		return nil, err
	}
	var bn [2]*G.Node
	for v := range bn {
		if bn[v], err = barlowNorm(z[v], n); err != nil { // (N, D)
			return nil, fmt.Errorf("barlow_twins: %w", err)
		}
	}
	prod, err := G.Mul(G.Must(G.Transpose(bn[0])), bn[1]) // (D, D)
	if err != nil {
		return nil, fmt.Errorf("barlow_twins: %w", err)
	}
	corr, err := G.Mul(prod, G.NewConstant(float32(1/float64(n)))) // (D, D)
	if err != nil {
		return nil, fmt.Errorf("barlow_twins: %w", err)
	}
	eye, err := ops.Fill(corr, "barlow_twins.eye", tensor.Shape{d, d}, func(m []float32) { identity(m, d) }) // (D, D)
	if err != nil {
		return nil, fmt.Errorf("barlow_twins: %w", err)
	}
	// 1 on the diagonal, lamb off it; lamb is in the name because nodes
	// of one name and shape are one constant.
	lamb := float32(o.lamb)
	weights, err := ops.Fill(corr, "barlow_twins.weights/"+strconv.FormatFloat(o.lamb, 'g', -1, 64), tensor.Shape{d, d}, func(m []float32) { // (D, D)
		for i := range m {
			m[i] = lamb
		}
		for i := 0; i < d; i++ {
			m[i*d+i] = 1
		}
	})
	if err != nil {
		return nil, fmt.Errorf("barlow_twins: %w", err)
	}
	diff, err := G.Sub(corr, eye) // (D, D)
	if err != nil {
		return nil, fmt.Errorf("barlow_twins: %w", err)
	}
	sq, err := G.Square(diff) // (D, D)
	if err != nil {
		return nil, fmt.Errorf("barlow_twins: %w", err)
	}
	cdif, err := G.HadamardProd(sq, weights) // (D, D)
	if err != nil {
		return nil, fmt.Errorf("barlow_twins: %w", err)
	}
	total, err := ops.Sum(cdif) // scalar, accumulated in float64
	if err != nil {
		return nil, fmt.Errorf("barlow_twins: %w", err)
	}
	return G.Mul(total, G.NewConstant(float32(o.scale)))
}

// barlowNorm is torch.nn.BatchNorm1d(D, affine=False) in training mode on z
// (N, D): each column less its mean, divided by sqrt(biased variance + eps).
func barlowNorm(z *G.Node, n int) (*G.Node, error) {
	centred, ss, err := centreColumns(z, n) // (N, D), (D)
	if err != nil {
		return nil, err
	}
	variance, err := G.Mul(ss, G.NewConstant(float32(1/float64(n)))) // (D), biased
	if err != nil {
		return nil, err
	}
	shifted, err := G.Add(variance, G.NewConstant(float32(barlowEps))) // (D)
	if err != nil {
		return nil, err
	}
	std, err := G.Sqrt(shifted) // (D)
	if err != nil {
		return nil, err
	}
	return G.BroadcastHadamardDiv(centred, std, nil, []byte{0}) // (N, D)
}
