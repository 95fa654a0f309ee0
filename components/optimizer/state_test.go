package optimizer

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sslrun/sslrun/nn"
)

// TestResume checks that saving the state after k steps and continuing in a
// new optimizer (parameters copied, as from a checkpoint) gives bitwise the
// parameters and state of an uninterrupted run, for every golden case and
// every k; at k = 1 and 2 the frozen prototype has no state yet.
func TestResume(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			whole, ps := c.build(t), g.params()
			for step, lr := range g.LRs {
				if err := whole.Step(ps, g.Grads[step], lr); err != nil {
					t.Fatal(err)
				}
			}
			want, wantState := values(ps), whole.State()
			for k := 1; k < len(g.LRs); k++ {
				first, ps := c.build(t), g.params()
				for step := range k {
					if err := first.Step(ps, g.Grads[step], g.LRs[step]); err != nil {
						t.Fatal(err)
					}
				}
				saved := first.State()
				resumed, ps2 := c.build(t), g.params()
				for i, p := range ps {
					copy(ps2[i].Data(), p.Data())
				}
				if err := resumed.SetState(saved); err != nil {
					t.Fatalf("k=%d: %v", k, err)
				}
				for _, b := range saved.Buffers { // SetState must have copied
					clear(b)
				}
				for step := k; step < len(g.LRs); step++ {
					if err := resumed.Step(ps2, g.Grads[step], g.LRs[step]); err != nil {
						t.Fatalf("k=%d: %v", k, err)
					}
				}
				if diff := cmp.Diff(want, values(ps2)); diff != "" {
					t.Errorf("k=%d: parameters (-uninterrupted +resumed):\n%s", k, diff)
				}
				if diff := cmp.Diff(wantState, resumed.State(), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("k=%d: state (-uninterrupted +resumed):\n%s", k, diff)
				}
			}
		})
	}
}

// TestStateIsACopy checks that changing a State does not reach the
// optimizer.
func TestStateIsACopy(t *testing.T) {
	for _, id := range ids {
		opt := build(t, id, map[string]any{"lr": 0.1})
		ps := []*nn.Param{param("w", false, 1, 2)}
		if err := opt.Step(ps, [][]float32{{0.5, 0.5}}, 0.1); err != nil {
			t.Fatal(err)
		}
		st := opt.State()
		for _, b := range st.Buffers {
			b[0] = 1e9
		}
		if diff := cmp.Diff(opt.State(), st); diff == "" {
			t.Errorf("%s: State shares its buffers with the optimizer", id)
		}
	}
}

// TestSetStateErrors checks that SetState rejects state that is not the
// optimizer's or does not fit its parameters, immediately when a Step
// already showed the parameters, else at the next Step, before anything
// changes.
func TestSetStateErrors(t *testing.T) {
	buf := func(kv ...any) map[string][]float32 {
		m := map[string][]float32{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1].([]float32)
		}
		return m
	}
	two := []float32{0.1, 0.2}
	tests := []struct {
		name   string
		id     string
		config map[string]any
		state  State
		want   string
	}{
		{"unknown slot", "optimizer.sgd", nil, State{Buffers: buf("velocity/w", two)}, `unknown state buffer "velocity/w" (want momentum/<parameter>)`},
		{"no slash", "optimizer.sgd", nil, State{Buffers: buf("momentum", two)}, `unknown state buffer "momentum"`},
		{"counter for sgd", "optimizer.sgd", nil, State{Buffers: buf("momentum/w", two), Counters: map[string]int64{"step/w": 3}}, `unknown state counter "step/w"`},
		{"sgd without momentum", "optimizer.sgd", map[string]any{"momentum": 0.0}, State{Buffers: buf("momentum/w", two)}, "this optimizer keeps no state"},
		{"lars slot", "optimizer.lars", nil, State{Buffers: buf("exp_avg/w", two)}, `unknown state buffer "exp_avg/w"`},
		{"adamw lacks exp_avg_sq", "optimizer.adamw", nil, State{Buffers: buf("exp_avg/w", two), Counters: map[string]int64{"step/w": 1}}, `lacks buffer exp_avg_sq/w`},
		{"adamw lacks step", "optimizer.adamw", nil, State{Buffers: buf("exp_avg/w", two, "exp_avg_sq/w", two)}, `lacks counter step/w`},
		{"adamw step 0", "optimizer.adamw", nil, State{Buffers: buf("exp_avg/w", two, "exp_avg_sq/w", two), Counters: map[string]int64{"step/w": 0}}, "state counter step/w is 0, want at least 1"},
		{"adamw lengths", "optimizer.adamw", nil, State{Buffers: buf("exp_avg/w", two, "exp_avg_sq/w", []float32{1}), Counters: map[string]int64{"step/w": 1}}, "differ in length (2, 1)"},
		{"adamw counter only", "optimizer.adamw", nil, State{Counters: map[string]int64{"step/w": 2}}, "lacks buffer exp_avg/w"},
		// The rest fit the optimizer but not the parameters w (2 values) and b (1).
		{"wrong length", "optimizer.sgd", nil, State{Buffers: buf("momentum/w", []float32{1, 2, 3})}, "state buffer momentum/w has 3 values, the parameter 2"},
		{"unknown parameter", "optimizer.lars", nil, State{Buffers: buf("momentum/ghost", two)}, `state for parameter "ghost", which is not among the 2 parameters`},
		{"adamw wrong length", "optimizer.adamw", nil, State{Buffers: buf("exp_avg/b", two, "exp_avg_sq/b", two), Counters: map[string]int64{"step/b": 1}}, "state buffer exp_avg/b has 2 values, the parameter 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config := map[string]any{"lr": 0.1}
			for k, v := range tt.config {
				config[k] = v
			}
			newParams := func() []*nn.Param { return []*nn.Param{param("w", false, 1, 2), param("b", true, 3)} }
			grads := [][]float32{{0.1, 0.2}, {0.3}}
			check := func(err error) {
				t.Helper()
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), tt.id+": ") {
					t.Fatalf("error %v, want %q prefixed by %s", err, tt.want, tt.id)
				}
			}

			// After a Step, SetState checks at once and keeps the old state.
			opt, ps := build(t, tt.id, config), newParams()
			if err := opt.Step(ps, grads, 0.1); err != nil {
				t.Fatal(err)
			}
			old := opt.State()
			check(opt.SetState(tt.state))
			if diff := cmp.Diff(old, opt.State()); diff != "" {
				t.Errorf("failed SetState changed the state (-before +after):\n%s", diff)
			}

			// Before any Step, the parameters are not known yet: the next
			// Step fails and leaves them alone.
			opt, ps = build(t, tt.id, config), newParams()
			if err := opt.SetState(tt.state); err != nil {
				check(err)
				return
			}
			check(opt.Step(ps, grads, 0.1))
			if diff := cmp.Diff(values(newParams()), values(ps)); diff != "" {
				t.Errorf("failed Step changed the parameters (-before +after):\n%s", diff)
			}
		})
	}
}

// TestStateBuffers checks StateBuffers, which the memory estimate reads,
// against the state every golden case keeps: that many buffers per
// parameter with state, each as long as the parameter.
func TestStateBuffers(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			opt, ps := c.build(t), g.params()
			for step, lr := range g.LRs {
				if err := opt.Step(ps, g.Grads[step], lr); err != nil {
					t.Fatal(err)
				}
			}
			want := opt.(interface{ StateBuffers() int }).StateBuffers()
			sizes := map[string]int{}
			for _, p := range ps {
				sizes[p.Name] = len(p.Data())
			}
			per := map[string]int{}
			for key, b := range opt.State().Buffers {
				_, name, _ := strings.Cut(key, "/")
				if len(b) != sizes[name] {
					t.Errorf("%s holds %d values, its parameter %d", key, len(b), sizes[name])
				}
				per[name]++
			}
			if len(per) == 0 && want > 0 {
				t.Fatal("no state kept")
			}
			for name, n := range per {
				if n != want {
					t.Errorf("%s has %d buffers, StateBuffers says %d", name, n, want)
				}
			}
		})
	}
}
