package augment

import (
	"fmt"
	"math/rand/v2"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "augment.color_jitter",
		Doc: "with probability p, jitters brightness, contrast, saturation and hue in a random order (torchvision RandomApply(ColorJitter))",
		Params: []registry.Param{
			probParam(1),
			{Name: "brightness", Type: registry.Float, Default: 0.0, Range: registry.AtLeast(0), Doc: "brightness factor drawn from [max(0, 1-b), 1+b]; 0 leaves brightness alone"},
			{Name: "contrast", Type: registry.Float, Default: 0.0, Range: registry.AtLeast(0), Doc: "contrast factor drawn from [max(0, 1-c), 1+c]; 0 leaves contrast alone"},
			{Name: "saturation", Type: registry.Float, Default: 0.0, Range: registry.AtLeast(0), Doc: "saturation factor drawn from [max(0, 1-s), 1+s]; 0 leaves saturation alone"},
			{Name: "hue", Type: registry.Float, Default: 0.0, Range: registry.Between(0, 0.5), Doc: "hue shift drawn from [-h, h], in turns of the colour wheel; 0 leaves hue alone"},
		},
		New: func(v registry.Values) (any, error) {
			t := &colorJitter{p: v.Float("p")}
			for op, name := range [...]string{brightness: "brightness", contrast: "contrast", saturation: "saturation"} {
				s := v.Float(name)
				t.ranges[op] = [2]float64{max(0, 1-s), 1 + s}
				t.on[op] = s != 0
			}
			h := v.Float("hue")
			t.ranges[hue] = [2]float64{-h, h}
			t.on[hue] = h != 0
			return t, nil
		},
	})
}

// The four adjustments of colour jitter, numbered as in torchvision.
const (
	brightness = iota
	contrast
	saturation
	hue
)

// colorJitter is torchvision's RandomApply([ColorJitter(b, c, s, h)], p).
type colorJitter struct {
	p      float64
	ranges [4][2]float64 // factor range of each adjustment
	on     [4]bool       // false for a strength of 0 (torchvision's None)
}

var _ Checker = (*colorJitter)(nil)

// CheckChannels accepts gray and RGB images, like torchvision.
func (t *colorJitter) CheckChannels(c int) error {
	if c != 1 && c != 3 {
		return fmt.Errorf("augment.color_jitter needs 1 (gray) or 3 (RGB) channels, got %d", c)
	}
	return nil
}

// OutputShape is the input's shape (Shaper).
func (t *colorJitter) OutputShape(c, h, w int) (int, int, int) { return c, h, w }

// Apply, with probability p, draws a random order of the four adjustments
// and a factor for each enabled one (ColorJitter.get_params), then applies
// them in that order, in place.
func (t *colorJitter) Apply(src *imaging.Image, rng *rand.Rand) *imaging.Image {
	if !happens(rng, t.p) {
		return src
	}
	order := [4]int{0, 1, 2, 3}
	for i := len(order) - 1; i > 0; i-- {
		j := rng.IntN(i + 1)
		order[i], order[j] = order[j], order[i]
	}
	var f [4]float64
	for op, r := range t.ranges {
		if t.on[op] {
			f[op] = r[0] + (r[1]-r[0])*rng.Float64()
		}
	}
	for _, op := range order {
		if !t.on[op] {
			continue
		}
		switch op {
		case brightness:
			adjustBrightness(src, f[op])
		case contrast:
			adjustContrast(src, f[op])
		case saturation:
			adjustSaturation(src, f[op])
		case hue:
			adjustHue(src, f[op])
		}
	}
	return src
}

// luma is torchvision's rgb_to_grayscale weighting (ITU-R 601-2), in
// float32 like the tensor code.
func luma(r, g, b float32) float32 {
	return float32(float32(0.2989*r)+float32(0.587*g)) + float32(0.114*b)
}

// blendClamp is torchvision's _blend for float images:
// clamp(f*x + (1-f)*y, 0, 1), with both weights rounded to float32.
func blendClamp(x, y, f, g float32) float32 {
	return min(max(float32(f*x)+float32(g*y), 0), 1)
}

// adjustBrightness is torchvision's F.adjust_brightness on a float tensor:
// every value becomes clamp(f*x, 0, 1), in place.
func adjustBrightness(img *imaging.Image, f float64) {
	f32 := float32(f)
	for i, x := range img.Pix {
		img.Pix[i] = min(max(f32*x, 0), 1)
	}
}

// adjustContrast is torchvision's F.adjust_contrast on a float tensor: every
// value is blended with the mean of the grayscale image (of all values for
// images that are not RGB) as clamp(f*x + (1-f)*mean, 0, 1), in place.
func adjustContrast(img *imaging.Image, f float64) {
	var sum float64
	n := len(img.Pix)
	if img.C == 3 {
		r, g, b := img.Plane(0), img.Plane(1), img.Plane(2)
		g, b = g[:len(r)], b[:len(r)]
		for i := range r {
			sum += float64(luma(r[i], g[i], b[i]))
		}
		n = len(r)
	} else {
		for _, x := range img.Pix {
			sum += float64(x)
		}
	}
	if n == 0 {
		return
	}
	mean := float32(sum / float64(n))
	f32, g32 := float32(f), float32(1-f)
	for i, x := range img.Pix {
		img.Pix[i] = blendClamp(x, mean, f32, g32)
	}
}

// adjustSaturation is torchvision's F.adjust_saturation on a float tensor:
// each RGB pixel is blended with its luma as clamp(f*x + (1-f)*luma, 0, 1),
// in place. Images that are not RGB are left alone, as in torchvision (and
// PIL) for gray images.
func adjustSaturation(img *imaging.Image, f float64) {
	if img.C != 3 {
		return
	}
	f32, g32 := float32(f), float32(1-f)
	r, g, b := img.Plane(0), img.Plane(1), img.Plane(2)
	g, b = g[:len(r)], b[:len(r)]
	for i := range r {
		l := luma(r[i], g[i], b[i])
		r[i] = blendClamp(r[i], l, f32, g32)
		g[i] = blendClamp(g[i], l, f32, g32)
		b[i] = blendClamp(b[i], l, f32, g32)
	}
}

// adjustHue is torchvision's F.adjust_hue on a float tensor: each RGB pixel
// goes to HSV (_rgb2hsv), its hue is shifted by f turns modulo 1 and it
// comes back (_hsv2rgb), in float32 and in place. Images that are not RGB
// are left alone, as in torchvision for gray images.
func adjustHue(img *imaging.Image, f float64) {
	if img.C != 3 {
		return
	}
	f32 := float32(f)
	r, g, b := img.Plane(0), img.Plane(1), img.Plane(2)
	g, b = g[:len(r)], b[:len(r)]
	for i := range r {
		h, s, v := rgbToHSV(r[i], g[i], b[i])
		// Python's (h + f) % 1.0 for h + f in [-0.5, 1.5); h + 1 may round to 1.
		h += f32
		if h < 0 {
			h++
		} else if h >= 1 {
			h--
		}
		r[i], g[i], b[i] = hsvToRGB(h, s, v)
	}
}

// rgbToHSV is torchvision's _rgb2hsv for one pixel: hue in [0, 1) turns,
// with hue and saturation 0 for grays.
func rgbToHSV(r, g, b float32) (h, s, v float32) {
	maxc := max(r, g, b)
	minc := min(r, g, b)
	cr := maxc - minc
	if cr == 0 {
		return 0, 0, maxc
	}
	s = cr / maxc
	rc := (maxc - r) / cr
	gc := (maxc - g) / cr
	bc := (maxc - b) / cr
	switch {
	case maxc == r:
		h = bc - gc
	case maxc == g:
		h = float32(2+rc) - bc
	default:
		h = float32(4+gc) - rc
	}
	h = float32(h/6) + 1
	if h >= 1 {
		h-- // torch.fmod(h, 1) of a value in [5/6, 11/6)
	}
	return h, s, maxc
}

// hsvToRGB is torchvision's _hsv2rgb for one pixel.
func hsvToRGB(h, s, v float32) (r, g, b float32) {
	h6 := h * 6
	i := int(h6) // floor, as h6 >= 0
	f := h6 - float32(i)
	p := min(max(v*(1-s), 0), 1)
	q := min(max(v*(1-float32(s*f)), 0), 1)
	t := min(max(v*(1-float32(s*(1-f))), 0), 1)
	switch i % 6 {
	case 0:
		return v, t, p
	case 1:
		return q, v, p
	case 2:
		return p, v, t
	case 3:
		return p, q, v
	case 4:
		return t, p, v
	default:
		return v, p, q
	}
}
