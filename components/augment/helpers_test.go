package augment

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

// build makes the transform of component id from params and defaults.
func build(t testing.TB, id string, params map[string]any) Transform {
	t.Helper()
	tr, err := registry.Build[Transform](id, params)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// randImage is a c x h x w image of uniform values in [0, 1).
func randImage(c, h, w int, seed uint64) *imaging.Image {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := imaging.New(c, h, w)
	for i := range img.Pix {
		img.Pix[i] = rng.Float32()
	}
	return img
}

// maxDiff is the largest absolute difference between two equally long
// pixel slices, +Inf when a value is NaN on one side only.
func maxDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		if math.IsNaN(x) != math.IsNaN(y) {
			return math.Inf(1)
		}
		d = max(d, math.Abs(x-y))
	}
	return d
}

// newRNG is the generator the tests hand to Apply.
func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// samePix reports whether two images have the same shape and bit-identical
// pixels (cmp.Equal is too slow for the loops over seeds).
func samePix(a, b *imaging.Image) bool {
	if a.C != b.C || a.H != b.H || a.W != b.W || len(a.Pix) != len(b.Pix) {
		return false
	}
	for i := range a.Pix {
		if math.Float32bits(a.Pix[i]) != math.Float32bits(b.Pix[i]) {
			return false
		}
	}
	return true
}
