package augment

import (
	"fmt"
	"math"
	"testing"

	"github.com/sslrun/sslrun/imaging"
)

// shapeCases run every component, applied for sure, and say the output
// shape for a C x H x W input.
var shapeCases = []struct {
	id     string
	params map[string]any
	shape  func(c, h, w int) [3]int
}{
	{id: "augment.random_resized_crop", params: map[string]any{"size": 11}, shape: square(11)},
	{id: "augment.random_resized_crop", params: map[string]any{"size": 3, "scale": []float64{0.5, 1}, "ratio": []float64{0.2, 5}}, shape: square(3)},
	{id: "augment.center_crop", params: map[string]any{"size": 8}, shape: square(8)},
	{id: "augment.resize", params: map[string]any{"size": 6}, shape: func(c, h, w int) [3]int {
		if w <= h {
			return [3]int{c, 6 * h / w, 6}
		}
		return [3]int{c, 6, 6 * w / h}
	}},
	{id: "augment.horizontal_flip", params: map[string]any{"p": 1.0}, shape: same},
	{id: "augment.color_jitter", params: map[string]any{"brightness": 0.8, "contrast": 0.8, "saturation": 0.8, "hue": 0.5}, shape: same},
	{id: "augment.grayscale", params: map[string]any{"p": 1.0}, shape: same},
	{id: "augment.gaussian_blur", params: map[string]any{"p": 1.0, "sigma": []float64{1.5, 2}}, shape: same},
	{id: "augment.gaussian_blur", params: map[string]any{"p": 1.0, "kernel_size": 41}, shape: same},
	{id: "augment.solarize", params: map[string]any{"p": 1.0}, shape: same},
	{id: "augment.equalize", params: map[string]any{"p": 1.0}, shape: same},
	{id: "augment.normalize", params: map[string]any{"mean": []float64{0.5}, "std": []float64{0.25}}, shape: same},
}

func square(n int) func(c, h, w int) [3]int {
	return func(c, _, _ int) [3]int { return [3]int{c, n, n} }
}

func same(c, h, w int) [3]int { return [3]int{c, h, w} }

func TestShapesAndFinite(t *testing.T) {
	inputs := [][3]int{{1, 7, 5}, {3, 13, 9}, {3, 1, 1}, {1, 2, 3}, {3, 31, 17}, {3, 9, 33}, {1, 1, 7}}
	for _, sc := range shapeCases {
		for _, in := range inputs {
			t.Run(fmt.Sprint(sc.id, sc.params, in), func(t *testing.T) {
				tr := build(t, sc.id, sc.params)
				shaper, ok := tr.(Shaper)
				if !ok {
					t.Fatalf("%T is not a Shaper", tr)
				}
				if c, h, w := shaper.OutputShape(in[0], in[1], in[2]); [3]int{c, h, w} != sc.shape(in[0], in[1], in[2]) {
					t.Errorf("OutputShape = %v, want %v", [3]int{c, h, w}, sc.shape(in[0], in[1], in[2]))
				}
				for seed := range uint64(10) {
					out := tr.Apply(randImage(in[0], in[1], in[2], seed), newRNG(seed))
					checkImage(t, out, sc.shape(in[0], in[1], in[2]))
				}
			})
		}
	}
}

// TestSimCLRViewShapes runs the whole CIFAR SimCLR view on odd sizes.
func TestSimCLRViewShapes(t *testing.T) {
	steps := simCLRSteps(t, 32, []float64{0.08, 1})
	for _, in := range [][3]int{{3, 32, 32}, {3, 37, 29}, {3, 5, 3}, {3, 1, 1}} {
		for seed := range uint64(50) {
			img := randImage(in[0], in[1], in[2], seed)
			rng := newRNG(seed)
			for _, s := range steps {
				img = s.Apply(img, rng)
			}
			checkImage(t, img, [3]int{3, 32, 32})
		}
	}
}

func checkImage(t *testing.T, img *imaging.Image, shape [3]int) {
	t.Helper()
	if got := [3]int{img.C, img.H, img.W}; got != shape || len(img.Pix) != img.C*img.H*img.W {
		t.Fatalf("output (C, H, W) = %v with %d values, want %v", got, len(img.Pix), shape)
	}
	for i, v := range img.Pix {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("value %d is %v", i, v)
		}
	}
}
