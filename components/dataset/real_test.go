package dataset

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCIFAR10Folder reads the test split of the CIFAR-10 JPEG folders in
// ../shared/datasets/cifar10 (next to the repository), preloaded and lazily.
func TestCIFAR10Folder(t *testing.T) {
	root := filepath.Join(sharedDatasets(t), "cifar10", "test")
	if testing.Short() {
		t.Skip("decoding 10000 JPEGs: skipped in -short mode")
	}
	preloaded := openSet(t, "dataset.image_folder", map[string]any{"path": root, "image_size": 32})
	lazy := openSet(t, "dataset.image_folder", map[string]any{"path": root, "image_size": 32, "preload": false})
	want := []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}
	for name, d := range map[string]Dataset{"preloaded": preloaded, "lazy": lazy} {
		if d.Len() != 10000 {
			t.Errorf("%s: %d images, want 10000", name, d.Len())
		}
		if diff := cmp.Diff(want, d.Classes()); diff != "" {
			t.Errorf("%s: classes (-want +got):\n%s", name, diff)
		}
	}
	counts := make([]int, 10)
	for i := range preloaded.Len() {
		counts[preloaded.Label(i)]++
	}
	if diff := cmp.Diff([]int{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, counts); diff != "" {
		t.Errorf("images per class (-want +got):\n%s", diff)
	}
	// Spot checks: both modes give the same 3x32x32 images.
	for _, i := range []int{0, 4321, 9999} {
		a, err := preloaded.Image(i)
		if err != nil {
			t.Fatal(err)
		}
		b, err := lazy.Image(i)
		if err != nil {
			t.Fatal(err)
		}
		if a.C != 3 || a.H != 32 || a.W != 32 {
			t.Errorf("image %d is %dx%dx%d, want 3x32x32", i, a.C, a.H, a.W)
		}
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("image %d, preloaded and lazy (-preloaded +lazy):\n%s", i, diff)
		}
	}
}
