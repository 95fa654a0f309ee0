package runner_test

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/internal/runner"
)

// mixedSpec pretrains on an image folder whose images differ in size and
// evaluates on another, with preload as var.preload.
const mixedSpec = `
variable "data" {}
variable "preload" { default = true }
experiment "mixed" { seed = 2 }
dataset "image_folder" "train" {
  path    = "${var.data}/train"
  preload = var.preload
}
dataset "image_folder" "test" {
  path    = "${var.data}/test"
  preload = var.preload
}
view "global" {
  count = 2
  augment "random_resized_crop" {
    size  = 16
    scale = [0.3, 1.0]
  }
  augment "normalize" {
    mean = [0.5]
    std  = [0.25]
  }
}
backbone "convnet" { channels = [4] }
head "projection_mlp" "proj" {
  hidden_dim = 8
  output_dim = 4
}
objective "nt_xent" {}
optimizer "sgd" { lr = 0.1 }
train {
  epochs     = 1
  batch_size = 8
}
evaluate "knn" {
  k        = 3
  baseline = true
}
evaluate "linear" {}
`

// writeMixedFolder writes n PNG images per class of two classes under dir,
// in sizes from 9 to 40 pixels a side, square and not, the first one 16x16
// (the view's size) so that some pass evaluation unchanged.
func writeMixedFolder(t *testing.T, dir string, n int) {
	t.Helper()
	sizes := [][2]int{{16, 16}, {24, 24}, {9, 13}, {40, 21}, {12, 12}, {17, 30}}
	for class := range 2 {
		for i := range n {
			size := sizes[(i+class)%len(sizes)]
			img := image.NewNRGBA(image.Rect(0, 0, size[0], size[1]))
			for y := range size[1] {
				for x := range size[0] {
					v := uint8(40*class + 5*x + 3*y + i)
					img.SetNRGBA(x, y, color.NRGBA{v, uint8(200 * class), 255 - v, 255})
				}
			}
			file := filepath.Join(dir, strconv.Itoa(class), fmt.Sprintf("%02d.png", i))
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			f, err := os.Create(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(f, img); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestMixedImageSizes runs a whole experiment, pretraining and kNN and
// linear evaluation, on image folders whose images differ in size, with
// and without preload: the two give the same run.
func TestMixedImageSizes(t *testing.T) {
	data := t.TempDir()
	writeMixedFolder(t, filepath.Join(data, "train"), 8)
	writeMixedFolder(t, filepath.Join(data, "test"), 4)
	var summaries []*runner.Summary
	for _, preload := range []string{"true", "false"} {
		t.Run("preload="+preload, func(t *testing.T) {
			res := run(t, mixedSpec, map[string]string{"data": data, "preload": preload}, runner.Options{})
			s := res.Summary
			if s.Steps != 2 {
				t.Errorf("%d steps, want 2", s.Steps)
			}
			for _, protocol := range []string{"knn", "linear"} {
				if _, ok := s.Eval[protocol]; !ok {
					t.Errorf("no %s result: %+v", protocol, s.Eval)
				}
			}
			summaries = append(summaries, s)
		})
	}
	if len(summaries) != 2 {
		return
	}
	if a, b := summaries[0], summaries[1]; a.FinalLoss != b.FinalLoss {
		t.Errorf("final loss %v with preload, %v without", a.FinalLoss, b.FinalLoss)
	}
	if diff := cmp.Diff(summaries[0].Eval, summaries[1].Eval); diff != "" {
		t.Errorf("evaluation (-preload +without):\n%s", diff)
	}
}
