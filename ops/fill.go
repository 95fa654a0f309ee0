package ops

import (
	"fmt"
	"hash"
	"hash/fnv"
	"slices"

	"github.com/chewxy/hm"
	"github.com/gomlx/go-xla/pkg/stablehlo"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func init() {
	Register(fillOp{opBase: opBase{"sslrun.fill"}})
}

// Fill returns a float32 node of the given shape whose value fill writes
// into a zeroed buffer on every run: a constant that takes no memory while
// the graph is only built, and whose buffer the executor pools like any
// other node's once it runs (nt_xent's (V*B, V*B) masks). after, a float32
// tensor, only places the node in after's graph, after it in order: its
// value is not read and no gradient flows back to it. name tells constants
// of one shape apart; fill must depend on nothing but the shape.
func Fill(after *G.Node, name string, shape tensor.Shape, fill func(out []float32)) (*G.Node, error) {
	if after.Dtype() != tensor.Float32 || after.Dims() == 0 {
		return nil, fmt.Errorf("Fill %s: want a float32 tensor to follow, got %v %v", name, after.Dtype(), after.Shape())
	}
	if len(shape) == 0 {
		return nil, fmt.Errorf("Fill %s: want a tensor shape, got a scalar", name)
	}
	for _, d := range shape {
		if d < 1 {
			return nil, fmt.Errorf("Fill %s: shape %v has an empty axis", name, shape)
		}
	}
	return G.ApplyOp(fillOp{opBase{"sslrun.fill"}, name, after.Dims(), shape.Clone(), fill}, after)
}

type fillOp struct {
	opBase
	name  string
	after int // dims of the input
	shape tensor.Shape
	fill  func([]float32)
}

func (fillOp) Arity() int { return 1 }
func (o fillOp) Type() hm.Type {
	return hm.NewFnType(G.TensorType{Dims: o.after, Of: hm.TypeVariable('a')}, G.TensorType{Dims: len(o.shape), Of: hm.TypeVariable('a')})
}
func (o fillOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return o.shape.Clone(), nil }

func (o fillOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s/%s/%v", o.kind, o.name, o.shape) }
func (o fillOp) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}
func (o fillOp) String() string { return fmt.Sprintf("%s(%s %v)", o.kind, o.name, o.shape) }

func (o fillOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

// UsePreallocDo zeroes prealloc (a new tensor when nil) and fills it.
func (o fillOp) UsePreallocDo(prealloc G.Value, _ ...G.Value) (G.Value, error) {
	if prealloc == nil {
		prealloc = tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(o.shape.Clone()...))
	}
	d, ok := prealloc.(*tensor.Dense)
	if !ok || d.Dtype() != tensor.Float32 || !d.Shape().Eq(o.shape) || d.RequiresIterator() {
		return nil, fmt.Errorf("%s %s: cannot write into %v, want a float32 tensor of shape %v", o.kind, o.name, prealloc, o.shape)
	}
	out := d.Data().([]float32)[:o.shape.TotalSize()]
	clear(out)
	o.fill(out)
	return d, nil
}

func (fillOp) DiffWRT(int) []bool { return []bool{false} }

// Lower: the constant fill writes, made at lowering: one value broadcast
// when fill writes the same everywhere, else the whole tensor.
func (o fillOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	buf := make([]float32, o.shape.TotalSize())
	o.fill(buf)
	if !slices.ContainsFunc(buf, func(v float32) bool { return v != buf[0] }) {
		return l.Full(float64(buf[0]), l.Out), l.Err()
	}
	return l.Tensor(buf, o.shape...), l.Err()
}

func (fillOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return G.Nodes{nil}, nil
}
