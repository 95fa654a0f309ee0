package imaging

import "image"

// YCbCr to RGB as libjpeg-turbo does it by default, which is how PIL, and so
// torchvision's ImageFolder, load a JPEG. Go's color.YCbCrToRGB and
// YCbCr.COffset differ in two ways that matter for training on JPEG data
// such as CIFAR-10's 4:2:0 files:
//
//   - Subsampled chroma is upsampled with libjpeg's "fancy" triangle filter
//     (3/4 of the nearer sample, 1/4 of the farther, in each subsampled
//     direction), where Go repeats each sample over its 2x2 block. Over
//     CIFAR-10 the two differ by up to 54 grey levels in a channel.
//   - The colour conversion uses libjpeg's 16-bit fixed-point tables, which
//     round differently from Go's by one level for some inputs.
//
// Only the IDCT still differs (Go's image/jpeg is not libjpeg's islow), by a
// level here and there; the golden test measures what is left.

// ycbcrScale is libjpeg's SCALEBITS: the tables are 16.16 fixed point.
const ycbcrScale = 16

// ycbcrTables are libjpeg's build_ycc_rgb_table (jdcolor.c): R = Y + crR,
// G = Y + (cbG + crG) >> 16, B = Y + cbB, indexed by the 8-bit Cb or Cr.
var ycbcrTables = func() (t struct{ crR, cbB, crG, cbG [256]int32 }) {
	fix := func(x float64) int32 { return int32(x*(1<<ycbcrScale) + 0.5) }
	const half = 1 << (ycbcrScale - 1)
	for i := range 256 {
		x := int32(i - 128)
		t.crR[i] = (fix(1.40200)*x + half) >> ycbcrScale
		t.cbB[i] = (fix(1.77200)*x + half) >> ycbcrScale
		t.crG[i] = -fix(0.71414) * x
		t.cbG[i] = -fix(0.34414)*x + half
	}
	return t
}()

func clampU8(v int32) uint8 {
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return uint8(v)
}

// ycbcrPlanar converts s to planar RGB bytes, (3, H, W), upsampling its
// chroma as libjpeg-turbo's jdsample.c does with do_fancy_upsampling (the
// default): 4:2:0 and 4:2:2 planes more than two samples wide and every
// 4:4:0 plane get the triangle filter, the rest (and 4:1:1, 4:1:0) repeat
// their samples. At the plane's borders the missing neighbour is the edge
// sample itself, as libjpeg's context rows and edge columns make it.
func ycbcrPlanar(s *image.YCbCr) (h, w int, pix []uint8) {
	b := s.Bounds()
	h, w = b.Dy(), b.Dx()
	cb := upsampleChroma(s, s.Cb)
	cr := upsampleChroma(s, s.Cr)
	n := h * w
	pix = make([]uint8, 3*n)
	t := &ycbcrTables
	for y := range h {
		row := s.Y[s.YOffset(b.Min.X, b.Min.Y+y):]
		for x := range w {
			i := y*w + x
			yy, cbi, cri := int32(row[x]), cb[i], cr[i]
			pix[i] = clampU8(yy + t.crR[cri])
			pix[n+i] = clampU8(yy + (t.cbG[cbi]+t.crG[cri])>>ycbcrScale)
			pix[2*n+i] = clampU8(yy + t.cbB[cbi])
		}
	}
	return h, w, pix
}

// upsampleChroma returns the chroma plane c of s at full resolution, one
// byte per pixel of s.Rect in row order.
func upsampleChroma(s *image.YCbCr, c []uint8) []uint8 {
	b := s.Bounds()
	h, w := b.Dy(), b.Dx()
	out := make([]uint8, h*w)
	// The subsampling factors, and the chroma rectangle that covers b as
	// image.YCbCr lays it out.
	fx, fy := 1, 1
	switch s.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		fx = 2
	case image.YCbCrSubsampleRatio420:
		fx, fy = 2, 2
	case image.YCbCrSubsampleRatio440:
		fy = 2
	}
	cx0, cy0 := b.Min.X/fx, b.Min.Y/fy
	cw, ch := (b.Max.X+fx-1)/fx-cx0, (b.Max.Y+fy-1)/fy-cy0
	fancyX := fx == 2 && cw > 2
	fancyY := fy == 2 && (fx == 1 || fancyX)
	if (fx == 2 && !fancyX) || s.SubsampleRatio == image.YCbCrSubsampleRatio411 || s.SubsampleRatio == image.YCbCrSubsampleRatio410 {
		for y := range h {
			for x := range w {
				out[y*w+x] = c[s.COffset(b.Min.X+x, b.Min.Y+y)]
			}
		}
		return out
	}
	// Offset of b.Min inside the upsampled chroma rectangle, whose first
	// sample is the first of each plane row (see image.YCbCr.COffset).
	ox, oy := b.Min.X-cx0*fx, b.Min.Y-cy0*fy
	crow := func(j int) []uint8 { // chroma row j of the rectangle, clamped
		j = max(0, min(ch-1, j))
		return c[j*s.CStride : j*s.CStride+cw]
	}
	colsum := make([]int32, cw) // (cw,) vertical pass, scaled by 4 when fancyY
	line := make([]uint8, fx*cw)
	for y := range h {
		uy := y + oy // row in the upsampled rectangle
		near := crow(uy / fy)
		if fancyY {
			// 3/4 of the nearer row, 1/4 of the one above (even output
			// rows) or below (odd ones).
			far := crow(uy/2 - 1 + 2*(uy%2))
			for j := range cw {
				colsum[j] = 3*int32(near[j]) + int32(far[j])
			}
		} else {
			for j := range cw {
				colsum[j] = int32(near[j])
			}
		}
		switch {
		case fancyX && fancyY: // h2v2_fancy_upsample
			for j := range cw {
				l, r := colsum[max(0, j-1)], colsum[min(cw-1, j+1)]
				line[2*j] = uint8((3*colsum[j] + l + 8) >> 4)
				line[2*j+1] = uint8((3*colsum[j] + r + 7) >> 4)
			}
		case fancyX: // h2v1_fancy_upsample
			for j := range cw {
				l, r := colsum[max(0, j-1)], colsum[min(cw-1, j+1)]
				line[2*j] = uint8((3*colsum[j] + l + 1) >> 2)
				line[2*j+1] = uint8((3*colsum[j] + r + 2) >> 2)
			}
		case fancyY: // h1v2_fancy_upsample: bias 1 above, 2 below
			bias := int32(1 + uy%2)
			for j := range cw {
				line[j] = uint8((colsum[j] + bias) >> 2)
			}
		default: // 4:4:4
			for j := range cw {
				line[j] = uint8(colsum[j])
			}
		}
		copy(out[y*w:(y+1)*w], line[ox:ox+w])
	}
	return out
}
