package nn_test

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/ops/opstest"
)

func randn(seed uint64) func(int) float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	return func(int) float32 { return float32(r.NormFloat64()) }
}

// TestLayerStackGradients checks a whole stack built by Builder against
// finite differences: conv, batch norm (training and eval), a strided conv,
// a residual addition, global average pooling and a linear layer. Each op
// passes its own check; this one catches what only their composition in one
// graph can get wrong (buffers shared between nodes, in-place reuse). ReLU
// is left out: after batch norm many inputs sit within the finite-difference
// step of its kink (its own test keeps inputs away from 0).
func TestLayerStackGradients(t *testing.T) {
	for _, training := range []bool{true, false} {
		opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
			ps := nn.NewParams(3)
			b := nn.NewBuilder(g, ps, training)
			x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(3, 2, 6, 6), G.WithName("x"), G.WithValue(opstest.Tensor(randn(1), 3, 2, 6, 6)))
			y := G.Must(b.Conv(x, "c1", 4, 3, 1, 1, nn.KaimingUniform))
			y = G.Must(b.BatchNorm(y, "bn1"))
			y = G.Must(G.Mul(y, G.NewConstant(float32(1.5))))
			z := G.Must(b.Conv(y, "c2", 4, 3, 1, 1, nn.KaimingUniform))
			z = G.Must(b.BatchNorm(z, "bn2"))
			y = G.Must(G.Add(z, y))
			y = G.Must(b.Conv(y, "c3", 5, 3, 2, 1, nn.KaimingUniform))
			y = G.Must(b.GlobalAvgPool(y))
			y = G.Must(b.Linear(y, "fc", 5, 3, true))
			r := G.NewConstant(opstest.Tensor(randn(2), 3, 3))
			cost := G.Must(G.Sum(G.Must(G.HadamardProd(y, r))))
			_, nodes := b.Learnables()
			if err := ops.CheckGraph(g); err != nil {
				t.Fatal(err)
			}
			return cost, append([]*G.Node{x}, nodes...)
		}, opstest.Float32)
	}
}
