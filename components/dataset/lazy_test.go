package dataset

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOpenLazily: a set opened lazily has the images, labels and classes of
// the set Open gives, in the same order.
func TestOpenLazily(t *testing.T) {
	cacheDir(t)
	tests := []struct {
		name   string
		id     string
		params map[string]any
	}{
		{"synthetic", "dataset.synthetic", map[string]any{"size": 23, "classes": 4, "image_size": 12, "seed": 3}},
		{"synthetic test split", "dataset.synthetic", map[string]any{"size": 5, "split": "test"}},
		{"image folder", "dataset.image_folder", map[string]any{"path": newFolderFixture(t).root}},
		{"image folder of mixed sizes", "dataset.image_folder", map[string]any{"path": newMixedFixture(t).root}},
		{"cached image folder", "dataset.image_folder", map[string]any{"path": newFolderFixture(t).root, "cache": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := source(t, tt.id, tt.params)
			lazy, err := src.(LazyOpener).OpenLazily(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			d := openSet(t, tt.id, tt.params)
			if diff := cmp.Diff(d.Classes(), lazy.Classes()); diff != "" {
				t.Errorf("classes (-Open +OpenLazily):\n%s", diff)
			}
			if diff := cmp.Diff(samples(t, d), samples(t, lazy)); diff != "" {
				t.Errorf("samples (-Open +OpenLazily):\n%s", diff)
			}
			if _, err := lazy.Image(lazy.Len()); err == nil {
				t.Errorf("Image(%d) of %d images: no error", lazy.Len(), lazy.Len())
			}
		})
	}
}

// TestOpenLazilyDecodesNothing: opening an image folder lazily reads the
// first image's header only, so images that cannot be decoded fail only
// when they are asked for.
func TestOpenLazilyDecodesNothing(t *testing.T) {
	f := newFolderFixture(t)
	for _, rel := range f.files[1:] {
		writeFile(t, filepath.Join(f.root, rel), []byte("not an image"))
	}
	params := map[string]any{"path": f.root}
	d, err := source(t, "dataset.image_folder", params).(LazyOpener).OpenLazily(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Image(0); err != nil {
		t.Errorf("image 0: %v", err)
	}
	_, err = d.Image(1)
	wantErr(t, err, filepath.Join(f.root, f.files[1]))
}
