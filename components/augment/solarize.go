package augment

import (
	"math/rand/v2"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "augment.solarize",
		Doc: "with probability p, inverts every value at or above threshold (torchvision RandomSolarize)",
		Params: []registry.Param{
			probParam(0.5),
			{Name: "threshold", Type: registry.Float, Default: 0.5, Range: registry.Between(0, 1), Doc: "values x >= threshold become 1 - x"},
		},
		New: func(v registry.Values) (any, error) {
			return &solarizeT{p: v.Float("p"), threshold: v.Float("threshold")}, nil
		},
	})
}

// solarizeT is torchvision's RandomSolarize.
type solarizeT struct{ p, threshold float64 }

// OutputShape is the input's shape (Shaper).
func (t *solarizeT) OutputShape(c, h, w int) (int, int, int) { return c, h, w }

// Apply solarizes src in place with probability p.
func (t *solarizeT) Apply(src *imaging.Image, rng *rand.Rand) *imaging.Image {
	if happens(rng, t.p) {
		solarize(src, t.threshold)
	}
	return src
}

// solarize is torchvision's F.solarize on a float tensor: every value
// x >= threshold (compared in float32) becomes 1 - x, in place.
func solarize(img *imaging.Image, threshold float64) {
	th := float32(threshold)
	for i, x := range img.Pix {
		if x >= th {
			img.Pix[i] = 1 - x
		}
	}
}
