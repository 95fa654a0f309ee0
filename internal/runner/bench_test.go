package runner_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sslrun/sslrun/internal/runner"
)

// wideSpec is SimCLR on 6x10 gray images left at their size, from the IDX
// file named by the variable images.
const wideSpec = `
variable "images" {}
experiment "wide" {}
dataset "mnist" "train" { images = var.images }
view "global" {
  count = 2
  augment "horizontal_flip" {}
}
backbone "convnet" { channels = [4] }
objective "nt_xent" {}
optimizer "adamw" { lr = 0.001 }
train { batch_size = 4 }
`

// wideIDX writes an IDX file of n gray 6x10 images and returns its path.
func wideIDX(t *testing.T, n int) string {
	t.Helper()
	data := binary.BigEndian.AppendUint32([]byte{0, 0, 0x08, 3}, uint32(n))
	data = binary.BigEndian.AppendUint32(data, 6)
	data = binary.BigEndian.AppendUint32(data, 10)
	for i := range n * 6 * 10 {
		data = append(data, byte(i*37))
	}
	path := filepath.Join(t.TempDir(), "wide.idx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBench(t *testing.T) {
	tests := []struct {
		name, src, views string
		vars             map[string]string
	}{
		{"simclr", tinySpec, "2x16", nil},
		{"swav multi-crop", swavSpec, "2x16+2x8", nil},
		{"not square", wideSpec, "2x6x10", map[string]string{"images": wideIDX(t, 16)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, _ := load(t, tt.src, tt.vars)
			res, err := runner.Bench(context.Background(), exp, runner.BenchOptions{Steps: 1, Batch: 4, AugmentImages: 10})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v", res)
			if res.Experiment != exp.Name || res.Backbone != "backbone.convnet" || res.Views != tt.views ||
				res.Batch != 4 || res.Steps != 1 || res.Threads != runtime.GOMAXPROCS(0) || res.GoVersion != runtime.Version() {
				t.Errorf("result %+v", res)
			}
			if res.AugmentImages != 12 { // three whole batches of 4
				t.Errorf("%d images augmented, want 12", res.AugmentImages)
			}
			for name, v := range map[string]float64{
				"step_images_per_s": res.StepImagesPerS, "seconds_per_step": res.SecondsPerStep, "peak_rss_mb": res.PeakRSSMB,
				"augment_images_per_s": res.AugmentImagesPerS, "augment_images_per_s_per_core": res.AugmentImagesPerSPerCore,
			} {
				if !(v > 0) || v > 1e9 {
					t.Errorf("%s = %v", name, v)
				}
			}
			if got := res.StepImagesPerS * res.SecondsPerStep; got < 3.99 || got > 4.01 {
				t.Errorf("images/s times seconds/step is %v, want the batch, 4", got)
			}
		})
	}
}

func TestBenchErrors(t *testing.T) {
	exp, _ := load(t, tinySpec, nil)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		opts runner.BenchOptions
		is   error
		say  string
	}{
		{"cancelled", cancelled, runner.BenchOptions{Steps: 1, Batch: 4, AugmentImages: 4}, context.Canceled, ""},
		{"no steps", context.Background(), runner.BenchOptions{Batch: 4, AugmentImages: 4}, nil, "0 steps"},
		{"no augmentation", context.Background(), runner.BenchOptions{Steps: 1, Batch: 4}, nil, "0 augmented images"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runner.Bench(tt.ctx, exp, tt.opts)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.say) {
				t.Errorf("error %q does not say %q", err, tt.say)
			}
		})
	}
}
