package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/gomlx/go-xla/pkg/stablehlo"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Rows takes a block of rows (the first axis) of a tensor, as the model does
// to split a batch of several views back into views. gorgonia v0.9.18's
// sliceOp hashes its bounds as single bytes, so S(0, 256) and S(256, 512)
// hash alike and the graph merges them into one node: every view of a
// 256-image batch would get the first view's rows. This op hashes its
// bounds in full.

func init() {
	Register(rowsOp{opBase: opBase{"sslrun.rows"}}, rowsGradOp{opBase: opBase{"sslrun.rows_grad"}})
}

// Rows returns x[lo:hi] along the first axis, for x of any rank.
func Rows(x *G.Node, lo, hi int) (*G.Node, error) {
	s := x.Shape()
	if x.Dims() < 1 || lo < 0 || hi > s[0] || lo >= hi {
		return nil, fmt.Errorf("Rows: rows [%d, %d) of a tensor of shape %v", lo, hi, s)
	}
	return G.ApplyOp(rowsOp{opBase{"sslrun.rows"}, x.Dims(), lo, hi}, x)
}

type rowsOp struct {
	opBase
	dims, lo, hi int
}

func (rowsOp) Arity() int      { return 1 }
func (o rowsOp) Type() hm.Type { return hm.NewFnType(anyType(o.dims), anyType(o.dims)) }
func (o rowsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapeOf(o.kind, in[0], o.dims)
	if err != nil {
		return nil, err
	}
	out := s.Clone()
	out[0] = o.hi - o.lo
	return out, nil
}
func (o rowsOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s/%d/%d/%d", o.kind, o.dims, o.lo, o.hi) }
func (o rowsOp) Hashcode() uint32      { return hashOf(o) }

// Do: y (hi-lo, ...) = x[lo:hi], copied.
func (o rowsOp) Do(in ...G.Value) (G.Value, error) {
	x, s, err := f32(o.kind, in[0])
	if err != nil {
		return nil, err
	}
	row := s.TotalSize() / s[0]
	shape := s.Clone()
	shape[0] = o.hi - o.lo
	out, y := newF32(shape...)
	copy(y, x[o.lo*row:o.hi*row])
	return out, nil
}

func (rowsOp) DiffWRT(int) []bool { return []bool{true} }

// Lower: y = x[lo:hi], a slice.
func (o rowsOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	return l.Rows(l.In[0], o.lo, o.hi), l.Err()
}

// SymDiff: dx is zero but for rows [lo, hi), which hold dy.
func (o rowsOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(rowsGradOp{opBase{"sslrun.rows_grad"}, o.dims, o.lo, o.hi}, in[0], grad)
	return G.Nodes{dx}, err
}

type rowsGradOp struct {
	opBase
	dims, lo, hi int
}

func (rowsGradOp) Arity() int { return 2 }
func (o rowsGradOp) Type() hm.Type {
	return hm.NewFnType(anyType(o.dims), anyType(o.dims), anyType(o.dims))
}
func (o rowsGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapeOf(o.kind, in[0], o.dims)
}
func (o rowsGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "%s/%d/%d/%d", o.kind, o.dims, o.lo, o.hi)
}
func (o rowsGradOp) Hashcode() uint32 { return hashOf(o) }

// Lower: dx is dy padded with lo zero rows before and n-hi after.
func (o rowsGradOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	n, dy := l.Out.Dimensions[0], l.In[1]
	lo, hi := make([]int, o.dims), make([]int, o.dims)
	lo[0], hi[0] = o.lo, n-o.hi
	return l.Pad(dy, 0, lo, hi, nil), l.Err()
}

// Do takes x (for its shape) and dy (hi-lo, ...) and returns dx.
func (o rowsGradOp) Do(in ...G.Value) (G.Value, error) {
	v, s, err := f32s(o.kind, in)
	if err != nil {
		return nil, err
	}
	row := s.TotalSize() / s[0]
	out, dx := newF32(s...)
	copy(dx[o.lo*row:o.hi*row], v[1])
	return out, nil
}

// ConcatRows stacks tensors of equal trailing shape along the first axis,
// as gorgonia's Concat along axis 0 does, but with its gradient taken by
// Rows: gorgonia's Concat splits its gradient with sliceOp, whose byte-sized
// hash merges the blocks of inputs of 256 rows.
func ConcatRows(xs ...*G.Node) (*G.Node, error) {
	if len(xs) == 0 {
		return nil, fmt.Errorf("ConcatRows: nothing to stack")
	}
	s0 := xs[0].Shape()
	for i, x := range xs {
		s := x.Shape()
		if x.Dims() != xs[0].Dims() || x.Dims() < 1 || !s[1:].Eq(s0[1:]) {
			return nil, fmt.Errorf("ConcatRows: input %d has shape %v, input 0 %v", i, s, s0)
		}
	}
	return G.ApplyOp(concatRowsOp{opBase{"sslrun.concat_rows"}, xs[0].Dims(), len(xs)}, xs...)
}

func init() { Register(concatRowsOp{opBase: opBase{"sslrun.concat_rows"}}) }

type concatRowsOp struct {
	opBase
	dims, n int
}

func (o concatRowsOp) Arity() int { return o.n }
func (o concatRowsOp) Type() hm.Type {
	ts := make([]hm.Type, o.n+1)
	for i := range ts {
		ts[i] = anyType(o.dims)
	}
	return hm.NewFnType(ts...)
}
func (o concatRowsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	out, err := shapeOf(o.kind, in[0], o.dims)
	if err != nil {
		return nil, err
	}
	out = out.Clone()
	for _, d := range in[1:] {
		s, err := shapeOf(o.kind, d, o.dims)
		if err != nil {
			return nil, err
		}
		out[0] += s[0]
	}
	return out, nil
}
func (o concatRowsOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s/%d/%d", o.kind, o.dims, o.n) }
func (o concatRowsOp) Hashcode() uint32      { return hashOf(o) }

// Lower: one concatenate along axis 0.
func (o concatRowsOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	return l.Concat(0, l.In...), l.Err()
}

// Do copies the inputs one after another.
func (o concatRowsOp) Do(in ...G.Value) (G.Value, error) {
	v, s, err := f32s(o.kind, in)
	if err != nil {
		return nil, err
	}
	shape := s.Clone()
	shape[0] = 0
	total := 0
	for _, x := range v {
		total += len(x)
	}
	row := s.TotalSize() / s[0]
	shape[0] = total / row
	out, y := newF32(shape...)
	off := 0
	for _, x := range v {
		off += copy(y[off:], x)
	}
	return out, nil
}

func (o concatRowsOp) DiffWRT(int) []bool {
	d := make([]bool, o.n)
	for i := range d {
		d[i] = true
	}
	return d
}

// SymDiff: each input's gradient is its block of rows of dy.
func (o concatRowsOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	out := make(G.Nodes, len(in))
	lo := 0
	for i, x := range in {
		hi := lo + x.Shape()[0]
		var err error
		if out[i], err = Rows(grad, lo, hi); err != nil {
			return nil, err
		}
		lo = hi
	}
	return out, nil
}
