package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/sslrun/sslrun/components/dataset"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/registry"
)

// unprobed is a source that is not a dataset.Prober: ImageShape opens it.
type unprobed struct{}

func (unprobed) Open(context.Context) (dataset.Dataset, error) { return memData{n: 2}, nil }

func init() {
	registry.Register(registry.Component{
		ID:  "dataset.pipeline_test_unprobed",
		Doc: "two 3x4x5 images, for TestImageShape",
		New: func(registry.Values) (any, error) { return unprobed{}, nil },
	})
}

func TestImageShape(t *testing.T) {
	exp, err := spec.Load("shape.hcl", []byte(`
experiment "shape" {}
dataset "synthetic" "train" {
  size       = 2
  image_size = 12
}
dataset "pipeline_test_unprobed" "other" {}
`), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		dataset string
		want    [3]int
		err     string
	}{
		{dataset: "train", want: [3]int{3, 12, 12}},
		{dataset: "other", want: [3]int{3, 4, 5}},
		{dataset: "missing", err: `no dataset called "missing"`},
	}
	for _, tt := range tests {
		t.Run(tt.dataset, func(t *testing.T) {
			c, h, w, err := ImageShape(context.Background(), exp, tt.dataset)
			switch {
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one saying %q", err, tt.err)
				}
			case err != nil:
				t.Fatal(err)
			case [3]int{c, h, w} != tt.want:
				t.Errorf("shape %dx%dx%d, want %v", c, h, w, tt.want)
			}
		})
	}
}
