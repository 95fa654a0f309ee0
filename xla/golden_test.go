package xla

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sslrun/sslrun/model"
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

// TestGoldenStep compares the StableHLO text of goldenSpec's training step
// (the loss, every gradient, the running statistics) with
// testdata/simclr_step.mlir byte for byte; go test ./xla -update rewrites
// it.
func TestGoldenStep(t *testing.T) {
	s := newStep(t, goldenSpec, []model.Shape{{2, 3, 8, 8}, {2, 3, 8, 8}})
	p, err := Lower(s.g.G, s.g.Inputs, s.out, "simclr_step")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "simclr_step.mlir")
	if *update {
		if err := os.WriteFile(path, []byte(p.Text()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Text() == string(want) {
		return
	}
	got, lines := strings.Split(p.Text(), "\n"), strings.Split(string(want), "\n")
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
