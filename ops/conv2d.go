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

// 2-D convolution without bias, as products with the column (im2col)
// matrix, with its two backward passes as own ops. One Conv2D call makes
// one forward node; differentiating it adds one node of each backward kind:
//
//	y  = sslrun.conv2d(x, w)              // (N, O, OH, OW)
//	dx = sslrun.conv2d_grad_input(w, dy)  // (N, C, H, W)
//	dw = sslrun.conv2d_grad_weight(x, dy) // (O, C, KH, KW)
//
// with x (N, C, H, W), w (O, C, KH, KW), symmetric zero padding pad and
// OH = (H + 2*pad - KH)/stride + 1 (likewise OW). The samples are taken in
// chunks of G (G*P columns, P = OH*OW) whose column matrix, K = C*KH*KW
// rows, fits a fixed budget; per chunk:
//
//	forward:     Y (O, G*P)    = w (O, K) · cols (K, G*P), scattered into y
//	grad_input:  dcols (K, G*P) = wᵀ (K, O) · DY (O, G*P), then col2im into dx
//	grad_weight: dw (O, K)     += DY (O, G*P) · colsᵀ (G*P, K)
//
// where DY gathers the chunk's dy_n (O, P) side by side. The products are
// package gemm's (packed and blocked, AVX2 with FMA where the CPU has it).
// The forward and grad_weight never lay cols out: gemm packs its blocks
// straight from x (colsByPos, colsByK), so the image is copied once, into
// the micro-kernel's panels, not twice. grad_input's dcols is a buffer.
// G depends only on the shapes, and gemm and the packing and col2im loops
// split their work into ranges that never change an element's order of
// summation, so all three results are bitwise the same for the same inputs
// whatever GOMAXPROCS is.
//
// The dcols buffer and the gathered gradient are shared by every conv op
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
	k, p        int          // column matrix: K = C*KH*KW rows, P = OH*OW columns per sample
	xs, ws, ys  tensor.Shape // the shapes of x, w and y
	// chunk is G, the samples whose columns are multiplied at once.
	chunk int
	// back, where it is not nil, is the convolution grad_input runs: dy
	// (N, O, OH, OW) by w flipped with its feature axes swapped (C, O, KH,
	// KW), padded by KH-1-pad (transposed).
	back *convGeom
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
	g.back = g.transposed()
	return g, nil
}

// transposed returns the geometry of the convolution that is g's gradient
// of x, or nil where that is not a plain convolution. With stride 1,
// dx[c, ih, iw] sums dy[o, ih+pad-ki, iw+pad-kj] w[o, c, ki, kj]: the
// convolution of dy with wt[c, o, a, b] = w[o, c, KH-1-a, KW-1-b] padded by
// KH-1-pad, which is only symmetric and non-negative for a square kernel
// with pad < KH. Its own transposed is not made.
func (g *convGeom) transposed() *convGeom {
	if g.stride != 1 || g.kh != g.kw || g.pad >= g.kh {
		return nil
	}
	t := convGeom{
		n: g.n, c: g.o, h: g.oh, w: g.ow,
		o: g.c, kh: g.kh, kw: g.kw,
		stride: 1, pad: g.kh - 1 - g.pad,
		oh: g.h, ow: g.w,
	}
	t.k, t.p = t.c*t.kh*t.kw, t.oh*t.ow
	t.xs, t.ws, t.ys = g.ys.Clone(), tensor.Shape{g.c, g.o, g.kh, g.kw}, g.xs.Clone()
	t.chunk = convChunk(t.n, t.k, t.p)
	return &t
}

// flip writes wt (C, O, KH, KW), wt[c, o, a, b] = w[o, c, KH-1-a,
// KW-1-b]: the filters of g.back.
func (g *convGeom) flip(wt, w []float32) {
	khw := g.kh * g.kw
	for o := range g.o {
		for c := range g.c {
			src := w[(o*g.c+c)*khw : (o*g.c+c+1)*khw]  // (KH, KW)
			dst := wt[(c*g.o+o)*khw : (c*g.o+o+1)*khw] // (KH, KW)
			for i, v := range src {
				dst[khw-1-i] = v
			}
		}
	}
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

// col2im adds one sample's column buffer, element (k, p) at src[k*sk +
// p*sp], into the channels c0 <= c < c1 of dx (C, H, W) at the positions
// the column matrix's element (k, p) is read from (colRow), in (k, p)
// order; the padding's elements are dropped.
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
	// convColsBudget bounds a chunk's column matrix, in elements (8 MiB).
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
	convPoolW    = "sslrun.conv2d.wt"
)

// scratch returns the bytes of the shared buffers a run of the op of kind
// needs, by pool (engine.Scratcher). Only grad_input lays the column
// matrix out.
func (g *convGeom) scratch(kind string) map[string]int64 {
	cols := 4 * int64(g.k) * int64(g.chunk) * int64(g.p) // (K, G*P)
	out := 4 * int64(g.o) * int64(g.chunk) * int64(g.p)  // (O, G*P), gathered only when G > 1
	if g.chunk == 1 {
		out = 0
	}
	switch kind {
	case "sslrun.conv2d":
		return map[string]int64{convPoolY: out}
	case "sslrun.conv2d_grad_input":
		if t := g.back; t != nil {
			need := t.scratch("sslrun.conv2d")
			need[convPoolW] = 4 * int64(g.o) * int64(g.k) // wt (C, O, KH, KW)
			return need
		}
		return map[string]int64{convPoolCols: cols, convPoolDY: out}
	}
	return map[string]int64{convPoolDY: out, convPoolY: 4 * int64(g.k) * int64(g.o)} // dwᵀ (K, O)
}

// convScratch is the buffers every conv op shares, grown on first use.
var convScratch struct {
	sync.Mutex
	cols []float32 // grad_input's dcols, (K, G*P)
	dy   []float32 // a chunk's gradient gathered, (O, G*P)
	y    []float32 // a chunk's output before scattering, (O, G*P), or dwᵀ (K, O)
	wt   []float32 // grad_input's flipped filters, (C, O, KH, KW)
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

// ---- the column matrix, packed from the image ------------------------

// The column matrix of a chunk, samples [n0, n0+G) of x, is (K, G*P):
// element (k, j) is x[n0 + j/P] at row k and position j%P, as im2col would
// lay it out. The forward and grad_weight products never lay it out: they
// read it as a gemm.Source, packing each block straight from x. colsByPos
// is it as the forward's b (o is j, along y's positions), colsByK as
// grad_weight's a (o is k, along dw's rows); both pack the values the
// laid-out matrix holds, so the products are bitwise the same.
type (
	colsByPos struct {
		g  *convGeom
		x  []float32 // (N, C, H, W)
		n0 int
	}
	colsByK colsByPos
)

// colRow is what packing needs of row k = (c*KH + ki)*KW + kj of the
// column matrix.
type colRow struct {
	ch     int // offset of channel c in a sample: c*H*W
	ih0    int // ki - pad: the input row of output row 0
	iw0    int // kj - pad: the input column of output column 0
	lo, hi int // the output columns whose input column is inside x
}

func (g *convGeom) colRow(k int) colRow {
	c, ki, kj := k/(g.kh*g.kw), k/g.kw%g.kh, k%g.kw
	lo, hi := g.outCols(kj)
	return colRow{ch: c * g.h * g.w, ih0: ki - g.pad, iw0: kj - g.pad, lo: lo, hi: hi}
}

// posRun is a stretch of a chunk's positions within one output row: n
// positions from column ow of row oh of sample s.
type posRun struct{ s, oh, ow, n int }

// runAt is the run that starts at position j of the chunk, at most n long.
func (g *convGeom) runAt(j, n int) posRun {
	pos := j % g.p
	ow := pos % g.ow
	return posRun{s: j / g.p, oh: pos / g.ow, ow: ow, n: min(g.ow-ow, n)}
}

// next is the run after r, at most n long: the start of the next output
// row, or of the next sample's first.
func (g *convGeom) next(r posRun, n int) posRun {
	r.ow, r.oh = 0, r.oh+1
	if r.oh == g.oh {
		r.s, r.oh = r.s+1, 0
	}
	r.n = min(g.ow, n)
	return r
}

// gather writes the elements of row cr at the run's positions, x[n0+s, c,
// oh*stride+ki-pad, ow*stride+kj-pad] or 0 in the padding, to dst[i*sd]
// for the run's i-th position.
func (g *convGeom) gather(dst []float32, sd int, x []float32, n0 int, cr *colRow, r posRun) {
	d := dst[:(r.n-1)*sd+1]
	ih := r.oh*g.stride + cr.ih0
	if ih < 0 || ih >= g.h {
		for i := range r.n {
			d[i*sd] = 0
		}
		return
	}
	end := r.ow + r.n
	lo, hi := min(max(cr.lo, r.ow), end), max(min(cr.hi, end), r.ow) // inside the run
	xr := x[(n0+r.s)*g.c*g.h*g.w+cr.ch+ih*g.w:][:g.w]                // (W)
	if sd == 1 && g.stride == 1 {
		clear(d[:lo-r.ow])
		if hi > lo {
			copy(d[lo-r.ow:hi-r.ow], xr[lo+cr.iw0:hi+cr.iw0])
		}
		clear(d[hi-r.ow:])
		return
	}
	for ow := r.ow; ow < lo; ow++ {
		d[(ow-r.ow)*sd] = 0
	}
	if hi > lo {
		dd := d[(lo-r.ow)*sd:]
		if g.stride == 1 {
			for i, v := range xr[lo+cr.iw0 : hi+cr.iw0] {
				dd[i*sd] = v
			}
		} else {
			for i := range hi - lo {
				dd[i*sd] = xr[(lo+i)*g.stride+cr.iw0]
			}
		}
	}
	for ow := hi; ow < end; ow++ {
		d[(ow-r.ow)*sd] = 0
	}
}

// packRows is how many rows colsByPos.Pack describes at a time.
const packRows = 256

// Pack packs positions o0.. (o) of rows l0.. (l) of the column matrix
// (gemm.Source): each panel's w positions, cut into runs, for each row.
func (c colsByPos) Pack(dst []float32, w, o0, on, l0, kb int) {
	g := c.g
	var rows [packRows]colRow
	var runs [16]posRun // a panel's runs: at most w (16 for gemm's b)
	chw := g.c * g.h * g.w
	for r0 := 0; r0 < kb; r0 += packRows {
		rn := min(packRows, kb-r0)
		for l := range rn {
			rows[l] = g.colRow(l0 + r0 + l)
		}
		for p := 0; p < on; p += w {
			d := dst[p*kb : p*kb+kb*w]
			width := min(w, on-p)
			rs := append(runs[:0], g.runAt(o0+p, width))
			for done := rs[0].n; done < width; done += rs[len(rs)-1].n {
				rs = append(rs, g.next(rs[len(rs)-1], width-done))
			}
			// A whole panel of one output row, stride 1: where the row's
			// pixels are all inside x, one 16-element copy.
			whole := len(rs) == 1 && width == 16 && w == 16 && g.stride == 1
			for l := range rn {
				dl := d[(r0+l)*w : (r0+l+1)*w]
				cr := &rows[l]
				if whole && cr.lo <= rs[0].ow && cr.hi >= rs[0].ow+16 {
					if ih := rs[0].oh + cr.ih0; ih >= 0 && ih < g.h {
						*(*[16]float32)(dl) = *(*[16]float32)(c.x[(c.n0+rs[0].s)*chw+cr.ch+ih*g.w+rs[0].ow+cr.iw0:])
						continue
					}
				}
				at := 0
				for _, r := range rs {
					g.gather(dl[at:], 1, c.x, c.n0, &rows[l], r)
					at += r.n
				}
				clear(dl[width:])
			}
		}
	}
}

// Pack packs rows o0.. (o) of positions l0.. (l) of the column matrix
// (gemm.Source): each panel row's positions run by run.
func (c colsByK) Pack(dst []float32, w, o0, on, l0, kb int) {
	g := c.g
	for p := 0; p < on; p += w {
		d := dst[p*kb : p*kb+kb*w]
		rows := min(w, on-p)
		if rows < w {
			clear(d)
		}
		for i := range rows {
			cr := g.colRow(o0 + p + i)
			r := g.runAt(l0, kb)
			for at := 0; ; {
				g.gather(d[at*w+i:], w, c.x, c.n0, &cr, r)
				if at += r.n; at == kb {
					break
				}
				r = g.next(r, kb-at)
			}
		}
	}
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

// forward writes y (N, O, P) = w (O, K) · cols_n (K, P) for every sample,
// the columns packed straight from x (colsByPos).
func (g *convGeom) forward(y, x, w []float32) {
	convScratch.Lock()
	defer convScratch.Unlock()
	g.convolve(y, x, w)
}

// convolve is forward, the caller holding convScratch.
func (g *convGeom) convolve(y, x, w []float32) {
	k, p, o := g.k, g.p, g.o
	procs := runtime.GOMAXPROCS(0)
	g.chunks(func(n0, size int) {
		out := y[n0*o*p : (n0+1)*o*p] // (O, P): one sample needs no scatter
		if size > 1 {
			out = convGrow(&convScratch.y, o*size*p) // (O, G*P)
		}
		clear(out)
		gemm.MulAddB(gemm.Dense(o, size*p, out), gemm.Dense(o, k, w), colsByPos{g, x, n0}, procs)
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

// gradInput writes dx (N, C, H, W): the convolution g.back where there is
// one, packed straight from dy as the forward is from x; else, per chunk,
// dcols = wᵀ · DY, then col2im of each sample's columns.
func (g *convGeom) gradInput(dx, w, dy []float32) {
	convScratch.Lock()
	defer convScratch.Unlock()
	if g.back != nil {
		wt := convGrow(&convScratch.wt, len(w)) // (C, O, KH, KW)
		g.flip(wt, w)
		g.back.convolve(dx, dy, wt)
		return
	}
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
// sums dwᵀ (K, O) = Σ cols (K, G*P) · DYᵀ (G*P, O) instead, the columns
// packed straight from x (colsByK), then transposes.
func (g *convGeom) gradWeight(dw, x, dy []float32) {
	convScratch.Lock()
	defer convScratch.Unlock()
	k, p, o := g.k, g.p, g.o
	procs := runtime.GOMAXPROCS(0)
	dwT := convGrow(&convScratch.y, k*o) // (K, O)
	clear(dwT)
	g.chunks(func(n0, size int) {
		dyc := g.chunkDY(dy, n0, size) // (O, G*P)
		gemm.MulAddA(gemm.Dense(k, o, dwT), colsByK{g, x, n0}, gemm.Dense(o, size*p, dyc).T(), procs)
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
