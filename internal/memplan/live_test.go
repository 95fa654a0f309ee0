package memplan_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/sslrun/sslrun/components/all"
	"github.com/sslrun/sslrun/internal/memplan"
	"github.com/sslrun/sslrun/internal/runner"
	"github.com/sslrun/sslrun/internal/spec"
)

// liveSpec is SimCLR on 32x32 synthetic images with a two-layer convnet:
// a step of about a second whose memory the graph, not the runtime,
// dominates.
const liveSpec = `
experiment "live" {}
dataset "synthetic" "train" { size = 64 }
view "global" {
  count = 2
  augment "random_resized_crop" { size = 32 }
  augment "horizontal_flip" {}
}
backbone "convnet" { channels = [32, 64] }
head "projection_mlp" "proj" {
  hidden_dim = 512
  output_dim = 128
}
objective "nt_xent" {}
optimizer "lars" { lr = 0.3 }
train { batch_size = 64 }
`

// liveHelper names the variable that makes TestLivePeak the benchmark run
// in a process of its own, whose peak memory is the step's alone.
const liveHelper = "MEMPLAN_LIVE_BENCH"

// TestLivePeak runs `sslrun bench`'s measurement on a small spec in a fresh
// process and checks the estimate of the step against the peak it reports:
// within 2x.
func TestLivePeak(t *testing.T) {
	exp, err := spec.Load(filepath.Join(os.TempDir(), "live.hcl"), []byte(liveSpec), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv(liveHelper) == "1" {
		res, err := runner.Bench(context.Background(), exp, runner.BenchOptions{Steps: 1, AugmentImages: 1})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("peak_rss_mb %v\n", res.PeakRSSMB)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLivePeak$", "-test.count=1")
	cmd.Env = append(os.Environ(), liveHelper+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var peak float64
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "peak_rss_mb "); ok {
			if _, err := fmt.Sscan(rest, &peak); err != nil {
				t.Fatal(err)
			}
		}
	}
	if peak == 0 {
		t.Fatalf("the benchmark printed no peak:\n%s", out)
	}
	p, err := memplan.Estimate(context.Background(), exp, memplan.Options{Bench: true})
	if err != nil {
		t.Fatal(err)
	}
	est := float64(p.Sum(memplan.Step)) / (1 << 20)
	t.Logf("measured %.1f MiB, estimated %.1f MiB, ratio %.2f: %s", peak, est, peak/est, p.Breakdown())
	if r := peak / est; r < 0.5 || r > 2 {
		t.Errorf("measured %.1f MiB, estimated %.1f MiB: not within 2x", peak, est)
	}
}
