package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/sslrun/sslrun/internal/runner"
)

// TestCIFAR10EndToEnd runs the shipped CPU-budget SimCLR recipe on real
// CIFAR-10 images through the CLI for 40 steps, then checks the run folder
// (with the initialisation kept for scripts/cifar_cpu_torch.py --init) and
// that kNN accuracy beats the same network at initialisation. The data is
// the first 500 train and 100 test JPEGs of each class, linked into a
// temporary folder: the recipe's resnet10 reads all 60,000 images at about
// 130 a second in training and 900 in evaluation, which would take the
// test past go test's timeout on 2 cores. The recipe's raw-pixel scores
// are left out likewise; they test nothing the synthetic runs do not.
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
	subset := cifarSubset(t, data, map[string]int{"train": 500, "test": 100})
	dir := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := sslrun(t, "run", spec, "--var", "data_dir="+subset, "--out", dir, "--max-steps", "40")
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
	if sum.Steps != 40 || sum.Experiment != "simclr_cifar10_cpu" {
		t.Errorf("summary: %d steps of %q", sum.Steps, sum.Experiment)
	}
	knn, ok := sum.Eval["knn"]
	if !ok || knn.Baseline == nil {
		t.Fatalf("summary has no kNN result with a baseline: %s", b)
	}
	if knn.Top1 <= knn.Baseline.Top1 {
		t.Errorf("kNN top-1 %.4f after 40 steps does not beat %.4f at initialisation", knn.Top1, knn.Baseline.Top1)
	}
	if _, ok := sum.Eval["linear"]; !ok {
		t.Errorf("summary has no linear result: %s", b)
	}
}

// cifarSubset links the first n images (in name order) of every class of
// each split of the image folders under data into a temporary folder of the
// same layout, and returns it.
func cifarSubset(t *testing.T, data string, n map[string]int) string {
	t.Helper()
	out := t.TempDir()
	for split, count := range n {
		classes, err := os.ReadDir(filepath.Join(data, split))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range classes {
			if !c.IsDir() {
				continue
			}
			src, err := filepath.Abs(filepath.Join(data, split, c.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files, err := os.ReadDir(src)
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(out, split, c.Name())
			if err := os.MkdirAll(dst, 0o755); err != nil {
				t.Fatal(err)
			}
			for _, f := range files[:min(count, len(files))] {
				if err := os.Symlink(filepath.Join(src, f.Name()), filepath.Join(dst, f.Name())); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return out
}
