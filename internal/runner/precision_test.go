package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sslrun/sslrun/internal/runner"
	"github.com/sslrun/sslrun/internal/xla/xlatest"
)

// TestCPURefusesBF16 checks that the CPU engine refuses a spec with
// train { precision = "bf16" } before it starts: Run, leaving no run
// folder, and Bench.
func TestCPURefusesBF16(t *testing.T) {
	src := strings.Replace(tinySpec, "train {", "train {\n  precision = \"bf16\"", 1)
	if src == tinySpec {
		t.Fatal("tinySpec has no train block")
	}
	exp, b := load(t, src, nil)
	out := filepath.Join(t.TempDir(), "run")
	tests := []struct {
		name string
		f    func() error
	}{
		{"run", func() error {
			_, err := runner.Run(context.Background(), exp, b, runner.Options{Out: out})
			return err
		}},
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
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("Run left %s: %v", out, err)
	}
}

// TestXLATrainsBF16 trains tinySpec with train { precision = "bf16" } on
// the XLA engine (the StableHLO evaluator, which rounds bf16 as a device
// does) and in float32 on the CPU engine: the losses and the last
// checkpoint agree within bf16's tolerance.
func TestXLATrainsBF16(t *testing.T) {
	src := strings.Replace(tinySpec, "train {", "train {\n  precision = \"bf16\"", 1)
	cpu := run(t, tinySpec, nil, runner.Options{}).Dir
	dev := run(t, src, nil, runner.Options{XLA: &xlatest.Runtime{}}).Dir
	ld, pd := compareRuns(t, cpu, dev, 5e-2)
	t.Logf("largest differences: loss %.3g, checkpoint %.3g (relative)", ld, pd)
}

// TestLowerBF16 checks that sslrun lower's training step computes in the
// spec's precision: products on bf16 operands for bf16, no bf16 for fp32.
func TestLowerBF16(t *testing.T) {
	for _, precision := range []string{"fp32", "bf16"} {
		t.Run(precision, func(t *testing.T) {
			src := strings.Replace(tinySpec, "train {", "train {\n  precision = \""+precision+"\"", 1)
			exp, _ := load(t, src, nil)
			l, err := runner.Lower(context.Background(), exp, 4)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(l.Train.Text(), "bf16>"); got != (precision == "bf16") {
				t.Errorf("the training step's text holds bf16: %v", got)
			}
		})
	}
}
