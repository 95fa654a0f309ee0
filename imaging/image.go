package imaging

import (
	"fmt"
	"image"
	"image/color"
)

// Image is a float32 image in planar layout.
type Image struct {
	C, H, W int
	Pix     []float32 // (C, H, W)
}

// New returns a zeroed image of c channels, h rows and w columns.
func New(c, h, w int) *Image {
	return &Image{C: c, H: h, W: w, Pix: make([]float32, c*h*w)}
}

// Plane returns channel c as a slice of H*W values.
func (m *Image) Plane(c int) []float32 {
	n := m.H * m.W
	return m.Pix[c*n : (c+1)*n]
}

// Clone returns a deep copy.
func (m *Image) Clone() *Image {
	out := &Image{C: m.C, H: m.H, W: m.W, Pix: make([]float32, len(m.Pix))}
	copy(out.Pix, m.Pix)
	return out
}

// FromU8 converts planar (C, H, W) bytes to an image with values x/255.
func FromU8(c, h, w int, pix []uint8) *Image {
	if len(pix) != c*h*w {
		panic(fmt.Sprintf("imaging: %d bytes for a %dx%dx%d image", len(pix), c, h, w))
	}
	m := New(c, h, w)
	for i, v := range pix {
		m.Pix[i] = float32(v) / 255
	}
	return m
}

func quantize(v float32) uint8 {
	x := v*255 + 0.5
	switch {
	case x <= 0 || x != x:
		return 0
	case x >= 255:
		return 255
	}
	return uint8(x)
}

// PlanarU8 decodes a Go image into planar bytes: one channel for gray images,
// three (R, G, B) for everything else. Alpha is dropped. A YCbCr image (a
// decoded JPEG) is converted as libjpeg-turbo converts it, so as PIL and
// torchvision see it (see ycbcrPlanar).
func PlanarU8(src image.Image) (c, h, w int, pix []uint8) {
	b := src.Bounds()
	h, w = b.Dy(), b.Dx()
	n := h * w
	switch s := src.(type) {
	case *image.Gray:
		pix = make([]uint8, n)
		for y := 0; y < h; y++ {
			copy(pix[y*w:(y+1)*w], s.Pix[y*s.Stride:y*s.Stride+w])
		}
		return 1, h, w, pix
	case *image.YCbCr:
		h, w, pix = ycbcrPlanar(s)
		return 3, h, w, pix
	case *image.NRGBA:
		pix = make([]uint8, 3*n)
		for y := 0; y < h; y++ {
			row := s.Pix[y*s.Stride:]
			for x := 0; x < w; x++ {
				pix[y*w+x], pix[n+y*w+x], pix[2*n+y*w+x] = row[4*x], row[4*x+1], row[4*x+2]
			}
		}
		return 3, h, w, pix
	}
	if Channels(src.ColorModel()) == 1 {
		pix = make([]uint8, n)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				pix[y*w+x] = color.GrayModel.Convert(src.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
			}
		}
		return 1, h, w, pix
	}
	pix = make([]uint8, 3*n)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBAModel.Convert(src.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			pix[y*w+x], pix[n+y*w+x], pix[2*n+y*w+x] = c.R, c.G, c.B
		}
	}
	return 3, h, w, pix
}

// Channels is the number of planes PlanarU8 makes of an image whose colour
// model is m: one for 8- and 16-bit gray, three for everything else. It
// tells the channel count from a file's header (image.DecodeConfig) without
// decoding the pixels.
func Channels(m color.Model) int {
	if m == color.GrayModel || m == color.Gray16Model {
		return 1
	}
	return 3
}

// NRGBA renders the image for display: values are clamped to [0, 1], one
// channel becomes gray, and channels beyond the third are ignored.
func (m *Image) NRGBA() *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, m.W, m.H))
	n := m.H * m.W
	for i := 0; i < n; i++ {
		r := quantize(m.Pix[i])
		g, b := r, r
		if m.C >= 3 {
			g, b = quantize(m.Pix[n+i]), quantize(m.Pix[2*n+i])
		}
		out.Pix[4*i], out.Pix[4*i+1], out.Pix[4*i+2], out.Pix[4*i+3] = r, g, b, 255
	}
	return out
}
