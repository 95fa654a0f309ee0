package augment

import (
	"math"
	"math/rand/v2"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "augment.random_resized_crop",
		Doc: "crops a random box of random area and aspect ratio and resizes it to size x size (torchvision RandomResizedCrop, antialiased bilinear)",
		Params: []registry.Param{
			{Name: "size", Type: registry.Int, Range: registry.AtLeast(1), Doc: "side of the square output, in pixels"},
			{Name: "scale", Type: registry.Floats, Len: 2, Ordered: true, Default: []float64{0.08, 1},
				Range: registry.Range{Min: 0, MinOpen: true, HasMin: true, Max: 1, HasMax: true},
				Doc:   "[min, max] fraction of the image area the box covers"},
			{Name: "ratio", Type: registry.Floats, Len: 2, Ordered: true, Default: []float64{3.0 / 4, 4.0 / 3},
				Range: registry.Above(0), Doc: "[min, max] aspect ratio (width / height) of the box, drawn log-uniformly"},
		},
		New: func(v registry.Values) (any, error) {
			s, r := v.Floats("scale"), v.Floats("ratio")
			return &randomResizedCrop{size: v.Int("size"), scale: [2]float64{s[0], s[1]}, ratio: [2]float64{r[0], r[1]}}, nil
		},
	})
}

// randomResizedCrop is torchvision's RandomResizedCrop with antialias=True.
type randomResizedCrop struct {
	size         int
	scale, ratio [2]float64
}

// OutputShape is size x size, or an empty image as it is (Shaper).
func (t *randomResizedCrop) OutputShape(c, h, w int) (int, int, int) {
	if h == 0 || w == 0 {
		return c, h, w
	}
	return c, t.size, t.size
}

// Apply crops a box drawn by cropBox and resizes it to size x size.
func (t *randomResizedCrop) Apply(src *imaging.Image, rng *rand.Rand) *imaging.Image {
	if src.H == 0 || src.W == 0 {
		return src
	}
	top, left, h, w := cropBox(src.H, src.W, t.scale, t.ratio, rng)
	return resizedCrop(src, top, left, h, w, t.size, t.size)
}

// cropBox is torchvision's RandomResizedCrop.get_params for an image of
// height x width: up to ten draws of an area fraction uniform in scale and an
// aspect ratio log-uniform in ratio, the first box that fits being placed
// uniformly; otherwise the largest centred box whose ratio is clamped to the
// ratio range. Python's round (half to even) makes the box sides. Unlike
// torchvision, a fallback side is at least 1 pixel (torchvision makes an
// empty box, and fails, for an image too thin for the ratio range).
func cropBox(height, width int, scale, ratio [2]float64, rng *rand.Rand) (top, left, h, w int) {
	area := float64(height * width)
	logLo, logHi := math.Log(ratio[0]), math.Log(ratio[1])
	for range 10 {
		target := area * (scale[0] + (scale[1]-scale[0])*rng.Float64())
		aspect := math.Exp(logLo + (logHi-logLo)*rng.Float64())
		w = int(math.RoundToEven(math.Sqrt(target * aspect)))
		h = int(math.RoundToEven(math.Sqrt(target / aspect)))
		if 0 < w && w <= width && 0 < h && h <= height {
			top = rng.IntN(height - h + 1)
			left = rng.IntN(width - w + 1)
			return top, left, h, w
		}
	}
	inRatio := float64(width) / float64(height)
	switch {
	case inRatio < ratio[0]:
		w = width
		h = max(1, int(math.RoundToEven(float64(w)/ratio[0])))
	case inRatio > ratio[1]:
		h = height
		w = max(1, int(math.RoundToEven(float64(h)*ratio[1])))
	default:
		w, h = width, height
	}
	return (height - h) / 2, (width - w) / 2, h, w
}
