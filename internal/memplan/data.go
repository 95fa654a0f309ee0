package memplan

import (
	"context"
	"fmt"

	"github.com/sslrun/sslrun/components/dataset"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/registry"
)

// Sized is a dataset.Source that tells, without reading its images, how
// many it has and how many bytes the set it opens holds in memory. The
// estimate prefers it to its own reckoning.
type Sized interface {
	Size() (images int, bytes int64, err error)
}

// Per-image bookkeeping of an opened set besides its pixels: a preloaded
// one's slice header and label, a lazily decoded one's file name and label.
const (
	preloadedImageBytes = 28
	lazyImageBytes      = 64
)

// setSize is what the estimate knows of a dataset block.
type setSize struct {
	known  bool
	images int
	bytes  int64
}

// datasetSize sizes the dataset block called name without decoding it:
// from the source itself when it is Sized; else, when it can open lazily
// (a dataset.LazyOpener), from the lazily opened set's length and first
// image, as planar bytes unless the block sets preload = false. Other
// sources are left unknown.
func datasetSize(ctx context.Context, exp *spec.Experiment, name string) (setSize, error) {
	c, ok := exp.Dataset(name)
	if !ok {
		return setSize{}, fmt.Errorf("%s has no dataset called %q (add dataset \"TYPE\" %q { ... })", exp.File, name, name)
	}
	src, err := registry.New[dataset.Source](c.ID, c.Params)
	if err != nil {
		return setSize{}, fmt.Errorf("dataset %q: %w", name, err)
	}
	lazy, isLazy := src.(dataset.LazyOpener)
	sized, isSized := src.(Sized)
	if !isLazy && !isSized {
		return setSize{}, nil
	}
	s := setSize{known: true}
	if isLazy {
		d, err := lazy.OpenLazily(ctx)
		if err != nil {
			return setSize{}, fmt.Errorf("dataset %q: %w", name, err)
		}
		s.images = d.Len()
		var pix int64
		if s.images > 0 {
			img, err := d.Image(0)
			if err != nil {
				return setSize{}, fmt.Errorf("dataset %q: %w", name, err)
			}
			pix = mulSat(int64(img.C), int64(img.H), int64(img.W))
		}
		per := addSat(pix, preloadedImageBytes)
		if preload, ok := c.Params.Get("preload"); ok && preload == false {
			per = lazyImageBytes
		}
		s.bytes = mulSat(int64(s.images), per)
	}
	if isSized {
		if s.images, s.bytes, err = sized.Size(); err != nil {
			return setSize{}, fmt.Errorf("dataset %q: %w", name, err)
		}
	}
	return s, nil
}
