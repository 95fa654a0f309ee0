package objective

import (
	"fmt"
	"math"
	"runtime"

	"github.com/sslrun/sslrun/components/head"
	"github.com/sslrun/sslrun/internal/gemm"
	"github.com/sslrun/sslrun/nn"
)

// Queue is SwAV's queue: for each assigned view, the L2-normalised
// embeddings (the prototypes' input) of the last Length source images,
// newest first. Swav owns it (Method): AfterStep pushes each step's
// embeddings, BeforeStep scores it under the current prototypes, State
// puts it in checkpoints.
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

// StateBytes is the memory the queue holds at epoch (at most, over the
// run, when epoch < 0) for batches of batch images, given the shapes of
// its taps: the prototypes' input (B, D) and the prototypes (K, D). Per
// assigned view, the queue's (L, D) embeddings and their (L, K) scores
// under the prototypes, and the Sinkhorn's float64 work over the queue's
// and the batch's rows, (L+B, K). It is 0 without a queue or before
// queue_start_epoch, and at most math.MaxInt64.
func (o *Swav) StateBytes(batch int, taps map[string][]int, epoch int) int64 {
	if !o.Queues() || batch < 1 || epoch >= 0 && !o.QueueStarts(epoch) {
		return 0
	}
	in, w := taps[head.TapPrototypesInput], taps[head.TapPrototypes]
	if len(in) != 2 || len(w) != 2 {
		return 0
	}
	dim, k := in[1], w[0]
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

// Taps asks for the prototypes' input, whose rows the queue keeps, and the
// prototypes, which score it; nothing without a queue.
func (o *Swav) Taps() (nodes, params []string) {
	if !o.Queues() {
		return nil, nil
	}
	return []string{head.TapPrototypesInput}, []string{head.TapPrototypes}
}

// queueFull reports whether the Sinkhorn of a step in epoch reads the
// queue: it is in use and full.
func (o *Swav) queueFull(epoch int) bool {
	return o.QueueStarts(epoch) && o.queue != nil && o.queue.Filled >= o.queue.Length
}

// Variant is "queue" for a step whose Sinkhorn reads the queue: its
// scores are an input of that graph.
func (o *Swav) Variant(s Step) string {
	if o.queueFull(s.Epoch) {
		return "queue"
	}
	return ""
}

// BeforeStep gives the Sinkhorn ops the queue's scores under the current
// prototypes when the queue is full in s's epoch, and leaves the queue out
// otherwise.
func (o *Swav) BeforeStep(s Step, params map[string]*nn.Param) error {
	if !o.Queues() {
		return nil
	}
	if !o.queueFull(s.Epoch) {
		return o.UseQueue(nil, nil, 0)
	}
	w, ok := params[head.TapPrototypes]
	if !ok || w.Value == nil {
		return fmt.Errorf("swav: the queue is scored by a head.prototypes' weight, and the graph has none")
	}
	return o.UseQueue(o.queue, w.Data(), w.Value.Shape()[0])
}

// AfterStep pushes the step's embeddings of the assigned views from
// queue_start_epoch on, making the queue on first use.
func (o *Swav) AfterStep(s Step, taps map[string][][]float32) error {
	if !o.QueueStarts(s.Epoch) {
		return nil
	}
	emb := taps[head.TapPrototypesInput]
	if len(emb) == 0 || s.Batch < 1 {
		return fmt.Errorf("swav: the step gave no embeddings of the prototypes' input for the queue")
	}
	if o.queue == nil {
		q, err := o.NewQueue(len(emb[0])/s.Batch, s.Batch)
		if err != nil {
			return err
		}
		o.queue = q
	}
	push := make([][]float32, len(o.Assign))
	for i, v := range o.Assign {
		if v >= len(emb) {
			return fmt.Errorf("swav: crops_for_assign names view %d, the step has %d", v, len(emb))
		}
		push[i] = emb[v]
	}
	return o.queue.Push(push)
}

// State keys of the queue.
const (
	stateLength = "queue.length"
	stateDim    = "queue.dim"
	stateFilled = "queue.filled"
)

// State is the queue: its embeddings per assigned view ("queue.0", ...)
// and its length, width and fill; empty before the queue exists.
func (o *Swav) State() State {
	q := o.queue
	if q == nil {
		return State{}
	}
	st := State{Buffers: map[string][]float32{}, Counters: map[string]int64{
		stateLength: int64(q.Length), stateDim: int64(q.Dim), stateFilled: int64(q.Filled)}}
	for c, e := range q.Emb {
		st.Buffers[fmt.Sprintf("queue.%d", c)] = e
	}
	return st
}

// SetState restores the queue State gave, checked against the spec's
// crops_for_assign.
func (o *Swav) SetState(st State) error {
	if len(st.Buffers) == 0 && len(st.Counters) == 0 {
		o.queue = nil
		return nil
	}
	if !o.Queues() {
		return fmt.Errorf("swav: the state holds a queue, and queue_length is 0")
	}
	l, d, f := st.Counters[stateLength], st.Counters[stateDim], st.Counters[stateFilled]
	if l < 1 || d < 1 || f < 0 || f > l || l > int64(o.QueueLength) {
		return fmt.Errorf("swav: a queue of %d rows of %d, %d filled, does not fit queue_length %d", l, d, f, o.QueueLength)
	}
	if len(st.Buffers) != len(o.Assign) {
		return fmt.Errorf("swav: the state holds %d queues, crops_for_assign %d views", len(st.Buffers), len(o.Assign))
	}
	q := &Queue{Length: int(l), Dim: int(d), Filled: int(f), Emb: make([][]float32, len(o.Assign))}
	for c := range q.Emb {
		e, ok := st.Buffers[fmt.Sprintf("queue.%d", c)]
		if !ok || int64(len(e)) != l*d {
			return fmt.Errorf("swav: queue %d holds %d values, want %d x %d", c, len(e), l, d)
		}
		q.Emb[c] = e
	}
	o.queue = q
	return nil
}
