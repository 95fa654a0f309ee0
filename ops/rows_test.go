package ops_test

import (
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/ops/opstest"
)

// TestRows checks the gradient of two row blocks of one tensor (their
// gradients add into it) by finite differences.
func TestRowsGradient(t *testing.T) {
	opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
		x := G.NewTensor(g, tensor.Float32, 3, G.WithShape(6, 2, 3), G.WithName("x"), G.WithValue(opstest.Tensor(randn(3), 6, 2, 3)))
		a := weighted(g, G.Must(ops.Rows(x, 0, 4)), 5)
		b := weighted(g, G.Must(ops.Rows(x, 2, 6)), 6)
		return G.Must(G.Add(a, b)), []*G.Node{x}
	}, opstest.Float32)
}

// TestRowsKeepsBlocksApart is the regression test for gorgonia's sliceOp,
// whose hash keeps only the low byte of its bounds: rows [0, 256) and
// [256, 512) must stay two nodes with their own values.
func TestRowsKeepsBlocksApart(t *testing.T) {
	const b = 256
	g := G.NewGraph()
	data := make([]float32, 2*b)
	for i := range data {
		data[i] = float32(i)
	}
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(2*b, 1), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(2*b, 1), tensor.WithBacking(data))))
	lo := G.Must(ops.Rows(x, 0, b))
	hi := G.Must(ops.Rows(x, b, 2*b))
	if lo == hi {
		t.Fatal("rows [0, 256) and [256, 512) became one node")
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	if got := lo.Value().Data().([]float32); !slices.Equal(got, data[:b]) {
		t.Errorf("rows [0, 256) = %v...", got[:4])
	}
	if got := hi.Value().Data().([]float32); !slices.Equal(got, data[b:]) {
		t.Errorf("rows [256, 512) = %v...", got[:4])
	}
	if _, err := ops.Rows(x, 3, 3); err == nil {
		t.Error("an empty block was accepted")
	}
}

func TestConcatRowsGradient(t *testing.T) {
	opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
		a := G.NewTensor(g, tensor.Float32, 2, G.WithShape(3, 4), G.WithName("a"), G.WithValue(opstest.Tensor(randn(4), 3, 4)))
		b := G.NewTensor(g, tensor.Float32, 2, G.WithShape(2, 4), G.WithName("b"), G.WithValue(opstest.Tensor(randn(5), 2, 4)))
		return weighted(g, G.Must(ops.ConcatRows(a, b)), 7), []*G.Node{a, b}
	}, opstest.Float32)
}

// TestConcatRowsGradientAt256 is the regression test for gorgonia's Concat,
// whose gradient is split by sliceOp: with inputs of 256 rows both got the
// first block's gradient. d(sum(c ⊙ k))/d input must be that input's rows of
// k.
func TestConcatRowsGradientAt256(t *testing.T) {
	const b = 256
	g := G.NewGraph()
	x0 := G.NewMatrix(g, tensor.Float32, G.WithShape(b, 1), G.WithName("x0"), G.WithValue(tensor.New(tensor.WithShape(b, 1), tensor.WithBacking(make([]float32, b)))))
	x1 := G.NewMatrix(g, tensor.Float32, G.WithShape(b, 1), G.WithName("x1"), G.WithValue(tensor.New(tensor.WithShape(b, 1), tensor.WithBacking(make([]float32, b)))))
	k := make([]float32, 2*b)
	for i := range k {
		k[i] = float32(i)
	}
	c := G.Must(ops.ConcatRows(x0, x1))
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(c, G.NewConstant(tensor.New(tensor.WithShape(2*b, 1), tensor.WithBacking(k)))))))
	grads, err := G.Grad(loss, x0, x1)
	if err != nil {
		t.Fatal(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	if got := grads[0].Value().Data().([]float32); !slices.Equal(got, k[:b]) {
		t.Errorf("gradient of the first input starts %v", got[:3])
	}
	if got := grads[1].Value().Data().([]float32); !slices.Equal(got, k[b:]) {
		t.Errorf("gradient of the second input starts %v, want %v", got[:3], k[b:b+3])
	}
}
