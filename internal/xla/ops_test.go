package xla

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
)

// opTol bounds the error of one op's lowering relative to the scale of
// its result (diff.rel): a few float32 roundings (the largest measured,
// 1.8e-6, is the loss of the 7x7 convolution case, a sum of 243 products
// added in another order).
const opTol = 1e-5

// positive is a leaf of values in [0.5, 1.5], for logarithms, roots,
// divisors and powers.
func positive(g *G.ExprGraph, name string, seed float64, shape ...int) *G.Node {
	v := values(max(1, tensor.Shape(shape).TotalSize()), seed)
	for i := range v {
		v[i] = 1 + v[i]/2
	}
	return leafOf(g, name, v, shape...)
}

// graded is a case's outputs: y, a loss (y weighted by a leaf of its
// shape, summed), and the gradient of the loss with respect to wrt.
func graded(g *G.ExprGraph, y *G.Node, wrt ...*G.Node) ([]*G.Node, error) {
	r := leaf(g, "r", 9, y.Shape()...)
	var loss *G.Node
	var err error
	if y.IsScalar() {
		loss, err = G.Mul(y, r)
	} else {
		loss, err = ops.Sum(G.Must(G.HadamardProd(y, r)))
	}
	if err != nil {
		return nil, err
	}
	grads, err := G.Grad(loss, wrt...)
	if err != nil {
		return nil, err
	}
	return append([]*G.Node{y, loss}, grads...), nil
}

// unaryCase is the case of f on one leaf (positive ones when pos),
// differentiated.
func unaryCase(f func(*G.Node) (*G.Node, error), pos bool, shape ...int) func(g *G.ExprGraph) (in, out []*G.Node, err error) {
	return func(g *G.ExprGraph) (in, out []*G.Node, err error) {
		x := leaf(g, "x", 1, shape...)
		if pos {
			x = positive(g, "x", 1, shape...)
		}
		y, err := f(x)
		if err != nil {
			return nil, nil, err
		}
		out, err = graded(g, y, x)
		return []*G.Node{x}, out, err
	}
}

// binaryCase is the case of f on two leaves of shapes sa and sb (b
// positive when pos), differentiated with respect to both.
func binaryCase(f func(a, b *G.Node) (*G.Node, error), pos bool, sa, sb []int) func(g *G.ExprGraph) (in, out []*G.Node, err error) {
	return func(g *G.ExprGraph) (in, out []*G.Node, err error) {
		a, b := leaf(g, "a", 1, sa...), leaf(g, "b", 2, sb...)
		if pos {
			a, b = positive(g, "a", 1, sa...), positive(g, "b", 2, sb...)
		}
		y, err := f(a, b)
		if err != nil {
			return nil, nil, err
		}
		out, err = graded(g, y, a, b)
		return []*G.Node{a, b}, out, err
	}
}

// convCase is a convolution of x (N, C, H, W) by w (O, C, k, k),
// differentiated with respect to both.
func convCase(n, c, h, w, o, k, stride, pad int) func(g *G.ExprGraph) (in, out []*G.Node, err error) {
	return binaryCase(func(x, wt *G.Node) (*G.Node, error) { return ops.Conv2D(x, wt, stride, pad) }, false,
		[]int{n, c, h, w}, []int{o, c, k, k})
}

// stats are batch-norm statistics for c channels away from their
// defaults, so that reading the wrong ones shows.
func stats(c int) *ops.BNStats {
	s := ops.NewBNStats(c)
	for i := range c {
		s.Mean[i] = float32(0.1 * math.Sin(float64(i)))
		s.Var[i] = float32(1.5 + math.Cos(float64(i)))
	}
	s.Tracked = 7
	return s
}

// bnCase is a batch norm of x of shape, with its own statistics,
// differentiated with respect to x, gamma and beta.
func bnCase(training bool, shape ...int) func(g *G.ExprGraph) (in, out []*G.Node, err error) {
	return func(g *G.ExprGraph) (in, out []*G.Node, err error) {
		c := shape[1]
		x, gamma, beta := leaf(g, "x", 1, shape...), positive(g, "gamma", 2, c), leaf(g, "beta", 3, c)
		y, err := ops.BatchNorm(x, gamma, beta, stats(c), training)
		if err != nil {
			return nil, nil, err
		}
		out, err = graded(g, y, x, gamma, beta)
		return []*G.Node{x}, out, err
	}
}

// mask is a Fill of rows x cols with ones where keep says, zeros elsewhere.
func mask(after *G.Node, name string, rows, cols int, keep func(i, j int) bool) (*G.Node, error) {
	return ops.Fill(after, name, tensor.Shape{rows, cols}, func(m []float32) {
		for i := range rows {
			for j := range cols {
				if keep(i, j) {
					m[i*cols+j] = 1
				}
			}
		}
	})
}

// opCases build, for every op kind in ops.Allowed, a small graph using it
// (and, for the kinds with gradients, its gradient kinds), returning its
// inputs and outputs.
var opCases = []struct {
	name  string
	build func(g *G.ExprGraph) (in, out []*G.Node, err error)
}{
	{"add", binaryCase(G.Add, false, []int{3, 4}, []int{3, 4})},
	{"sub", binaryCase(G.Sub, false, []int{3, 4}, []int{3, 4})},
	{"hadamard product", binaryCase(G.HadamardProd, false, []int{3, 4}, []int{3, 4})},
	{"hadamard division", binaryCase(G.HadamardDiv, true, []int{3, 4}, []int{3, 4})},
	{"power", binaryCase(G.Pow, true, []int{3, 4}, []int{3, 4})},
	{"tensor times scalar", binaryCase(G.HadamardProd, false, []int{3, 4}, nil)},
	{"scalar over tensor", binaryCase(G.HadamardDiv, true, nil, []int{2, 3})},
	{"scalars", binaryCase(func(a, b *G.Node) (*G.Node, error) {
		return G.Sub(G.Must(G.Mul(G.Must(G.Add(a, b)), a)), G.Must(G.HadamardDiv(b, a)))
	}, true, nil, nil)},
	{"exp", unaryCase(G.Exp, false, 3, 4)},
	{"ln", unaryCase(G.Log, true, 3, 4)},
	{"sqrt", unaryCase(G.Sqrt, true, 3, 4)},
	{"neg", unaryCase(G.Neg, false, 3, 4)},
	{"square", unaryCase(G.Square, false, 3, 4)},
	{"constant", unaryCase(func(x *G.Node) (*G.Node, error) {
		c := tensor.New(tensor.WithShape(3, 4), tensor.WithBacking(values(12, 5)))
		return G.Add(G.Must(G.Mul(x, G.NewConstant(float32(2.5)))), G.NewConstant(c))
	}, false, 3, 4)},
	{"matmul", binaryCase(G.Mul, false, []int{3, 4}, []int{4, 5})},
	{"matmul by a transpose", binaryCase(func(a, b *G.Node) (*G.Node, error) {
		return G.Mul(a, G.Must(G.Transpose(b)))
	}, false, []int{3, 4}, []int{5, 4})},
	{"matrix times vector", binaryCase(G.Mul, false, []int{3, 4}, []int{4})},
	{"vector times matrix", binaryCase(G.Mul, false, []int{3}, []int{3, 4})},
	{"vector dot", binaryCase(G.Mul, false, []int{5}, []int{5})},
	{"outer product", func(g *G.ExprGraph) (in, out []*G.Node, err error) {
		// Forward only: gorgonia v0.9.18 differentiates an outer product
		// into products of mismatched shapes.
		a, b := leaf(g, "a", 1, 3), leaf(g, "b", 2, 4)
		y, err := G.OuterProd(a, b)
		return []*G.Node{a, b}, []*G.Node{y}, err
	}},
	{"batched matmul", binaryCase(func(a, b *G.Node) (*G.Node, error) { return G.BatchedMatMul(a, b) },
		false, []int{2, 3, 4}, []int{2, 4, 5})},
	{"batched matmul, both transposed", binaryCase(func(a, b *G.Node) (*G.Node, error) { return G.BatchedMatMul(a, b, true, true) },
		false, []int{2, 4, 3}, []int{2, 5, 4})},
	{"sum along an axis", unaryCase(func(x *G.Node) (*G.Node, error) { return G.Sum(x, 1) }, false, 2, 3, 4)},
	{"sum of all", unaryCase(func(x *G.Node) (*G.Node, error) { return G.Sum(x) }, false, 2, 3)},
	{"mean", unaryCase(func(x *G.Node) (*G.Node, error) { return G.Mean(x, 2) }, false, 2, 3, 4)},
	{"reshape", unaryCase(func(x *G.Node) (*G.Node, error) { return G.Reshape(x, tensor.Shape{3, 4}) }, false, 2, 6)},
	{"broadcast right", binaryCase(func(a, b *G.Node) (*G.Node, error) { return G.BroadcastAdd(a, b, nil, []byte{0}) },
		false, []int{3, 4}, []int{4})},
	{"broadcast left", binaryCase(func(a, b *G.Node) (*G.Node, error) { return G.BroadcastSub(a, b, []byte{1}, nil) },
		false, []int{3}, []int{3, 4})},
	{"softmax", unaryCase(func(x *G.Node) (*G.Node, error) { return G.SoftMax(x) }, false, 3, 5)},
	{"log-softmax along axis 0", unaryCase(func(x *G.Node) (*G.Node, error) { return G.LogSoftMax(x, 0) }, false, 4, 3)},
	{"softmax of a vector", unaryCase(func(x *G.Node) (*G.Node, error) { return G.SoftMax(x) }, false, 5)},
	{"transpose", unaryCase(func(x *G.Node) (*G.Node, error) { return G.Transpose(x, 2, 0, 1) }, false, 2, 3, 4)},
	{"max pool", unaryCase(func(x *G.Node) (*G.Node, error) {
		return G.MaxPool2D(x, tensor.Shape{3, 3}, []int{1, 1}, []int{2, 2})
	}, false, 2, 2, 7, 7)},
	{"max pool without padding", unaryCase(func(x *G.Node) (*G.Node, error) {
		return G.MaxPool2D(x, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2})
	}, false, 1, 2, 5, 6)},
	{"max pool, four pads", unaryCase(func(x *G.Node) (*G.Node, error) {
		return G.MaxPool2D(x, tensor.Shape{3, 2}, []int{1, 0, 0, 1}, []int{1, 2})
	}, false, 1, 2, 5, 5)},
	{"relu", unaryCase(ops.ReLU, false, 3, 4)},
	{"conv 3x3", convCase(2, 3, 6, 6, 4, 3, 1, 1)},
	{"conv 3x3 stride 2", convCase(2, 3, 7, 7, 4, 3, 2, 1)},
	{"conv 3x3 stride 2, even size", convCase(2, 3, 8, 8, 4, 3, 2, 1)},
	{"conv 1x1 stride 2, even size", convCase(2, 3, 8, 8, 4, 1, 2, 0)},
	{"conv 1x1 stride 2", convCase(2, 3, 6, 6, 4, 1, 2, 0)},
	{"conv 7x7 stride 2 pad 3", convCase(1, 2, 9, 9, 3, 7, 2, 3)},
	{"conv 2x2 stride 3", convCase(2, 2, 8, 7, 3, 2, 3, 0)},
	{"conv padded beyond its kernel", convCase(1, 2, 4, 4, 2, 2, 1, 2)},
	{"batch norm, training, (N, C, H, W)", bnCase(true, 3, 2, 3, 2)},
	{"batch norm, training, (N, C)", bnCase(true, 5, 3)},
	{"batch norm, eval", bnCase(false, 2, 3, 2, 2)},
	{"batch norm, two calls on one layer", func(g *G.ExprGraph) (in, out []*G.Node, err error) {
		a, b := leaf(g, "a", 1, 4, 2, 3, 3), leaf(g, "b", 2, 4, 2, 2, 2)
		gamma, beta, st := positive(g, "gamma", 3, 2), leaf(g, "beta", 4, 2), stats(2)
		ya, err := ops.BatchNorm(a, gamma, beta, st, true)
		if err != nil {
			return nil, nil, err
		}
		yb, err := ops.BatchNorm(b, gamma, beta, st, true)
		if err != nil {
			return nil, nil, err
		}
		y, err := G.Add(G.Must(ops.Sum(ya)), G.Must(ops.Sum(G.Must(G.Square(yb)))))
		if err != nil {
			return nil, nil, err
		}
		out, err = graded(g, y, a, b, gamma, beta)
		return []*G.Node{a, b}, out, err
	}},
	{"l2 normalize", unaryCase(ops.L2Normalize, false, 3, 5)},
	{"masked log-sum-exp", func(g *G.ExprGraph) (in, out []*G.Node, err error) {
		x := leaf(g, "x", 1, 4, 5)
		m, err := mask(x, "m", 4, 5, func(i, j int) bool { return (i+j)%3 != 0 })
		if err != nil {
			return nil, nil, err
		}
		y, err := ops.MaskedLogSumExp(x, m)
		if err != nil {
			return nil, nil, err
		}
		out, err = graded(g, y, x)
		return []*G.Node{x}, out, err
	}},
	{"masked log-sum-exp of an empty row", func(g *G.ExprGraph) (in, out []*G.Node, err error) {
		x := leaf(g, "x", 1, 3, 4)
		m, err := mask(x, "m", 3, 4, func(i, j int) bool { return i != 1 })
		if err != nil {
			return nil, nil, err
		}
		y, err := ops.MaskedLogSumExp(x, m)
		return []*G.Node{x}, []*G.Node{y, m}, err
	}},
	{"stop gradient", unaryCase(func(x *G.Node) (*G.Node, error) {
		return G.HadamardProd(x, G.Must(ops.StopGradient(x)))
	}, false, 3, 4)},
	{"rows", unaryCase(func(x *G.Node) (*G.Node, error) { return ops.Rows(x, 2, 5) }, false, 6, 3)},
	{"concat rows", binaryCase(func(a, b *G.Node) (*G.Node, error) { return ops.ConcatRows(a, b, a) },
		false, []int{2, 3}, []int{4, 3})},
	{"sum", unaryCase(ops.Sum, false, 3, 4)},
	{"uniform fill", unaryCase(func(x *G.Node) (*G.Node, error) {
		return G.Add(x, G.Must(ops.Fill(x, "ones", tensor.Shape{3, 4}, func(m []float32) {
			for i := range m {
				m[i] = 1
			}
		})))
	}, false, 3, 4)},
	{"sinkhorn", func(g *G.ExprGraph) (in, out []*G.Node, err error) {
		x := leaf(g, "scores", 1, 8, 5)
		y, err := ops.SinkhornCodes(x, 3, 0.05)
		return []*G.Node{x}, []*G.Node{y}, err
	}},
	{"sinkhorn with a queue", func(g *G.ExprGraph) (in, out []*G.Node, err error) {
		x := leaf(g, "scores", 1, 4, 5)
		q := &ops.SinkhornQueue{Scores: values(6*5, 7), Rows: 6}
		y, err := ops.SinkhornCodesQueued(x, 2, 0.1, q)
		return []*G.Node{x}, []*G.Node{y}, err
	}},
}

// TestOpsMatchEngine runs every case on engine.Machine and lowered, on the
// evaluator: each output (the op's result, the loss and every gradient)
// and each updated state is within opTol of the engine's, relative to its
// scale.
func TestOpsMatchEngine(t *testing.T) {
	kinds := map[string]bool{}
	for _, c := range opCases {
		t.Run(c.name, func(t *testing.T) {
			g := G.NewGraph()
			in, out, err := c.build(g)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range g.AllNodes() {
				if n.Op() != nil {
					kinds[ops.KindOf(n.Op())] = true
				}
			}
			ds := lowered(t, g, in, out, "case")
			w := worst(ds)
			t.Logf("%d results, worst %s: %.2g absolute, %.2g relative", len(ds), w.name, w.abs, w.rel)
			for _, d := range ds {
				if d.rel > opTol {
					t.Errorf("%s: %.3g from the engine's (%.3g relative)", d.name, d.abs, d.rel)
				}
			}
		})
	}
	for _, k := range ops.Allowed() {
		if !kinds[k] {
			t.Errorf("no case uses op kind %s", k)
		}
	}
}
