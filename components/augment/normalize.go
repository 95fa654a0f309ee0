package augment

import (
	"fmt"
	"math/rand/v2"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

// Checker is implemented by transforms that accept only some channel
// counts. Apply cannot fail, so whoever builds a pipeline calls
// CheckChannels with the data set's channel count before applying anything.
type Checker interface {
	CheckChannels(c int) error
}

// Inverter is implemented by transforms that can be undone, so that views
// can be looked at: Invert maps an output of Apply back to the input range.
// Like Apply, it may modify and return img.
type Inverter interface {
	Invert(img *imaging.Image) *imaging.Image
}

func init() {
	registry.Register(registry.Component{
		ID:  "augment.normalize",
		Doc: "subtracts a per-channel mean and divides by a per-channel standard deviation (torchvision Normalize)",
		Params: []registry.Param{
			{Name: "mean", Type: registry.Floats, Doc: "mean of each channel, or one value for all"},
			{Name: "std", Type: registry.Floats, Range: registry.Above(0), Doc: "standard deviation of each channel, or one value for all"},
		},
		New: func(v registry.Values) (any, error) {
			mean, std := v.Floats("mean"), v.Floats("std")
			if len(mean) > 1 && len(std) > 1 && len(mean) != len(std) {
				return nil, &registry.ParamError{Param: "std", Msg: fmt.Sprintf("has %d values but mean has %d; give one value or one per channel", len(std), len(mean))}
			}
			t := &normalize{mean: make([]float32, len(mean)), std: make([]float32, len(std))}
			for i, m := range mean {
				t.mean[i] = float32(m)
			}
			for i, s := range std {
				t.std[i] = float32(s)
				if t.std[i] == 0 {
					return nil, &registry.ParamError{Param: "std", Msg: fmt.Sprintf("element %d (%g) is zero in float32", i, s)}
				}
			}
			return t, nil
		},
	})
}

// normalize is torchvision's Normalize. A list of one value applies to
// every channel.
type normalize struct{ mean, std []float32 }

var (
	_ Checker  = (*normalize)(nil)
	_ Inverter = (*normalize)(nil)
)

// CheckChannels reports a mean or std list whose length is neither 1 nor c.
func (t *normalize) CheckChannels(c int) error {
	for _, l := range []struct {
		name string
		n    int
	}{{"mean", len(t.mean)}, {"std", len(t.std)}} {
		if l.n != 1 && l.n != c {
			return fmt.Errorf("augment.normalize: %s has %d values but the images have %d channels; give one value, or one per channel", l.name, l.n, c)
		}
	}
	return nil
}

// at returns the entry of list for channel c: the only entry of a list of
// one, and the last entry for channels past the end of a list that
// CheckChannels would have rejected (so Apply never panics).
func at(list []float32, c int) float32 { return list[min(c, len(list)-1)] }

// OutputShape is the input's shape (Shaper).
func (t *normalize) OutputShape(c, h, w int) (int, int, int) { return c, h, w }

// Apply normalises src in place; it draws nothing from rng.
func (t *normalize) Apply(src *imaging.Image, _ *rand.Rand) *imaging.Image {
	for c := range src.C {
		m, s := at(t.mean, c), at(t.std, c)
		plane := src.Plane(c)
		for i, x := range plane {
			plane[i] = (x - m) / s // torchvision: tensor.sub_(mean).div_(std)
		}
	}
	return src
}

// Invert undoes Apply in place: x*std + mean.
func (t *normalize) Invert(img *imaging.Image) *imaging.Image {
	for c := range img.C {
		m, s := at(t.mean, c), at(t.std, c)
		plane := img.Plane(c)
		for i, x := range plane {
			plane[i] = float32(x*s) + m
		}
	}
	return img
}
