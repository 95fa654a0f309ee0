package runner_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sslrun/sslrun/runner"
)

// TestCPURefusesBF16 checks that the CPU engine refuses a spec with
// train { precision = "bf16" } before it starts.
func TestCPURefusesBF16(t *testing.T) {
	src := strings.Replace(tinySpec, "train {", "train {\n  precision = \"bf16\"", 1)
	if src == tinySpec {
		t.Fatal("tinySpec has no train block")
	}
	exp, _ := load(t, src, nil)
	tests := []struct {
		name string
		f    func() error
	}{
		{"bench", func() error {
			_, err := runner.Bench(context.Background(), exp, runner.BenchOptions{Steps: 1, Batch: 4, AugmentImages: 4})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f()
			if err == nil || !strings.Contains(err.Error(), `train { precision = "bf16" } needs the XLA engine`) {
				t.Fatalf("error %v, want one saying bf16 needs the XLA engine", err)
			}
		})
	}
}
