package ops

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"

	"github.com/chewxy/hm"
	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Row-wise ops on (N, D) matrices: L2 normalisation, the masked log-sum-exp
// that contrastive losses are made of, and stop-gradient.

func init() {
	Register(
		l2NormOp{opBase{"sslrun.l2normalize"}}, l2NormGradOp{opBase{"sslrun.l2normalize_grad"}},
		lseOp{opBase{"sslrun.masked_logsumexp"}}, lseGradOp{opBase{"sslrun.masked_logsumexp_grad"}},
		stopGradOp{opBase: opBase{"sslrun.stop_gradient"}},
	)
}

// opBase carries what every own op answers the same way.
type opBase struct{ kind string }

func (o opBase) Kind() string          { return o.kind }
func (o opBase) ReturnsPtr() bool      { return false }
func (o opBase) CallsExtern() bool     { return false }
func (o opBase) OverwritesInput() int  { return -1 }
func (o opBase) WriteHash(h hash.Hash) { fmt.Fprint(h, o.kind) }
func (o opBase) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}
func (o opBase) String() string { return o.kind }

func matType() hm.Type { return G.TensorType{Dims: 2, Of: hm.TypeVariable('a')} }
func vecType() hm.Type { return G.TensorType{Dims: 1, Of: hm.TypeVariable('a')} }

// f32 returns the float32 backing of a value or an error naming the op.
func f32(op string, v G.Value) ([]float32, tensor.Shape, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, nil, fmt.Errorf("%s: input is %T, want a float32 tensor", op, v)
	}
	f, ok := d.Data().([]float32)
	if !ok {
		return nil, nil, fmt.Errorf("%s: input holds %T, want []float32", op, d.Data())
	}
	return f, d.Shape(), nil
}

// f32s returns the float32 data of every input and the shape of the first.
func f32s(op string, in []G.Value) ([][]float32, tensor.Shape, error) {
	out := make([][]float32, len(in))
	var shape tensor.Shape
	for i, v := range in {
		d, s, err := f32(op, v)
		if err != nil {
			return nil, nil, err
		}
		if i == 0 {
			shape = s
		}
		out[i] = d
	}
	return out, shape, nil
}

func newF32(shape ...int) (*tensor.Dense, []float32) {
	d := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(shape...))
	return d, d.Data().([]float32)
}

// outF32 is the tensor an op writes into: prealloc, or a new one when nil.
func outF32(op string, prealloc G.Value, shape tensor.Shape) (*tensor.Dense, []float32, error) {
	if prealloc == nil {
		d, y := newF32(shape...)
		return d, y, nil
	}
	d, ok := prealloc.(*tensor.Dense)
	if !ok || d.Dtype() != tensor.Float32 || !d.Shape().Eq(shape) || d.RequiresIterator() {
		return nil, nil, fmt.Errorf("%s: cannot write into %v, want a float32 tensor of shape %v", op, prealloc, shape)
	}
	return d, d.Data().([]float32)[:shape.TotalSize()], nil
}

func shapeOf(op string, in G.DimSizer, dims int) (tensor.Shape, error) {
	s, ok := in.(tensor.Shape)
	if !ok || len(s) != dims {
		return nil, fmt.Errorf("%s: want a %d-D input, got %v", op, dims, in)
	}
	return s.Clone(), nil
}

// ---- L2 normalisation -------------------------------------------------

// l2Eps is the lower bound on a row's norm (torch.nn.functional.normalize).
const l2Eps = 1e-12

// L2Normalize divides each row of x (N, D) by max(||row||, 1e-12), like
// torch.nn.functional.normalize(x, dim=1).
func L2Normalize(x *G.Node) (*G.Node, error) {
	if x.Dims() != 2 {
		return nil, fmt.Errorf("L2Normalize: want an (N, D) input, got shape %v", x.Shape())
	}
	return G.ApplyOp(l2NormOp{opBase{"sslrun.l2normalize"}}, x)
}

type l2NormOp struct{ opBase }

func (l2NormOp) Arity() int    { return 1 }
func (l2NormOp) Type() hm.Type { return hm.NewFnType(matType(), matType()) }
func (o l2NormOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOf(o.kind, in[0], 2)
}

// Do: y = x / max(||x||, eps), row by row.
func (o l2NormOp) Do(in ...G.Value) (G.Value, error) {
	x, s, err := f32(o.kind, in[0])
	if err != nil {
		return nil, err
	}
	n, d := s[0], s[1]
	out, y := newF32(n, d) // (N, D)
	for i := 0; i < n; i++ {
		row := x[i*d : (i+1)*d]
		inv := float32(1 / max(rowNorm(row), l2Eps))
		for j, v := range row {
			y[i*d+j] = v * inv
		}
	}
	return out, nil
}

func rowNorm(row []float32) float64 {
	var ss float64
	for _, v := range row {
		ss += float64(v) * float64(v)
	}
	return math.Sqrt(ss)
}

func (l2NormOp) DiffWRT(int) []bool { return []bool{true} }

// Lower: y = x / max(||x||, eps), row by row.
func (o l2NormOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	x := l.In[0]                          // (N, D)
	norm := l.Sqrt(l.Sum(l.Mul(x, x), 1)) // (N)
	norm = l.Max(norm, l.Like(l2Eps, norm))
	return l.Div(x, l.Broadcast(norm, x.Shape(), 0)), l.Err()
}

// SymDiff: dx = (dy - y <y, dy>) / ||x|| for rows above eps, dy / eps below.
func (o l2NormOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(l2NormGradOp{opBase{"sslrun.l2normalize_grad"}}, in[0], out, grad)
	return G.Nodes{dx}, err
}

type l2NormGradOp struct{ opBase }

func (l2NormGradOp) Arity() int { return 3 }

// Lower: dx = (dy - y <y, dy>) / ||x|| for rows above eps, dy / eps below.
func (o l2NormGradOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	x, y, dy := l.In[0], l.In[1], l.In[2] // (N, D)
	s := x.Shape()
	norm := l.Broadcast(l.Sqrt(l.Sum(l.Mul(x, x), 1)), s, 0) // (N, D)
	dot := l.Broadcast(l.Sum(l.Mul(y, dy), 1), s, 0)         // (N, D)
	above := l.Div(l.Sub(dy, l.Mul(y, dot)), norm)           // (N, D)
	below := l.Div(dy, l.Like(l2Eps, dy))                    // (N, D)
	return l.Select(l.Compare(norm, types.CompareGT, l.Like(l2Eps, norm)), above, below), l.Err()
}
func (l2NormGradOp) Type() hm.Type { return hm.NewFnType(matType(), matType(), matType(), matType()) }
func (o l2NormGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOf(o.kind, in[0], 2)
}

// Do takes x, y and dy, all (N, D), and returns dx (N, D).
func (o l2NormGradOp) Do(in ...G.Value) (G.Value, error) {
	v, s, err := f32s(o.kind, in)
	if err != nil {
		return nil, err
	}
	x, y, dy := v[0], v[1], v[2]
	n, d := s[0], s[1]
	out, dx := newF32(n, d)
	for i := 0; i < n; i++ {
		norm := rowNorm(x[i*d : (i+1)*d])
		yr, dyr, dxr := y[i*d:(i+1)*d], dy[i*d:(i+1)*d], dx[i*d:(i+1)*d]
		if norm <= l2Eps {
			for j := range dxr {
				dxr[j] = float32(float64(dyr[j]) / l2Eps)
			}
			continue
		}
		var dot float64 // <y, dy>
		for j := range yr {
			dot += float64(yr[j]) * float64(dyr[j])
		}
		for j := range dxr {
			dxr[j] = float32((float64(dyr[j]) - float64(yr[j])*dot) / norm)
		}
	}
	return out, nil
}

// ---- masked log-sum-exp ----------------------------------------------

// MaskedLogSumExp returns, for each row i of x (N, M), log sum_j mask_ij
// exp(x_ij), computed stably (shifted by the row's largest unmasked value).
// mask (N, M) holds 0 or 1 and is not differentiated. A row with an empty
// mask gives -Inf.
func MaskedLogSumExp(x, mask *G.Node) (*G.Node, error) {
	if x.Dims() != 2 || !x.Shape().Eq(mask.Shape()) {
		return nil, fmt.Errorf("MaskedLogSumExp: want x and mask of one (N, M) shape, got %v and %v", x.Shape(), mask.Shape())
	}
	return G.ApplyOp(lseOp{opBase{"sslrun.masked_logsumexp"}}, x, mask)
}

type lseOp struct{ opBase }

func (lseOp) Arity() int    { return 2 }
func (lseOp) Type() hm.Type { return hm.NewFnType(matType(), matType(), vecType()) }
func (o lseOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapeOf(o.kind, in[0], 2)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0]}, nil
}

// Do: out_i = m_i + log sum_j mask_ij exp(x_ij - m_i), m_i = max over the mask.
func (o lseOp) Do(in ...G.Value) (G.Value, error) {
	v, s, err := f32s(o.kind, in)
	if err != nil {
		return nil, err
	}
	x, mask := v[0], v[1]
	n, m := s[0], s[1]
	out, y := newF32(n) // (N)
	for i := 0; i < n; i++ {
		xr, mr := x[i*m:(i+1)*m], mask[i*m:(i+1)*m]
		hi := math.Inf(-1)
		for j, v := range xr {
			if mr[j] != 0 && float64(v) > hi {
				hi = float64(v)
			}
		}
		if math.IsInf(hi, -1) {
			y[i] = float32(hi)
			continue
		}
		var sum float64
		for j, v := range xr {
			if mr[j] != 0 {
				sum += float64(mr[j]) * math.Exp(float64(v)-hi)
			}
		}
		y[i] = float32(hi + math.Log(sum))
	}
	return out, nil
}

func (lseOp) DiffWRT(int) []bool { return []bool{true, false} }

// Lower: out_i = m_i + log sum_j mask_ij exp(x_ij - m_i), m_i the largest
// unmasked x_ij (-Inf for an empty mask, which gives -Inf); masked terms
// are selected away, not multiplied by 0, so that exp's overflow there
// cannot make a NaN.
func (o lseOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	x, mask := l.In[0], l.In[1] // (N, M)
	on := l.Compare(mask, types.CompareNE, l.Like(0, mask))
	m := l.ReduceMax(l.Select(on, x, l.Like(negInf, x)), 1) // (N)
	e := l.Mul(mask, l.Exp(l.Sub(x, l.Broadcast(m, x.Shape(), 0))))
	sum := l.Sum(l.Select(on, e, l.Like(0, e)), 1) // (N)
	return l.Add(m, l.Log(sum)), l.Err()
}

// SymDiff: dx_ij = dout_i mask_ij exp(x_ij - out_i), the masked softmax.
func (o lseOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(lseGradOp{opBase{"sslrun.masked_logsumexp_grad"}}, in[0], in[1], out, grad)
	return G.Nodes{dx, nil}, err
}

type lseGradOp struct{ opBase }

func (lseGradOp) Arity() int { return 4 }

// Lower: dx_ij = dout_i mask_ij exp(x_ij - out_i) where mask_ij != 0, else 0.
func (o lseGradOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	x, mask, out, dout := l.In[0], l.In[1], l.In[2], l.In[3] // (N, M), (N, M), (N), (N)
	s := x.Shape()
	g := l.Mul(l.Broadcast(dout, s, 0), l.Mul(mask, l.Exp(l.Sub(x, l.Broadcast(out, s, 0))))) // (N, M)
	on := l.Compare(mask, types.CompareNE, l.Like(0, mask))
	return l.Select(on, g, l.Like(0, g)), l.Err()
}
func (lseGradOp) Type() hm.Type {
	return hm.NewFnType(matType(), matType(), vecType(), vecType(), matType())
}
func (o lseGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOf(o.kind, in[0], 2)
}

// Do takes x (N, M), mask (N, M), out (N) and dout (N); returns dx (N, M).
func (o lseGradOp) Do(in ...G.Value) (G.Value, error) {
	v, s, err := f32s(o.kind, in)
	if err != nil {
		return nil, err
	}
	x, mask, lse, dout := v[0], v[1], v[2], v[3]
	n, m := s[0], s[1]
	res, dx := newF32(n, m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			if w := mask[i*m+j]; w != 0 {
				dx[i*m+j] = float32(float64(dout[i]) * float64(w) * math.Exp(float64(x[i*m+j])-float64(lse[i])))
			}
		}
	}
	return res, nil
}

// ---- stop-gradient ----------------------------------------------------

// StopGradient passes x through unchanged and lets no gradient flow back to
// it (torch's .detach()).
func StopGradient(x *G.Node) (*G.Node, error) {
	return G.ApplyOp(stopGradOp{opBase{"sslrun.stop_gradient"}, x.Dims()}, x)
}

type stopGradOp struct {
	opBase
	dims int
}

func (stopGradOp) Arity() int { return 1 }
func (o stopGradOp) Type() hm.Type {
	t := G.TensorType{Dims: o.dims, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t)
}
func (o stopGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOf(o.kind, in[0], o.dims)
}

// Do copies x, so later in-place work on the output cannot touch x.
func (o stopGradOp) Do(in ...G.Value) (G.Value, error) {
	d, ok := in[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%s: input is %T", o.kind, in[0])
	}
	return d.Clone().(*tensor.Dense), nil
}

func (o stopGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s/%d", o.kind, o.dims) }
func (o stopGradOp) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}

func (stopGradOp) DiffWRT(int) []bool { return []bool{false} }

// Lower: x itself; the gradient is cut when the graph is built.
func (o stopGradOp) Lower(l *Lowering) (*stablehlo.Value, error) { return l.In[0], nil }

func (stopGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return G.Nodes{nil}, nil
}
