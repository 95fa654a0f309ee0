package ops

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ReLU as one op and its gradient as another, rather than gorgonia's
// Rectify (a comparison building a 0/1 mask, then a product with it): one
// pass instead of two and no mask tensor, max(x, 0) lowers to one StableHLO
// maximum, and the backward needs only x.

func init() {
	Register(reluOp{opBase: opBase{"sslrun.relu"}}, reluGradOp{opBase: opBase{"sslrun.relu_grad"}})
}

// ReLU returns max(x, 0) element-wise, for x of any shape.
func ReLU(x *G.Node) (*G.Node, error) {
	return G.ApplyOp(reluOp{opBase{"sslrun.relu"}, x.Dims()}, x)
}

type reluOp struct {
	opBase
	dims int
}

func anyType(dims int) hm.Type { return G.TensorType{Dims: dims, Of: hm.TypeVariable('a')} }

func (reluOp) Arity() int      { return 1 }
func (o reluOp) Type() hm.Type { return hm.NewFnType(anyType(o.dims), anyType(o.dims)) }
func (o reluOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOf(o.kind, in[0], o.dims)
}
func (o reluOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s/%d", o.kind, o.dims) }
func (o reluOp) Hashcode() uint32      { return hashOf(o) }

// Do: y = max(x, 0), into a new tensor of x's shape.
func (o reluOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

// UsePreallocDo writes y into prealloc (a new tensor when nil), spread
// over the cores.
func (o reluOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	x, s, err := f32(o.kind, in[0])
	if err != nil {
		return nil, err
	}
	out, y, err := outF32(o.kind, prealloc, s)
	if err != nil {
		return nil, err
	}
	parallel(len(x), len(x), func(lo, hi int) {
		for i, v := range x[lo:hi] {
			y[lo+i] = max(v, 0)
		}
	})
	return out, nil
}

func (reluOp) DiffWRT(int) []bool { return []bool{true} }

// Lower: y = max(x, 0).
func (o reluOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	x := l.In[0]
	return l.Max(x, l.Like(0, x)), l.Err()
}

// SymDiff: dx = dy where x > 0, else 0.
func (o reluOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(reluGradOp{opBase{"sslrun.relu_grad"}, o.dims}, in[0], grad)
	return G.Nodes{dx}, err
}

type reluGradOp struct {
	opBase
	dims int
}

func (reluGradOp) Arity() int { return 2 }
func (o reluGradOp) Type() hm.Type {
	return hm.NewFnType(anyType(o.dims), anyType(o.dims), anyType(o.dims))
}
func (o reluGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOf(o.kind, in[0], o.dims)
}
func (o reluGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s/%d", o.kind, o.dims) }
func (o reluGradOp) Hashcode() uint32      { return hashOf(o) }

// Lower: dx = dy where x > 0, else 0.
func (o reluGradOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	x, dy := l.In[0], l.In[1]
	zero := l.Like(0, x)
	return l.Select(l.Compare(x, types.CompareGT, zero), dy, zero), l.Err()
}

// Do takes x and dy (same shape) and returns dx.
func (o reluGradOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

// UsePreallocDo writes dx into prealloc (a new tensor when nil), spread
// over the cores.
func (o reluGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	v, s, err := f32s(o.kind, in)
	if err != nil {
		return nil, err
	}
	x, dy := v[0], v[1]
	out, dx, err := outF32(o.kind, prealloc, s)
	if err != nil {
		return nil, err
	}
	parallel(len(x), len(x), func(lo, hi int) {
		for i, v := range x[lo:hi] {
			if v > 0 {
				dx[lo+i] = dy[lo+i]
			} else {
				dx[lo+i] = 0
			}
		}
	})
	return out, nil
}

func hashOf(o interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}
