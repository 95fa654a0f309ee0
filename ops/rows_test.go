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
