package pipeline

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/sslrun/sslrun/components/augment"
	"github.com/sslrun/sslrun/components/dataset"
	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/registry"
)

// View is a built view block: Count applications of the same ordered steps.
type View struct {
	Name  string
	Count int
	Steps []augment.Transform
}

// BuildViews builds every view block of the experiment, in spec order.
func BuildViews(exp *spec.Experiment) ([]View, error) {
	views := make([]View, 0, len(exp.Views))
	for _, v := range exp.Views {
		steps := make([]augment.Transform, 0, len(v.Augment))
		for _, a := range v.Augment {
			t, err := registry.New[augment.Transform](a.ID, a.Params)
			if err != nil {
				return nil, fmt.Errorf("view %q: %w", v.Name, err)
			}
			steps = append(steps, t)
		}
		views = append(views, View{Name: v.Name, Count: v.Count, Steps: steps})
	}
	return views, nil
}

// CheckChannels reports a step that cannot take images of c channels (for
// example a normalize with three means on gray images).
func CheckChannels(views []View, c int) error {
	for _, v := range views {
		for _, s := range v.Steps {
			if ch, ok := s.(augment.Checker); ok {
				if err := ch.CheckChannels(c); err != nil {
					return fmt.Errorf("view %q: %w", v.Name, err)
				}
			}
		}
	}
	return nil
}

// source builds the source of the dataset block called name.
func source(exp *spec.Experiment, name string) (dataset.Source, *spec.Component, error) {
	c, ok := exp.Dataset(name)
	if !ok {
		return nil, nil, fmt.Errorf("%s has no dataset called %q (add dataset \"TYPE\" %q { ... })", exp.File, name, name)
	}
	src, err := registry.New[dataset.Source](c.ID, c.Params)
	if err != nil {
		return nil, nil, fmt.Errorf("dataset %q: %w", name, err)
	}
	return src, c, nil
}

// ImageShape returns the channel count, height and width of the first image
// of the dataset block called name: probed without reading the set when its
// source is a dataset.Prober (every built-in one is), else from the opened
// set.
func ImageShape(ctx context.Context, exp *spec.Experiment, name string) (c, h, w int, err error) {
	src, _, err := source(exp, name)
	if err != nil {
		return 0, 0, 0, err
	}
	if p, ok := src.(dataset.Prober); ok {
		if c, h, w, err = p.Probe(); err != nil {
			return 0, 0, 0, fmt.Errorf("dataset %q: %w", name, err)
		}
		return c, h, w, nil
	}
	d, err := OpenDataset(ctx, exp, name)
	if err != nil {
		return 0, 0, 0, err
	}
	img, err := d.Image(0)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("dataset %q: %w", name, err)
	}
	return img.C, img.H, img.W, nil
}

// OutputShape is the channel count, height and width of the images view v
// makes of c x h x w sources, as its steps tell them (augment.Shaper)
// without making an image. A step that does not tell (a plugin written
// before Shaper, or one that does not bother) is run once on a grey image
// of its input's size, its draws from a fixed seed, and its output's size
// taken; that costs an image of that size, so it is refused above
// maxProbeValues values.
func OutputShape(v View, c, h, w int) (int, int, int, error) {
	for _, s := range v.Steps {
		if sh, ok := s.(augment.Shaper); ok {
			c, h, w = sh.OutputShape(c, h, w)
			continue
		}
		if c*h*w > maxProbeValues {
			return 0, 0, 0, fmt.Errorf("view %q: %T does not tell the size of its output (augment.Shaper), and its %dx%dx%d input is too large to run it on a probe image", v.Name, s, c, h, w)
		}
		probe := imaging.New(c, h, w) // (C, H, W)
		for i := range probe.Pix {
			probe.Pix[i] = 0.5
		}
		out := s.Apply(probe, rand.New(rand.NewPCG(0, 0)))
		if out == nil {
			return 0, 0, 0, fmt.Errorf("view %q: %T returned no image", v.Name, s)
		}
		c, h, w = out.C, out.H, out.W
	}
	return c, h, w, nil
}

// maxProbeValues bounds the image OutputShape makes to probe a step that
// does not tell its output size: 64 Mi values, 256 MiB.
const maxProbeValues = 64 << 20

// OpenDataset opens the dataset block called name.
func OpenDataset(ctx context.Context, exp *spec.Experiment, name string) (dataset.Dataset, error) {
	return openDataset(ctx, exp, name, false)
}

// OpenDatasetLazily opens the dataset block called name without decoding
// the set where its source can (a dataset.LazyOpener: image folders decode,
// and synthetic sets draw, each image when it is asked for), for reading a
// few images; other sources open as OpenDataset opens them. The set has the
// images and order OpenDataset gives.
func OpenDatasetLazily(ctx context.Context, exp *spec.Experiment, name string) (dataset.Dataset, error) {
	return openDataset(ctx, exp, name, true)
}

// openDataset opens the dataset block called name, lazily where asked and
// possible, and checks its labels.
func openDataset(ctx context.Context, exp *spec.Experiment, name string, lazy bool) (dataset.Dataset, error) {
	src, c, err := source(exp, name)
	if err != nil {
		return nil, err
	}
	open := src.Open
	if l, ok := src.(dataset.LazyOpener); ok && lazy {
		open = l.OpenLazily
	}
	d, err := open(ctx)
	if err != nil {
		return nil, fmt.Errorf("dataset %q: %w", name, err)
	}
	if d.Len() == 0 {
		return nil, fmt.Errorf("dataset %q (%s) is empty", name, c.ID)
	}
	if err := checkLabels(d); err != nil {
		return nil, fmt.Errorf("dataset %q (%s%s): %w", name, c.ID, location(c), err)
	}
	return d, nil
}

// checkLabels requires every label of d to be one of its classes, or -1
// (unlabeled), so that a bad label is found when the data is read rather
// than at evaluation, after pretraining.
func checkLabels(d dataset.Dataset) error {
	classes := len(d.Classes())
	for i := range d.Len() {
		switch l := d.Label(i); {
		case l == -1:
		case classes == 0:
			return fmt.Errorf("image %d has label %d but the set has no classes (unlabeled images have label -1)", i, l)
		case l < 0 || l >= classes:
			return fmt.Errorf("image %d has label %d, outside its %d classes [0, %d)", i, l, classes, classes)
		}
	}
	return nil
}

// location names the files a dataset block reads, from its path or images
// parameter, as ", path ..." (empty when it has neither).
func location(c *spec.Component) string {
	for _, param := range []string{"path", "images"} {
		if v, ok := c.Params.Get(param); ok {
			if s, ok := v.(string); ok && s != "" {
				return ", " + param + " " + s
			}
		}
	}
	return ""
}

// Apply makes every view of one source image: for each view block, Count
// copies each run through the block's steps with its own generator. The
// result depends only on (img, seed, epoch, index) and the views.
func Apply(views []View, img *imaging.Image, seed uint64, epoch, index int) []*imaging.Image {
	var out []*imaging.Image
	k := 0
	for _, v := range views {
		for range v.Count {
			rng := SampleRNG(seed, epoch, index, k)
			x := img.Clone()
			for _, s := range v.Steps {
				x = s.Apply(x, rng)
			}
			out = append(out, x)
			k++
		}
	}
	return out
}

// Display undoes the trailing invertible steps of a view (normalize) so a
// view can be looked at.
func Display(v View, img *imaging.Image) *imaging.Image {
	out := img.Clone()
	for i := len(v.Steps) - 1; i >= 0; i-- {
		inv, ok := v.Steps[i].(augment.Inverter)
		if !ok {
			break
		}
		out = inv.Invert(out)
	}
	return out
}
