package evaluation

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sslrun/sslrun/components/augment"
	"github.com/sslrun/sslrun/components/dataset"
	"github.com/sslrun/sslrun/components/evaluate"
	"github.com/sslrun/sslrun/registry"
)

// BenchmarkCIFAR10Pixels scores CIFAR-10's raw pixels as the CPU-budget
// recipes' pixels = true does: all 50,000 train and 10,000 test images,
// normalised with the recipes' mean and std and flattened to 3,072 values,
// scored by kNN (k 200, temperature 0.1, the recipes' block) and by the
// linear probe at its defaults. Reading the images is not timed. It reads
// ../shared/datasets/cifar10 beside the repository and skips without it.
// The linear probe takes minutes; -bench CIFAR10Pixels/knn runs kNN alone.
func BenchmarkCIFAR10Pixels(b *testing.B) {
	data := filepath.Join("..", "..", "..", "shared", "datasets", "cifar10")
	if _, err := os.Stat(filepath.Join(data, "train")); err != nil {
		b.Skipf("CIFAR-10 is not at %s (../shared/datasets beside the repository): %v", data, err)
	}
	norm, err := registry.Build[augment.Transform]("augment.normalize", map[string]any{
		"mean": []float64{0.4914, 0.4822, 0.4465},
		"std":  []float64{0.2470, 0.2435, 0.2616},
	})
	if err != nil {
		b.Fatal(err)
	}
	var sets [2]evaluate.Features // train, test
	for i, split := range []string{"train", "test"} {
		src, err := registry.Build[dataset.Source]("dataset.image_folder", map[string]any{"path": filepath.Join(data, split), "image_size": 32})
		if err != nil {
			b.Fatal(err)
		}
		d, err := src.Open(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if sets[i], err = Pixels(context.Background(), d, split, []augment.Transform{norm}, nil); err != nil {
			b.Fatal(err)
		}
	}
	train, test := sets[0], sets[1]
	for _, p := range []struct {
		name   string
		params map[string]any
	}{
		{"knn", map[string]any{"k": 200, "temperature": 0.1}},
		{"linear", nil},
	} {
		b.Run(p.name, func(b *testing.B) {
			e, err := registry.Build[evaluate.Evaluator]("evaluate."+p.name, p.params)
			if err != nil {
				b.Fatal(err)
			}
			var res evaluate.Result
			for b.Loop() {
				if res, err = e.Evaluate(context.Background(), train, test, 10); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(100*res.Top1, "top1-%")
			b.ReportMetric(100*res.Top5, "top5-%")
		})
	}
}
