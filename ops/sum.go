package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types/dtypes"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Sum of every element, accumulated in float64. gorgonia's Sum adds float32
// values one after another, and over many terms of one sign and similar size
// the rounding does not cancel: a SwAV loss sums B*K products (768,000 for
// 256 images and 3000 prototypes), and on a collapsed run, where they are
// all close to -ln(K)/K, it reported 8.027 for ln 3000 = 8.006. The gradient
// is exact either way (every element gets the upstream value), so only the
// reported value changes.

func init() {
	Register(sumOp{opBase: opBase{"sslrun.sum"}}, sumGradOp{opBase: opBase{"sslrun.sum_grad"}})
}

// Sum returns the sum of every element of x (any shape) as a scalar,
// accumulated in float64 and rounded to float32 once.
func Sum(x *G.Node) (*G.Node, error) {
	return G.ApplyOp(sumOp{opBase{"sslrun.sum"}, x.Dims()}, x)
}

type sumOp struct {
	opBase
	dims int
}

func (sumOp) Arity() int      { return 1 }
func (o sumOp) Type() hm.Type { return hm.NewFnType(anyType(o.dims), hm.TypeVariable('a')) }
func (o sumOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if _, err := shapeOf(o.kind, in[0], o.dims); err != nil {
		return nil, err
	}
	return tensor.ScalarShape(), nil
}

// Do: y = sum_i x_i, in float64.
func (o sumOp) Do(in ...G.Value) (G.Value, error) {
	x, _, err := f32(o.kind, in[0])
	if err != nil {
		return nil, err
	}
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return G.NewF32(float32(s)), nil
}

func (o sumOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s/%d", o.kind, o.dims) }
func (o sumOp) Hashcode() uint32      { return hashOf(o) }

func (sumOp) DiffWRT(int) []bool { return []bool{true} }

// Lower: converted to float64, reduced over every axis, rounded back once,
// as Do accumulates.
func (o sumOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	x := l.In[0]
	axes := make([]int, o.dims)
	for i := range axes {
		axes[i] = i
	}
	return l.Convert(l.Sum(l.Convert(x, dtypes.Float64), axes...), l.Out.DType), l.Err()
}

// SymDiff: dx_i = dy for every element.
func (o sumOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(sumGradOp{opBase{"sslrun.sum_grad"}, o.dims}, in[0], grad)
	return G.Nodes{dx}, err
}

type sumGradOp struct {
	opBase
	dims int
}

func (sumGradOp) Arity() int { return 2 }
func (o sumGradOp) Type() hm.Type {
	return hm.NewFnType(anyType(o.dims), hm.TypeVariable('a'), anyType(o.dims))
}
func (o sumGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOf(o.kind, in[0], o.dims)
}

// Do takes x (its shape) and the scalar dy; returns dx, dy everywhere.
func (o sumGradOp) Do(in ...G.Value) (G.Value, error) {
	_, s, err := f32(o.kind, in[0])
	if err != nil {
		return nil, err
	}
	var dy float32
	switch v := in[1].(type) {
	case *G.F32:
		dy = float32(*v)
	case *tensor.Dense:
		d, ok := v.Data().([]float32)
		if !ok || len(d) != 1 {
			return nil, fmt.Errorf("%s: upstream gradient is %v of %v, want one float32", o.kind, v.Shape(), v.Dtype())
		}
		dy = d[0]
	default:
		return nil, fmt.Errorf("%s: upstream gradient is %T", o.kind, in[1])
	}
	out, dx := newF32(s...)
	for i := range dx {
		dx[i] = dy
	}
	return out, nil
}

func (o sumGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s/%d", o.kind, o.dims) }
func (o sumGradOp) Hashcode() uint32      { return hashOf(o) }

// Lower: dy broadcast to x's shape.
func (o sumGradOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	dy := l.Reshape(l.In[1]) // a scalar, whatever its rank of size 1
	return l.Broadcast(dy, l.Out), l.Err()
}

func (sumGradOp) DiffWRT(int) []bool { return []bool{false, false} }

func (sumGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return G.Nodes{nil, nil}, nil
}
