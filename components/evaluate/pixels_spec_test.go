package evaluate_test

import (
	"fmt"
	"strings"
	"testing"

	_ "github.com/sslrun/sslrun/components/all"
	"github.com/sslrun/sslrun/components/evaluate"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/registry"
)

// pixelsSpec is a small spec whose kNN block sets pixels to the value
// filled in; that attribute is on line 15 of the file.
const pixelsSpec = `experiment "pixels" { seed = 1 }
dataset "synthetic" "train" { size = 8 }
dataset "synthetic" "test" {
  size  = 4
  split = "test"
}
view "global" {
  count = 2
  augment "random_resized_crop" { size = 32 }
}
backbone "convnet" { channels = [4] }
objective "nt_xent" {}
train { batch_size = 4 }
evaluate "knn" {
  pixels = %s
}
`

// TestPixelsParam: an evaluate block's pixels attribute is a bool, and
// another value is refused at its position in the file.
func TestPixelsParam(t *testing.T) {
	tests := []struct {
		value string
		want  bool   // the evaluator's Pixels
		err   string // in the error; "" for none
	}{
		{value: "true", want: true},
		{value: "false"},
		{value: `"yes"`, err: "pixels.hcl:15,12-17"},
		{value: "1", err: "pixels.hcl:15,12"},
		{value: "[true]", err: "pixels.hcl:15,12-18"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			exp, err := spec.Load("pixels.hcl", fmt.Appendf(nil, pixelsSpec, tt.value), spec.Options{})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "bool") {
					t.Fatalf("pixels = %s: error %v, want one at %s about a bool", tt.value, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(exp.Evaluate) != 1 {
				t.Fatalf("%d evaluate blocks, want 1", len(exp.Evaluate))
			}
			e, err := registry.New[evaluate.Evaluator](exp.Evaluate[0].ID, exp.Evaluate[0].Params)
			if err != nil {
				t.Fatal(err)
			}
			if e.Pixels() != tt.want || e.Baseline() {
				t.Errorf("pixels = %s: Pixels %v, Baseline %v; want %v, false", tt.value, e.Pixels(), e.Baseline(), tt.want)
			}
		})
	}
}
