package engine

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Scratcher is an op that holds working memory besides its output while it
// runs. ScratchBytes maps a pool name to the bytes the op needs from it:
// ops naming the same pool share it (the process keeps the largest need,
// as the convolutions' shared column buffer), and "" is memory of the op's
// own (every op's adds up).
type Scratcher interface {
	ScratchBytes() map[string]int64
}

// Footprint is the memory, in bytes, that running a graph on a Machine
// holds at its peak, found without running it: it replays the Machine's
// order, pooling and release of buffers on the nodes' shapes alone, so it
// works on a graph of any size whose inputs and parameters have no values
// (nn.NewSymbolicParams). Inputs and parameters themselves are not counted:
// they belong to the caller.
type Footprint struct {
	// Pooled is the pooled buffers, made on the first run and kept: per
	// dtype and shape, as many as are live at once.
	Pooled int64
	// Kept is the buffers of the nodes kept after a run (the loss, the
	// gradients), which the ops allocate themselves.
	Kept int64
	// Transient is the peak of the values that ops allocate themselves
	// (those that cannot write into a buffer they are given), each live
	// from its node's run to its last reader's.
	Transient int64
	// Scratch is the ops' working memory (Scratcher).
	Scratch int64
	// Constants is the values of the graph's constant nodes.
	Constants int64
	// Churn is what the ops allocate afresh on every run (the values behind
	// Transient, and kept values an op cannot write into its own buffer):
	// garbage the Go collector frees some time after the run.
	Churn int64
}

// Total is what the graph holds at its peak, the parts but Churn, at most
// math.MaxInt64.
func (f Footprint) Total() int64 {
	return addSat(addSat(addSat(addSat(f.Pooled, f.Kept), f.Transient), f.Scratch), f.Constants)
}

// Measure returns the Footprint of running g with keep kept (as New takes
// them).
func Measure(g *G.ExprGraph, keep ...*G.Node) (Footprint, error) {
	m, err := New(g, keep...)
	if err != nil {
		return Footprint{}, err
	}
	var f Footprint
	live := make([]int, len(m.order))   // per node: its pooled buffer's index in pool, or -1
	held := make([]int64, len(m.order)) // per node: the transient bytes its value holds
	type slot struct {
		refs int
		key  string
	}
	var pool []slot
	free := map[string][]int{}
	var transient int64
	shared := map[string]int64{}
	for i, node := range m.order {
		live[i] = -1
		size := nodeBytes(node)
		if s, ok := node.Op().(Scratcher); ok {
			for name, b := range s.ScratchBytes() {
				if name == "" {
					f.Scratch = addSat(f.Scratch, b)
				} else {
					shared[name] = max(shared[name], b)
				}
			}
		}
		switch {
		case len(m.args[i]) == 0:
			if node.Op() != nil { // a constant; inputs and parameters have no op
				f.Constants = addSat(f.Constants, size)
			}
		case m.keep[i]:
			f.Kept = addSat(f.Kept, size)
			if !pooled(node) {
				f.Churn = addSat(f.Churn, size)
			}
		case !pooled(node):
			held[i] = size
			transient = addSat(transient, size)
			f.Transient = max(f.Transient, transient)
			f.Churn = addSat(f.Churn, size)
		default:
			key := m.keys[i]
			if l := free[key]; len(l) > 0 {
				live[i] = l[len(l)-1]
				free[key] = l[:len(l)-1]
			} else {
				live[i] = len(pool)
				pool = append(pool, slot{key: key})
				f.Pooled = addSat(f.Pooled, size)
			}
			pool[live[i]].refs++
		}
		for _, c := range m.args[i] {
			if m.last[c] != i || m.keep[c] {
				continue
			}
			if b := live[c]; b >= 0 {
				if pool[b].refs--; pool[b].refs == 0 {
					free[pool[b].key] = append(free[pool[b].key], b)
				}
				live[c] = -1
			}
			transient -= held[c]
			held[c] = 0
		}
	}
	for _, b := range shared {
		f.Scratch = addSat(f.Scratch, b)
	}
	return f, nil
}

// pooled reports whether the Machine hands node a pooled buffer, as exec
// decides.
func pooled(node *G.Node) bool {
	_, prealloc := node.Op().(G.UsePreallocDoer)
	dt := node.Dtype()
	return prealloc && !node.Shape().IsScalar() && (dt == tensor.Float32 || dt == tensor.Float64)
}

// nodeBytes is the size of node's value, at most math.MaxInt64.
func nodeBytes(node *G.Node) int64 {
	n := int64(node.Dtype().Size())
	for _, d := range node.Shape() {
		n = MulSat(n, int64(d))
	}
	return n
}

// MulSat is a*b for a, b >= 0, at most math.MaxInt64.
func MulSat(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

// addSat is a+b for a, b >= 0, at most math.MaxInt64.
func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// String is the footprint in MiB, part by part.
func (f Footprint) String() string {
	mib := func(b int64) float64 { return float64(b) / (1 << 20) }
	return fmt.Sprintf("pooled %.1f MiB, kept %.1f MiB, transient %.1f MiB, scratch %.1f MiB, constants %.1f MiB, churn %.1f MiB",
		mib(f.Pooled), mib(f.Kept), mib(f.Transient), mib(f.Scratch), mib(f.Constants), mib(f.Churn))
}
