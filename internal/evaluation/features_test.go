package evaluation

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/components/augment"
	"github.com/sslrun/sslrun/components/evaluate"
	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/pipeline"
	"github.com/sslrun/sslrun/internal/progress"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/nn"
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
		prep, err := Transforms(views, pattern(sample[0], sample[1]))
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

// TestFeatureProgress: feature extraction redraws one line on a terminal
// (at most every 200 ms, and when done) and prints a line every 30 s
// otherwise.
func TestFeatureProgress(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	updates := []struct {
		done  int
		after time.Duration
	}{
		{200, 100 * time.Millisecond},
		{400, 250 * time.Millisecond},
		{600, 31 * time.Second},
		{800, 40 * time.Second},
		{1000, 62 * time.Second},
	}
	tests := []struct {
		terminal bool
		want     string
	}{
		{true, "\r\x1b[Kfeatures of \"test\": 400/1000 images  1600.0 img/s  0s left" +
			"\r\x1b[Kfeatures of \"test\": 600/1000 images  19.4 img/s  21s left" +
			"\r\x1b[Kfeatures of \"test\": 800/1000 images  20.0 img/s  10s left" +
			"\r\x1b[Kfeatures of \"test\": 1000/1000 images  16.1 img/s  0s left"},
		{false, "features of \"test\": 600/1000 images  19.4 img/s  21s left\n" +
			"features of \"test\": 1000/1000 images  16.1 img/s  0s left\n"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("terminal=%t", tt.terminal), func(t *testing.T) {
			var buf bytes.Buffer
			p := progress.New(&buf, tt.terminal)
			f := &featureProgress{p: p, name: "test", total: 1000, began: t0}
			for _, u := range updates {
				f.update(u.done, t0.Add(u.after))
			}
			if diff := cmp.Diff(tt.want, buf.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			if open := strings.HasSuffix(buf.String(), "left"); open != tt.terminal {
				t.Errorf("a line is left open: %t, want %t", open, tt.terminal)
			}
		})
	}
	(&featureProgress{name: "test", total: 10, began: t0}).update(10, t0.Add(time.Hour)) // a nil progress shows nothing
}

// featureSpec is a small convnet on synthetic images for the feature tests.
const featureSpec = `
experiment "features" { seed = 4 }
dataset "synthetic" "train" {
  size       = 23
  image_size = 12
}
view "global" {
  count = 2
  augment "random_resized_crop" { size = 12 }
  augment "normalize" {
    mean = [0.5]
    std  = [0.25]
  }
}
backbone "convnet" { channels = [4, 8] }
objective "nt_xent" {}
train { batch_size = 4 }
`

// TestExtractFeaturesBatches: features are the same bits whatever the
// batch (evaluation's batch follows the training batch), and they go
// straight into a matrix of the set's size, without the slack of a
// growing copy.
func TestExtractFeaturesBatches(t *testing.T) {
	exp, err := spec.Load("features.hcl", []byte(featureSpec), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.FromSpec(exp, nn.NewParams(uint64(exp.Seed)))
	if err != nil {
		t.Fatal(err)
	}
	d, err := pipeline.OpenDataset(context.Background(), exp, "train")
	if err != nil {
		t.Fatal(err)
	}
	views, err := pipeline.BuildViews(exp)
	if err != nil {
		t.Fatal(err)
	}
	sample, err := d.Image(0)
	if err != nil {
		t.Fatal(err)
	}
	prep, err := Transforms(views, sample)
	if err != nil {
		t.Fatal(err)
	}
	var want evaluate.Features
	for _, trainBatch := range []int{1000, 7, 4, 1} {
		batch := BatchSize(trainBatch)
		if batch > trainBatch || batch > maxBatch {
			t.Errorf("evaluation batch %d for a training batch of %d", batch, trainBatch)
		}
		f, err := Extract(context.Background(), m, d, "train", prep, batch, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Data) != d.Len()*f.Dim || cap(f.Data) != len(f.Data) {
			t.Errorf("batch %d: %d features of dimension %d in a matrix of %d (capacity %d) for %d images", batch, len(f.Data)/max(f.Dim, 1), f.Dim, len(f.Data), cap(f.Data), d.Len())
		}
		if want.Data == nil {
			want = f
			continue
		}
		if diff := cmp.Diff(want, f); diff != "" {
			t.Errorf("batch %d changed the features (-batch %d +batch %d):\n%s", batch, BatchSize(1000), batch, diff)
		}
	}
}
