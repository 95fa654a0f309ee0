package evaluation

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/sslrun/sslrun/components/augment"
	"github.com/sslrun/sslrun/components/dataset"
	"github.com/sslrun/sslrun/components/evaluate"
	"github.com/sslrun/sslrun/internal/progress"
)

// Pixels returns every image of d after prep, the evaluation
// preprocessing the backbone's features are computed from, flattened to
// one vector of C*H*W values per image, with the labels: the vectors an
// evaluate block with pixels = true scores in place of features. The
// vectors go straight into one matrix of the set's size (CIFAR-10's train
// split: 50,000 x 3,072 float32, 614 MB), which is the only copy; p shows
// the progress.
func Pixels(ctx context.Context, d dataset.Dataset, name string, prep []augment.Transform, p *progress.Progress) (evaluate.Features, error) {
	// As Extract: what the run has let go of goes back to the system
	// before the largest matrix of the evaluation is allocated.
	debug.FreeOSMemory()
	var out evaluate.Features
	n := d.Len()
	if n == 0 {
		return out, fmt.Errorf("dataset %q has no images", name)
	}
	out.Labels = make([]int, n)
	for i := range n {
		if out.Labels[i] = d.Label(i); out.Labels[i] < 0 {
			return out, fmt.Errorf("dataset %q is unlabeled (image %d); evaluation needs labels", name, i)
		}
	}
	shown := &featureProgress{p: p, name: name, pixels: true, total: n, began: time.Now()}
	var c, h, w int // of image 0 after preprocessing
	for i := range n {
		if i%maxBatch == 0 {
			if err := ctx.Err(); err != nil {
				return evaluate.Features{}, err
			}
		}
		img, err := d.Image(i)
		if err != nil {
			return evaluate.Features{}, fmt.Errorf("dataset %q: %w", name, err)
		}
		for _, s := range prep {
			img = s.Apply(img, nil)
		}
		if i == 0 {
			c, h, w = img.C, img.H, img.W
			out.Dim = len(img.Pix)
			out.Data = make([]float32, 0, n*out.Dim) // (N, C*H*W)
		}
		if len(img.Pix) != out.Dim {
			return evaluate.Features{}, fmt.Errorf("dataset %q: image %d is %dx%dx%d after preprocessing, image 0 %dx%dx%d", name, i, img.C, img.H, img.W, c, h, w)
		}
		out.Data = append(out.Data, img.Pix...) // (C, H, W) flattened
		if (i+1)%maxBatch == 0 || i+1 == n {
			shown.update(i+1, time.Now())
		}
	}
	return out, nil
}
