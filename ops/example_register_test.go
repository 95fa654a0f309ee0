package ops_test

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"github.com/gomlx/go-xla/pkg/stablehlo"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
)

// A plugin's op kind: y = 2x, for float32 tensors of any shape. It
// registers itself from init(), as this project's op files do, so graphs
// holding it pass ops.CheckGraph.
func init() { ops.Register(doubleOp{}) }

// Double returns 2x.
func Double(x *G.Node) (*G.Node, error) { return G.ApplyOp(doubleOp{x.Dims()}, x) }

type doubleOp struct{ dims int }

// Kind names the kind, namespaced by the plugin (ops.Kinded).
func (doubleOp) Kind() string { return "myplugin.double" }

// What every gorgonia op answers (G.Op).
func (doubleOp) Arity() int { return 1 }
func (o doubleOp) Type() hm.Type {
	t := G.TensorType{Dims: o.dims, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t)
}
func (doubleOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("myplugin.double: input shape %v", in[0])
	}
	return s.Clone(), nil
}
func (doubleOp) ReturnsPtr() bool        { return false }
func (doubleOp) CallsExtern() bool       { return false }
func (doubleOp) OverwritesInput() int    { return -1 }
func (o doubleOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s/%d", o.Kind(), o.dims) }
func (o doubleOp) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}
func (o doubleOp) String() string { return o.Kind() }

// Do computes y = 2x into a new tensor.
func (doubleOp) Do(in ...G.Value) (G.Value, error) {
	x, ok := in[0].(*tensor.Dense)
	if !ok || x.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("myplugin.double: want a float32 tensor, got %v", in[0])
	}
	xs := x.Data().([]float32)
	ys := make([]float32, len(xs))
	for i, v := range xs {
		ys[i] = 2 * v
	}
	return tensor.New(tensor.WithShape(x.Shape().Clone()...), tensor.WithBacking(ys)), nil
}

// DiffWRT and SymDiff give the gradient (G.SDOp): dx = 2 dy, built of the
// kind itself, so the differentiated graph holds only allowed kinds.
func (doubleOp) DiffWRT(int) []bool { return []bool{true} }
func (o doubleOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(o, grad)
	return G.Nodes{dx}, err
}

// Lower emits y = x + x, for the XLA engine (ops.Lowerer).
func (doubleOp) Lower(l *ops.Lowering) (*stablehlo.Value, error) {
	return l.Add(l.In[0], l.In[0]), l.Err()
}

func ExampleRegister() {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithBacking([]float32{1, 2, 3}))))
	y := G.Must(Double(x))
	dx, err := G.Grad(G.Must(G.Sum(y)), x)
	if err != nil {
		panic(err)
	}
	fmt.Println("graph allowed:", ops.CheckGraph(g) == nil)

	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		panic(err)
	}
	fmt.Println("y:", y.Value().Data())
	fmt.Println("dsum(y)/dx:", dx[0].Value().Data())
	// Output:
	// graph allowed: true
	// y: [2 4 6]
	// dsum(y)/dx: [2 2 2]
}
