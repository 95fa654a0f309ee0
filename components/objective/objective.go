package objective

import (
	G "gorgonia.org/gorgonia"
)

// Objective is what an objective component builds.
type Objective interface {
	// Loss adds the loss to the graph of z: one (B, D) projection per view,
	// in spec order, row i of every view coming from the same source image.
	Loss(z []*G.Node) (*G.Node, error)
}

// Queued is an objective that keeps the embeddings of past batches (SwAV's
// queue); the training loop drives it.
type Queued interface {
	Objective
	// Queues reports whether the objective keeps a queue at all.
	Queues() bool
	// QueueStarts reports whether epoch keeps a queue.
	QueueStarts(epoch int) bool
	// NewQueue returns an empty queue for embeddings of width dim.
	NewQueue(dim, batch int) (*Queue, error)
	// UseQueue sets the queue's part in the next run, given the current
	// prototype matrix w (k, dim); q nil leaves the queue out.
	UseQueue(q *Queue, w []float32, k int) error
	// AssignedViews are the views whose embeddings the queue keeps, in the
	// order Queue.Push takes them.
	AssignedViews() []int
}

var _ Queued = (*Swav)(nil)
