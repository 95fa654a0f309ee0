package augment

import (
	"math"
	"math/rand/v2"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "augment.center_crop",
		Doc: "crops the central size x size box, padding with zeros when the image is smaller (torchvision CenterCrop)",
		Params: []registry.Param{
			{Name: "size", Type: registry.Int, Range: registry.AtLeast(1), Doc: "side of the square output, in pixels"},
		},
		New: func(v registry.Values) (any, error) {
			return &centerCrop{size: v.Int("size")}, nil
		},
	})
}

// centerCrop is torchvision's CenterCrop with a square size.
type centerCrop struct{ size int }

// OutputShape is size x size (Shaper).
func (t *centerCrop) OutputShape(c, _, _ int) (int, int, int) { return c, t.size, t.size }

// Apply crops the central box; it draws nothing from rng.
func (t *centerCrop) Apply(src *imaging.Image, _ *rand.Rand) *imaging.Image {
	if src.H == t.size && src.W == t.size {
		return src
	}
	top, left := centerBox(src.H, src.W, t.size, t.size)
	return crop(src, top, left, t.size, t.size)
}

// centerBox returns the top-left corner, in src coordinates, of
// torchvision's F.center_crop box of h x w in an image of height x width:
// an edge shorter than the box is first padded with zeros ((d)//2 before,
// (d+1)//2 after), then the box starts at Python's round((side - box) / 2),
// which rounds halves to even.
func centerBox(height, width, h, w int) (top, left int) {
	return centerStart(height, h), centerStart(width, w)
}

func centerStart(side, box int) int {
	if box > side {
		return -((box - side) / 2)
	}
	return int(math.RoundToEven(float64(side-box) / 2))
}
