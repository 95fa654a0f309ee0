package augment

import (
	"math/rand/v2"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:     "augment.equalize",
		Doc:    "with probability p, equalises the histogram of each channel on 8-bit values (torchvision RandomEqualize)",
		Params: []registry.Param{probParam(0.5)},
		New: func(v registry.Values) (any, error) {
			return &equalizeT{p: v.Float("p")}, nil
		},
	})
}

// equalizeT is torchvision's RandomEqualize, applied to the uint8 version
// of the float image.
type equalizeT struct{ p float64 }

// OutputShape is the input's shape (Shaper).
func (t *equalizeT) OutputShape(c, h, w int) (int, int, int) { return c, h, w }

// Apply equalises src in place with probability p.
func (t *equalizeT) Apply(src *imaging.Image, rng *rand.Rand) *imaging.Image {
	if happens(rng, t.p) {
		equalize(src)
	}
	return src
}

// toU8 is torchvision's convert_image_dtype(x, torch.uint8) for one float:
// trunc(x * (256 - 1e-3)) in float32, here clamped to [0, 255] so values
// outside [0, 1] saturate instead of wrapping.
func toU8(x float32) uint8 {
	return uint8(min(max(x*float32(255.999), 0), 255))
}

// equalize is torchvision's F.equalize on the image converted to uint8 by
// toU8, converted back to float as v/255, in place. Per channel, with hist
// the 256-bin histogram, step = (pixels not at the largest value present)
// / 255 rounded down; a channel with step 0 keeps its values, otherwise
// value v maps to (cumsum(hist)[v-1] + step/2) / step clamped to 255
// (integer divisions), which is torchvision's _scale_channel.
func equalize(img *imaging.Image) {
	var hist [256]int
	var lut [256]float32
	for c := range img.C {
		plane := img.Plane(c)
		clear(hist[:])
		for _, x := range plane {
			hist[toU8(x)]++
		}
		last := 255
		for last > 0 && hist[last] == 0 {
			last--
		}
		step := (len(plane) - hist[last]) / 255
		if step == 0 {
			for v := range lut {
				lut[v] = float32(v) / 255
			}
		} else {
			cum := 0
			for v := range lut {
				lut[v] = float32(min((cum+step/2)/step, 255)) / 255
				cum += hist[v]
			}
		}
		for i, x := range plane {
			plane[i] = lut[toU8(x)]
		}
	}
}
