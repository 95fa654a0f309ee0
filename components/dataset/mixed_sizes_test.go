package dataset

import (
	"fmt"
	"image"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newMixedFixture is a labelled image folder whose images all differ in
// size and shape, PNG and JPEG, with a gray one among the colour ones.
func newMixedFixture(t testing.TB) *folderFixture {
	t.Helper()
	root := t.TempDir()
	f := &folderFixture{root: root, classes: []string{"a", "b"}}
	for i, img := range []image.Image{
		pattern(8, 8, 1, false),
		pattern(13, 7, 2, false),
		pattern(5, 11, 3, true),
		pattern(16, 16, 4, false),
		pattern(9, 9, 5, false),
	} {
		ext := ".png"
		if i == 3 {
			ext = ".jpg"
		}
		rel := filepath.Join(f.classes[i%2], fmt.Sprintf("%d%s", i, ext))
		writeImage(t, filepath.Join(root, rel), img)
		f.files = append(f.files, rel)
		f.labels = append(f.labels, i%2)
	}
	// The listing sorts class a's files before class b's.
	order := []int{0, 2, 4, 1, 3}
	files, labels := make([]string, len(order)), make([]int, len(order))
	for k, i := range order {
		files[k], labels[k] = f.files[i], f.labels[i]
	}
	f.files, f.labels = files, labels
	return f
}

// TestImageFolderMixedSizes: a folder of images of different sizes opens
// with every way of reading it (preloaded, lazily, through the cache, from
// a cache hit, which reads no image), each image at its own size as the
// standard library decodes it.
func TestImageFolderMixedSizes(t *testing.T) {
	cacheDir(t)
	f := newMixedFixture(t)
	want := f.want(t, false)
	for _, tt := range []struct {
		name   string
		params map[string]any
		spoil  bool // spoil the images, so that only a cache hit reads them
	}{
		{"preload", map[string]any{"preload": true}, false},
		{"lazy", map[string]any{"preload": false}, false},
		{"cache miss", map[string]any{"cache": true}, false},
		{"cache hit", map[string]any{"cache": true}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.spoil {
				defer spoil(t, f)()
			}
			tt.params["path"] = f.root
			d := openSet(t, "dataset.image_folder", tt.params)
			if diff := cmp.Diff(want, samples(t, d)); diff != "" {
				t.Errorf("samples (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMemorySetSizes: a memory set keeps per-image sizes only when its
// images differ in size.
func TestMemorySetSizes(t *testing.T) {
	tests := []struct {
		name  string
		sizes []imageSize
		want  *memorySet
	}{
		{"one size", []imageSize{{2, 3}, {2, 3}}, &memorySet{c: 1, h: 2, w: 3}},
		{"two sizes", []imageSize{{2, 3}, {3, 2}}, &memorySet{c: 1, sizes: []imageSize{{2, 3}, {3, 2}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := &memorySet{c: 1, sizes: tt.sizes}
			set.compactSizes()
			if diff := cmp.Diff(tt.want, set, cmp.AllowUnexported(memorySet{}, imageSize{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
