package checkpoint

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/components/optimizer"
	"github.com/sslrun/sslrun/nn"
)

// params is a model's parameters and one batch norm, from seed.
func params(seed uint64) *nn.Params {
	ps := nn.NewParams(seed)
	ps.Get("w", []int{2, 3}, 3, 2, nn.KaimingUniform, false)
	ps.BN("bn", 2)
	return ps
}

// TestRoundTrip writes a checkpoint with an objective's state and reads it
// into fresh parameters: everything comes back, and the state's buffers
// and counters keep their keys.
func TestRoundTrip(t *testing.T) {
	c := &Checkpoint{
		Experiment: "x", Config: "abc",
		Pos:       Position{Step: 5, Epoch: 1, EpochStep: 2, EpochLoss: 3.5},
		Params:    params(1),
		Optimizer: optimizer.State{Buffers: map[string][]float32{"momentum/w": {1, 2, 3, 4, 5, 6}}, Counters: map[string]int64{"step/w": 5}},
		Method: objective.State{
			Buffers:  map[string][]float32{"queue.0": {0.5, -0.5}, "queue.1": {1, 2}},
			Counters: map[string]int64{"queue.filled": 1, "queue.length": 1},
		},
		LastLoss: 1.25,
	}
	path := filepath.Join(t.TempDir(), "c.safetensors")
	if err := c.Write(path); err != nil {
		t.Fatal(err)
	}
	ps := params(2)
	got, err := Read(path, ps)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c.Params.List()[0].Data(), ps.List()[0].Data()); diff != "" {
		t.Errorf("parameters (-written +read):\n%s", diff)
	}
	for _, d := range []struct {
		what       string
		want, have any
	}{
		{"position", c.Pos, got.Pos},
		{"optimizer state", c.Optimizer, got.Optimizer},
		{"objective state", c.Method, got.Method},
		{"last loss", c.LastLoss, got.LastLoss},
	} {
		if diff := cmp.Diff(d.want, d.have); diff != "" {
			t.Errorf("%s (-written +read):\n%s", d.what, diff)
		}
	}
	none := &Checkpoint{Experiment: "x", Config: "abc", Params: params(1)}
	if err := none.Write(path); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(path, params(2)); err != nil || got.Method.Buffers != nil || got.Method.Counters != nil {
		t.Errorf("a checkpoint without objective state reads back %+v, %v", got.Method, err)
	}
}

// TestNonFiniteMethodState: an infinity in the objective's state is named
// before a checkpoint is written.
func TestNonFiniteMethodState(t *testing.T) {
	c := &Checkpoint{Params: params(1), Method: objective.State{Buffers: map[string][]float32{"queue.0": {1, float32(math.Inf(1))}}}}
	if got := c.NonFinite(); !strings.Contains(got, "queue.0") {
		t.Errorf("NonFinite() = %q, want the state's buffer named", got)
	}
}
