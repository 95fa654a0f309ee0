package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/sslrun/sslrun/internal/runner"
)

// TestCIFAR10EndToEnd runs the shipped CPU-budget SimCLR recipe on the real
// CIFAR-10 (all 50,000 train and 10,000 test images) for 100 steps through
// the CLI, then checks the run folder (with the initialisation kept for
// scripts/cifar_cpu_torch.py --init) and that kNN accuracy beats the same
// network at initialisation. The recipe's raw-pixel scores are left out:
// kNN and the linear probe on 50,000 x 3,072 pixel values would take the
// test past go test's timeout, and they test nothing that the synthetic
// runs do not.
func TestCIFAR10EndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on CIFAR-10 for a few minutes")
	}
	data := filepath.Join("..", "..", "shared", "datasets", "cifar10")
	if _, err := os.Stat(filepath.Join(data, "train")); err != nil {
		t.Skipf("CIFAR-10 is not at %s (../shared/datasets beside the repository): %v", data, err)
	}
	recipe, err := os.ReadFile(filepath.Join("..", "experiments", "simclr_cifar10_cpu.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	noPixels := regexp.MustCompile(`(?m)^\s*pixels\s*=\s*true\s*\n`)
	if len(noPixels.FindAll(recipe, -1)) != 2 {
		t.Fatalf("simclr_cifar10_cpu.hcl no longer has pixels = true in its two evaluate blocks; update this test")
	}
	spec := filepath.Join(t.TempDir(), "simclr_cifar10_cpu.hcl")
	if err := os.WriteFile(spec, noPixels.ReplaceAll(recipe, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(data)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := sslrun(t, "run", spec, "--var", "data_dir="+abs, "--out", dir, "--max-steps", "100")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	t.Log(stdout)
	for _, f := range []string{runner.SpecFile, runner.ConfigFile, runner.LogFile, runner.SummaryFile, runner.BackboneFile, filepath.Join("checkpoints", runner.LatestCheckpoint), filepath.Join("checkpoints", "step-00000000.safetensors")} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("run folder lacks %s: %v", f, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, runner.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	var sum runner.Summary
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Steps != 100 || sum.Experiment != "simclr_cifar10_cpu" {
		t.Errorf("summary: %d steps of %q", sum.Steps, sum.Experiment)
	}
	knn, ok := sum.Eval["knn"]
	if !ok || knn.Baseline == nil {
		t.Fatalf("summary has no kNN result with a baseline: %s", b)
	}
	if knn.Top1 <= knn.Baseline.Top1 {
		t.Errorf("kNN top-1 %.4f after 100 steps does not beat %.4f at initialisation", knn.Top1, knn.Baseline.Top1)
	}
	if _, ok := sum.Eval["linear"]; !ok {
		t.Errorf("summary has no linear result: %s", b)
	}
}
