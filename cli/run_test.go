package cli

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinyRun is a SimCLR run of a few steps on synthetic images.
const tinyRun = `
variable "temperature" { default = 0.2 }
experiment "tiny" { seed = 1 }
dataset "synthetic" "train" {
  size       = 64
  classes    = 4
  image_size = 16
}
dataset "synthetic" "test" {
  size       = 32
  classes    = 4
  image_size = 16
  split      = "test"
}
view "global" {
  count = 2
  augment "random_resized_crop" {
    size  = 16
    scale = [0.3, 1.0]
  }
}
backbone "convnet" { channels = [8] }
head "projection_mlp" "proj" {
  hidden_dim = 16
  output_dim = 8
}
objective "nt_xent" { temperature = var.temperature }
optimizer "sgd" { lr = 0.1 }
train {
  epochs     = 2
  batch_size = 32
  log_every  = 1
}
evaluate "knn" {
  k        = 5
  baseline = true
  pixels   = true
}
`

func TestRunResumeEvalPlot(t *testing.T) {
	spec := writeSpec(t, tinyRun)
	dir := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := sslrun(t, "run", spec, "--out", dir, "--max-steps", "2")
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"2 steps", "knn", "top-1", "random init", "raw pixels"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("run output lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "step 2/2") {
		t.Errorf("no progress lines on stderr:\n%s", stderr)
	}
	if code, stdout, stderr = sslrun(t, "resume", dir); code != 0 || !strings.Contains(stdout, "2 steps") || !strings.Contains(stderr, "finished at step 2; nothing to resume") {
		t.Fatalf("resume of a run that reached its --max-steps: exit %d: %s%s", code, stdout, stderr)
	}
	if code, stdout, stderr = sslrun(t, "resume", dir, "--to-end"); code != 0 || !strings.Contains(stdout, "4 steps") {
		t.Fatalf("resume --to-end: exit %d: %s%s", code, stdout, stderr)
	}
	if code, stdout, stderr = sslrun(t, "eval", dir); code != 0 || !strings.Contains(stdout, "knn") || !strings.Contains(stdout, "raw pixels") {
		t.Fatalf("eval: exit %d: %s%s", code, stdout, stderr)
	}
	out := filepath.Join(t.TempDir(), "curves.png")
	if code, _, stderr = sslrun(t, "plot", dir, "--out", out); code != 0 {
		t.Fatalf("plot: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Errorf("plot wrote no PNG: %v", err)
	}

	nan := writeSpec(t, strings.Replace(tinyRun, "default = 0.2", "default = 1e-40", 1))
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		args   []string
		code   int
		stderr string
	}{
		{"run into a run folder", context.Background(), []string{"run", spec, "--out", dir}, 1, "already holds a run"},
		{"run without a spec", context.Background(), []string{"run"}, 2, "want one spec file"},
		{"resume no run", context.Background(), []string{"resume", t.TempDir()}, 1, "not a run folder"},
		{"resume with two limits", context.Background(), []string{"resume", dir, "--to-end", "--max-steps", "3"}, 2, "exclude each other"},
		{"eval no run", context.Background(), []string{"eval", t.TempDir()}, 1, "not a run folder"},
		{"plot no run", context.Background(), []string{"plot", t.TempDir(), "--out", filepath.Join(t.TempDir(), "x.png")}, 1, "log.jsonl"},
		{"loss not finite", context.Background(), []string{"run", nan, "--out", filepath.Join(t.TempDir(), "nan")}, 3, "step 1"},
		{"interrupted", cancelled, []string{"run", spec, "--out", filepath.Join(t.TempDir(), "int")}, 130, "interrupted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o, e bytes.Buffer
			code := Run(tt.ctx, tt.args, &o, &e)
			if code != tt.code || !strings.Contains(e.String(), tt.stderr) {
				t.Errorf("exit %d, want %d with %q in stderr:\n%s", code, tt.code, tt.stderr, e.String())
			}
		})
	}
}
