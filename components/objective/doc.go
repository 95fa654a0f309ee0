// Package objective holds the self-supervised losses. Each is one file that
// registers itself; a loss is built into a graph from the projections of
// every view of a batch and returns a scalar node.
package objective
