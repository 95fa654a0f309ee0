package objective

import (
	"fmt"
	"math"
	"runtime"

	"github.com/sslrun/sslrun/internal/gemm"
)

// Queue is SwAV's queue: for each assigned view, the L2-normalised
// embeddings (the prototypes' input) of the last Length source images,
// newest first. The training loop owns it, saves it in checkpoints and
// drives it through Swav.UseQueue and Swav.Push.
type Queue struct {
	Length int         // rows per assigned view
	Dim    int         // embedding width D
	Filled int         // rows written so far, at most Length
	Emb    [][]float32 // one (Length, D) buffer per assigned view
}

// Queues reports whether queue_length asks for a queue.
func (o *Swav) Queues() bool { return o.QueueLength > 0 }

// QueueStarts reports whether epoch (0-based) keeps a queue: the objective
// has one and the epoch is at or past queue_start_epoch.
func (o *Swav) QueueStarts(epoch int) bool {
	return o.Queues() && epoch >= o.QueueStartEpoch
}

// AssignedViews are the crops_for_assign views, whose embeddings the queue
// keeps, in order.
func (o *Swav) AssignedViews() []int { return o.Assign }

// StateBytes is the memory the objective keeps besides its graph, for
// batches of batch images whose last head reads dim features and gives k
// scores: per assigned view, the queue's (L, dim) embeddings and their
// (L, k) scores under the prototypes, and the Sinkhorn's float64 work over
// the queue's and the batch's rows, (L+B, k). It is 0 without a queue, and
// at most math.MaxInt64.
func (o *Swav) StateBytes(batch, dim, k int) int64 {
	if !o.Queues() || batch < 1 {
		return 0
	}
	l := float64(o.QueueLength - o.QueueLength%batch)
	b := float64(len(o.Assign))*l*float64(dim+k)*4 + (l+float64(batch))*float64(k)*8
	if b >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(b)
}

// NewQueue returns an empty queue for embeddings of width dim and batches of
// batch source images. Its length is queue_length rounded down to a multiple
// of batch, as main_swav.py does.
func (o *Swav) NewQueue(dim, batch int) (*Queue, error) {
	n := o.QueueLength - o.QueueLength%batch
	if n < batch {
		return nil, fmt.Errorf("swav: queue_length %d is shorter than a batch of %d images; make it a multiple of the batch size", o.QueueLength, batch)
	}
	q := &Queue{Length: n, Dim: dim, Emb: make([][]float32, len(o.Assign))}
	for c := range q.Emb {
		q.Emb[c] = make([]float32, n*dim)
	}
	return q, nil
}

// UseQueue sets what the Sinkhorn ops of graphs built by Loss read in the
// next run: when q is full, the scores of its embeddings under prototypes w
// (K, D), the current prototype matrix, for each assigned view; otherwise
// nothing (q may be nil).
func (o *Swav) UseQueue(q *Queue, w []float32, k int) error {
	for c, sq := range o.sinkhorn {
		if q == nil || q.Filled < q.Length {
			sq.Rows = 0
			continue
		}
		if len(w) != k*q.Dim {
			return fmt.Errorf("swav: prototypes hold %d values, want %d x %d", len(w), k, q.Dim)
		}
		if cap(sq.Scores) < q.Length*k {
			sq.Scores = make([]float32, q.Length*k)
		}
		sq.Scores = sq.Scores[:q.Length*k]
		// scores (L, K) = emb (L, D) · wᵀ (D, K)
		clear(sq.Scores)
		gemm.MulAdd(gemm.Dense(q.Length, k, sq.Scores), gemm.Dense(q.Length, q.Dim, q.Emb[c]),
			gemm.Dense(k, q.Dim, w).T(), runtime.GOMAXPROCS(0))
		sq.Rows = q.Length
	}
	return nil
}

// Push shifts every assigned view's queue down by one batch and puts that
// view's embeddings emb[c] (B, D) on top, newest first.
func (q *Queue) Push(emb [][]float32) error {
	if len(emb) != len(q.Emb) {
		return fmt.Errorf("swav queue: %d embedding batches for %d assigned views", len(emb), len(q.Emb))
	}
	for c, e := range emb {
		if len(e)%q.Dim != 0 || len(e) > len(q.Emb[c]) {
			return fmt.Errorf("swav queue: %d embedding values do not fit rows of %d in a queue of %d", len(e), q.Dim, q.Length)
		}
		buf := q.Emb[c]
		copy(buf[len(e):], buf[:len(buf)-len(e)])
		copy(buf, e)
		if c == 0 {
			q.Filled = min(q.Length, q.Filled+len(e)/q.Dim)
		}
	}
	return nil
}
