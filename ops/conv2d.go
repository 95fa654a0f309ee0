package ops

import (
	"fmt"
	"hash"
	"hash/fnv"
	"runtime"
	"sync"

	"github.com/chewxy/hm"
	"github.com/gomlx/go-xla/pkg/stablehlo"
	"gonum.org/v1/gonum/blas/blas32"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/internal/gemm"
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
// OH = (H + 2*pad - KH)/stride + 1 (likewise OW). The samples are taken in
// chunks of G (G*P columns, P = OH*OW) whose column buffer, K = C*KH*KW
// rows, fits a fixed budget; per chunk:
//
//	forward:     Y (O, G*P)    = w (O, K) · cols (K, G*P), scattered into y
//	grad_input:  dcols (K, G*P) = wᵀ (K, O) · DY (O, G*P), then col2im into dx
//	grad_weight: dw (O, K)     += DY (O, G*P) · colsᵀ (G*P, K)
//
// where DY gathers the chunk's dy_n (O, P) side by side. The products are
// package gemm's (packed and blocked, AVX2 with FMA where the CPU has it).
// G depends only on the shapes, and gemm and the im2col/col2im loops split
// their work into ranges that never change an element's order of
// summation, so all three results are bitwise the same for the same inputs
// whatever GOMAXPROCS is.
//
// The column buffer and the gathered gradient are shared by every conv op
// of the process (one op runs at a time; a mutex keeps concurrent machines
// apart), so their memory does not grow with the number of layers; each op
// owns its output buffer. All are reused from run to run: after the first
// step a training loop allocates no tensors here. A value read from these
// nodes is valid until the graph runs again (copy it to keep it).

func init() {
	Register(
		convOp{convBase{opBase: opBase{"sslrun.conv2d"}}},
		convGradInputOp{convBase{opBase: opBase{"sslrun.conv2d_grad_input"}}},
		convGradWeightOp{convBase{opBase: opBase{"sslrun.conv2d_grad_weight"}}},
	)
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
	y, err := G.ApplyOp(convOp{newConvBase("sslrun.conv2d", &g)}, x, w)
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
	k, p        int          // column buffer: K = C*KH*KW rows, P = OH*OW columns per sample
	xs, ws, ys  tensor.Shape // the shapes of x, w and y
	// chunk is G, the samples whose columns are multiplied at once.
	chunk int
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
	g.chunk = convChunk(g.n, g.k, g.p)
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
// p*sp], into the channels c0 <= c < c1 of dx (C, H, W) at the positions
// im2col reads them from, in (k, p) order; the padding's elements are
// dropped.
func (g *convGeom) col2im(dx, src []float32, sk, sp, c0, c1 int) {
	for k := c0 * g.kh * g.kw; k < c1*g.kh*g.kw; k++ {
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
				// The same additions, several at a time (1·v is exact).
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

// ---- chunks and workers -----------------------------------------------

const (
	// convShortRow is the row length below which col2im adds in a plain
	// loop rather than pay for a saxpy call.
	convShortRow = 16
	// convColsBudget bounds a chunk's column buffer, in elements (8 MiB).
	convColsBudget = 1 << 21
	// convMaxCols bounds a chunk's columns: more would not make the
	// products faster, only the buffers bigger.
	convMaxCols = 4096
)

// convChunk is G: as many samples as fit both bounds, at least one.
func convChunk(n, k, p int) int {
	return max(1, min(n, convColsBudget/(k*p), convMaxCols/p))
}

// Pools of the shared conv buffers, as ScratchBytes names them.
const (
	convPoolCols = "sslrun.conv2d.cols"
	convPoolY    = "sslrun.conv2d.y"
	convPoolDY   = "sslrun.conv2d.dy"
)

// scratch returns the bytes of the shared buffers a run of the op of kind
// needs, by pool (engine.Scratcher).
func (g *convGeom) scratch(kind string) map[string]int64 {
	cols := 4 * int64(g.k) * int64(g.chunk) * int64(g.p) // (K, G*P)
	out := 4 * int64(g.o) * int64(g.chunk) * int64(g.p)  // (O, G*P), gathered only when G > 1
	if g.chunk == 1 {
		out = 0
	}
	switch kind {
	case "sslrun.conv2d":
		return map[string]int64{convPoolCols: cols, convPoolY: out}
	case "sslrun.conv2d_grad_input":
		return map[string]int64{convPoolCols: cols, convPoolDY: out}
	}
	return map[string]int64{convPoolCols: cols, convPoolDY: out, convPoolY: 4 * int64(g.k) * int64(g.o)} // dwᵀ (K, O)
}

// convScratch is the buffers every conv op shares, grown on first use.
var convScratch struct {
	sync.Mutex
	cols []float32 // the column buffer, (K, G*P) or (G*P, K)
	dy   []float32 // a chunk's gradient gathered, (O, G*P)
	y    []float32 // a chunk's output before scattering, (O, G*P), or dwᵀ (K, O)
}

// convGrow returns (*buf)[:n], reallocating only when it is too small.
func convGrow(buf *[]float32, n int) []float32 {
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	return (*buf)[:n]
}

// chunks calls f(n0, g) for the samples [n0, n0+g) of each chunk, in order.
func (g *convGeom) chunks(f func(n0, size int)) {
	for n0 := 0; n0 < g.n; n0 += g.chunk {
		f(n0, min(g.chunk, g.n-n0))
	}
}

// colsOf writes the column buffer of samples [n0, n0+size) of x: element
// (k, s*P+p) at cols[k*sk + (s*P+p)*sp].
func (g *convGeom) colsOf(cols []float32, sk, sp int, x []float32, n0, size int) {
	chw := g.c * g.h * g.w
	parallel(g.k, g.k*size*g.p, func(k0, k1 int) {
		for s := range size {
			xn := x[(n0+s)*chw : (n0+s+1)*chw] // (C, H, W)
			g.im2col(cols[k0*sk+s*g.p*sp:], sk, sp, xn, k0, k1)
		}
	})
}

// chunkDY returns DY (O, size*P), the gradients of samples [n0, n0+size)
// side by side: dy's own (O, P) block for one sample, else gathered into
// the shared scratch.
func (g *convGeom) chunkDY(dy []float32, n0, size int) []float32 {
	if size == 1 {
		return dy[n0*g.o*g.p : (n0+1)*g.o*g.p]
	}
	dst := convGrow(&convScratch.dy, g.o*size*g.p)
	g.gatherDY(dst, dy, n0, size)
	return dst
}

// gatherDY writes DY (O, size*P): the gradients of samples [n0, n0+size)
// side by side.
func (g *convGeom) gatherDY(dst, dy []float32, n0, size int) {
	op, cols := g.o*g.p, size*g.p
	for s := range size {
		dn := dy[(n0+s)*op : (n0+s+1)*op] // (O, P)
		for o := range g.o {
			copy(dst[o*cols+s*g.p:o*cols+(s+1)*g.p], dn[o*g.p:(o+1)*g.p])
		}
	}
}

// forward writes y (N, O, P) = w (O, K) · cols_n (K, P) for every sample.
func (g *convGeom) forward(y, x, w []float32) {
	convScratch.Lock()
	defer convScratch.Unlock()
	k, p, o := g.k, g.p, g.o
	procs := runtime.GOMAXPROCS(0)
	g.chunks(func(n0, size int) {
		cols := convGrow(&convScratch.cols, k*size*p) // (K, G*P)
		g.colsOf(cols, size*p, 1, x, n0, size)
		out := y[n0*o*p : (n0+1)*o*p] // (O, P): one sample needs no scatter
		if size > 1 {
			out = convGrow(&convScratch.y, o*size*p) // (O, G*P)
		}
		clear(out)
		gemm.MulAdd(gemm.Dense(o, size*p, out), gemm.Dense(o, k, w), gemm.Dense(k, size*p, cols), procs)
		if size == 1 {
			return
		}
		for s := range size {
			yn := y[(n0+s)*o*p : (n0+s+1)*o*p] // (O, P)
			for oi := range o {
				copy(yn[oi*p:(oi+1)*p], out[oi*size*p+s*p:])
			}
		}
	})
}

// gradInput writes dx (N, C, H, W): per chunk, dcols = wᵀ · DY, then col2im
// of each sample's columns.
func (g *convGeom) gradInput(dx, w, dy []float32) {
	convScratch.Lock()
	defer convScratch.Unlock()
	k, p, o := g.k, g.p, g.o
	chw := g.c * g.h * g.w
	procs := runtime.GOMAXPROCS(0)
	clear(dx)
	g.chunks(func(n0, size int) {
		dyc := g.chunkDY(dy, n0, size)                 // (O, G*P)
		dcols := convGrow(&convScratch.cols, k*size*p) // (K, G*P)
		clear(dcols)
		gemm.MulAdd(gemm.Dense(k, size*p, dcols), gemm.Dense(o, k, w).T(), gemm.Dense(o, size*p, dyc), procs)
		parallel(size*g.c, size*k*p, func(lo, hi int) {
			// Items are (sample, channel) pairs; each writes its own channel.
			for i := lo; i < hi; {
				s, c0 := i/g.c, i%g.c
				c1 := min(g.c, c0+hi-i)
				g.col2im(dx[(n0+s)*chw:(n0+s+1)*chw], dcols[s*p:], size*p, 1, c0, c1)
				i += c1 - c0
			}
		})
	})
}

// gradWeight writes dw (O, K) = Σ_chunks DY (O, G*P) · colsᵀ (G*P, K). It
// sums dwᵀ (K, O) = Σ cols (K, G*P) · DYᵀ (G*P, O) instead, which packs the
// column buffer as it is laid out, then transposes.
func (g *convGeom) gradWeight(dw, x, dy []float32) {
	convScratch.Lock()
	defer convScratch.Unlock()
	k, p, o := g.k, g.p, g.o
	procs := runtime.GOMAXPROCS(0)
	dwT := convGrow(&convScratch.y, k*o) // (K, O)
	clear(dwT)
	g.chunks(func(n0, size int) {
		dyc := g.chunkDY(dy, n0, size)                // (O, G*P)
		cols := convGrow(&convScratch.cols, k*size*p) // (K, G*P)
		g.colsOf(cols, size*p, 1, x, n0, size)
		gemm.MulAdd(gemm.Dense(k, o, dwT), gemm.Dense(k, size*p, cols), gemm.Dense(o, size*p, dyc).T(), procs)
	})
	for ki := range k {
		for oi, v := range dwT[ki*o : (ki+1)*o] {
			dw[oi*k+ki] = v
		}
	}
}

// ---- the ops ----------------------------------------------------------

// convBase is what the three ops share: the kind, the call's state and the
// op's own output buffer. The hash names the kind and the geometry, so only
// nodes computing the same thing from the same inputs merge.
type convBase struct {
	opBase
	s   *convGeom
	out *[]float32
}

func newConvBase(kind string, s *convGeom) convBase {
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

// ScratchBytes is the op's share of the conv buffers (engine.Scratcher).
func (o convBase) ScratchBytes() map[string]int64 { return o.s.scratch(o.kind) }

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

// Lower: one convolution, x (N, C, H, W) by w (O, C, KH, KW), padded by pad
// on every side.
func (o convOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	g := o.s
	pads := [][2]int{{g.pad, g.pad}, {g.pad, g.pad}}
	return l.Conv(l.In[0], l.In[1], []int{g.stride, g.stride}, nil, nil, pads, "bf01", "oi01", "bf01"), l.Err()
}

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

// Lower: the transposed convolution: dy (N, O, OH, OW) dilated by the
// stride, convolved with w flipped in space and with its feature axes
// swapped (O in, C out); padded by KH-1-pad before and by what reaches H
// after (negative when pad > KH-1: Conv crops), so dx[ih] sums
// dy[oh]·w[ki] over ih = oh*stride + ki - pad.
func (o convGradInputOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	g := o.s
	w, dy := l.In[0], l.In[1]
	pads := [][2]int{
		{g.kh - 1 - g.pad, g.h + g.pad - (g.oh-1)*g.stride - 1},
		{g.kw - 1 - g.pad, g.w + g.pad - (g.ow-1)*g.stride - 1},
	}
	wr := l.Reverse(w, 2, 3) // (O, C, KH, KW), flipped
	return l.Conv(dy, wr, nil, []int{g.stride, g.stride}, nil, pads, "bf01", "io01", "bf01"), l.Err()
}

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

// Lower: a convolution over the batch: x with its channels as the batch
// and its samples as features, dy (N, O, OH, OW) as the kernel dilated by
// the stride, so dw[o, c, ki] sums x[n, c, oh*stride + ki - pad] dy[n, o,
// oh] over n and oh; x padded by pad before and by what reaches KH after
// (negative when the stride skips x's last rows: Conv crops).
func (o convGradWeightOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	g := o.s
	x, dy := l.In[0], l.In[1]
	pads := [][2]int{
		{g.pad, g.kh + (g.oh-1)*g.stride - g.h - g.pad},
		{g.pad, g.kw + (g.ow-1)*g.stride - g.w - g.pad},
	}
	return l.Conv(x, dy, nil, nil, []int{g.stride, g.stride}, pads, "fb01", "io01", "fb01"), l.Err()
}

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
