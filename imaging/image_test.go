package imaging

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestQuantize checks the 8-bit rendering: exact for values that came from
// bytes, clamped outside [0, 1].
func TestQuantize(t *testing.T) {
	pix := []uint8{0, 1, 127, 128, 254, 255}
	m := FromU8(1, 1, 6, pix)
	got := make([]uint8, 6)
	for i := range got {
		got[i] = m.NRGBA().Pix[4*i]
	}
	if diff := cmp.Diff(pix, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	m.Pix[0], m.Pix[1] = -0.5, 1.5
	if p := m.NRGBA().Pix; p[0] != 0 || p[4] != 255 {
		t.Errorf("out-of-range values rendered as %d and %d, want clamped 0 and 255", p[0], p[4])
	}
}

func TestPlanarU8(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 2, 1))
	gray.Pix = []uint8{10, 20}
	nrgba := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	nrgba.Pix = []uint8{1, 2, 3, 255, 4, 5, 6, 128}
	rgba := image.NewRGBA(image.Rect(0, 0, 1, 1))
	rgba.Set(0, 0, color.RGBA{7, 8, 9, 255})
	ycc := image.NewYCbCr(image.Rect(0, 0, 1, 1), image.YCbCrSubsampleRatio444)
	ycc.Y[0], ycc.Cb[0], ycc.Cr[0] = 128, 128, 128
	sub := gray.SubImage(image.Rect(1, 0, 2, 1))
	tests := []struct {
		name    string
		img     image.Image
		c, h, w int
		pix     []uint8
	}{
		{"gray", gray, 1, 1, 2, []uint8{10, 20}},
		{"gray sub-image", sub, 1, 1, 1, []uint8{20}},
		{"nrgba is planar RGB without alpha", nrgba, 3, 1, 2, []uint8{1, 4, 2, 5, 3, 6}},
		{"rgba", rgba, 3, 1, 1, []uint8{7, 8, 9}},
		{"ycbcr", ycc, 3, 1, 1, []uint8{128, 128, 128}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, h, w, pix := PlanarU8(tt.img)
			if c != tt.c || h != tt.h || w != tt.w {
				t.Errorf("shape %dx%dx%d, want %dx%dx%d", c, h, w, tt.c, tt.h, tt.w)
			}
			if diff := cmp.Diff(tt.pix, pix); diff != "" {
				t.Errorf("pixels (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSheet(t *testing.T) {
	a := FromU8(1, 2, 2, []uint8{255, 255, 255, 255})
	b := FromU8(3, 1, 1, []uint8{255, 0, 0})
	// Two columns and two rows of 6x6 cells with 1-pixel gaps.
	l := SheetLayout{Rows: 2, Cols: 2, CellW: 2, CellH: 2, Scale: 3, Gap: 1}
	if w, h := l.Size(); w != 2*6+3 || h != 2*6+3 {
		t.Fatalf("size %vx%v", w, h)
	}
	s := l.New()
	for _, cell := range []struct {
		r, c int
		m    *Image
	}{{0, 0, a}, {0, 1, b}, {1, 0, b}} {
		l.Draw(s, cell.r, cell.c, cell.m)
	}
	if got := s.Bounds(); got.Dx() != 2*6+3 || got.Dy() != 2*6+3 {
		t.Fatalf("sheet is %v", got)
	}
	// b (red, 3x3 after scaling) is centred in its 6x6 cell at column 1.
	if got := s.NRGBAAt(1+6+1+1+1, 1+1+1); got != (color.NRGBA{255, 0, 0, 255}) {
		t.Errorf("centre of the red cell is %v", got)
	}
	if got := s.NRGBAAt(0, 0); got != (color.NRGBA{255, 255, 255, 255}) {
		t.Errorf("gap is %v, want white", got)
	}
}

// TestChannelsFromHeader: the channel count read from a file's header
// agrees with the planes PlanarU8 makes of the decoded image, for every
// kind of PNG and JPEG the encoders write.
func TestChannelsFromHeader(t *testing.T) {
	rect := image.Rect(0, 0, 3, 2)
	paletted := image.NewPaletted(rect, color.Palette{color.Gray{0}, color.Gray{255}})
	grayPalette := image.NewPaletted(rect, color.Palette{color.Black, color.White})
	tests := []struct {
		name string
		img  image.Image
		jpeg bool
		want int
	}{
		{"gray png", image.NewGray(rect), false, 1},
		{"gray16 png", image.NewGray16(rect), false, 1},
		{"nrgba png", image.NewNRGBA(rect), false, 3},
		{"rgba64 png", image.NewRGBA64(rect), false, 3},
		{"paletted png", paletted, false, 3},
		{"gray-palette png", grayPalette, false, 3},
		{"gray jpeg", image.NewGray(rect), true, 1},
		{"colour jpeg", image.NewNRGBA(rect), true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			var err error
			if tt.jpeg {
				err = jpeg.Encode(&buf, tt.img, nil)
			} else {
				err = png.Encode(&buf, tt.img)
			}
			if err != nil {
				t.Fatal(err)
			}
			cfg, _, err := image.DecodeConfig(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			img, _, err := image.Decode(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			c, _, _, _ := PlanarU8(img)
			if got := Channels(cfg.ColorModel); got != c || got != tt.want {
				t.Errorf("Channels of the header = %d, PlanarU8 of the image = %d, want %d", got, c, tt.want)
			}
		})
	}
}
