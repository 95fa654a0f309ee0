package pipeline

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/sslrun/sslrun/components/dataset"
	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/registry"
)

// labelled is a set of 1x1 images with the given labels and classes.
type labelled struct {
	labels  []int
	classes []string
}

func (d labelled) Len() int                          { return len(d.labels) }
func (d labelled) Image(int) (*imaging.Image, error) { return imaging.New(1, 1, 1), nil }
func (d labelled) Label(i int) int                   { return d.labels[i] }
func (d labelled) Classes() []string                 { return d.classes }

// labelledSource opens a labelled set.
type labelledSource struct{ d labelled }

func (s labelledSource) Open(context.Context) (dataset.Dataset, error) { return s.d, nil }

func init() {
	registry.Register(registry.Component{
		ID:  "dataset.pipeline_test_labels",
		Doc: "1x1 images with the labels and number of classes given, for TestOpenDatasetLabels",
		Params: []registry.Param{
			{Name: "labels", Type: registry.Floats, Doc: "the label of each image"},
			{Name: "classes", Type: registry.Int, Doc: "number of classes (0: unlabeled)", Range: registry.AtLeast(0)},
			{Name: "path", Type: registry.String, Doc: "where the set would be read from", Default: ""},
		},
		New: func(v registry.Values) (any, error) {
			var d labelled
			for _, l := range v.Floats("labels") {
				d.labels = append(d.labels, int(l))
			}
			for c := range v.Int("classes") {
				d.classes = append(d.classes, strconv.Itoa(c))
			}
			return labelledSource{d}, nil
		},
	})
}

// TestOpenDatasetLabels: a label outside the classes of its set is an error
// when the set is opened, naming the dataset block, its files and the image.
func TestOpenDatasetLabels(t *testing.T) {
	tests := []struct {
		name    string
		labels  string
		classes int
		path    string
		err     []string
	}{
		{name: "in range", labels: "[0, 2, 1, 2]", classes: 3},
		{name: "unlabeled", labels: "[-1, -1]", classes: 0},
		{name: "some unlabeled", labels: "[0, -1, 1]", classes: 2},
		{name: "too high", labels: "[0, 2, 3, 1]", classes: 3, path: "/data/set", err: []string{`dataset "x" (dataset.pipeline_test_labels, path /data/set)`, "image 2 has label 3", "3 classes [0, 3)"}},
		{name: "negative", labels: "[0, -2]", classes: 3, err: []string{`dataset "x" (dataset.pipeline_test_labels)`, "image 1 has label -2"}},
		{name: "label without classes", labels: "[-1, 0]", classes: 0, err: []string{"image 1 has label 0", "no classes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := fmt.Sprintf("experiment \"labels\" {}\ndataset \"pipeline_test_labels\" \"x\" {\n  labels  = %s\n  classes = %d\n  path    = %q\n}\n", tt.labels, tt.classes, tt.path)
			exp, err := spec.Load("labels.hcl", []byte(src), spec.Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = OpenDataset(context.Background(), exp, "x")
			if tt.err == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one mentioning %q", tt.err)
			}
			for _, part := range tt.err {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not mention %q", err, part)
				}
			}
		})
	}
}
