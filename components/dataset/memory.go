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

// memorySet is a decoded data set held in memory as planar bytes: every
// image has c channels of h rows of w pixels. The preloaded sets (image
// folders, CIFAR, MNIST, synthetic) all open to one.
type memorySet struct {
	c, h, w int
	// pix holds one planar (c, h, w) slice per image. Slices may share a
	// backing array, such as the bytes of the file they were read from.
	pix [][]uint8
	// labels are the class indices, nil for unlabeled data.
	labels  []int32
	classes []string
}

var _ Dataset = (*memorySet)(nil)

func (m *memorySet) Len() int { return len(m.pix) }

func (m *memorySet) Image(i int) (*imaging.Image, error) {
	if i < 0 || i >= len(m.pix) {
		return nil, fmt.Errorf("image index %d out of range [0, %d)", i, len(m.pix))
	}
	return imaging.FromU8(m.c, m.h, m.w, m.pix[i]), nil
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
