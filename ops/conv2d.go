package ops

import (
	"fmt"
	"hash"
	"hash/fnv"
	"runtime"
	"sync"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas/blas32"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// 2-D convolution without bias, im2col + matmul, with its two backward
// passes as own ops. One Conv2D call makes one forward node; differentiating
// it adds one node of each backward kind:
//
//	y  = sslrun.conv2d(x, w)              // (N, O, OH, OW)
//	dx = sslrun.conv2d_grad_input(w, dy)  // (N, C, H, W)
//	dw = sslrun.conv2d_grad_weight(x, dy) // (O, C, KH, KW)
//
// with x (N, C, H, W), w (O, C, KH, KW), symmetric zero padding pad and
// OH = (H + 2*pad - KH)/stride + 1 (likewise OW). Per sample, with
// K = C*KH*KW rows and P = OH*OW columns of the column buffer:
//
//	forward:     y_n (O, P)  = w (O, K) · cols_n (K, P)
//	grad_input:  dcols (K, P) = wᵀ (K, O) · dy_n (O, P), then col2im into dx_n
//	grad_weight: dw (O, K)   = Σ_n dy_n (O, P) · cols_nᵀ (P, K)
//
// The products are sums of row updates c_row += a·b_row (gonum's SSE saxpy,
// pure Go; 1.5-2x faster here than gonum's Sgemm on these shapes), so
// every output element is a float32 sum of its products in one fixed
// order: the forward's over k, grad_input's over o (then col2im adds the
// overlapping windows in (c, ki, kj, oh, ow) order), grad_weight's over n,
// then p. The rows run along P or O in the forward and along P or K in
// grad_input, whichever is longer, and along K in grad_weight; that choice
// changes the speed, never the result, and no multiply-add is fused.
//
// Work is spread over runtime.GOMAXPROCS(0) goroutines, each taking a fixed
// contiguous range: samples in the forward and in grad_input, columns k of
// dw in grad_weight (each worker builds the column-buffer rows of its own
// k range, for every sample in order). No element is summed by more than
// one worker and there is no cross-worker reduction, so all three results
// are bitwise the same for the same inputs whatever GOMAXPROCS is (the
// plain loop convMulAdd uses for short rows rounds exactly like the saxpy).
//
// Each worker keeps its scratch buffers in the call's state and each op owns
// its output buffer, all reused from run to run: after the first step a
// training loop allocates no tensors here. A graph holding these ops must be
// run by one machine at a time, and a value read from their nodes is valid
// until the graph runs again (copy it to keep it).

func init() {
	register("sslrun.conv2d", "sslrun.conv2d_grad_input", "sslrun.conv2d_grad_weight")
}

// Conv2D convolves x (N, C, H, W) with the filters w (O, C, KH, KW), with
// the same stride and zero padding pad on both spatial axes, and returns
// the (N, O, OH, OW) node, OH = (H + 2*pad - KH)/stride + 1, like
// torch.nn.functional.conv2d(x, w, stride=stride, padding=pad). There is no
// bias. Both x and w are differentiable.
func Conv2D(x, w *G.Node, stride, pad int) (*G.Node, error) {
	if x.Dims() != 4 || w.Dims() != 4 {
		return nil, fmt.Errorf("Conv2D: want x (N, C, H, W) and w (O, C, KH, KW), got shapes %v and %v", x.Shape(), w.Shape())
	}
	if x.Dtype() != tensor.Float32 || w.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("Conv2D: want float32 x and w, got %v and %v", x.Dtype(), w.Dtype())
	}
	g, err := newConvGeom(x.Shape(), w.Shape(), stride, pad)
	if err != nil {
		return nil, fmt.Errorf("Conv2D: %w", err)
	}
	y, err := G.ApplyOp(convOp{newConvBase("sslrun.conv2d", &convState{convGeom: g})}, x, w)
	if err != nil {
		return nil, fmt.Errorf("Conv2D: %w", err)
	}
	return y, nil
}

// ---- geometry ---------------------------------------------------------

// convGeom is one convolution's shapes.
type convGeom struct {
	n, c, h, w  int // x: (N, C, H, W)
	o, kh, kw   int // w: (O, C, KH, KW)
	stride, pad int
	oh, ow      int          // y: (N, O, OH, OW)
	k, p        int          // column buffer: K = C*KH*KW rows, P = OH*OW columns
	xs, ws, ys  tensor.Shape // the shapes of x, w and y
	// identity: a 1x1, stride-1, unpadded convolution, whose column buffer
	// (K, P) is the sample (C, H*W) itself.
	identity bool
}

func newConvGeom(xs, ws tensor.Shape, stride, pad int) (convGeom, error) {
	if len(xs) != 4 || len(ws) != 4 {
		return convGeom{}, fmt.Errorf("want 4-D x and w, got shapes %v and %v", xs, ws)
	}
	if xs.TotalSize() == 0 || ws.TotalSize() == 0 {
		return convGeom{}, fmt.Errorf("empty input: x %v, w %v", xs, ws)
	}
	if xs[1] != ws[1] {
		return convGeom{}, fmt.Errorf("x %v has %d channels, w %v wants %d", xs, xs[1], ws, ws[1])
	}
	if stride < 1 || pad < 0 {
		return convGeom{}, fmt.Errorf("want stride >= 1 and pad >= 0, got stride %d, pad %d", stride, pad)
	}
	g := convGeom{
		n: xs[0], c: xs[1], h: xs[2], w: xs[3],
		o: ws[0], kh: ws[2], kw: ws[3],
		stride: stride, pad: pad,
	}
	if g.h+2*pad < g.kh || g.w+2*pad < g.kw {
		return convGeom{}, fmt.Errorf("kernel %dx%d is larger than the padded input %dx%d", g.kh, g.kw, g.h+2*pad, g.w+2*pad)
	}
	g.oh = (g.h+2*pad-g.kh)/stride + 1
	g.ow = (g.w+2*pad-g.kw)/stride + 1
	g.k, g.p = g.c*g.kh*g.kw, g.oh*g.ow
	g.xs, g.ws, g.ys = xs.Clone(), ws.Clone(), tensor.Shape{g.n, g.o, g.oh, g.ow}
	g.identity = g.kh == 1 && g.kw == 1 && stride == 1 && pad == 0
	return g, nil
}

// outCols returns the output columns [lo, hi) whose input column
// ow*stride + kj - pad lies inside the image, for kernel column kj.
func (g *convGeom) outCols(kj int) (lo, hi int) {
	if d := g.pad - kj; d > 0 {
		lo = (d + g.stride - 1) / g.stride
	}
	if last := g.w - 1 + g.pad - kj; last >= 0 {
		hi = last/g.stride + 1
	}
	return min(lo, g.ow), max(min(hi, g.ow), min(lo, g.ow))
}

// im2col writes rows k0 <= k < k1 of one sample's column buffer:
// element (k, p) goes to dst[(k-k0)*sk + p*sp], k = (c*KH + ki)*KW + kj,
// p = oh*OW + ow, and is x[c, oh*stride+ki-pad, ow*stride+kj-pad], or 0 in
// the padding. (sk, sp) = (P, 1) lays the buffer out (K, P), (1, K1-K0)
// transposed, (P, K1-K0).
func (g *convGeom) im2col(dst []float32, sk, sp int, x []float32, k0, k1 int) {
	// x: (C, H, W)
	for k := k0; k < k1; k++ {
		c, ki, kj := k/(g.kh*g.kw), k/g.kw%g.kh, k%g.kw
		lo, hi := g.outCols(kj)
		off := kj - g.pad // input column of output column 0
		d := dst[(k-k0)*sk:]
		for oh := 0; oh < g.oh; oh++ {
			row := d[oh*g.ow*sp:]
			ih := oh*g.stride + ki - g.pad
			if ih < 0 || ih >= g.h {
				for ow := 0; ow < g.ow; ow++ {
					row[ow*sp] = 0
				}
				continue
			}
			xr := x[(c*g.h+ih)*g.w : (c*g.h+ih+1)*g.w]
			if sp == 1 && g.stride == 1 {
				clear(row[:lo])
				copy(row[lo:hi], xr[lo+off:hi+off])
				clear(row[hi:g.ow])
				continue
			}
			for ow := 0; ow < lo; ow++ {
				row[ow*sp] = 0
			}
			for ow := lo; ow < hi; ow++ {
				row[ow*sp] = xr[ow*g.stride+off]
			}
			for ow := hi; ow < g.ow; ow++ {
				row[ow*sp] = 0
			}
		}
	}
}

// col2im adds one sample's column buffer, element (k, p) at src[k*sk +
// p*sp], into dx (C, H, W) at the positions im2col reads them from, in
// (k, p) order; the padding's elements are dropped.
func (g *convGeom) col2im(dx, src []float32, sk, sp int) {
	for k := 0; k < g.k; k++ {
		c, ki, kj := k/(g.kh*g.kw), k/g.kw%g.kh, k%g.kw
		lo, hi := g.outCols(kj)
		off := kj - g.pad
		s := src[k*sk:]
		for oh := 0; oh < g.oh; oh++ {
			ih := oh*g.stride + ki - g.pad
			if ih < 0 || ih >= g.h {
				continue
			}
			row := s[oh*g.ow*sp:]
			xr := dx[(c*g.h+ih)*g.w : (c*g.h+ih+1)*g.w]
			if sp == 1 && g.stride == 1 && hi-lo >= convShortRow {
				// The same additions, four at a time (1·v is exact).
				blas32.Axpy(1, blas32.Vector{N: hi - lo, Inc: 1, Data: row[lo:hi]},
					blas32.Vector{N: hi - lo, Inc: 1, Data: xr[lo+off : hi+off]})
				continue
			}
			for ow := lo; ow < hi; ow++ {
				xr[ow*g.stride+off] += row[ow*sp]
			}
		}
	}
}

// ---- the product ------------------------------------------------------

// convMulAdd adds A·B to c: c (m, n) += A (m, q) · b (q, n), c and b
// row-major with row strides ldc and ldb, A's element (i, l) at
// a[i*ai + l*al]. Row i of c gets one saxpy per l, in increasing l: each
// element adds its q products one by one, in that order, each product
// rounded to float32 before the addition. The l loop is cut into blocks of
// convMulBlock rows of b, which stay in cache while every row of c takes
// them; that changes no element's order. Products with a zero A element
// are skipped (as gonum's saxpy does), so a 0 there hides an Inf or NaN
// in b.
func convMulAdd(m, n, q int, a []float32, ai, al int, b []float32, ldb int, c []float32, ldc int) {
	for l0 := 0; l0 < q; l0 += convMulBlock {
		l1 := min(l0+convMulBlock, q)
		for i := 0; i < m; i++ {
			cr := c[i*ldc : i*ldc+n]
			cv := blas32.Vector{N: n, Inc: 1, Data: cr}
			for l := l0; l < l1; l++ {
				av := a[i*ai+l*al]
				if av == 0 {
					continue
				}
				br := b[l*ldb : l*ldb+n]
				if n < convShortRow {
					for j, bv := range br {
						cr[j] += float32(av * bv) // the conversion keeps the product rounded (no FMA)
					}
					continue
				}
				blas32.Axpy(av, blas32.Vector{N: n, Inc: 1, Data: br}, cv)
			}
		}
	}
}

const (
	// convMulBlock is the number of rows of b convMulAdd keeps in cache
	// at a time.
	convMulBlock = 64
	// convShortRow is the row length below which convMulAdd adds in a
	// plain loop rather than pay for a saxpy call.
	convShortRow = 16
)

// convTranspose writes dst (cols, rows) = src (rows, cols)ᵀ.
func convTranspose(dst, src []float32, rows, cols int) {
	for i := 0; i < rows; i++ {
		for j, v := range src[i*cols : (i+1)*cols] {
			dst[j*rows+i] = v
		}
	}
}

// ---- workers ----------------------------------------------------------

// convState is shared by the three ops of one Conv2D call: the geometry and
// scratch kept from run to run. The ops run one at a time.
type convState struct {
	convGeom
	workers []convScratch
	wT      []float32 // (K, O): w transposed, for a forward along O
}

// convScratch is one worker's buffers, grown on first use.
type convScratch struct {
	cols []float32 // a column buffer, (K, P), (P, K) or (P, K1-K0)
	yT   []float32 // (P, O): a forward along O, before transposing
}

// convGrow returns (*buf)[:n], reallocating only when it is too small.
func convGrow(buf *[]float32, n int) []float32 {
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	return (*buf)[:n]
}

// convGrain is the least number of multiply-adds worth a goroutine.
const convGrain = 1 << 18

// parallel splits [0, items) into one contiguous range per worker (at most
// GOMAXPROCS of them, fewer when work, the multiply-adds of all items, is
// small) and runs f(scratch, lo, hi) for each range, concurrently.
func (s *convState) parallel(items, work int, f func(sc *convScratch, lo, hi int)) {
	nw := max(1, min(runtime.GOMAXPROCS(0), items, work/convGrain))
	for len(s.workers) < nw {
		s.workers = append(s.workers, convScratch{})
	}
	if nw == 1 {
		f(&s.workers[0], 0, items)
		return
	}
	var wg sync.WaitGroup
	for i := range nw {
		sc, lo, hi := &s.workers[i], i*items/nw, (i+1)*items/nw
		wg.Go(func() { f(sc, lo, hi) })
	}
	wg.Wait()
}

// forward writes y (N, O, P) = w (O, K) · cols_n (K, P) for every sample.
// With P >= O each row of y_n is a sum of rows of cols_n; otherwise each
// row of y_nᵀ (P, O) is a sum of rows of wᵀ, then transposed into y_n.
func (s *convState) forward(y, x, w []float32) {
	k, p, o := s.k, s.p, s.o
	alongP := p >= o
	if !alongP {
		convTranspose(convGrow(&s.wT, k*o), w, o, k) // (K, O)
	}
	s.parallel(s.n, s.n*o*p*k, func(sc *convScratch, lo, hi int) {
		for n := lo; n < hi; n++ {
			xn := x[n*s.c*s.h*s.w : (n+1)*s.c*s.h*s.w] // (C, H, W)
			yn := y[n*o*p : (n+1)*o*p]                 // (O, P)
			cols := xn                                 // (K, P)
			if !s.identity {
				cols = convGrow(&sc.cols, k*p)
				s.im2col(cols, p, 1, xn, 0, k)
			}
			if alongP {
				clear(yn)
				convMulAdd(o, p, k, w, k, 1, cols, p, yn, p)
				continue
			}
			yT := convGrow(&sc.yT, p*o) // (P, O)
			clear(yT)
			convMulAdd(p, o, k, cols, 1, p, s.wT, o, yT, o)
			convTranspose(yn, yT, p, o)
		}
	})
}

// gradInput writes dx (N, C, H, W): per sample, dcols = wᵀ · dy_n, as
// (K, P) rows of dy_n when P >= K, else as (P, K) rows of w, then col2im.
func (s *convState) gradInput(dx, w, dy []float32) {
	k, p, o := s.k, s.p, s.o
	alongP := p >= k
	s.parallel(s.n, s.n*o*p*k, func(sc *convScratch, lo, hi int) {
		for n := lo; n < hi; n++ {
			dxn := dx[n*s.c*s.h*s.w : (n+1)*s.c*s.h*s.w] // (C, H, W)
			dyn := dy[n*o*p : (n+1)*o*p]                 // (O, P)
			clear(dxn)
			if s.identity {
				convMulAdd(k, p, o, w, 1, k, dyn, p, dxn, p) // dxn is dcols (K, P)
				continue
			}
			dcols := convGrow(&sc.cols, k*p)
			clear(dcols)
			if alongP {
				convMulAdd(k, p, o, w, 1, k, dyn, p, dcols, p) // (K, P)
				s.col2im(dxn, dcols, p, 1)
			} else {
				convMulAdd(p, k, o, dyn, 1, p, w, k, dcols, k) // (P, K)
				s.col2im(dxn, dcols, 1, k)
			}
		}
	})
}

// gradWeight writes dw (O, K) = Σ_n dy_n (O, P) · cols_nᵀ (P, K). Each
// worker owns a range of columns k of dw and builds, sample by sample, the
// matching rows of cols_n, transposed (P, K1-K0).
func (s *convState) gradWeight(dw, x, dy []float32) {
	k, p, o := s.k, s.p, s.o
	clear(dw)
	s.parallel(k, s.n*o*p*k, func(sc *convScratch, k0, k1 int) {
		kw := k1 - k0
		colsT := convGrow(&sc.cols, p*kw) // (P, K1-K0)
		for n := 0; n < s.n; n++ {
			s.im2col(colsT, 1, kw, x[n*s.c*s.h*s.w:(n+1)*s.c*s.h*s.w], k0, k1)
			convMulAdd(o, kw, p, dy[n*o*p:(n+1)*o*p], p, 1, colsT, kw, dw[k0:], k)
		}
	})
}

// ---- the ops ----------------------------------------------------------

// convBase is what the three ops share: the kind, the call's state and the
// op's own output buffer. The hash names the kind and the geometry, so only
// nodes computing the same thing from the same inputs merge.
type convBase struct {
	opBase
	s   *convState
	out *[]float32
}

func newConvBase(kind string, s *convState) convBase {
	return convBase{opBase{kind}, s, new([]float32)}
}

func (o convBase) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "%s/%v/%v/%d/%d", o.kind, o.s.xs, o.s.ws, o.s.stride, o.s.pad)
}

func (o convBase) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}

func (o convBase) String() string {
	return fmt.Sprintf("%s(%dx%d, stride %d, pad %d)", o.kind, o.s.kh, o.s.kw, o.s.stride, o.s.pad)
}

func (convBase) Arity() int { return 2 }

func (convBase) Type() hm.Type {
	t := G.TensorType{Dims: 4, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t, t)
}

// inferShape checks the two input shapes at graph building and returns out.
func (o convBase) inferShape(in []G.DimSizer, a, b, out tensor.Shape) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%s: want 2 inputs, got %d", o.kind, len(in))
	}
	for i, want := range []tensor.Shape{a, b} {
		if s, ok := in[i].(tensor.Shape); !ok || !s.Eq(want) {
			return nil, fmt.Errorf("%s: input %d has shape %v, want %v", o.kind, i, in[i], want)
		}
	}
	return out.Clone(), nil
}

// inputs returns the float32 data of the two inputs, checking their shapes
// against a and b; views that need an iterator are materialised first.
func (o convBase) inputs(in []G.Value, a, b tensor.Shape) ([]float32, []float32, error) {
	if len(in) != 2 {
		return nil, nil, fmt.Errorf("%s: want 2 inputs, got %d", o.kind, len(in))
	}
	var out [2][]float32
	for i, want := range []tensor.Shape{a, b} {
		d, ok := in[i].(*tensor.Dense)
		if !ok {
			return nil, nil, fmt.Errorf("%s: input %d is %T, want a float32 tensor", o.kind, i, in[i])
		}
		if !d.Shape().Eq(want) {
			return nil, nil, fmt.Errorf("%s: input %d has shape %v, want %v", o.kind, i, d.Shape(), want)
		}
		if d.RequiresIterator() {
			d = d.Materialize().(*tensor.Dense)
		}
		f, ok := d.Data().([]float32)
		if !ok {
			return nil, nil, fmt.Errorf("%s: input %d holds %T, want []float32", o.kind, i, d.Data())
		}
		out[i] = f[:want.TotalSize()]
	}
	return out[0], out[1], nil
}

// output returns the tensor the op writes into: prealloc when the machine
// offers one that fits, else a header on the op's own buffer, made on the
// first run and reused by every later one.
func (o convBase) output(prealloc G.Value, shape tensor.Shape) (*tensor.Dense, []float32, error) {
	size := shape.TotalSize()
	if prealloc == nil {
		buf := convGrow(o.out, size)
		return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(buf)), buf, nil
	}
	d, ok := prealloc.(*tensor.Dense)
	if !ok || d.Dtype() != tensor.Float32 || !d.Shape().Eq(shape) || d.RequiresIterator() {
		return nil, nil, fmt.Errorf("%s: cannot write into %v, want a float32 tensor of shape %v", o.kind, prealloc, shape)
	}
	return d, d.Data().([]float32)[:size], nil
}

// convOp is the forward: x (N, C, H, W), w (O, C, KH, KW) -> y (N, O, OH, OW).
type convOp struct{ convBase }

func (o convOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return o.inferShape(in, o.s.xs, o.s.ws, o.s.ys)
}

func (o convOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (convOp) DiffWRT(int) []bool { return []bool{true, true} }

func (o convOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	x, w, err := o.inputs(in, o.s.xs, o.s.ws)
	if err != nil {
		return nil, err
	}
	out, y, err := o.output(prealloc, o.s.ys)
	if err != nil {
		return nil, err
	}
	o.s.forward(y, x, w)
	return out, nil
}

// SymDiff builds the backward described at the top of the file.
func (o convOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%s: want 2 inputs, got %d", o.kind, len(in))
	}
	x, w := in[0], in[1]
	dx, err := G.ApplyOp(convGradInputOp{newConvBase("sslrun.conv2d_grad_input", o.s)}, w, grad) // (N, C, H, W)
	if err != nil {
		return nil, fmt.Errorf("%s: gradient of x: %w", o.kind, err)
	}
	dw, err := G.ApplyOp(convGradWeightOp{newConvBase("sslrun.conv2d_grad_weight", o.s)}, x, grad) // (O, C, KH, KW)
	if err != nil {
		return nil, fmt.Errorf("%s: gradient of w: %w", o.kind, err)
	}
	return G.Nodes{dx, dw}, nil
}

// convGradInputOp: w (O, C, KH, KW), dy (N, O, OH, OW) -> dx (N, C, H, W).
type convGradInputOp struct{ convBase }

func (o convGradInputOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return o.inferShape(in, o.s.ws, o.s.ys, o.s.xs)
}

func (o convGradInputOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o convGradInputOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	w, dy, err := o.inputs(in, o.s.ws, o.s.ys)
	if err != nil {
		return nil, err
	}
	out, dx, err := o.output(prealloc, o.s.xs)
	if err != nil {
		return nil, err
	}
	o.s.gradInput(dx, w, dy)
	return out, nil
}

// convGradWeightOp: x (N, C, H, W), dy (N, O, OH, OW) -> dw (O, C, KH, KW).
type convGradWeightOp struct{ convBase }

func (o convGradWeightOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return o.inferShape(in, o.s.xs, o.s.ys, o.s.ws)
}

func (o convGradWeightOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o convGradWeightOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	x, dy, err := o.inputs(in, o.s.xs, o.s.ys)
	if err != nil {
		return nil, err
	}
	out, dw, err := o.output(prealloc, o.s.ws)
	if err != nil {
		return nil, err
	}
	o.s.gradWeight(dw, x, dy)
	return out, nil
}
