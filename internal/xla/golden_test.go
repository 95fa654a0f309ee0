package xla

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sslrun/sslrun/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden StableHLO under testdata/")

// goldenSpec is the smallest SimCLR step: a one-layer convnet of 4
// channels, a projection to 4, two 8x8 views of a batch of 2.
const goldenSpec = `
experiment "xla_golden" { seed = 1 }
dataset "synthetic" "train" {
  size       = 4
  classes    = 2
  image_size = 8
}
view "global" {
  count = 2
  augment "random_resized_crop" { size = 8 }
}
backbone "convnet" { channels = [4] }
head "projection_mlp" "proj" {
  hidden_dim = 8
  output_dim = 4
}
objective "nt_xent" { temperature = 0.2 }
train { batch_size = 2 }
`

// TestGoldenStep compares the StableHLO text of goldenSpec's training
// graph (Lower: the loss, every gradient, the running statistics) and of
// its whole training step with SGD (LowerStep: the update and the
// donations too), in float32 and in bf16, with testdata/ byte for byte; go test ./xla -update
// rewrites them.
func TestGoldenStep(t *testing.T) {
	tests := []struct {
		file  string
		lower func(s *step) (*Program, error)
	}{
		{"simclr_step.mlir", func(s *step) (*Program, error) {
			return Lower(s.g.G, s.g.Inputs, s.out, "simclr_step")
		}},
		{"simclr_sgd_step.mlir", func(s *step) (*Program, error) {
			opt := buildOptimizer(t, "optimizer.sgd", map[string]any{"lr": 0.1, "weight_decay": 1e-4})
			return LowerStep(s.g, opt, nil, "simclr_sgd_step")
		}},
		{"simclr_sgd_bf16_step.mlir", func(s *step) (*Program, error) {
			opt := buildOptimizer(t, "optimizer.sgd", map[string]any{"lr": 0.1, "weight_decay": 1e-4})
			return LowerStep(s.g, opt, nil, "simclr_sgd_bf16_step", WithPrecision(BF16))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s := newStep(t, goldenSpec, []model.Shape{{2, 3, 8, 8}, {2, 3, 8, 8}})
			p, err := tt.lower(s)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", tt.file), p.Text())
		})
	}
}

// checkGolden compares text with the file at path, or rewrites the file
// with -update.
func checkGolden(t *testing.T, path, text string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if text == string(want) {
		return
	}
	got, lines := strings.Split(text, "\n"), strings.Split(string(want), "\n")
	for i := range max(len(got), len(lines)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(lines) {
			w = lines[i]
		}
		if g != w {
			t.Fatalf("%s:%d differs (go test ./xla -update rewrites it):\n got: %s\nwant: %s", path, i+1, g, w)
		}
	}
}
