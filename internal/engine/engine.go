package engine

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Machine runs a graph's nodes in topological order with pooled buffers.
// Only the values of the nodes it was asked to keep are valid after a run
// (read them with Node.Value), until the next run; every
// other node's buffer goes back to the pool once its readers have run. A
// Machine implements gorgonia's VM; one goroutine runs it at a time.
type Machine struct {
	order []*G.Node
	index map[*G.Node]int
	args  [][]int     // per node: the indices of its inputs, in order
	ins   [][]G.Value // per node: its input values, reused from run to run
	last  []int       // per node: the index of its last reader, or -1
	keep  []bool      // per node: its value must outlive the run
	keys  []string    // per node: its pool key, dtype and shape
	own   []G.Value   // per kept node: the buffer it writes into, once made
	vals  []G.Value   // per node: this run's value
	owner []*buffer   // per node: the pooled buffer its value lives in, if any
	all   []*buffer   // every pooled buffer
	free  map[string][]*buffer
}

// buffer is one pooled tensor and how many live nodes' values it holds.
type buffer struct {
	t    *tensor.Dense
	key  string
	refs int
}

// New prepares g to be run, keeping the values of keep (the loss, the
// gradients, whatever the caller reads) after every run.
func New(g *G.ExprGraph, keep ...*G.Node) (*Machine, error) {
	sorted, err := G.Sort(g)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	m := &Machine{index: map[*G.Node]int{}, free: map[string][]*buffer{}}
	for i := len(sorted) - 1; i >= 0; i-- { // Sort lists a node before its inputs
		m.index[sorted[i]] = len(m.order)
		m.order = append(m.order, sorted[i])
	}
	n := len(m.order)
	m.args, m.ins, m.last = make([][]int, n), make([][]G.Value, n), make([]int, n)
	m.keep, m.keys, m.own = make([]bool, n), make([]string, n), make([]G.Value, n)
	m.vals, m.owner = make([]G.Value, n), make([]*buffer, n)
	for i, node := range m.order {
		m.last[i] = -1
		m.keys[i] = fmt.Sprint(node.Dtype(), node.Shape())
		for it := g.From(node.ID()); it.Next(); {
			c, ok := m.index[it.Node().(*G.Node)]
			if !ok || c >= i {
				return nil, fmt.Errorf("engine: %v reads %v, which is not sorted before it", node, it.Node())
			}
			m.args[i] = append(m.args[i], c)
			m.last[c] = i
		}
		m.ins[i] = make([]G.Value, len(m.args[i]))
	}
	for _, k := range keep {
		i, ok := m.index[k]
		if !ok {
			return nil, fmt.Errorf("engine: node %v to keep is not in the graph", k)
		}
		m.keep[i] = true
	}
	return m, nil
}

// RunAll runs every node once.
func (m *Machine) RunAll() error {
	// Every buffer is free again: the last run's kept values expire.
	clear(m.free)
	for _, b := range m.all {
		b.refs = 0
		m.free[b.key] = append(m.free[b.key], b)
	}
	clear(m.owner)
	for i, node := range m.order {
		if err := m.exec(i, node); err != nil {
			return err
		}
		for _, c := range m.args[i] {
			if m.last[c] == i && !m.keep[c] {
				m.release(c)
			}
		}
	}
	for i, node := range m.order {
		if m.keep[i] && len(m.args[i]) > 0 {
			if err := G.UnsafeLet(node, m.vals[i]); err != nil {
				return fmt.Errorf("engine: binding %v: %w", node, err)
			}
		}
	}
	return nil
}

// exec computes node i's value into m.vals[i].
func (m *Machine) exec(i int, node *G.Node) error {
	if len(m.args[i]) == 0 { // an input, a parameter or a constant
		if m.vals[i] = node.Value(); m.vals[i] == nil {
			return fmt.Errorf("engine: input %v has no value", node)
		}
		return nil
	}
	in := m.ins[i]
	for j, c := range m.args[i] {
		in[j] = m.vals[c]
	}
	op := node.Op()
	pd, prealloc := op.(G.UsePreallocDoer)
	if shape := node.Shape(); !prealloc || shape.IsScalar() || (node.Dtype() != tensor.Float32 && node.Dtype() != tensor.Float64) {
		v, err := op.Do(in...)
		if err != nil {
			return fmt.Errorf("engine: %v: %w", node, err)
		}
		m.vals[i] = v
		m.adopt(i, v)
		return nil
	}
	if m.keep[i] {
		// A kept value has a buffer of its own, made by the op's first run.
		var v G.Value
		var err error
		if m.own[i] != nil {
			v, err = pd.UsePreallocDo(m.own[i], in...)
		} else {
			v, err = op.Do(in...)
		}
		if err != nil {
			return fmt.Errorf("engine: %v: %w", node, err)
		}
		m.vals[i] = v
		if !m.adopt(i, v) {
			m.own[i] = v // not a view of a pooled buffer another node may take next run
		}
		return nil
	}
	b := m.get(i, node)
	v, err := pd.UsePreallocDo(b.t, in...)
	if err != nil {
		return fmt.Errorf("engine: %v: %w", node, err)
	}
	m.vals[i] = v
	if overlaps(v, b.t) {
		b.refs++
		m.owner[i] = b
		return nil
	}
	m.free[b.key] = append(m.free[b.key], b) // the op wrote elsewhere
	m.adopt(i, v)
	return nil
}

// adopt records that node i's value v, not written into a buffer handed
// out for it, lives in an input's buffer when it overlaps one (a view),
// and reports whether it does.
func (m *Machine) adopt(i int, v G.Value) bool {
	for _, c := range m.args[i] {
		if b := m.owner[c]; b != nil && overlaps(v, b.t) {
			b.refs++
			m.owner[i] = b
			return true
		}
	}
	return false
}

// release drops node i's hold on its buffer once its last reader has run.
func (m *Machine) release(i int) {
	b := m.owner[i]
	if b == nil {
		return
	}
	m.owner[i] = nil
	if b.refs--; b.refs == 0 {
		m.free[b.key] = append(m.free[b.key], b)
	}
}

// get returns a free buffer of node i's dtype and shape, making one if
// there is none.
func (m *Machine) get(i int, node *G.Node) *buffer {
	key := m.keys[i]
	if list := m.free[key]; len(list) > 0 {
		b := list[len(list)-1]
		m.free[key] = list[:len(list)-1]
		return b
	}
	b := &buffer{t: tensor.New(tensor.Of(node.Dtype()), tensor.WithShape(node.Shape()...)), key: key}
	m.all = append(m.all, b)
	return b
}

// overlaps reports whether v's memory overlaps t's.
func overlaps(v G.Value, t *tensor.Dense) bool {
	if v.MemSize() == 0 {
		return false
	}
	a0, a1 := v.Uintptr(), v.Uintptr()+v.MemSize()
	b0, b1 := t.Uintptr(), t.Uintptr()+t.MemSize()
	return a0 < b1 && b0 < a1
}

// Buffers is the number of pooled buffers made so far.
func (m *Machine) Buffers() int { return len(m.all) }

// PooledBytes is the size of the pooled buffers made so far.
func (m *Machine) PooledBytes() int64 {
	var n int64
	for _, b := range m.all {
		n += int64(b.t.MemSize())
	}
	return n
}

// Reset does nothing: every run starts afresh. It is there for G.VM.
func (m *Machine) Reset() {}

// Close drops the pool.
func (m *Machine) Close() error {
	m.free, m.all, m.vals, m.owner, m.own = nil, nil, nil, nil, nil
	return nil
}
