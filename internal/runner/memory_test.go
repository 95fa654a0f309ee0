package runner_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sslrun/sslrun/internal/memplan"
	"github.com/sslrun/sslrun/internal/runner"
)

// hugeSpec is SimCLR with a one-layer convnet on a synthetic set of a
// billion images, which would take 0.7 TiB once generated.
const hugeSpec = `
experiment "huge" {}
dataset "synthetic" "train" { size = 1000000000 }
view "global" {
  count = 2
  augment "random_resized_crop" { size = 16 }
}
backbone "convnet" { channels = [8] }
objective "nt_xent" {}
optimizer "sgd" { lr = 0.1 }
train { batch_size = 32 }
`

// TestMemoryRefused: a run, and a benchmark, that cannot fit are refused
// with the estimate before anything is allocated or written.
func TestMemoryRefused(t *testing.T) {
	exp, src := load(t, hugeSpec, nil)
	out := filepath.Join(t.TempDir(), "run")
	_, err := runner.Run(context.Background(), exp, src, runner.Options{Out: out})
	var tl *memplan.TooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("Run: %v, want the memory refused", err)
	}
	if tl.Plan.Total < 1<<40 {
		t.Errorf("estimate %s", tl.Plan.About())
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the run folder was made: %v", err)
	}
	if _, err := runner.Bench(context.Background(), exp, runner.BenchOptions{Steps: 1, AugmentImages: 1}); !errors.As(err, &tl) {
		t.Errorf("Bench: %v, want the memory refused", err)
	}
}
