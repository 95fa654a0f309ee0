package cli

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/components/evaluate"
	"github.com/sslrun/sslrun/internal/runner"
)

// TestPrintSummary: the run's results are a table, the model beside the
// random initialisation and the raw pixels, each column only when some
// protocol has it.
func TestPrintSummary(t *testing.T) {
	r := func(top1, top5 float64) *evaluate.Result { return &evaluate.Result{Top1: top1, Top5: top5} }
	tests := []struct {
		name string
		eval map[string]runner.EvalResult
		want string
	}{
		{
			name: "no evaluation",
			want: "runs/q: 186 steps, final loss 2.3512, 897.0 images/s\n",
		},
		{
			name: "model only",
			eval: map[string]runner.EvalResult{"knn": {Result: *r(0.8533, 0.9879)}},
			want: `runs/q: 186 steps, final loss 2.3512, 897.0 images/s
                   model
               top-1    top-5
  knn         85.33%   98.79%
`,
		},
		{
			name: "init and pixels, one protocol without pixels",
			eval: map[string]runner.EvalResult{
				"linear": {Result: *r(0.9297, 0.9973), Baseline: r(0.6571, 0.9657)},
				"knn":    {Result: *r(0.8533, 0.9879), Baseline: r(0.5468, 0.9206), Pixels: r(0.945, 1)},
			},
			want: `runs/q: 186 steps, final loss 2.3512, 897.0 images/s
                   model           random init        raw pixels
               top-1    top-5     top-1    top-5     top-1    top-5
  knn         85.33%   98.79%    54.68%   92.06%    94.50%  100.00%
  linear      92.97%   99.73%    65.71%   96.57%         -        -
`,
		},
		{
			name: "pixels without init, a long name",
			eval: map[string]runner.EvalResult{
				"knn_k200_cosine": {Result: *r(0.1, 0.5), Pixels: r(0.2, 0.6)},
			},
			want: `runs/q: 186 steps, final loss 2.3512, 897.0 images/s
                          model           raw pixels
                      top-1    top-5     top-1    top-5
  knn_k200_cosine    10.00%   50.00%    20.00%   60.00%
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			res := &runner.Result{Dir: "runs/q", Summary: &runner.Summary{Steps: 186, FinalLoss: 2.3512, ImagesPerS: 897, Eval: tt.eval}}
			if err := printSummary(&buf, res); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, buf.String()); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
		})
	}
}
