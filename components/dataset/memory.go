package dataset

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/sslrun/sslrun/imaging"
)

// memorySet is a decoded data set held in memory as planar bytes, c
// channels of each image's own height and width. The preloaded sets (image
// folders, CIFAR, MNIST, synthetic) all open to one.
type memorySet struct {
	c int
	// h and w are the size of every image when sizes is nil.
	h, w int
	// sizes holds each image's own size, for a set whose images differ in
	// size (nil when they all are h x w).
	sizes []imageSize
	// pix holds one planar (c, h, w) slice per image. Slices may share a
	// backing array, such as the bytes of the file they were read from.
	pix [][]uint8
	// labels are the class indices, nil for unlabeled data.
	labels  []int32
	classes []string
}

// imageSize is the height and width of one image of a memorySet.
type imageSize struct{ h, w int32 }

var _ Dataset = (*memorySet)(nil)

func (m *memorySet) Len() int { return len(m.pix) }

// size returns the height and width of image i.
func (m *memorySet) size(i int) (h, w int) {
	if m.sizes == nil {
		return m.h, m.w
	}
	return int(m.sizes[i].h), int(m.sizes[i].w)
}

// compactSizes drops sizes when every image has the first one's, which
// then is h x w.
func (m *memorySet) compactSizes() {
	if len(m.sizes) == 0 {
		m.sizes = nil
		return
	}
	first := m.sizes[0]
	for _, s := range m.sizes {
		if s != first {
			return
		}
	}
	m.h, m.w, m.sizes = int(first.h), int(first.w), nil
}

func (m *memorySet) Image(i int) (*imaging.Image, error) {
	if i < 0 || i >= len(m.pix) {
		return nil, fmt.Errorf("image index %d out of range [0, %d)", i, len(m.pix))
	}
	h, w := m.size(i)
	return imaging.FromU8(m.c, h, w, m.pix[i]), nil
}

func (m *memorySet) Label(i int) int {
	if m.labels == nil {
		return -1
	}
	return int(m.labels[i])
}

func (m *memorySet) Classes() []string { return m.classes }

// numberedClasses returns the class names "0", "1", ..., n-1.
func numberedClasses(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return names
}

// parallel calls fn(i) for every i in [0, n) on up to GOMAXPROCS
// goroutines. Indices are started in increasing order; after a failure, or
// once ctx is done, no new index is started. The error returned is that of
// the lowest failing index (every lower index has been started and finished
// by then), so it does not depend on scheduling; failing that, ctx's error.
func parallel(ctx context.Context, n int, fn func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	var (
		next     atomic.Int64
		stop     atomic.Bool
		mu       sync.Mutex
		errAt    = n
		firstErr error
		ctxErr   error
		wg       sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for !stop.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := ctx.Err(); err != nil {
					stop.Store(true)
					mu.Lock()
					ctxErr = err
					mu.Unlock()
					return
				}
				if err := fn(i); err != nil {
					stop.Store(true)
					mu.Lock()
					if i < errAt {
						errAt, firstErr = i, err
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctxErr
}
