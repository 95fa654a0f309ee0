package pipeline

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/components/dataset"
	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/internal/spec"
)

// TestOpenDatasetLazily: a set opened lazily has the images and labels of
// the set OpenDataset gives, lazily where the source can and as usual
// where it cannot, and its labels are checked alike.
func TestOpenDatasetLazily(t *testing.T) {
	exp, err := spec.Load("lazy.hcl", []byte(`
experiment "lazy" {}
dataset "synthetic" "train" {
  size       = 7
  image_size = 8
}
dataset "pipeline_test_unprobed" "other" {}
dataset "pipeline_test_labels" "bad" {
  labels  = [0, 5]
  classes = 2
}
`), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	type sample struct {
		Image *imaging.Image
		Label int
	}
	for _, name := range []string{"train", "other"} {
		t.Run(name, func(t *testing.T) {
			var sets [2][]sample
			for k, open := range []func(context.Context, *spec.Experiment, string) (dataset.Dataset, error){OpenDataset, OpenDatasetLazily} {
				d, err := open(context.Background(), exp, name)
				if err != nil {
					t.Fatal(err)
				}
				for i := range d.Len() {
					img, err := d.Image(i)
					if err != nil {
						t.Fatal(err)
					}
					sets[k] = append(sets[k], sample{img, d.Label(i)})
				}
			}
			if diff := cmp.Diff(sets[0], sets[1]); diff != "" {
				t.Errorf("samples (-OpenDataset +OpenDatasetLazily):\n%s", diff)
			}
		})
	}
	if _, err := OpenDatasetLazily(context.Background(), exp, "bad"); err == nil {
		t.Error("a label outside the classes opened lazily without error")
	}
}
