package ops_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/ops/opstest"
)

// randn gives a deterministic standard-normal fill for test tensors.
func randn(seed uint64) func(int) float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	return func(int) float32 { return float32(r.NormFloat64()) }
}

func input(g *G.ExprGraph, name string, seed uint64, shape ...int) *G.Node {
	return G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
		G.WithValue(opstest.Tensor(randn(seed), shape...)))
}

// weighted returns sum(y ⊙ r) for a fixed random r, so that every element of
// y gets its own gradient.
func weighted(g *G.ExprGraph, y *G.Node, seed uint64) *G.Node {
	r := G.NewConstant(opstest.Tensor(randn(seed), y.Shape()...), G.WithName("r"))
	return G.Must(G.Sum(G.Must(G.HadamardProd(y, r))))
}

func TestL2NormalizeGrad(t *testing.T) {
	for _, shape := range [][]int{{3, 4}, {5, 1}, {2, 16}} {
		opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
			x := input(g, "x", 1, shape...)
			return weighted(g, G.Must(ops.L2Normalize(x)), 2), []*G.Node{x}
		}, opstest.Float32)
	}
}

func TestL2NormalizeValues(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{3, 4, 0, 0}))))
	y := G.Must(ops.L2Normalize(x))
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	got := y.Value().Data().([]float32)
	want := []float32{0.6, 0.8, 0, 0} // the zero row stays zero (norm clamped to eps)
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-6 {
			t.Errorf("y = %v, want %v", got, want)
			break
		}
	}
}

func TestMaskedLogSumExp(t *testing.T) {
	mask := opstest.Tensor(func(i int) float32 { return float32((i*7 + 3) % 3 / 2) }, 4, 5)
	opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
		x := input(g, "x", 3, 4, 5)
		m := G.NewConstant(mask.Clone(), G.WithName("mask"))
		return weighted(g, G.Must(ops.MaskedLogSumExp(x, m)), 4), []*G.Node{x}
	}, opstest.Float32)

	// Large logits must not overflow: log(e^1000 + e^1000) = 1000 + log 2.
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(1, 3), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float32{1000, 1000, 5000}))))
	m := G.NewConstant(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float32{1, 1, 0})))
	y := G.Must(ops.MaskedLogSumExp(x, m))
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if got := y.Value().Data().([]float32)[0]; math.Abs(float64(got)-(1000+math.Ln2)) > 1e-3 {
		t.Errorf("logsumexp = %v, want %v", got, 1000+math.Ln2)
	}
}

// TestStopGradient: d/dx sum(stop(x) ⊙ x) is stop(x) = x, not 2x.
func TestStopGradient(t *testing.T) {
	g := G.NewGraph()
	x := input(g, "x", 5, 2, 3)
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(ops.StopGradient(x)), x))))
	grads, err := G.Grad(cost, x)
	if err != nil {
		t.Fatal(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	xs, gs := x.Value().Data().([]float32), grads[0].Value().Data().([]float32)
	for i := range xs {
		if math.Abs(float64(gs[i]-xs[i])) > 1e-6 {
			t.Fatalf("gradient %v, want x = %v", gs, xs)
		}
	}
}

func TestCheckGraph(t *testing.T) {
	g := G.NewGraph()
	x := input(g, "x", 1, 3, 4)
	y := G.Must(ops.L2Normalize(x))
	cost := G.Must(G.Mean(G.Must(ops.ReLU(G.Must(G.Mul(y, G.Must(G.Transpose(y))))))))
	if _, err := G.Grad(cost, x); err != nil {
		t.Fatal(err)
	}
	if err := ops.CheckGraph(g); err != nil {
		t.Errorf("allowed graph rejected: %v", err)
	}
	G.Must(G.Tanh(cost))
	err := ops.CheckGraph(g)
	if err == nil || !strings.Contains(err.Error(), "gorgonia.elemUnaryOp tanh") {
		t.Errorf("tanh not reported: %v", err)
	}
}

// TestReLU checks values and the gradient, with inputs kept at least 0.1
// from the kink so central differences are exact there.
func TestReLU(t *testing.T) {
	away := func(i int) float32 {
		v := randn(7)(i)
		if v >= 0 {
			return v + 0.1
		}
		return v - 0.1
	}
	opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
		x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 3, 4, 5), G.WithName("x"), G.WithValue(opstest.Tensor(away, 2, 3, 4, 5)))
		return weighted(g, G.Must(ops.ReLU(x)), 8), []*G.Node{x}
	}, opstest.Float32)
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(1, 4), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(1, 4), tensor.WithBacking([]float32{-2, 0, 0.5, 3}))))
	y := G.Must(ops.ReLU(x))
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	if got, want := y.Value().Data().([]float32), []float32{0, 0, 0.5, 3}; !slices.Equal(got, want) {
		t.Errorf("relu = %v, want %v", got, want)
	}
}
