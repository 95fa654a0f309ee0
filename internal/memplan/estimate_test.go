package memplan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	_ "github.com/sslrun/sslrun/components/all"
	"github.com/sslrun/sslrun/internal/pipeline"
	"github.com/sslrun/sslrun/internal/spec"
)

// imageFolders writes one class folder per split under root, each holding
// two size x size PNGs, and returns root.
func imageFolders(t *testing.T, size int, splits ...string) string {
	t.Helper()
	root := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	for _, split := range splits {
		dir := filepath.Join(root, split, "c0")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%d.png", i)))
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
	return root
}

// benchPeaks is testdata/bench_peaks.json.
type benchPeaks struct {
	Command string `json:"command"`
	Recipes []struct {
		Spec  string  `json:"spec"`
		Data  string  `json:"data"`
		Batch int     `json:"batch"`
		Views string  `json:"views"`
		Peak  float64 `json:"peak_rss_mb"`
	} `json:"recipes"`
}

// TestBenchPeaks checks the estimate of each shipped recipe's training
// step against the peak `sslrun bench` measured for it: within 2x. The
// estimate reads only the size of the first image, so stand-in folders
// replace the data.
func TestBenchPeaks(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "bench_peaks.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gold benchPeaks
	if err := json.Unmarshal(raw, &gold); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "experiments", "*.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(gold.Recipes) != len(files) {
		t.Errorf("%d recipes measured, %d shipped: measure the new ones (%s)", len(gold.Recipes), len(files), gold.Command)
	}
	data := map[string]map[string]string{
		"cifar10":  {"data_dir": imageFolders(t, 32, "train", "test")},
		"imagenet": {"data_dir": imageFolders(t, 256, "train", "val")},
	}
	for _, r := range gold.Recipes {
		t.Run(r.Spec, func(t *testing.T) {
			exp, err := spec.LoadFile(filepath.Join("..", "..", "experiments", r.Spec), spec.Options{Vars: data[r.Data]})
			if err != nil {
				t.Fatal(err)
			}
			p, err := Estimate(context.Background(), exp, Options{Batch: r.Batch, Bench: true})
			if err != nil {
				t.Fatal(err)
			}
			est := float64(p.Sum(Step)) / (1 << 20)
			ratio := r.Peak / est
			t.Logf("batch %d, %s: measured %.1f MiB, estimated %.1f MiB, ratio %.2f", r.Batch, r.Views, r.Peak, est, ratio)
			if ratio < 0.5 || ratio > 2 {
				t.Errorf("measured %.1f MiB, estimated %.1f MiB: not within 2x\n%s", r.Peak, est, p.Breakdown())
			}
		})
	}
}

// absurd is a spec with one large value: a synthetic set of images of
// side px, views of the given count and crop, a convnet of the given
// channels, a projection of the given width, and an objective.
func absurd(t *testing.T, images, px, views, crop, channels, width, prefetch int, objective string) *spec.Experiment {
	t.Helper()
	src := fmt.Sprintf(`
experiment "absurd" {}
dataset "synthetic" "train" {
  size       = %d
  image_size = %d
}
view "global" {
  count = %d
  augment "random_resized_crop" { size = %d }
}
backbone "convnet" { channels = [%d] }
head "projection_mlp" "proj" {
  hidden_dim = %d
  output_dim = 64
}
head "prototypes" "protos" { count = 100 }
objective %q {}
optimizer "lars" { lr = 0.3 }
train {
  batch_size = 256
  prefetch   = %d
}
`, images, px, views, crop, channels, width, objective, prefetch)
	exp, err := spec.Load(filepath.Join(t.TempDir(), "absurd.hcl"), []byte(src), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return exp
}

// TestAbsurdSizes: each value that made a run die of Go's out-of-memory
// error is estimated quickly, without allocating in proportion to it, far
// beyond any machine; with a budget, the ones the cheap items already
// exceed stop before any graph is built.
func TestAbsurdSizes(t *testing.T) {
	const tib = 1 << 40
	tests := []struct {
		name    string
		exp     *spec.Experiment
		atLeast int64
		partial bool // stops early under a 16 GiB budget
	}{
		{"backbone channels 1e6", absurd(t, 1000, 32, 2, 32, 1_000_000, 2048, 2, "nt_xent"), tib, false},
		{"head width 1e6", absurd(t, 1000, 32, 2, 32, 64, 1_000_000, 2, "swav"), 10 << 30, false},
		{"crop 1e5", absurd(t, 1000, 32, 2, 100_000, 64, 2048, 2, "nt_xent"), tib, true},
		{"1e4 views", absurd(t, 1000, 32, 10_000, 32, 64, 2048, 2, "nt_xent"), tib, true},
		{"1e4 small views, swav", absurd(t, 1000, 32, 10_000, 8, 8, 16, 2, "swav"), tib, false},
		{"prefetch 1e6", absurd(t, 1000, 32, 2, 32, 64, 2048, 1_000_000, "nt_xent"), tib, true},
		{"1e9 images", absurd(t, 1_000_000_000, 32, 2, 32, 64, 2048, 2, "nt_xent"), tib, true},
		{"backbone channels 2e9", absurd(t, 1000, 32, 2, 32, 2_000_000_000, 2048, 2, "nt_xent"), tib, false},
		{"2e9 views", absurd(t, 1000, 32, 2_000_000_000, 8, 8, 16, 2, "nt_xent"), tib, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			p, err := Estimate(context.Background(), tt.exp, Options{EvalBatch: 200})
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s in %v, %s allocated", p.About(), took, Size(int64(alloc)))
			if p.Total < tt.atLeast {
				t.Errorf("estimate %s, want at least %s:\n%s", Size(p.Total), Size(tt.atLeast), p.Breakdown())
			}
			// The allocation bound below is the check that nothing is
			// built in proportion to the model; this one only guards
			// against a hang, with room for a machine shared with
			// training runs.
			if took > time.Minute {
				t.Errorf("the estimate took %v", took)
			}
			if alloc > 64<<20 {
				t.Errorf("the estimate allocated %s", Size(int64(alloc)))
			}
			q, err := Estimate(context.Background(), tt.exp, Options{EvalBatch: 200, Budget: 16 << 30})
			if err != nil {
				t.Fatal(err)
			}
			if q.Partial != tt.partial || (q.Partial && q.Total <= 16<<30) {
				t.Errorf("under a 16 GiB budget: partial %t, %s", q.Partial, q.About())
			}
		})
	}
}

// TestExtrapolatedViews compares the step extrapolated for more than
// exactViews views with the one measured on the whole graph.
func TestExtrapolatedViews(t *testing.T) {
	for _, objective := range []string{"nt_xent", "swav"} {
		t.Run(objective, func(t *testing.T) {
			exp := absurd(t, 1000, 32, 200, 8, 8, 16, 2, objective)
			views, err := pipeline.BuildViews(exp)
			if err != nil {
				t.Fatal(err)
			}
			blocks, err := viewBlocks(views, 3, 32, 32)
			if err != nil {
				t.Fatal(err)
			}
			e := &estimator{exp: exp, plan: &Plan{Views: 200}, blocks: blocks}
			got, _, _, err := e.step(256)
			if err != nil {
				t.Fatal(err)
			}
			want, _, _, err := measureStep(exp, shapes(expand(blocks), 256))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("extrapolated %v\nexact        %v", got, want)
			for _, c := range []struct {
				name      string
				got, want int64
			}{{"total", got.Total(), want.Total()}, {"churn", got.Churn, want.Churn}} {
				if r := float64(c.got) / float64(c.want); r < 0.9 || r > 1.25 {
					t.Errorf("%s: extrapolated %s, exact %s", c.name, Size(c.got), Size(c.want))
				}
			}
		})
	}
}

func TestIncomplete(t *testing.T) {
	tests := []struct{ drop, block string }{
		{`backbone "convnet" { channels = [8] }`, "backbone"},
		{`objective "nt_xent" {}`, "objective"},
		{`optimizer "sgd" { lr = 0.1 }`, "optimizer"},
	}
	const whole = `
experiment "x" {}
dataset "synthetic" "train" { size = 8 }
view "global" {
  count = 2
  augment "random_resized_crop" { size = 8 }
}
backbone "convnet" { channels = [8] }
objective "nt_xent" {}
optimizer "sgd" { lr = 0.1 }
`
	for _, tt := range tests {
		exp, err := spec.Load(filepath.Join(t.TempDir(), "x.hcl"), []byte(strings.Replace(whole, tt.drop, "", 1)), spec.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Estimate(context.Background(), exp, Options{EvalBatch: 1})
		var ie *IncompleteError
		if !errors.As(err, &ie) || ie.Block != tt.block {
			t.Errorf("without its %s: %v", tt.block, err)
		}
	}
}
