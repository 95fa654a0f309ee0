package pipeline

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/sslrun/sslrun/components/dataset"
)

// Tensor is a batch of same-sized images of one view.
type Tensor struct {
	N, C, H, W int
	Data       []float32 // (N, C, H, W)
}

// Batch is one step's input: every view of BatchSize source images.
type Batch struct {
	Epoch, Step int
	Indices     []int    // (B) dataset indices
	Labels      []int    // (B) -1 for unlabeled data
	Views       []Tensor // one per view, in spec order (a view block with count 2 gives two)
}

// Loader loads epochs of batches. It is safe to run one epoch at a time.
type Loader struct {
	Data      dataset.Dataset
	Views     []View
	Seed      uint64
	BatchSize int
	DropLast  bool
	// Workers is the number of goroutines making views (0: GOMAXPROCS).
	Workers int
	// Prefetch is how many batches are made ahead of the consumer.
	Prefetch int
}

// Steps is the number of batches in one epoch.
func (l *Loader) Steps() int {
	n := l.Data.Len()
	if l.DropLast {
		return n / l.BatchSize
	}
	return (n + l.BatchSize - 1) / l.BatchSize
}

// Epoch yields the batches of epoch e in order, starting at step start (to
// resume mid-epoch). Batches are made in the background on all workers,
// Prefetch ahead; breaking out of the loop or cancelling ctx stops them.
func (l *Loader) Epoch(ctx context.Context, epoch, start int) iter.Seq2[*Batch, error] {
	return func(yield func(*Batch, error) bool) {
		if l.BatchSize < 1 {
			yield(nil, fmt.Errorf("pipeline: batch size %d", l.BatchSize))
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		type result struct {
			b   *Batch
			err error
		}
		out := make(chan result, max(l.Prefetch, 1))
		go func() {
			defer close(out)
			order := Order(l.Seed, epoch, l.Data.Len())
			for step := start; step < l.Steps(); step++ {
				lo := step * l.BatchSize
				hi := min(lo+l.BatchSize, len(order))
				b, err := l.batch(ctx, epoch, step, order[lo:hi])
				select {
				case out <- result{b, err}:
				case <-ctx.Done():
					return
				}
				if err != nil {
					return
				}
			}
		}()
		for r := range out {
			if !yield(r.b, r.err) || r.err != nil {
				return
			}
		}
		if err := ctx.Err(); err != nil {
			yield(nil, err)
		}
	}
}

// batch makes the views of the given samples in parallel and stacks them.
func (l *Loader) batch(ctx context.Context, epoch, step int, indices []int) (*Batch, error) {
	b := &Batch{Epoch: epoch, Step: step, Indices: indices, Labels: make([]int, len(indices))}
	nviews := 0
	for _, v := range l.Views {
		nviews += v.Count
	}
	b.Views = make([]Tensor, nviews)
	var (
		next     atomic.Int64
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	// Tensors are allocated by the sample that first reaches them; their
	// shape comes from the first sample (the views of a block share a size).
	var once = make([]sync.Once, nviews)
	workers := l.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	for range min(workers, len(indices)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j := int(next.Add(1) - 1)
				if j >= len(indices) || ctx.Err() != nil {
					return
				}
				i := indices[j]
				img, err := l.Data.Image(i)
				if err != nil {
					fail(err)
					return
				}
				b.Labels[j] = l.Data.Label(i)
				for k, v := range Apply(l.Views, img, l.Seed, epoch, i) {
					t := &b.Views[k]
					once[k].Do(func() {
						*t = Tensor{N: len(indices), C: v.C, H: v.H, W: v.W, Data: make([]float32, len(indices)*len(v.Pix))}
					})
					if v.C != t.C || v.H != t.H || v.W != t.W {
						fail(fmt.Errorf("sample %d: view %d is %dx%dx%d but others in the batch are %dx%dx%d; end the view with a crop or resize to a fixed size",
							i, k, v.C, v.H, v.W, t.C, t.H, t.W))
						return
					}
					copy(t.Data[j*len(v.Pix):], v.Pix)
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return b, nil
}
