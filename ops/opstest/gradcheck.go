// Package opstest checks gorgonia graphs numerically: analytic gradients
// from gorgonia's symbolic differentiation against central finite
// differences of the forward pass.
package opstest

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Build constructs a graph on g and returns its scalar cost and the nodes to
// differentiate with respect to. It must give the inputs the same values on
// every call (seed any randomness with a constant).
type Build func(g *G.ExprGraph) (cost *G.Node, wrt []*G.Node)

// Tolerance bounds |analytic - numeric| <= Abs + Rel*max(|analytic|, |numeric|).
type Tolerance struct {
	Eps, Abs, Rel float64
}

// Float32 suits float32 graphs of moderate size.
var Float32 = Tolerance{Eps: 1e-2, Abs: 2e-3, Rel: 2e-2}

// CheckGrad compares the gradients of build's cost with respect to each wrt
// node against central differences, element by element, and reports every
// mismatch (at most ten per input).
func CheckGrad(t testing.TB, build Build, tol Tolerance) {
	t.Helper()
	g := G.NewGraph()
	cost, wrt := build(g)
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		t.Fatalf("Grad: %v", err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatalf("forward+backward: %v", err)
	}
	analytic := make([][]float32, len(grads))
	for i, gn := range grads {
		analytic[i] = append([]float32(nil), data(t, gn.Value())...)
	}

	fg := G.NewGraph()
	fcost, fwrt := build(fg)
	fm := G.NewTapeMachine(fg)
	defer fm.Close()
	eval := func() float64 {
		fm.Reset()
		if err := fm.RunAll(); err != nil {
			t.Fatalf("forward: %v", err)
		}
		return scalar(t, fcost.Value())
	}
	for i, n := range fwrt {
		x := data(t, n.Value())
		if len(x) != len(analytic[i]) {
			t.Fatalf("%s: gradient has %d elements, value %d", n.Name(), len(analytic[i]), len(x))
		}
		bad := 0
		for j := range x {
			orig := x[j]
			x[j] = orig + float32(tol.Eps)
			up := eval()
			x[j] = orig - float32(tol.Eps)
			down := eval()
			x[j] = orig
			num := (up - down) / (2 * tol.Eps)
			an := float64(analytic[i][j])
			if math.Abs(an-num) > tol.Abs+tol.Rel*math.Max(math.Abs(an), math.Abs(num)) || math.IsNaN(an) {
				if bad < 10 {
					t.Errorf("d cost / d %s[%d]: analytic %.6g, numeric %.6g", n.Name(), j, an, num)
				}
				bad++
			}
		}
		if bad > 10 {
			t.Errorf("d cost / d %s: %d of %d elements differ", n.Name(), bad, len(x))
		}
	}
}

func data(t testing.TB, v G.Value) []float32 {
	t.Helper()
	d, ok := v.(*tensor.Dense)
	if !ok {
		t.Fatalf("value is %T, want *tensor.Dense", v)
	}
	f, ok := d.Data().([]float32)
	if !ok {
		t.Fatalf("value holds %T, want []float32", d.Data())
	}
	return f
}

func scalar(t testing.TB, v G.Value) float64 {
	t.Helper()
	switch x := v.(type) {
	case *G.F32:
		return float64(*x)
	case *tensor.Dense:
		f := data(t, x)
		if len(f) != 1 {
			t.Fatalf("cost has %d elements", len(f))
		}
		return float64(f[0])
	}
	t.Fatalf("cost is %T", v)
	return 0
}

// Tensor returns a float32 tensor of the given shape filled with values from
// fill(i), for test inputs.
func Tensor(fill func(i int) float32, shape ...int) *tensor.Dense {
	n := 1
	for _, s := range shape {
		n *= s
	}
	b := make([]float32, n)
	for i := range b {
		b[i] = fill(i)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(b))
}
