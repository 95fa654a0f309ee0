package objective

import (
	"fmt"
	"math"
	"slices"

	"github.com/sslrun/sslrun/nn"
)

// momentumTeacher is the momentum teacher of BYOL and MoCo: a copy of the
// backbone and some heads (a Branch) over parameters of its own, which
// start as the online network's and follow them as an exponential moving
// average after every optimizer step (solo-learn's
// initialize_momentum_params and MomentumUpdater). Embedded in a method,
// it gives the Method hooks a teacher alone needs: no taps, one graph,
// the copy before the first step, nothing after a step (the engine moves
// a branch's parameters, at the method's Momentum) and the teacher as
// the checkpointed state.
type momentumTeacher struct {
	online  *nn.Params
	teacher *nn.Params
	heads   []string // the heads the teacher copies
	// started is set once the teacher holds the online weights.
	started bool
}

// build makes the teacher's parameters on first use, for a copy of heads
// over online; they are created as the branch is built into a graph.
func (m *momentumTeacher) build(online *nn.Params, heads []string) {
	if m.teacher != nil {
		return
	}
	m.online, m.heads = online, slices.Clone(heads)
	if online.Symbolic() {
		m.teacher = nn.NewSymbolicParams()
	} else {
		m.teacher = nn.NewParams(0) // its values are the online network's before the first step
	}
}

// teacherTau is the momentum after optimizer step (0-based) of total:
// solo-learn's final - (final - base) (cos(pi step / total) + 1) / 2,
// base at step 0.
func teacherTau(base, final float64, step, total int) float64 {
	if total < 1 {
		return base
	}
	return final - (final-base)*(math.Cos(math.Pi*float64(step)/float64(total))+1)/2
}

// start makes the teacher's parameters the online network's, once, before
// the first step; its batch-norm statistics keep their initial values, as
// in solo-learn.
func (m *momentumTeacher) start() error {
	if m.started {
		return nil
	}
	if m.teacher == nil {
		return fmt.Errorf("the teacher has not been built")
	}
	for _, t := range m.teacher.List() {
		p, ok := m.online.Param(t.Name)
		if !ok {
			return fmt.Errorf("the teacher's %s has no online counterpart", t.Name)
		}
		copy(t.Data(), p.Data())
	}
	m.started = true
	return nil
}

// state adds the teacher to st: its parameters ("teacher/NAME"),
// batch-norm statistics ("teacher_bn/NAME.running_mean", ".running_var",
// ".num_batches_tracked") and whether it has been started.
func (m *momentumTeacher) state(st State) {
	if m.teacher == nil {
		return
	}
	for _, t := range m.teacher.List() {
		st.Buffers["teacher/"+t.Name] = t.Data()
	}
	for _, name := range m.teacher.BNNames() {
		bn := m.teacher.BN(name, 0)
		st.Buffers["teacher_bn/"+name+".running_mean"] = bn.Mean
		st.Buffers["teacher_bn/"+name+".running_var"] = bn.Var
		st.Counters["teacher_bn/"+name+".num_batches_tracked"] = bn.Tracked
	}
	if m.started {
		st.Counters["teacher.started"] = 1
	}
}

// setState restores the teacher from st into the teacher built with the
// graph, every tensor with the teacher's shape, and returns how many of
// st's buffers it read.
func (m *momentumTeacher) setState(st State) (int, error) {
	if m.teacher == nil {
		return 0, fmt.Errorf("the teacher has not been built")
	}
	n := 0
	set := func(key string, dst []float32) error {
		v, ok := st.Buffers[key]
		if !ok {
			return fmt.Errorf("the state lacks %s", key)
		}
		if len(v) != len(dst) {
			return fmt.Errorf("%s holds %d values, the teacher's %d", key, len(v), len(dst))
		}
		copy(dst, v)
		n++
		return nil
	}
	for _, t := range m.teacher.List() {
		if err := set("teacher/"+t.Name, t.Data()); err != nil {
			return n, err
		}
	}
	for _, name := range m.teacher.BNNames() {
		bn := m.teacher.BN(name, 0)
		if err := set("teacher_bn/"+name+".running_mean", bn.Mean); err != nil {
			return n, err
		}
		if err := set("teacher_bn/"+name+".running_var", bn.Var); err != nil {
			return n, err
		}
		c, ok := st.Counters["teacher_bn/"+name+".num_batches_tracked"]
		if !ok || c < 0 {
			return n, fmt.Errorf("the state lacks the batch count of the teacher's %s", name)
		}
		bn.Tracked = c
	}
	m.started = st.Counters["teacher.started"] == 1
	return n, nil
}

// bytes is the memory of the teacher's parameters and batch-norm
// statistics.
func (m *momentumTeacher) bytes() int64 {
	if m.teacher == nil {
		return 0
	}
	var n int64
	for _, t := range m.teacher.List() {
		n += int64(t.Shape().TotalSize()) * 4
	}
	for _, name := range m.teacher.BNNames() {
		n += int64(len(m.teacher.BN(name, 0).Mean)) * 8
	}
	return n
}

// Taps: a teacher reads no tap; it is a branch.
func (m *momentumTeacher) Taps() (nodes, params []string) { return nil, nil }

// Variant is always the one graph.
func (m *momentumTeacher) Variant(Step) string { return "" }

// BeforeStep starts the teacher as the online network before the first
// step.
func (m *momentumTeacher) BeforeStep(Step, map[string]*nn.Param) error { return m.start() }

// AfterStep has nothing to do: the engine has moved the teacher.
func (m *momentumTeacher) AfterStep(Step, map[string][][]float32) error { return nil }

// State is the teacher (see state).
func (m *momentumTeacher) State() State {
	st := State{Buffers: map[string][]float32{}, Counters: map[string]int64{}}
	m.state(st)
	return st
}

// SetState restores the teacher State gave; an empty State is a teacher
// not yet started.
func (m *momentumTeacher) SetState(st State) error {
	if len(st.Buffers) == 0 && len(st.Counters) == 0 {
		m.started = false
		return nil
	}
	n, err := m.setState(st)
	if err != nil {
		return err
	}
	if len(st.Buffers) != n {
		return fmt.Errorf("the state holds %d teacher tensors, the teacher has %d", len(st.Buffers), n)
	}
	return nil
}

// StateBytes is the teacher's parameters and batch-norm statistics.
func (m *momentumTeacher) StateBytes(int, map[string][]int, int) int64 { return m.bytes() }
