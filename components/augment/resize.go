package augment

import (
	"math/rand/v2"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "augment.resize",
		Doc: "resizes the shorter edge to size keeping the aspect ratio (torchvision Resize(int), antialiased bilinear)",
		Params: []registry.Param{
			{Name: "size", Type: registry.Int, Range: registry.AtLeast(1), Doc: "length of the shorter edge after resizing, in pixels"},
		},
		New: func(v registry.Values) (any, error) {
			return &resize{size: v.Int("size")}, nil
		},
	})
}

// resize is torchvision's Resize with an int size and antialias=True.
type resize struct{ size int }

// OutputShape is the shorter edge at size, or an empty image as it is
// (Shaper).
func (t *resize) OutputShape(c, h, w int) (int, int, int) {
	if h == 0 || w == 0 {
		return c, h, w
	}
	h, w = shorterEdgeSize(h, w, t.size)
	return c, h, w
}

// Apply resizes src; it draws nothing from rng. An image already of the
// output size (or empty) is returned as is.
func (t *resize) Apply(src *imaging.Image, _ *rand.Rand) *imaging.Image {
	if src.H == 0 || src.W == 0 {
		return src
	}
	h, w := shorterEdgeSize(src.H, src.W, t.size)
	if h == src.H && w == src.W {
		return src
	}
	return resizedCrop(src, 0, 0, src.H, src.W, h, w)
}

// shorterEdgeSize is the output size of torchvision's resize with an int
// size: the shorter edge becomes size and the longer one
// int(size * long / short), truncated. A square image stays square.
func shorterEdgeSize(height, width, size int) (h, w int) {
	if width <= height {
		return int(float64(size*height) / float64(width)), size
	}
	return size, int(float64(size*width) / float64(height))
}
