package memplan

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sslrun/sslrun/internal/spec"
)

// TestPixelsEstimated: an evaluate block with pixels = true adds the
// flattened images of its train and test sets (3x16x16 after the first
// view), their labels and kNN's normalised copy, once for a set however
// many blocks ask for its pixels.
func TestPixelsEstimated(t *testing.T) {
	const src = `
experiment "x" {}
dataset "synthetic" "train" {
  size       = 100
  image_size = 16
}
dataset "synthetic" "test" {
  size       = 40
  image_size = 16
  split      = "test"
}
view "global" {
  count = 2
  augment "random_resized_crop" { size = 16 }
}
backbone "convnet" { channels = [8] }
objective "nt_xent" {}
optimizer "sgd" { lr = 0.1 }
evaluate "knn" { pixels = %t }
evaluate "linear" { pixels = %t }
`
	const perImage = 3*16*16*8 + 8
	tests := []struct {
		knn, linear bool
		want        int64 // bytes of the pixels item; 0: no item
	}{
		{false, false, 0},
		{true, false, (100 + 40) * perImage},
		{false, true, (100 + 40) * perImage},
		{true, true, (100 + 40) * perImage},
	}
	var without int64
	for _, tt := range tests {
		t.Run(fmt.Sprintf("knn %t, linear %t", tt.knn, tt.linear), func(t *testing.T) {
			exp, err := spec.Load(filepath.Join(t.TempDir(), "x.hcl"), fmt.Appendf(nil, src, tt.knn, tt.linear), spec.Options{})
			if err != nil {
				t.Fatal(err)
			}
			p, err := Estimate(context.Background(), exp, Options{EvalBatch: 32})
			if err != nil {
				t.Fatal(err)
			}
			var got int64
			for _, it := range p.Items {
				if it.Name == "raw pixels of the evaluation sets (768 per image)" {
					got = it.Bytes
				}
			}
			if got != tt.want {
				t.Errorf("pixels item %d bytes, want %d:\n%s", got, tt.want, p.Breakdown())
			}
			if tt.want == 0 {
				without = p.Total
			} else if p.Total != without+tt.want {
				t.Errorf("total %d, want %d without pixels plus %d", p.Total, without, tt.want)
			}
		})
	}
}
