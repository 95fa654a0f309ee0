package pipeline_test

import (
	"context"
	"runtime"
	"testing"

	_ "github.com/sslrun/sslrun/components/all"
	"github.com/sslrun/sslrun/internal/pipeline"
	"github.com/sslrun/sslrun/internal/spec"
)

// colour is the SimCLR CIFAR colour pipeline shared by both benchmarks.
const colour = `
  augment "color_jitter" {
    p          = 0.8
    brightness = 0.8
    contrast   = 0.8
    saturation = 0.8
    hue        = 0.2
  }
  augment "grayscale" { p = 0.2 }
  augment "gaussian_blur" { p = 0.5 }
  augment "horizontal_flip" { p = 0.5 }
  augment "normalize" {
    mean = [0.4914, 0.4822, 0.4465]
    std  = [0.2470, 0.2435, 0.2616]
  }
`

var benchSpecs = map[string]string{
	"simclr_cifar": `
experiment "b" {}
dataset "synthetic" "train" { size = 512 }
view "global" {
  count = 2
  augment "random_resized_crop" { size = 32 }` + colour + `}
train {
  batch_size = 256
}`,
	"swav_multicrop": `
experiment "b" {}
dataset "synthetic" "train" { size = 512 }
view "global" {
  count = 2
  augment "random_resized_crop" {
    size  = 32
    scale = [0.2, 1.0]
  }` + colour + `}
view "local" {
  count = 6
  augment "random_resized_crop" {
    size  = 18
    scale = [0.08, 0.5]
  }` + colour + `}
train {
  batch_size = 256
}`,
}

// BenchmarkLoader measures the whole data pipeline on all cores: source
// images per second, each with all its views, through the prefetching
// loader (the figure a training loop sees).
func BenchmarkLoader(b *testing.B) {
	for _, name := range []string{"simclr_cifar", "swav_multicrop"} {
		b.Run(name, func(b *testing.B) {
			exp, err := spec.Load("bench.hcl", []byte(benchSpecs[name]), spec.Options{})
			if err != nil {
				b.Fatal(err)
			}
			data, err := pipeline.OpenDataset(context.Background(), exp, "train")
			if err != nil {
				b.Fatal(err)
			}
			views, err := pipeline.BuildViews(exp)
			if err != nil {
				b.Fatal(err)
			}
			l := &pipeline.Loader{Data: data, Views: views, BatchSize: exp.Train.BatchSize, Prefetch: 2}
			images := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for batch, err := range l.Epoch(context.Background(), i, 0) {
					if err != nil {
						b.Fatal(err)
					}
					images += len(batch.Indices)
				}
			}
			b.ReportMetric(float64(images)/b.Elapsed().Seconds(), "images/s")
			b.ReportMetric(float64(images)/b.Elapsed().Seconds()/float64(runtime.GOMAXPROCS(0)), "images/s/core")
		})
	}
}
