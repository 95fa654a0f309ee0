package ops_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/ops/opstest"
)

func TestSumGrad(t *testing.T) {
	for _, shape := range [][]int{{3, 4}, {7}, {2, 3, 2}} {
		opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
			x := input(g, "x", 3, shape...)
			// (sum x)^2 makes the upstream gradient differ from 1.
			s := G.Must(ops.Sum(x))
			return G.Must(G.Square(s)), []*G.Node{x}
		}, opstest.Float32)
	}
}

// TestSumAccuracy sums what a collapsed SwAV loss sums, 256 x 3000 products
// near -ln(3000)/3000, and compares with the float64 sum: Sum is within
// float32 rounding of it, while gorgonia's float32 Sum (the test checks)
// drifts far enough to have shown a flat SwAV loss at 8.027 for 8.006.
func TestSumAccuracy(t *testing.T) {
	const b, k = 256, 3000
	fill := randn(5)
	v := make([]float32, b*k)
	var want float64
	for i := range v {
		v[i] = float32(-math.Log(k)/k) * (1 + 0.01*fill(i))
		want += float64(v[i])
	}
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(b, k), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(b, k), tensor.WithBacking(v))))
	ours := G.Must(ops.Sum(x))
	theirs := G.Must(G.Sum(x))
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	rel := func(n *G.Node) float64 { return math.Abs(float64(n.Value().Data().(float32))-want) / math.Abs(want) }
	if r := rel(ours); r > 1e-7 {
		t.Errorf("Sum is %v, float64 sum %v: relative error %.2g, want within float32 rounding", ours.Value(), want, r)
	}
	if r := rel(theirs); r < 1e-4 {
		t.Errorf("gorgonia's Sum is within %.2g of the float64 sum: this test no longer shows the drift Sum avoids", r)
	}
	t.Logf("relative error: ops.Sum %.2g, gorgonia's Sum %.2g", rel(ours), rel(theirs))
}
