package runner_test

import (
	"path/filepath"
	"testing"

	"github.com/sslrun/sslrun/internal/runner"
)

// sanitySpec is SimCLR with a small convnet on the synthetic shapes, whose
// class is the shape or texture. Every synthetic image has its own random
// colours, which would let the network tell images apart by colour alone, so
// the views are gray: the network has to learn shapes.
const sanitySpec = `
experiment "sanity" { seed = 0 }
dataset "synthetic" "train" {
  size       = 1024
  image_size = 16
}
dataset "synthetic" "test" {
  size       = 1000
  image_size = 16
  split      = "test"
}
view "global" {
  count = 2
  augment "random_resized_crop" {
    size  = 16
    scale = [0.2, 1.0]
  }
  augment "grayscale" { p = 1.0 }
  augment "horizontal_flip" {}
  augment "normalize" {
    mean = [0.5]
    std  = [0.25]
  }
}
backbone "convnet" { channels = [16, 32, 64] }
head "projection_mlp" "proj" {
  hidden_dim = 128
  output_dim = 64
}
objective "nt_xent" { temperature = 0.2 }
optimizer "sgd" {
  lr           = 0.4
  weight_decay = 5e-4
}
schedule "warmup_cosine" { warmup_epochs = 1 }
train {
  epochs     = 12
  batch_size = 64
}
evaluate "knn" {
  k        = 20
  baseline = true
}
`

// TestTrainingSanity pretrains for 192 steps: the loss goes down and the kNN
// accuracy of the features rises above the same network's at
// initialisation.
func TestTrainingSanity(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few hundred steps")
	}
	res := run(t, sanitySpec, nil, runner.Options{Out: filepath.Join(t.TempDir(), "run")})
	var losses []float64
	for _, e := range events(t, res.Dir) {
		if e["event"] == "epoch" {
			losses = append(losses, e["loss"].(float64))
		}
	}
	if len(losses) != 12 {
		t.Fatalf("%d epoch events, want 12", len(losses))
	}
	first, last := (losses[0]+losses[1])/2, (losses[10]+losses[11])/2
	knn := res.Summary.Eval["knn"]
	t.Logf("loss %.4f -> %.4f (means of the first and last 2 epochs); kNN top-1 %.3f at initialisation, %.3f after",
		first, last, knn.Baseline.Top1, knn.Top1)
	if last >= first-0.1 {
		t.Errorf("loss did not go down: %.4f -> %.4f", first, last)
	}
	if knn.Top1 <= knn.Baseline.Top1+0.02 {
		t.Errorf("kNN top-1 %.3f is not above %.3f at initialisation", knn.Top1, knn.Baseline.Top1)
	}
}
