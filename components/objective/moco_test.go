package objective

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/ops/opstest"
	"github.com/sslrun/sslrun/registry"
)

// mocoCase is one case of testdata/moco_golden.json (make_moco_golden.py).
type mocoCase struct {
	Name                 string
	Batch, Dim           int
	QueueSize            int `json:"queue_size"`
	Temperature          float64
	Z, Keys, Queue, Grad [][]float64
	Loss                 float64
}

func loadMocoGolden(t *testing.T) []mocoCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "moco_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []mocoCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

func newMoco(t testing.TB, params map[string]any) *MocoV2Plus {
	t.Helper()
	o, err := registry.Build[Objective]("objective.mocov2plus", params)
	if err != nil {
		t.Fatal(err)
	}
	return o.(*MocoV2Plus)
}

// mocoGraph builds the golden case's loss with its queues in place of the
// seeded ones, and returns it with the queries' nodes.
func mocoGraph(t testing.TB, g *G.ExprGraph, c mocoCase) (*G.Node, []*G.Node) {
	o := newMoco(t, map[string]any{"temperature": c.Temperature, "queue_size": c.QueueSize})
	if _, err := o.Branches(nn.NewParams(1), []string{"proj"}); err != nil {
		t.Fatal(err)
	}
	o.initQueue(c.Dim)
	for v := range o.queue {
		for i, x := range c.Queue[v] {
			o.queue[v][i] = float32(x)
		}
	}
	z := []*G.Node{matrix(g, "z0", c.Z[0], c.Batch, c.Dim), matrix(g, "z1", c.Z[1], c.Batch, c.Dim)}
	k := []*G.Node{matrix(g, "k0", c.Keys[0], c.Batch, c.Dim), matrix(g, "k1", c.Keys[1], c.Batch, c.Dim)}
	loss, err := o.BranchLoss(z, [][]*G.Node{k})
	if err != nil {
		t.Fatal(err)
	}
	return loss, z
}

// TestMocoGolden compares the loss and its gradient with solo-learn's MoCo
// v2+ run by PyTorch: loss within 1e-6 relative, gradients within 1e-6 +
// 1e-5 relative.
func TestMocoGolden(t *testing.T) {
	for _, c := range loadMocoGolden(t) {
		t.Run(c.Name, func(t *testing.T) {
			g := G.NewGraph()
			loss, z := mocoGraph(t, g, c)
			grads, err := G.Grad(loss, z...)
			if err != nil {
				t.Fatal(err)
			}
			if err := ops.CheckGraph(g); err != nil {
				t.Error(err)
			}
			m := G.NewTapeMachine(g)
			defer m.Close()
			if err := m.RunAll(); err != nil {
				t.Fatal(err)
			}
			if got := float64(loss.Value().Data().(float32)); math.Abs(got-c.Loss) > 1e-6*max(1, math.Abs(c.Loss)) {
				t.Errorf("loss %.8g, PyTorch %.8g", got, c.Loss)
			}
			for v, gn := range grads {
				for i, x := range gn.Value().Data().([]float32) {
					if want := c.Grad[v][i]; math.Abs(float64(x)-want) > 1e-6+1e-5*math.Abs(want) {
						t.Fatalf("gradient of view %d [%d] = %.8g, PyTorch %.8g", v, i, x, want)
					}
				}
			}
		})
	}
}

// TestMocoFiniteDifferences checks the loss's gradient against central
// differences of its forward pass.
func TestMocoFiniteDifferences(t *testing.T) {
	for _, c := range loadMocoGolden(t) {
		t.Run(c.Name, func(t *testing.T) {
			opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
				return mocoGraph(t, g, c)
			}, opstest.Float32)
		})
	}
}

// TestMocoQueue: the queues start as normalised seeded draws, the same for
// the same seed; each step's keys, normalised, replace the oldest in a
// ring; State and SetState carry the queues, pointer and teacher.
func TestMocoQueue(t *testing.T) {
	const dim, size, batch = 3, 4, 2
	start := func(seed uint64) *MocoV2Plus {
		o := newMoco(t, map[string]any{"queue_size": size, "momentum": 0.5, "final_momentum": 0.5})
		on := nn.NewParams(seed)
		on.Get("w", []int{2}, 1, 1, nn.Ones, false)
		if _, err := o.Branches(on, []string{"proj"}); err != nil {
			t.Fatal(err)
		}
		o.teacher.Get("w", []int{2}, 1, 1, nn.Zeros, false)
		o.initQueue(dim)
		return o
	}
	a, b := start(7), start(7)
	if !cmp.Equal(a.queue, b.queue) || cmp.Equal(a.queue, start(8).queue) {
		t.Error("the queues are not a function of the seed")
	}
	for j := range size {
		var ss float64
		for d := range dim {
			ss += float64(a.queue[0][d*size+j]) * float64(a.queue[0][d*size+j])
		}
		if math.Abs(ss-1) > 1e-6 {
			t.Errorf("queue column %d has squared norm %v", j, ss)
		}
	}
	if err := a.BeforeStep(Step{}, nil); err != nil {
		t.Fatal(err)
	}
	keys := map[string][][]float32{mocoTap: {{3, 0, 4, 0, 2, 0}, {0, 0, 5, 1, 0, 0}}}
	for step := range 3 {
		if err := a.AfterStep(Step{Step: step, Batch: batch, Total: 3}, keys); err != nil {
			t.Fatal(err)
		}
	}
	// Three pushes of two into four slots: the third wrote slots 0 and 1.
	if a.ptr != 2 {
		t.Errorf("pointer %d, want 2", a.ptr)
	}
	col := func(v, j int) []float32 {
		out := make([]float32, dim)
		for d := range dim {
			out[d] = a.queue[v][d*size+j]
		}
		return out
	}
	if diff := cmp.Diff([][]float32{{0.6, 0, 0.8}, {0, 1, 0}, {0.6, 0, 0.8}, {0, 1, 0}}, [][]float32{col(0, 0), col(0, 1), col(0, 2), col(0, 3)}); diff != "" {
		t.Errorf("view 0's queue (-want +got):\n%s", diff)
	}
	if w, _ := a.teacher.Param("w"); !cmp.Equal(w.Data(), []float32{1, 1}) {
		t.Errorf("the teacher %v, want the online weights it started from and followed", w.Data())
	}
	st := a.State()
	r := start(9)
	if err := r.SetState(st); err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(a.queue, r.queue) || r.ptr != a.ptr || !r.started {
		t.Error("SetState did not restore the queues, pointer and teacher")
	}
	st.Counters["queue.ptr"] = size
	if err := r.SetState(st); err == nil || !strings.Contains(err.Error(), "slot 4") {
		t.Errorf("a pointer past the queue: %v", err)
	}
}

// TestMocoWiring checks what the spec must give MoCo v2+: two views, a
// projector, a queue of whole batches; and its parameters.
func TestMocoWiring(t *testing.T) {
	heads := []registry.WiredHead{{Name: "proj", ID: "head.projection_mlp"}}
	wiring := func(views, batch int, heads []registry.WiredHead) registry.Wiring {
		return registry.Wiring{Views: []registry.WiredView{{Name: "g", Count: views}}, Heads: heads, BatchSize: batch}
	}
	tests := []struct {
		name string
		w    registry.Wiring
		want string
	}{
		{"two views, a projector", wiring(2, 256, heads), ""},
		{"three views", wiring(3, 256, heads), "exactly two views"},
		{"no projector", wiring(2, 256, nil), "projector"},
		{"queue not a multiple of the batch", wiring(2, 300, heads), "not a multiple of the batch size 300"},
	}
	for _, tt := range tests {
		err := newMoco(t, nil).CheckWiring(tt.w)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
	var pe *registry.ParamError
	if err := newMoco(t, nil).CheckWiring(wiring(2, 300, heads)); !errors.As(err, &pe) || pe.Param != "queue_size" {
		t.Errorf("the queue's error %v does not point at queue_size", err)
	}
	if _, err := registry.Build[Objective]("objective.mocov2plus", map[string]any{"momentum": 0.999, "final_momentum": 0.99}); !errors.As(err, &pe) {
		t.Errorf("a falling momentum: %v", err)
	}
	for _, p := range []map[string]any{{"temperature": 0.0}, {"queue_size": 0}, {"momentum": -0.1}} {
		if _, err := registry.Build[Objective]("objective.mocov2plus", p); err == nil {
			t.Errorf("%v accepted", p)
		}
	}
}
