package imaging

import (
	"image"
	"image/color"
	_ "image/jpeg" // registers the decoder for the golden files
	_ "image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func decodeFile(t *testing.T, file string) image.Image {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return img
}

// TestJPEGLikePIL decodes the JPEG files of testdata/jpeg and compares the
// pixels with PIL's (testdata/make_jpeg_golden.py). Chroma upsampling and
// colour conversion follow libjpeg-turbo exactly; what is left is Go's IDCT,
// which rounds a sample differently from libjpeg's islow now and then (the
// gray file: 2% of pixels, by one level), and the colour conversion can
// scale that by up to 1.8. Go's own conversion (nearest chroma,
// color.YCbCrToRGB) is much further off on these files; the test checks
// that it would fail.
func TestJPEGLikePIL(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "jpeg", "*.jpg"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	const maxDiff, maxFrac = 3, 0.08
	goWorst := 0
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			img := decodeFile(t, file)
			c, h, w, got := PlanarU8(img)
			wc, wh, ww, want := PlanarU8(decodeFile(t, strings.TrimSuffix(file, ".jpg")+".png"))
			if c != wc || h != wh || w != ww {
				t.Fatalf("shape %dx%dx%d, PIL's %dx%dx%d", c, h, w, wc, wh, ww)
			}
			worst, frac := compareU8(got, want)
			t.Logf("max |diff| %d, %.2f%% of values differ", worst, 100*frac)
			if worst > maxDiff || frac > maxFrac {
				t.Errorf("max |diff| %d (want <= %d), %.2f%% of values differ (want <= %.0f%%)", worst, maxDiff, 100*frac, 100*maxFrac)
			}
			if s, ok := img.(*image.YCbCr); ok {
				worst, _ := compareU8(goPlanar(s), want)
				goWorst = max(goWorst, worst)
			}
		})
	}
	if goWorst <= 4*maxDiff {
		t.Errorf("Go's nearest-chroma conversion is within %d of PIL: the files do not test the upsampling", goWorst)
	}
	t.Logf("Go's own conversion: max |diff| %d", goWorst)
}

// compareU8 returns the largest absolute difference and the fraction of
// values that differ.
func compareU8(a, b []uint8) (worst int, frac float64) {
	n := 0
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d != 0 {
			n++
		}
		worst = max(worst, d, -d)
	}
	return worst, float64(n) / float64(len(a))
}

// goPlanar is Go's own conversion, for contrast: each chroma sample repeated
// over its block, then color.YCbCrToRGB.
func goPlanar(s *image.YCbCr) []uint8 {
	b := s.Bounds()
	n := b.Dx() * b.Dy()
	pix := make([]uint8, 3*n)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			ci := s.COffset(x, y)
			r, g, bb := color.YCbCrToRGB(s.Y[s.YOffset(x, y)], s.Cb[ci], s.Cr[ci])
			i := (y-b.Min.Y)*b.Dx() + x - b.Min.X
			pix[i], pix[n+i], pix[2*n+i] = r, g, bb
		}
	}
	return pix
}

// TestUpsampleChroma checks the chroma planes against libjpeg's formulas
// (jdsample.c) worked by hand: 3/4 nearer + 1/4 farther sample, with
// libjpeg's biases, the edge sample standing in for the missing neighbour,
// and plain repetition where libjpeg does not filter.
func TestUpsampleChroma(t *testing.T) {
	tests := []struct {
		name  string
		ratio image.YCbCrSubsampleRatio
		w, h  int
		cb    []uint8 // the plane, row by row, CStride = its width
		want  []uint8 // (h, w)
	}{
		{"4:4:4 is unchanged", image.YCbCrSubsampleRatio444, 2, 1, []uint8{7, 9}, []uint8{7, 9}},
		// h2v1: edges keep the sample; (3a+b+1)>>2 left, (3a+b+2)>>2 right.
		{"4:2:2 triangle filter", image.YCbCrSubsampleRatio422, 6, 1, []uint8{0, 100, 200},
			[]uint8{0, 25, 75, 125, 175, 200}},
		{"4:2:2 odd width drops the last", image.YCbCrSubsampleRatio422, 5, 1, []uint8{0, 100, 200},
			[]uint8{0, 25, 75, 125, 175}},
		{"4:2:2 two samples wide repeats", image.YCbCrSubsampleRatio422, 4, 1, []uint8{0, 100},
			[]uint8{0, 0, 100, 100}},
		// h1v2: (3a+above+1)>>2 on even rows, (3a+below+2)>>2 on odd ones.
		{"4:4:0 triangle filter", image.YCbCrSubsampleRatio440, 1, 4, []uint8{10, 51},
			[]uint8{10, (30 + 51 + 2) >> 2, (153 + 10 + 1) >> 2, 51}},
		// h2v2: column sums 3*near+far, then (3s+s'+8)>>4 left and
		// (3s+s'+7)>>4 right.
		{"4:2:0 triangle filter", image.YCbCrSubsampleRatio420, 6, 2, []uint8{0, 16, 32},
			[]uint8{0, 4, 12, 20, 28, 32, 0, 4, 12, 20, 28, 32}},
		{"4:2:0 vertical", image.YCbCrSubsampleRatio420, 6, 4, []uint8{0, 0, 0, 160, 160, 160},
			[]uint8{0, 0, 0, 0, 0, 0, 40, 40, 40, 40, 40, 40, 120, 120, 120, 120, 120, 120, 160, 160, 160, 160, 160, 160}},
		{"4:2:0 two samples wide repeats", image.YCbCrSubsampleRatio420, 3, 4, []uint8{1, 2, 3, 4},
			[]uint8{1, 1, 2, 1, 1, 2, 3, 3, 4, 3, 3, 4}},
		{"4:1:1 repeats", image.YCbCrSubsampleRatio411, 8, 1, []uint8{5, 9},
			[]uint8{5, 5, 5, 5, 9, 9, 9, 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := image.NewYCbCr(image.Rect(0, 0, tt.w, tt.h), tt.ratio)
			if len(s.Cb) != len(tt.cb) {
				t.Fatalf("plane of %d samples, the case gives %d", len(s.Cb), len(tt.cb))
			}
			copy(s.Cb, tt.cb)
			if diff := cmp.Diff(tt.want, upsampleChroma(s, s.Cb)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestUpsampleSubImage checks that a sub-image reads the upsampled pixels of
// its parent when it starts on a chroma sample boundary.
func TestUpsampleSubImage(t *testing.T) {
	s := image.NewYCbCr(image.Rect(0, 0, 12, 6), image.YCbCrSubsampleRatio420)
	for i := range s.Cb {
		s.Cb[i] = uint8(37 * i)
	}
	whole := upsampleChroma(s, s.Cb)
	sub := s.SubImage(image.Rect(2, 2, 10, 6)).(*image.YCbCr)
	got := upsampleChroma(sub, sub.Cb)
	for y := range 4 {
		for x := range 8 {
			if g, w := got[y*8+x], whole[(y+2)*12+x+2]; g != w && x > 0 && x < 7 && y > 0 && y < 3 {
				t.Errorf("pixel (%d, %d) of the sub-image is %d, the parent's is %d", x, y, g, w)
			}
		}
	}
}
