package augment

import (
	"fmt"
	"math/rand/v2"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:     "augment.grayscale",
		Doc:    "with probability p, replaces every channel of an RGB image by its luma (torchvision RandomGrayscale)",
		Params: []registry.Param{probParam(0.1)},
		New: func(v registry.Values) (any, error) {
			return &grayscale{p: v.Float("p")}, nil
		},
	})
}

// grayscale is torchvision's RandomGrayscale: the output keeps the channel
// count of the input.
type grayscale struct{ p float64 }

var _ Checker = (*grayscale)(nil)

// CheckChannels accepts gray and RGB images, like torchvision.
func (t *grayscale) CheckChannels(c int) error {
	if c != 1 && c != 3 {
		return fmt.Errorf("augment.grayscale needs 1 (gray) or 3 (RGB) channels, got %d", c)
	}
	return nil
}

// OutputShape is the input's shape (Shaper).
func (t *grayscale) OutputShape(c, h, w int) (int, int, int) { return c, h, w }

// Apply turns src gray in place with probability p.
func (t *grayscale) Apply(src *imaging.Image, rng *rand.Rand) *imaging.Image {
	if happens(rng, t.p) {
		toGrayscale(src)
	}
	return src
}

// toGrayscale is torchvision's F.rgb_to_grayscale(img, 3) on a float
// tensor: the three channels all become 0.2989 R + 0.587 G + 0.114 B, in
// place. Images that are not RGB are left alone (a gray image already is).
func toGrayscale(img *imaging.Image) {
	if img.C != 3 {
		return
	}
	r, g, b := img.Plane(0), img.Plane(1), img.Plane(2)
	g, b = g[:len(r)], b[:len(r)]
	for i := range r {
		l := luma(r[i], g[i], b[i])
		r[i], g[i], b[i] = l, l, l
	}
}
