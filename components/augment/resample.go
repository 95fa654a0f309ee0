package augment

import (
	"math"
	"sync"

	"github.com/sslrun/sslrun/imaging"
)

// taps is a precomputed 1-D resampling of one line of source samples onto n
// output samples: output i is the sum over k < count[i] of
// w[off[i]+k] * line[start[i]+k].
type taps struct {
	start, count, off []int
	w                 []float32
	wf                []float64 // one output's weights before rounding
}

// aaBilinear sets t to the antialiased bilinear resampling of torchvision's
// tensor path (interpolate with mode="bilinear", align_corners=False,
// antialias=True, the same filter as PIL's bilinear resize): output sample i
// is centred at scale*(i+0.5) in the span, with scale = in/out, and reads a
// triangle filter whose support widens from 1 to scale source samples when
// downsampling, with weights normalised to sum to one.
//
// The span is [offset, offset+in) of a line of lineLen samples. Span samples
// outside the line are zeros, as torchvision pads crops that leave the
// image, so their taps are dropped after normalisation.
func (t *taps) aaBilinear(in, out, offset, lineLen int) {
	scale := float64(in) / float64(out)
	support, invScale := 1.0, 1.0
	if scale >= 1 {
		support, invScale = scale, 1/scale
	}
	width := 2*int(math.Ceil(support)) + 1
	t.resetFor(out, width)
	wf := grow(&t.wf, width)
	for i := range out {
		center := scale * (float64(i) + 0.5)
		// int() truncates toward zero like the C++ cast in torch.
		lo := max(int(center-support+0.5), 0)
		hi := min(int(center+support+0.5), in)
		ws := wf[:hi-lo]
		total := 0.0
		for k := range ws {
			x := (float64(lo+k) - center + 0.5) * invScale
			ws[k] = max(0, 1-math.Abs(x))
			total += ws[k]
		}
		if total != 0 {
			for k := range ws {
				ws[k] /= total
			}
		}
		dst := t.w[i*width : i*width+len(ws)]
		for k, v := range ws {
			dst[k] = float32(v)
		}
		t.clip(i, i*width, offset+lo, len(ws), lineLen)
	}
}

// identity sets t to copying the span [offset, offset+n) of a line of
// lineLen samples, with zeros outside the line.
func (t *taps) identity(n, offset, lineLen int) {
	t.resetFor(n, 1)
	for i := range n {
		t.w[i] = 1
		t.clip(i, i, offset+i, 1, lineLen)
	}
}

// resetFor sizes the tables for out samples of at most width taps each.
func (t *taps) resetFor(out, width int) {
	grow(&t.start, out)
	grow(&t.count, out)
	grow(&t.off, out)
	clear(grow(&t.w, out*width))
}

// clip records output i as n taps starting at source index first with
// weights from w[off], less the taps that fall outside [0, lineLen).
func (t *taps) clip(i, off, first, n, lineLen int) {
	skip := max(0, -first)
	end := min(n, lineLen-first)
	t.start[i] = first + skip
	t.off[i] = off + skip
	t.count[i] = max(0, end-skip)
}

// span returns the source range [lo, hi) that the taps read (lo >= hi when
// they read nothing).
func (t *taps) span() (lo, hi int) {
	lo, hi = math.MaxInt, 0
	for i, n := range t.count {
		if n > 0 {
			lo = min(lo, t.start[i])
			hi = max(hi, t.start[i]+n)
		}
	}
	return lo, hi
}

// resampleScratch is the work space of one resizedCrop call.
type resampleScratch struct {
	x, y taps
	tmp  []float32
}

var resamplePool = sync.Pool{New: func() any { return new(resampleScratch) }}

// resizedCrop is torchvision's F.resized_crop(img, top, left, h, w,
// [outH, outW], BILINEAR, antialias=True) on a float tensor: the box
// [top, top+h) x [left, left+w) of src (zeros where it leaves the image),
// resized to outH x outW with aaBilinear. A box already of the output size
// is only cropped, as torchvision's resize returns such images untouched.
// It returns a new image.
func resizedCrop(src *imaging.Image, top, left, h, w, outH, outW int) *imaging.Image {
	if h == outH && w == outW {
		return crop(src, top, left, h, w)
	}
	s := resamplePool.Get().(*resampleScratch)
	defer resamplePool.Put(s)
	if w == outW {
		s.x.identity(w, left, src.W)
	} else {
		s.x.aaBilinear(w, outW, left, src.W)
	}
	if h == outH {
		s.y.identity(h, top, src.H)
	} else {
		s.y.aaBilinear(h, outH, top, src.H)
	}
	out := imaging.New(src.C, outH, outW) // (C, outH, outW)
	r0, r1 := s.y.span()
	if r1 <= r0 {
		return out
	}
	rows := r1 - r0
	tmp := grow(&s.tmp, src.C*rows*outW) // (C, rows, outW): rows r0..r1 of src resampled along x
	for c := range src.C {
		plane := src.Plane(c) // (H, W)
		for r := range rows {
			line := plane[(r0+r)*src.W : (r0+r+1)*src.W]
			dst := tmp[(c*rows+r)*outW : (c*rows+r+1)*outW]
			for j := range dst {
				n, st, o := s.x.count[j], s.x.start[j], s.x.off[j]
				ws := s.x.w[o : o+n]
				vs := line[st : st+n]
				var acc float32
				for k, wk := range ws {
					acc += wk * vs[k]
				}
				dst[j] = acc
			}
		}
	}
	for c := range src.C {
		plane := out.Plane(c)   // (outH, outW)
		tp := tmp[c*rows*outW:] // (rows, outW)
		for i := range outH {
			n, st, o := s.y.count[i], s.y.start[i]-r0, s.y.off[i]
			if n == 0 {
				continue
			}
			dst := plane[i*outW : (i+1)*outW]
			row := tp[st*outW : (st+1)*outW]
			row = row[:len(dst)]
			w0 := s.y.w[o]
			for x := range dst {
				dst[x] = w0 * row[x]
			}
			for k := 1; k < n; k++ {
				row := tp[(st+k)*outW : (st+k+1)*outW]
				row = row[:len(dst)]
				wk := s.y.w[o+k]
				for x := range dst {
					dst[x] += wk * row[x]
				}
			}
		}
	}
	return out
}

// crop is torchvision's F.crop on a tensor: the box [top, top+h) x
// [left, left+w) of src as a new image, zero where the box leaves src.
func crop(src *imaging.Image, top, left, h, w int) *imaging.Image {
	out := imaging.New(src.C, h, w) // (C, h, w)
	y0, y1 := max(top, 0), min(top+h, src.H)
	x0, x1 := max(left, 0), min(left+w, src.W)
	if y1 <= y0 || x1 <= x0 {
		return out
	}
	for c := range src.C {
		sp, dp := src.Plane(c), out.Plane(c)
		for y := y0; y < y1; y++ {
			copy(dp[(y-top)*w+x0-left:(y-top)*w+x1-left], sp[y*src.W+x0:y*src.W+x1])
		}
	}
	return out
}
