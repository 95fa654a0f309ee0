package xla

import (
	"fmt"
	"math"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/sslrun/sslrun/internal/engine"
	"github.com/sslrun/sslrun/internal/xla/internal/hloeval"
	"github.com/sslrun/sslrun/ops"
)

// values is n deterministic numbers in [-1, 1], different for each seed.
func values(n int, seed float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(math.Sin(float64(i)*0.731 + seed*1.37 + 0.1))
	}
	return out
}

// leaf is a float32 leaf of g named name holding values(seed); a scalar
// when shape is empty.
func leaf(g *G.ExprGraph, name string, seed float64, shape ...int) *G.Node {
	return leafOf(g, name, values(max(1, tensor.Shape(shape).TotalSize()), seed), shape...)
}

// leafOf is a float32 leaf of g named name holding v.
func leafOf(g *G.ExprGraph, name string, v []float32, shape ...int) *G.Node {
	if len(shape) == 0 {
		return G.NewScalar(g, tensor.Float32, G.WithName(name), G.WithValue(v[0]))
	}
	t := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	return G.NewTensor(g, tensor.Float32, len(shape), G.WithName(name), G.WithShape(shape...), G.WithValue(t))
}

// tensorOf is a gorgonia value as the evaluator takes it.
func tensorOf(v G.Value) (*hloeval.Tensor, error) {
	switch d := v.Data().(type) {
	case float32:
		return &hloeval.Tensor{DType: "f32", F: []float64{float64(d)}}, nil
	case []float32:
		t, ok := v.(tensor.Tensor)
		if !ok {
			return nil, fmt.Errorf("value %T holds []float32", v)
		}
		if t.RequiresIterator() {
			t = t.(*tensor.Dense).Materialize().(tensor.Tensor)
			d = t.Data().([]float32)
		}
		s := t.Shape()
		f := make([]float64, s.TotalSize())
		for i := range f {
			f[i] = float64(d[i])
		}
		return &hloeval.Tensor{DType: "f32", Shape: slices.Clone([]int(s)), F: f}, nil
	}
	return nil, fmt.Errorf("value holds %T, want float32", v.Data())
}

// floats64 is a []float32 as float64s.
func floats64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// stateTensor is the present value of the state k names, of shape shape.
func stateTensor(k ops.StateKey, shape []int) (*hloeval.Tensor, error) {
	n := tensor.Shape(shape).TotalSize()
	switch o := k.Owner.(type) {
	case *ops.BNStats:
		switch k.Field {
		case "mean":
			return &hloeval.Tensor{DType: "f32", Shape: shape, F: floats64(o.Mean)}, nil
		case "var":
			return &hloeval.Tensor{DType: "f32", Shape: shape, F: floats64(o.Var)}, nil
		case "tracked":
			return &hloeval.Tensor{DType: "i64", Shape: shape, F: []float64{float64(o.Tracked)}}, nil
		}
	case *ops.SinkhornQueue:
		if k.Field == "scores" && len(o.Scores) >= n {
			return &hloeval.Tensor{DType: "f32", Shape: shape, F: floats64(o.Scores[:n])}, nil
		}
	}
	return nil, fmt.Errorf("no state %T %s of shape %v", k.Owner, k.Field, shape)
}

// diff is how far one lowered result is from the CPU engine's.
type diff struct {
	name string
	// abs is the largest absolute difference; rel is abs over the largest
	// magnitude of the engine's result (1 when that is below 1), the
	// error relative to the tensor's scale.
	abs, rel float64
}

// distance compares got with want element by element.
func distance(name string, got, want *hloeval.Tensor) (diff, error) {
	if !slices.Equal(got.Shape, want.Shape) || len(got.F) != len(want.F) {
		return diff{}, fmt.Errorf("%s: shape %v, want %v", name, got.Shape, want.Shape)
	}
	d := diff{name: name}
	scale := 1.0
	for i, w := range want.F {
		g := got.F[i]
		if math.IsNaN(g) != math.IsNaN(w) || (math.IsInf(w, 0) || math.IsInf(g, 0)) && g != w {
			return diff{}, fmt.Errorf("%s[%d] = %v, want %v", name, i, g, w)
		}
		if !math.IsNaN(w) && !math.IsInf(w, 0) {
			d.abs = max(d.abs, math.Abs(g-w))
			scale = max(scale, math.Abs(w))
		}
	}
	d.rel = d.abs / scale
	return d, nil
}

// lowered runs g once on engine.Machine and once lowered, on the
// evaluator, and returns how far every output and every updated state of
// the program is from the engine's. Inputs and parameters are the nodes'
// values, state the objects' values before the run.
func lowered(t testing.TB, g *G.ExprGraph, inputs, outputs []*G.Node, name string) []diff {
	t.Helper()
	p, err := Lower(g, inputs, outputs, name)
	if err != nil {
		t.Fatal(err)
	}
	feed := make([]*hloeval.Tensor, len(p.Inputs))
	for i, in := range p.Inputs {
		if in.Role == State {
			feed[i], err = stateTensor(in.Key, in.Shape)
		} else {
			feed[i], err = tensorOf(in.Node.Value())
		}
		if err != nil {
			t.Fatalf("input %s: %v", in.Name, err)
		}
	}
	m, err := engine.New(g, outputs...)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	mod, err := hloeval.Parse(p.Text())
	if err != nil {
		t.Fatal(err)
	}
	got, err := mod.Run(feed...)
	if err != nil {
		t.Fatal(err)
	}
	var out []diff
	for i, o := range p.Outputs {
		var want *hloeval.Tensor
		if o.Role == State {
			want, err = stateTensor(o.Key, o.Shape)
		} else {
			want, err = tensorOf(o.Node.Value())
		}
		if err != nil {
			t.Fatalf("output %d (%s): %v", i, o.Name, err)
		}
		name := o.Name
		if o.Role == Output {
			name = fmt.Sprintf("output %d", i)
		}
		d, err := distance(name, got[i], want)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// worst is the diff of largest relative error.
func worst(ds []diff) diff {
	var w diff
	for _, d := range ds {
		if d.rel >= w.rel {
			w = d
		}
	}
	return w
}

// nodeProgram is one node lowered alone: a program whose arguments are
// the node's inputs, then the state it reads, and whose result is the
// node's value.
type nodeProgram struct {
	n      *G.Node
	args   []*G.Node         // the node's inputs, in order
	states []*hloeval.Tensor // the state it reads, as it was before the run
	text   string
}

// nodeByNode lowers every node of g alone and runs it on the evaluator on
// the engine's values of its inputs (state as it was before the run): how
// far each node's lowering is from the engine's op, on the values a real
// run gives it, without the errors of the nodes before it (which a
// ReLU's kink or a pool's argmax can turn into differences of whole
// elements).
func nodeByNode(t testing.TB, g *G.ExprGraph) []diff {
	t.Helper()
	var progs []nodeProgram
	var keep []*G.Node
	for _, n := range g.AllNodes() {
		if n.Op() == nil {
			continue
		}
		np := nodeProgram{n: n}
		b := stablehlo.New("node")
		fn := b.Main()
		ctx := ops.NewLowerContext(fn)
		var in []*stablehlo.Value
		for it := g.From(n.ID()); it.Next(); {
			c := it.Node().(*G.Node)
			s, err := shapeOf(c)
			if err != nil {
				t.Fatal(err)
			}
			v, err := fn.NamedInput(fmt.Sprintf("in%d", len(in)), s)
			if err != nil {
				t.Fatal(err)
			}
			in = append(in, v)
			np.args = append(np.args, c)
		}
		out, err := shapeOf(n)
		if err != nil {
			t.Fatal(err)
		}
		kind := ops.KindOf(n.Op())
		v, err := lowerNode(ctx.Op(in, out), n.Op(), kind)
		if err != nil {
			t.Fatalf("%s (node %v): %v", kind, n, err)
		}
		if err := fn.Return(v); err != nil {
			t.Fatal(err)
		}
		text, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		np.text = string(text)
		for _, st := range ctx.States() {
			s, err := stateTensor(st.Key, st.Input.Shape().Dimensions)
			if err != nil {
				t.Fatal(err)
			}
			np.states = append(np.states, s)
		}
		progs = append(progs, np)
		keep = append(keep, n)
	}
	m, err := engine.New(g, keep...)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	var out []diff
	for _, np := range progs {
		var feed []*hloeval.Tensor
		for _, c := range np.args {
			v, err := tensorOf(c.Value())
			if err != nil {
				t.Fatal(err)
			}
			feed = append(feed, v)
		}
		mod, err := hloeval.Parse(np.text)
		if err != nil {
			t.Fatal(err)
		}
		got, err := mod.Run(append(feed, np.states...)...)
		if err != nil {
			t.Fatalf("%s (node %v): %v", ops.KindOf(np.n.Op()), np.n, err)
		}
		want, err := tensorOf(np.n.Value())
		if err != nil {
			t.Fatal(err)
		}
		d, err := distance(fmt.Sprintf("%s (node %d)", ops.KindOf(np.n.Op()), np.n.ID()), got[0], want)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}
