package nn_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
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
// a residual addition (Builder.Add), global average pooling and a linear
// layer. Each op
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
			y = G.Must(b.Add(z, y))
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

// grid is the 4x4 image of TestLayers, its values distinct and far apart
// (finite differences never cross a tie of max pooling).
var grid = []float32{
	3, 9, 1, 4,
	7, 0, 12, 2,
	5, 15, 6, 11,
	8, 10, 14, 13,
}

func shifted(v []float32, by float32) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = x + by
	}
	return out
}

// TestLayers checks the forward values of MaxPool, Add, Concat and Rows
// against values worked out by hand, and that their graphs hold only
// allowed op kinds.
func TestLayers(t *testing.T) {
	seq := func(n int) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = float32(i)
		}
		return out
	}
	type input struct {
		shape []int
		data  []float32
	}
	cases := []struct {
		name      string
		in        []input
		layer     func(b *nn.Builder, x []*G.Node) (*G.Node, error)
		wantShape []int
		want      []float32
	}{
		{"max pool 2x2 stride 2", []input{{[]int{1, 1, 4, 4}, grid}},
			func(b *nn.Builder, x []*G.Node) (*G.Node, error) { return b.MaxPool(x[0], 2, 2, 0) },
			[]int{1, 1, 2, 2}, []float32{9, 12, 15, 14}},
		// ResNet's stem: windows rows (cols) {0, 1} and {1, 2, 3}.
		{"max pool 3x3 stride 2 padding 1", []input{{[]int{1, 1, 4, 4}, grid}},
			func(b *nn.Builder, x []*G.Node) (*G.Node, error) { return b.MaxPool(x[0], 3, 2, 1) },
			[]int{1, 1, 2, 2}, []float32{9, 12, 15, 15}},
		// All negative: padding (not a zero) never wins a window.
		{"max pool of negative values", []input{{[]int{1, 1, 4, 4}, shifted(grid, -20)}},
			func(b *nn.Builder, x []*G.Node) (*G.Node, error) { return b.MaxPool(x[0], 3, 2, 1) },
			[]int{1, 1, 2, 2}, []float32{-11, -8, -5, -5}},
		// 5x5, 2x2 stride 2: (5-2)/2+1 = 2, the last row and column unused
		// (PyTorch's floor).
		{"max pool rounds down", []input{{[]int{1, 2, 5, 5}, seq(50)}},
			func(b *nn.Builder, x []*G.Node) (*G.Node, error) { return b.MaxPool(x[0], 2, 2, 0) },
			[]int{1, 2, 2, 2}, []float32{6, 8, 16, 18, 31, 33, 41, 43}},
		{"add", []input{{[]int{2, 3}, seq(6)}, {[]int{2, 3}, []float32{10, 20, 30, 40, 50, 60}}},
			func(b *nn.Builder, x []*G.Node) (*G.Node, error) { return b.Add(x[0], x[1]) },
			[]int{2, 3}, []float32{10, 21, 32, 43, 54, 65}},
		{"concat", []input{{[]int{1, 2}, []float32{1, 2}}, {[]int{2, 2}, []float32{3, 4, 5, 6}}, {[]int{1, 2}, []float32{7, 8}}},
			func(b *nn.Builder, x []*G.Node) (*G.Node, error) { return b.Concat(x...) },
			[]int{4, 2}, []float32{1, 2, 3, 4, 5, 6, 7, 8}},
		{"rows", []input{{[]int{4, 1, 2}, seq(8)}},
			func(b *nn.Builder, x []*G.Node) (*G.Node, error) { return b.Rows(x[0], 1, 3) },
			[]int{2, 1, 2}, []float32{2, 3, 4, 5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := G.NewGraph()
			b := nn.NewBuilder(g, nn.NewParams(1), true)
			var xs []*G.Node
			for i, in := range c.in {
				v := tensor.New(tensor.WithShape(in.shape...), tensor.WithBacking(slices.Clone(in.data)))
				xs = append(xs, G.NewTensor(g, tensor.Float32, len(in.shape), G.WithShape(in.shape...), G.WithName(fmt.Sprint("x", i)), G.WithValue(v)))
			}
			y, err := c.layer(b, xs)
			if err != nil {
				t.Fatal(err)
			}
			if err := ops.CheckGraph(g); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal([]int(y.Shape()), c.wantShape) {
				t.Fatalf("shape %v, want %v", y.Shape(), c.wantShape)
			}
			m := G.NewTapeMachine(g)
			defer m.Close()
			if err := m.RunAll(); err != nil {
				t.Fatal(err)
			}
			if got := y.Value().Data().([]float32); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestLayerGradients checks MaxPool (ResNet's overlapping stem windows, so
// an element can win two windows), Add, Concat and Rows by finite
// differences, in one graph, which holds only allowed kinds once
// differentiated.
func TestLayerGradients(t *testing.T) {
	opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
		b := nn.NewBuilder(g, nn.NewParams(1), true)
		// (2, 2, 4, 4): the grid and its mirror image, per channel scaled and
		// shifted, every value distinct.
		img := make([]float32, 0, 64)
		for i := range 4 {
			for j, v := range grid {
				if i%2 == 1 {
					v = grid[len(grid)-1-j]
				}
				img = append(img, 0.1*v+float32(2*i))
			}
		}
		x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 2, 4, 4), G.WithName("x"),
			G.WithValue(tensor.New(tensor.WithShape(2, 2, 4, 4), tensor.WithBacking(img))))
		r := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 2, 2, 2), G.WithName("r"), G.WithValue(opstest.Tensor(randn(4), 2, 2, 2, 2)))
		y := G.Must(b.MaxPool(x, 3, 2, 1))                                        // (2, 2, 2, 2)
		y = G.Must(b.Add(y, r))                                                   // (2, 2, 2, 2)
		y = G.Must(b.Concat(y, G.Must(b.Rows(y, 1, 2)), G.Must(b.Rows(r, 0, 1)))) // (4, 2, 2, 2)
		w := G.NewConstant(opstest.Tensor(randn(5), 4, 2, 2, 2))
		cost := G.Must(G.Sum(G.Must(G.HadamardProd(y, w))))
		return cost, []*G.Node{x, r}
	}, opstest.Float32)

	g := G.NewGraph()
	b := nn.NewBuilder(g, nn.NewParams(1), true)
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 2, 4, 4), G.WithName("x"))
	y := G.Must(b.Concat(G.Must(b.MaxPool(x, 2, 2, 0)), G.Must(b.Rows(G.Must(b.MaxPool(x, 3, 2, 1)), 0, 1))))
	if _, err := G.Grad(G.Must(G.Sum(G.Must(b.Add(y, y)))), x); err != nil {
		t.Fatal(err)
	}
	if err := ops.CheckGraph(g); err != nil {
		t.Error(err)
	}
}

// TestLayerErrors: inputs the layers do not take fail with an error naming
// what was wrong.
func TestLayerErrors(t *testing.T) {
	g := G.NewGraph()
	b := nn.NewBuilder(g, nn.NewParams(1), true)
	img := G.NewTensor(g, tensor.Float32, 4, G.WithShape(1, 2, 4, 4), G.WithName("img"))
	mat := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("mat"))
	other := G.NewMatrix(g, tensor.Float32, G.WithShape(3, 2), G.WithName("other"))
	for _, c := range []struct {
		name string
		call func() (*G.Node, error)
		want string
	}{
		{"max pool of a matrix", func() (*G.Node, error) { return b.MaxPool(mat, 2, 2, 0) }, "(N, C, H, W)"},
		{"max pool padded beyond half its kernel", func() (*G.Node, error) { return b.MaxPool(img, 3, 2, 2) }, "padding 2"},
		{"max pool stride 0", func() (*G.Node, error) { return b.MaxPool(img, 2, 0, 0) }, "stride 0"},
		{"max pool kernel larger than the image", func() (*G.Node, error) { return b.MaxPool(img, 5, 1, 0) }, "kernel 5"},
		{"add of two shapes", func() (*G.Node, error) { return b.Add(mat, other) }, "(2, 3) and (3, 2)"},
		{"concat of two row shapes", func() (*G.Node, error) { return b.Concat(mat, other) }, "(3, 2)"},
		{"concat of nothing", func() (*G.Node, error) { return b.Concat() }, "nothing"},
		{"rows past the end", func() (*G.Node, error) { return b.Rows(mat, 1, 3) }, "[1, 3)"},
	} {
		if _, err := c.call(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
}

// TestBuilderScope builds one parameter name through two Params on one
// graph: without a scope gorgonia merges the two leaves into one node;
// with one each builder keeps a node over its own tensor.
func TestBuilderScope(t *testing.T) {
	for _, c := range []struct {
		scope    string
		distinct bool
	}{{"", false}, {"branch0/", true}} {
		g := G.NewGraph()
		a, b := nn.NewParams(1), nn.NewParams(2)
		zeros := func([]float32, int, int, *rand.Rand) {}
		pa, pb := a.Get("w", []int{2, 3}, 3, 2, zeros, false), b.Get("w", []int{2, 3}, 3, 2, zeros, false)
		pb.Data()[0] = 1
		na := nn.NewBuilder(g, a, true).Node(pa)
		bb := nn.NewBuilder(g, b, true)
		bb.Scope = c.scope
		nb := bb.Node(pb)
		if distinct := na != nb; distinct != c.distinct {
			t.Errorf("scope %q: distinct nodes %v, want %v", c.scope, distinct, c.distinct)
		}
		if c.distinct && nb.Value().Data().([]float32)[0] != 1 {
			t.Errorf("scope %q: the node does not hold the second Params' tensor", c.scope)
		}
	}
}
