package optimizer

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/registry"
)

// ids lists the built-in optimizers.
var ids = []string{"optimizer.adamw", "optimizer.lars", "optimizer.sgd"}

func param(name string, noDecay bool, w ...float32) *nn.Param {
	return &nn.Param{Name: name, NoDecay: noDecay, Value: tensor.New(tensor.WithShape(len(w)), tensor.WithBacking(w))}
}

func build(t *testing.T, id string, params map[string]any) Optimizer {
	t.Helper()
	opt, err := registry.Build[Optimizer](id, params)
	if err != nil {
		t.Fatal(err)
	}
	return opt
}

// TestRegistered checks that the built-in optimizers are registered and
// that every registered optimizer, built-in or added beside them, takes
// lr as a required parameter (the runner scales it).
func TestRegistered(t *testing.T) {
	for _, id := range ids {
		if _, ok := registry.Lookup(id); !ok {
			t.Errorf("%s is not registered", id)
		}
	}
	for _, c := range registry.List(registry.Optimizer) {
		if p, ok := c.Param("lr"); !ok || !p.Required() {
			t.Errorf("%s: lr is not a required parameter", c.ID)
		}
	}
}

// TestScaleLR checks the linear scaling rule, lr * batch / 256, and that
// scale_lr = false turns it off.
func TestScaleLR(t *testing.T) {
	tests := []struct {
		scale bool
		batch int
		want  float64
	}{
		{true, 256, 0.3},
		{true, 512, 0.6},
		{true, 64, 0.075},
		{false, 512, 0.3},
		{false, 64, 0.3},
	}
	for _, id := range ids {
		for _, tt := range tests {
			opt := build(t, id, map[string]any{"lr": 0.3, "scale_lr": tt.scale})
			if got := opt.LR(tt.batch); got != tt.want {
				t.Errorf("%s scale_lr=%v: LR(%d) = %v, want %v", id, tt.scale, tt.batch, got, tt.want)
			}
		}
		if got := build(t, id, map[string]any{"lr": 0.3}).LR(512); got != 0.6 {
			t.Errorf("%s: default LR(512) = %v, want 0.6 (scale_lr defaults to true)", id, got)
		}
	}
}

// TestNilGradient checks that a parameter without gradient keeps its values
// and its state while the others move.
func TestNilGradient(t *testing.T) {
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			opt := build(t, id, map[string]any{"lr": 0.1})
			w, frozen := param("w", false, 1, -2), param("frozen", false, 0.5, 0.25)
			ps := []*nn.Param{w, frozen}
			if err := opt.Step(ps, [][]float32{{0.1, 0.2}, {0.3, 0.4}}, 0.1); err != nil {
				t.Fatal(err)
			}
			before, st := values(ps), opt.State()
			if err := opt.Step(ps, [][]float32{{0.1, 0.2}, nil}, 0.1); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before[1], frozen.Data()); diff != "" {
				t.Errorf("frozen parameter changed (-before +after):\n%s", diff)
			}
			if cmp.Equal(before[0], w.Data()) {
				t.Error("parameter with a gradient did not change")
			}
			after := opt.State()
			for k, b := range st.Buffers {
				if strings.HasSuffix(k, "/frozen") && !cmp.Equal(b, after.Buffers[k]) {
					t.Errorf("state %s changed: %v -> %v", k, b, after.Buffers[k])
				}
			}
			for k, c := range st.Counters {
				if strings.HasSuffix(k, "/frozen") && c != after.Counters[k] {
					t.Errorf("counter %s changed: %d -> %d", k, c, after.Counters[k])
				}
			}
		})
	}
}

// TestStepErrors checks that Step rejects arguments that do not match and
// leaves every parameter as it was.
func TestStepErrors(t *testing.T) {
	tests := []struct {
		name   string
		params []*nn.Param
		grads  [][]float32
		want   string
	}{
		{"fewer gradients", []*nn.Param{param("a", false, 1), param("b", true, 2)}, [][]float32{{1}}, "2 parameters, 1 gradients"},
		{"more gradients", []*nn.Param{param("a", false, 1)}, [][]float32{{1}, {2}}, "1 parameters, 2 gradients"},
		{"gradient length", []*nn.Param{param("a", false, 1), param("b", true, 2, 3)}, [][]float32{{1}, {1, 2, 3}}, "parameter b has 2 values, its gradient 3"},
		{"duplicate names", []*nn.Param{param("a", false, 1), param("a", true, 2)}, [][]float32{{1}, {1}}, `two parameters are called "a"`},
	}
	for _, id := range ids {
		for _, tt := range tests {
			t.Run(id+"/"+tt.name, func(t *testing.T) {
				opt := build(t, id, map[string]any{"lr": 0.1})
				before := values(tt.params)
				err := opt.Step(tt.params, tt.grads, 0.1)
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), id+": ") {
					t.Fatalf("error %v, want %q prefixed by %s", err, tt.want, id)
				}
				if diff := cmp.Diff(before, values(tt.params)); diff != "" {
					t.Errorf("parameters changed by a failed Step (-before +after):\n%s", diff)
				}
			})
		}
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		id     string
		params map[string]any
		param  string // the ParamError's attribute, "" for a schema error
		want   string
	}{
		{"optimizer.sgd", map[string]any{}, "", `required parameter "lr" not given`},
		{"optimizer.sgd", map[string]any{"lr": 0.0}, "", "outside (0, inf)"},
		{"optimizer.sgd", map[string]any{"lr": 0.1, "momentum": 1.0}, "", "outside [0, 1)"},
		{"optimizer.sgd", map[string]any{"lr": 0.1, "momentum": 0.0, "nesterov": true}, "nesterov", "needs momentum > 0"},
		{"optimizer.lars", map[string]any{"lr": 0.1, "momentum": 0.0, "nesterov": true}, "nesterov", "needs momentum > 0"},
		{"optimizer.lars", map[string]any{"lr": 0.1, "eta": 0.0}, "", "outside (0, inf)"},
		{"optimizer.adamw", map[string]any{"lr": 0.1, "betas": []float64{0.9}}, "", "want 2 numbers"},
		{"optimizer.adamw", map[string]any{"lr": 0.1, "betas": []float64{0.9, 1}}, "", "outside [0, 1)"},
		{"optimizer.adamw", map[string]any{"lr": 0.1, "momentum": 0.9}, "", `no parameter "momentum"`},
	}
	for _, tt := range tests {
		_, err := registry.Build[Optimizer](tt.id, tt.params)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %v: error %v, want %q", tt.id, tt.params, err, tt.want)
			continue
		}
		var pe *registry.ParamError
		if got := errors.As(err, &pe); got != (tt.param != "") || (got && pe.Param != tt.param) {
			t.Errorf("%s %v: error %v is not a ParamError on %q", tt.id, tt.params, err, tt.param)
		}
	}
}
