package augment

import (
	"math/rand/v2"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

// Transform is what an augment component builds: one step of a view
// pipeline. Apply draws every random choice from rng, so the same rng state
// gives the same output, and it may modify and return src instead of
// allocating.
type Transform interface {
	Apply(src *imaging.Image, rng *rand.Rand) *imaging.Image
}

// Shaper is a Transform that tells the (C, H, W) of its output from its
// input's without making it, so that the memory a spec needs can be
// estimated before any image is decoded. Every built-in transform is one;
// a transform that is not is sized by running it once on a grey image of
// its input's size.
type Shaper interface {
	OutputShape(c, h, w int) (int, int, int)
}

// probParam is the parameter p shared by the random transforms: the
// probability that the transform is applied to a view.
func probParam(def float64) registry.Param {
	return registry.Param{
		Name:    "p",
		Type:    registry.Float,
		Doc:     "probability of applying the transform to a view",
		Default: def,
		Range:   registry.Between(0, 1),
	}
}

// happens draws one number from rng and reports whether an event of
// probability p occurred: never for p = 0, always for p = 1.
func happens(rng *rand.Rand, p float64) bool { return rng.Float64() < p }

// grow returns (*buf)[:n], reallocating only when the capacity is short, so
// pooled work buffers stop allocating once they have seen the largest image.
func grow[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	*buf = (*buf)[:n]
	return *buf
}
