package dataset

import (
	"context"
	"path/filepath"
	"testing"
)

// TestProbe: every built-in source probes the shape of the image that
// opening it gives first, without reading the set, and probing a missing
// file is an error naming it.
func TestProbe(t *testing.T) {
	dir := t.TempDir()
	gzImages := filepath.Join(dir, "images.idx.gz")
	writeFile(t, gzImages, gzipped(t, idxImages))
	gray := filepath.Join(dir, "gray")
	writeImage(t, filepath.Join(gray, "a", "x.png"), pattern(5, 7, 1, true))
	tests := []struct {
		name   string
		id     string
		params map[string]any
	}{
		{"synthetic", "dataset.synthetic", map[string]any{"size": 4, "image_size": 12}},
		{"mnist gzip file", "dataset.mnist", map[string]any{"images": gzImages}},
		{"mnist module copy", "dataset.mnist", map[string]any{"split": "test", "limit": 1}},
		{"cifar10", "dataset.cifar10", map[string]any{"path": filepath.Dir(makeCIFAR10(t, t.TempDir(), true))}},
		{"image folder", "dataset.image_folder", map[string]any{"path": newFolderFixture(t).root}},
		{"gray image folder", "dataset.image_folder", map[string]any{"path": gray}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := source(t, tt.id, tt.params)
			p, ok := src.(Prober)
			if !ok {
				t.Fatalf("%s is not a Prober", tt.id)
			}
			c, h, w, err := p.Probe()
			if err != nil {
				t.Fatal(err)
			}
			d, err := src.Open(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			img, err := d.Image(0)
			if err != nil {
				t.Fatal(err)
			}
			if c != img.C || h != img.H || w != img.W {
				t.Errorf("probed %dx%dx%d, the first image is %dx%dx%d", c, h, w, img.C, img.H, img.W)
			}
		})
	}
	for _, tt := range []struct {
		id     string
		params map[string]any
		want   string
	}{
		{"dataset.mnist", map[string]any{"path": dir}, "train-images-idx3-ubyte"},
		{"dataset.cifar10", map[string]any{"path": dir}, "data_batch_1.bin"},
		{"dataset.image_folder", map[string]any{"path": filepath.Join(dir, "nope")}, "nope"},
	} {
		_, _, _, err := source(t, tt.id, tt.params).(Prober).Probe()
		wantErr(t, err, tt.want)
	}
}
