package augment

import (
	"math/rand/v2"
	"testing"

	"github.com/sslrun/sslrun/imaging"
)

// simCLRSteps is the CIFAR-10 SimCLR view of solo-learn
// (scripts/pretrain/cifar/augmentations/symmetric.yaml): a random resized
// crop, colour jitter 0.8/0.8/0.8/0.2 with p 0.8, grayscale with p 0.2,
// Gaussian blur with p 0.5 and sigma in [0.1, 2], a horizontal flip and the
// CIFAR-10 normalisation.
func simCLRSteps(t testing.TB, size int, scale []float64) []Transform {
	return []Transform{
		build(t, "augment.random_resized_crop", map[string]any{"size": size, "scale": scale}),
		build(t, "augment.color_jitter", map[string]any{"p": 0.8, "brightness": 0.8, "contrast": 0.8, "saturation": 0.8, "hue": 0.2}),
		build(t, "augment.grayscale", map[string]any{"p": 0.2}),
		build(t, "augment.gaussian_blur", map[string]any{"p": 0.5, "sigma": []float64{0.1, 2}}),
		build(t, "augment.horizontal_flip", map[string]any{"p": 0.5}),
		build(t, "augment.normalize", map[string]any{"mean": []float64{0.4914, 0.4822, 0.4465}, "std": []float64{0.2470, 0.2435, 0.2616}}),
	}
}

type benchView struct {
	count int
	steps []Transform
}

// benchViews makes every view of one source image per iteration, as the
// data pipeline does: each view runs a clone of the source through its
// steps with its own generator. It reports source images per second.
func benchViews(b *testing.B, views []benchView) {
	srcs := make([]*imaging.Image, 64)
	for i := range srcs {
		srcs[i] = randImage(3, 32, 32, uint64(i))
	}
	pcg := rand.NewPCG(0, 0)
	rng := rand.New(pcg)
	b.ReportAllocs()
	images := 0
	for b.Loop() {
		src := srcs[images%len(srcs)]
		k := 0
		for _, v := range views {
			for range v.count {
				pcg.Seed(uint64(images), uint64(k))
				x := src.Clone()
				for _, s := range v.steps {
					x = s.Apply(x, rng)
				}
				k++
			}
		}
		images++
	}
	b.ReportMetric(float64(images)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkSimCLRPipeline: two 32x32 SimCLR views of 32x32 images.
func BenchmarkSimCLRPipeline(b *testing.B) {
	benchViews(b, []benchView{{count: 2, steps: simCLRSteps(b, 32, []float64{0.08, 1})}})
}

// BenchmarkSwAVMultiCrop: SwAV's CIFAR multi-crop, two 32x32 views of
// scale [0.2, 1] and six 18x18 views of scale [0.08, 0.5], with the SimCLR
// colour pipeline.
func BenchmarkSwAVMultiCrop(b *testing.B) {
	benchViews(b, []benchView{
		{count: 2, steps: simCLRSteps(b, 32, []float64{0.2, 1})},
		{count: 6, steps: simCLRSteps(b, 18, []float64{0.08, 0.5})},
	})
}
