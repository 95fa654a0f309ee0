package dataset

import (
	"context"

	"github.com/sslrun/sslrun/imaging"
)

// Source is what a dataset component builds from its spec block. Building it
// is cheap and touches no files (the spec loader builds every component to
// validate it); Open does the reading and decoding.
type Source interface {
	Open(ctx context.Context) (Dataset, error)
}

// Prober is a Source that tells the shape of its images without reading
// the whole set, so that a benchmark can build its training graph before any
// image is in memory. Every built-in source is one.
type Prober interface {
	// Probe returns the channel count, height and width of the set's first
	// image (of every image, for the sets of one size).
	Probe() (c, h, w int, err error)
}

// LazyOpener is a Source that can open its set without decoding it: each
// image is decoded (or generated) when it is asked for, for reading a few
// images of a large set. The set has the same images, labels and order as
// the one Open gives.
type LazyOpener interface {
	OpenLazily(ctx context.Context) (Dataset, error)
}

// Dataset is an opened, indexable set of images.
type Dataset interface {
	// Len is the number of samples.
	Len() int
	// Image returns sample i as a new image with values in [0, 1]; callers
	// may modify it.
	Image(i int) (*imaging.Image, error)
	// Label returns the class index of sample i, or -1 for unlabeled data.
	Label(i int) int
	// Classes returns the class names in label order (nil when unlabeled).
	Classes() []string
}
