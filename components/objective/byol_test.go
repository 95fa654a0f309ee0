package objective

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/ops/opstest"
	"github.com/sslrun/sslrun/registry"
)

// byolGolden is testdata/byol_golden.json (make_byol_golden.py).
type byolGolden struct {
	Loss []struct {
		Name       string
		Views      int
		Teacher    []int
		P          [][]float64
		Z          map[string][]float64
		Batch, Dim int
		Loss       float64
		Grad       [][]float64
	}
	Tau []struct {
		Base, Final float64
		Steps       int
		Taus        []float64
	}
	EMA []struct {
		Tau                   float64
		Teacher, Online, Want []float32
	}
}

func loadByolGolden(t *testing.T) byolGolden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "byol_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g byolGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func newByol(t testing.TB, params map[string]any) *Byol {
	t.Helper()
	o, err := registry.Build[Objective]("objective.byol", params)
	if err != nil {
		t.Fatal(err)
	}
	return o.(*Byol)
}

// matrix is a (rows, cols) node holding v as float32.
func matrix(g *G.ExprGraph, name string, v []float64, rows, cols int) *G.Node {
	data := make([]float32, len(v))
	for i, x := range v {
		data[i] = float32(x)
	}
	return G.NewMatrix(g, tensor.Float32, G.WithShape(rows, cols), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(data))))
}

// byolGraph builds the golden case's loss: online predictions p, teacher
// projections z as the branch's outputs. It returns the predictions the
// loss reads (a view that is the only teacher view predicts nothing) and
// their views.
func byolGraph(t testing.TB, g *G.ExprGraph, o *Byol, c int, golden byolGolden) (*G.Node, []*G.Node, []int) {
	gc := golden.Loss[c]
	p := make([]*G.Node, gc.Views)
	for v := range p {
		p[v] = matrix(g, fmt.Sprint("p", v), gc.P[v], gc.Batch, gc.Dim)
	}
	out := make([]*G.Node, gc.Views)
	for _, v := range gc.Teacher {
		out[v] = matrix(g, fmt.Sprint("z", v), gc.Z[fmt.Sprint(v)], gc.Batch, gc.Dim)
	}
	loss, err := o.BranchLoss(p, [][]*G.Node{out})
	if err != nil {
		t.Fatal(err)
	}
	var used []*G.Node
	var views []int
	for v := range p {
		if len(gc.Teacher) > 1 || gc.Teacher[0] != v {
			used, views = append(used, p[v]), append(views, v)
		}
	}
	return loss, used, views
}

// TestByolGolden compares the loss and its gradient with solo-learn's
// byol_loss_func summed over the view pairs, run by PyTorch: loss within
// 1e-6 relative, gradients within 1e-6 + 1e-5 relative.
func TestByolGolden(t *testing.T) {
	golden := loadByolGolden(t)
	for c, gc := range golden.Loss {
		t.Run(gc.Name, func(t *testing.T) {
			o := newByol(t, map[string]any{"crops_for_teacher": floats(gc.Teacher)})
			g := G.NewGraph()
			loss, p, views := byolGraph(t, g, o, c, golden)
			grads, err := G.Grad(loss, p...)
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
			if got := float64(loss.Value().Data().(float32)); math.Abs(got-gc.Loss) > 1e-6*max(1, math.Abs(gc.Loss)) {
				t.Errorf("loss %.8g, PyTorch %.8g", got, gc.Loss)
			}
			for j, gn := range grads {
				v := views[j]
				for i, x := range gn.Value().Data().([]float32) {
					if want := gc.Grad[v][i]; math.Abs(float64(x)-want) > 1e-6+1e-5*math.Abs(want) {
						t.Fatalf("gradient of view %d [%d] = %.8g, PyTorch %.8g", v, i, x, want)
					}
				}
			}
		})
	}
}

func floats(v []int) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// TestByolFiniteDifferences checks the loss's gradient against central
// differences of its forward pass.
func TestByolFiniteDifferences(t *testing.T) {
	golden := loadByolGolden(t)
	for c, gc := range golden.Loss {
		t.Run(gc.Name, func(t *testing.T) {
			o := newByol(t, map[string]any{"crops_for_teacher": floats(gc.Teacher)})
			opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
				loss, p, _ := byolGraph(t, g, o, c, golden)
				return loss, p
			}, opstest.Float32)
		})
	}
}

// TestByolTau checks the teacher's momentum schedule against
// solo-learn's MomentumUpdater, step by step.
func TestByolTau(t *testing.T) {
	for _, gc := range loadByolGolden(t).Tau {
		o := newByol(t, map[string]any{"momentum": gc.Base, "final_momentum": gc.Final})
		for k, want := range gc.Taus {
			if got := o.Tau(k, gc.Steps); math.Abs(got-want) > 1e-15 {
				t.Errorf("base %g: tau after step %d of %d = %.17g, PyTorch %.17g", gc.Base, k, gc.Steps, got, want)
			}
		}
	}
}

// teacherOf makes o's teacher and online parameters ("w", (n)) hold the
// given values, as after Branches and a graph build.
func teacherOf(t *testing.T, o *Byol, teacher, online []float32) {
	t.Helper()
	on := nn.NewParams(1)
	copy(on.Get("w", []int{len(online)}, 1, 1, nn.Zeros, false).Data(), online)
	if _, err := o.Branches(on, []string{"proj", "pred"}); err != nil {
		t.Fatal(err)
	}
	copy(o.teacher.Get("w", []int{len(teacher)}, 1, 1, nn.Zeros, false).Data(), teacher)
}

// TestByolEMA checks one moving-average update at BYOL's momentum (the
// engine's nn.Follow) bit for bit against PyTorch's float32 tau * mp +
// (1 - tau) * op, and that the first step starts the teacher as a copy of
// the online weights.
func TestByolEMA(t *testing.T) {
	for _, gc := range loadByolGolden(t).EMA {
		o := newByol(t, map[string]any{"momentum": gc.Tau, "final_momentum": gc.Tau})
		got := slices.Clone(gc.Teacher)
		if err := nn.Follow(got, gc.Online, o.Momentum(Step{Step: 3, Total: 10})); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(gc.Want, got); diff != "" {
			t.Errorf("tau %g (-PyTorch +sslrun):\n%s", gc.Tau, diff)
		}
	}
	if err := nn.Follow(make([]float32, 2), make([]float32, 3), 0.5); err == nil {
		t.Error("nn.Follow took 3 values for 2")
	}
	o := newByol(t, nil)
	teacherOf(t, o, []float32{9, 9}, []float32{1, 2})
	if err := o.BeforeStep(Step{}, nil); err != nil {
		t.Fatal(err)
	}
	if w, _ := o.teacher.Param("w"); !cmp.Equal(w.Data(), []float32{1, 2}) {
		t.Errorf("the teacher starts as %v, want the online weights", w.Data())
	}
}

// TestByolState round-trips the teacher through State and SetState, and
// refuses a state that does not fit the teacher.
func TestByolState(t *testing.T) {
	o := newByol(t, nil)
	teacherOf(t, o, []float32{0.5, -1}, []float32{1, 2})
	bn := o.teacher.BN("proj.1", 2)
	bn.Mean[0], bn.Var[1], bn.Tracked = 0.25, 3, 7
	o.started = true
	st := o.State()
	r := newByol(t, nil)
	teacherOf(t, r, []float32{0, 0}, []float32{1, 2})
	r.teacher.BN("proj.1", 2)
	if err := r.SetState(st); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(st, r.State()); diff != "" || !r.started {
		t.Errorf("restored state (-saved +restored), started %t:\n%s", r.started, diff)
	}
	bad := []struct {
		name string
		edit func(State)
		want string
	}{
		{"missing tensor", func(s State) { delete(s.Buffers, "teacher/w") }, "lacks teacher/w"},
		{"short tensor", func(s State) { s.Buffers["teacher/w"] = []float32{1} }, "holds 1 values"},
		{"extra tensor", func(s State) { s.Buffers["teacher/x"] = []float32{1} }, "holds 4 teacher tensors"},
	}
	for _, b := range bad {
		s := State{Buffers: map[string][]float32{}, Counters: map[string]int64{}}
		for k, v := range st.Buffers {
			s.Buffers[k] = v
		}
		for k, v := range st.Counters {
			s.Counters[k] = v
		}
		b.edit(s)
		if err := r.SetState(s); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: got %v, want an error containing %q", b.name, err, b.want)
		}
	}
}

// TestByolWiring checks what the spec must give BYOL: two views, teacher
// views that exist, a projector and a predictor; and its parameters.
func TestByolWiring(t *testing.T) {
	heads := []registry.WiredHead{{Name: "proj", ID: "head.projection_mlp"}, {Name: "pred", ID: "head.projection_mlp"}}
	tests := []struct {
		name  string
		views int
		heads []registry.WiredHead
		want  string
	}{
		{"two views, two heads", 2, heads, ""},
		{"one view", 1, heads, "at least two views"},
		{"no predictor", 2, heads[:1], "a projector and a predictor"},
	}
	for _, tt := range tests {
		err := newByol(t, nil).CheckWiring(registry.Wiring{Views: []registry.WiredView{{Name: "g", Count: tt.views}}, Heads: tt.heads})
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
	if err := newByol(t, map[string]any{"crops_for_teacher": []float64{0, 3}}).CheckWiring(registry.Wiring{Views: []registry.WiredView{{Name: "g", Count: 2}}, Heads: heads}); err == nil || !strings.Contains(err.Error(), "names view 3") {
		t.Errorf("a teacher view past the views: %v", err)
	}
	for _, p := range []map[string]any{
		{"momentum": 0.999, "final_momentum": 0.99},
		{"crops_for_teacher": []float64{1, 1}},
		{"crops_for_teacher": []float64{0.5}},
	} {
		_, err := registry.Build[Objective]("objective.byol", p)
		var pe *registry.ParamError
		if !errors.As(err, &pe) {
			t.Errorf("%v: got %v, want a ParamError", p, err)
		}
	}
	if _, err := registry.Build[Objective]("objective.byol", map[string]any{"momentum": 1.5}); err == nil {
		t.Error("momentum 1.5 accepted")
	}
}
