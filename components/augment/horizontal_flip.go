package augment

import (
	"math/rand/v2"
	"slices"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:     "augment.horizontal_flip",
		Doc:    "mirrors the image left to right with probability p (torchvision RandomHorizontalFlip)",
		Params: []registry.Param{probParam(0.5)},
		New: func(v registry.Values) (any, error) {
			return &horizontalFlip{p: v.Float("p")}, nil
		},
	})
}

// horizontalFlip is torchvision's RandomHorizontalFlip.
type horizontalFlip struct{ p float64 }

// OutputShape is the input's shape (Shaper).
func (t *horizontalFlip) OutputShape(c, h, w int) (int, int, int) { return c, h, w }

// Apply flips src in place with probability p.
func (t *horizontalFlip) Apply(src *imaging.Image, rng *rand.Rand) *imaging.Image {
	if happens(rng, t.p) {
		hflip(src)
	}
	return src
}

// hflip is torchvision's F.hflip: it reverses every row of img in place.
func hflip(img *imaging.Image) {
	for r := range img.C * img.H {
		slices.Reverse(img.Pix[r*img.W : (r+1)*img.W]) // one row of (C, H, W)
	}
}
