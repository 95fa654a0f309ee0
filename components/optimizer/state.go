package optimizer

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sslrun/sslrun/nn"
)

// store keeps an optimizer's per-parameter state, keyed by parameter name:
// float32 buffers in the optimizer's slots (SGD's and LARS's momentum,
// AdamW's exp_avg and exp_avg_sq) and integer counters in its counter slots
// (AdamW's step). As in PyTorch, a parameter gets state on its first update
// with a gradient, buffers zeroed and counters at 0.
type store struct {
	slots    []string // buffer slot names, in entry.bufs order
	counters []string // counter slot names, in entry.counts order
	entries  map[string]*entry
	// last is a copy of the parameter list of the last checked Step; nil
	// before the first.
	last []*nn.Param
	// unchecked marks state restored by SetState that has not been matched
	// against a Step's parameters yet.
	unchecked bool
}

// entry is the state of one parameter.
type entry struct {
	bufs   [][]float32 // one per buffer slot, each as long as the parameter
	counts []int64     // one per counter slot
}

// buffers is the number of float32 buffers a parameter's state holds, each
// as long as the parameter.
func (s *store) buffers() int { return len(s.slots) }

func newStore(slots, counters []string) *store {
	return &store{slots: slots, counters: counters, entries: map[string]*entry{}}
}

// entry returns the state of parameter name with n values, creating it on
// first use.
func (s *store) entry(name string, n int) *entry {
	if e, ok := s.entries[name]; ok {
		return e
	}
	e := &entry{bufs: make([][]float32, len(s.slots)), counts: make([]int64, len(s.counters))}
	for k := range e.bufs {
		e.bufs[k] = make([]float32, n)
	}
	s.entries[name] = e
	return e
}

// check validates a Step's arguments before anything changes: as many
// gradients as parameters, each nil or as long as its parameter, unique
// parameter names, and state that fits the parameters. The full check of the
// state runs when the parameter list differs from the last Step's or the
// state was just restored.
func (s *store) check(params []*nn.Param, grads [][]float32) error {
	if len(params) != len(grads) {
		return fmt.Errorf("%d parameters, %d gradients", len(params), len(grads))
	}
	for i, p := range params {
		if g := grads[i]; g != nil && len(g) != len(p.Data()) {
			return fmt.Errorf("parameter %s has %d values, its gradient %d", p.Name, len(p.Data()), len(g))
		}
	}
	if s.unchecked || !slices.Equal(params, s.last) {
		if err := s.fits(s.entries, params, s.unchecked); err != nil {
			return err
		}
		s.last = slices.Clone(params)
		s.unchecked = false
	}
	return nil
}

// fits checks entries against params: unique parameter names and buffers as
// long as their parameter. With all, every entry must also belong to one of
// params (restored state naming a parameter the model lacks is an error).
func (s *store) fits(entries map[string]*entry, params []*nn.Param, all bool) error {
	sizes := make(map[string]int, len(params))
	for _, p := range params {
		if _, dup := sizes[p.Name]; dup {
			return fmt.Errorf("two parameters are called %q", p.Name)
		}
		sizes[p.Name] = len(p.Data())
	}
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		n, ok := sizes[name]
		if !ok {
			if all {
				return fmt.Errorf("state for parameter %q, which is not among the %d parameters", name, len(params))
			}
			continue
		}
		for k, b := range entries[name].bufs {
			if len(b) != n {
				return fmt.Errorf("state buffer %s/%s has %d values, the parameter %d", s.slots[k], name, len(b), n)
			}
		}
	}
	return nil
}

// state returns a deep copy of the state.
func (s *store) state() State {
	st := State{Buffers: map[string][]float32{}, Counters: map[string]int64{}}
	for name, e := range s.entries {
		for k, slot := range s.slots {
			st.Buffers[slot+"/"+name] = slices.Clone(e.bufs[k])
		}
		for k, c := range s.counters {
			st.Counters[c+"/"+name] = e.counts[k]
		}
	}
	return st
}

// setState replaces the state by a deep copy of st after checking that st is
// this optimizer's: known slots only, every slot and counter present for each
// parameter, buffers of one parameter equally long, counters at least 1. When
// a Step already ran, st must also fit its parameters; otherwise that check
// runs at the next Step, before anything changes. On error the state is left
// as it was.
func (s *store) setState(st State) error {
	entries := map[string]*entry{}
	get := func(name string) *entry {
		e, ok := entries[name]
		if !ok {
			e = &entry{bufs: make([][]float32, len(s.slots)), counts: make([]int64, len(s.counters))}
			for k := range e.counts {
				e.counts[k] = -1 // absent
			}
			entries[name] = e
		}
		return e
	}
	for _, key := range slices.Sorted(maps.Keys(st.Buffers)) {
		slot, name, _ := strings.Cut(key, "/")
		k := slices.Index(s.slots, slot)
		if k < 0 || name == "" {
			return fmt.Errorf("unknown state buffer %q (%s)", key, s.keys())
		}
		get(name).bufs[k] = slices.Clone(st.Buffers[key])
	}
	for _, key := range slices.Sorted(maps.Keys(st.Counters)) {
		slot, name, _ := strings.Cut(key, "/")
		k := slices.Index(s.counters, slot)
		if k < 0 || name == "" {
			return fmt.Errorf("unknown state counter %q (%s)", key, s.keys())
		}
		c := st.Counters[key]
		if c < 1 {
			return fmt.Errorf("state counter %s is %d, want at least 1", key, c)
		}
		get(name).counts[k] = c
	}
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		e := entries[name]
		for k, b := range e.bufs {
			if b == nil {
				return fmt.Errorf("state for parameter %q lacks buffer %s/%s", name, s.slots[k], name)
			}
			if len(b) != len(e.bufs[0]) {
				return fmt.Errorf("state buffers %s/%s and %s/%s differ in length (%d, %d)", s.slots[0], name, s.slots[k], name, len(e.bufs[0]), len(b))
			}
		}
		for k, c := range e.counts {
			if c < 0 {
				return fmt.Errorf("state for parameter %q lacks counter %s/%s", name, s.counters[k], name)
			}
		}
	}
	if s.last != nil {
		if err := s.fits(entries, s.last, true); err != nil {
			return err
		}
	}
	s.entries, s.unchecked = entries, true
	return nil
}

// keys describes the state keys this optimizer accepts.
func (s *store) keys() string {
	if len(s.slots) == 0 && len(s.counters) == 0 {
		return "this optimizer keeps no state"
	}
	var ks []string
	for _, slot := range s.slots {
		ks = append(ks, slot+"/<parameter>")
	}
	for _, c := range s.counters {
		ks = append(ks, c+"/<parameter>")
	}
	return "want " + strings.Join(ks, ", ")
}
