package runner

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/components/augment"
	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/pipeline"
	"github.com/sslrun/sslrun/registry"
)

// TestEvalTransforms: evaluation brings every image to the first view's
// output size, whatever the size of the sample it was derived from; an
// image already of that size passes unchanged, bit for bit.
func TestEvalTransforms(t *testing.T) {
	crop, err := registry.Build[augment.Transform]("augment.random_resized_crop", map[string]any{"size": 16})
	if err != nil {
		t.Fatal(err)
	}
	views := []pipeline.View{{Name: "global", Count: 2, Steps: []augment.Transform{crop}}}
	pattern := func(h, w int) *imaging.Image {
		m := imaging.New(3, h, w)
		for i := range m.Pix {
			m.Pix[i] = float32(i%251) / 251
		}
		return m
	}
	for _, sample := range [][2]int{{16, 16}, {32, 32}, {9, 20}} {
		prep, err := evalTransforms(views, pattern(sample[0], sample[1]))
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range [][2]int{{16, 16}, {32, 32}, {9, 20}, {40, 13}} {
			img := pattern(size[0], size[1])
			want := img.Clone()
			for _, s := range prep {
				img = s.Apply(img, nil)
			}
			if img.C != 3 || img.H != 16 || img.W != 16 {
				t.Errorf("sample %v: a %v image is %dx%dx%d after preprocessing, want 3x16x16", sample, size, img.C, img.H, img.W)
			}
			if size == [2]int{16, 16} {
				if diff := cmp.Diff(want, img); diff != "" {
					t.Errorf("sample %v: an image of the view's size changed (-before +after):\n%s", sample, diff)
				}
			}
		}
	}
}
