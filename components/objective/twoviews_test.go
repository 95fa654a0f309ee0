package objective

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/ops/opstest"
	"github.com/sslrun/sslrun/registry"
)

// Tests of the two-view objectives, objective.barlow_twins and
// objective.vicreg, against solo-learn's loss functions run by PyTorch
// (testdata/make_ssl_golden.py).

type twoViewCase struct {
	Name   string
	Batch  int
	Dim    int
	Params map[string]float64
	Z      []float32 // view 0 then view 1, each (Batch, Dim)
	Loss   float64
	Grad   []float64 // like Z
}

// twoViewObjectives are the objectives' IDs, keyed by their golden file's
// section.
var twoViewObjectives = map[string]string{
	"barlow_twins": "objective.barlow_twins",
	"vicreg":       "objective.vicreg",
}

func loadTwoViewGolden(t *testing.T) map[string][]twoViewCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "ssl_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g map[string]json.RawMessage
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	out := map[string][]twoViewCase{}
	for section := range twoViewObjectives {
		var cs []twoViewCase
		if err := json.Unmarshal(g[section], &cs); err != nil {
			t.Fatalf("%s: %v", section, err)
		}
		if len(cs) == 0 {
			t.Fatalf("no %s cases in ssl_golden.json", section)
		}
		out[section] = cs
	}
	return out
}

// newTwoView builds the objective id with the schema defaults overridden by
// params.
func newTwoView(t testing.TB, id string, params map[string]float64) Objective {
	t.Helper()
	ps := map[string]any{}
	for k, v := range params {
		ps[k] = v
	}
	o, err := registry.Build[Objective](id, ps)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// Tolerances against PyTorch's float64 reference of float32 inputs: the
// loss within 1e-5 relative (at least 1e-5 absolute), each gradient element
// within 1e-5 + 1e-4 relative. The largest errors measured are logged.
const (
	twoViewLossTol    = 1e-5
	twoViewGradAbsTol = 1e-5
	twoViewGradRelTol = 1e-4
)

// TestTwoViewGolden compares loss and gradients with solo-learn's
// barlow_loss_func and vicreg_loss_func.
func TestTwoViewGolden(t *testing.T) {
	for section, cases := range loadTwoViewGolden(t) {
		for _, c := range cases {
			t.Run(section+"/"+c.Name, func(t *testing.T) {
				g := G.NewGraph()
				z := viewNodes(g, c.Z, 2, c.Batch, c.Dim)
				loss, err := newTwoView(t, twoViewObjectives[section], c.Params).Loss(z)
				if err != nil {
					t.Fatal(err)
				}
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
				got := float64(loss.Value().Data().(float32))
				lossErr := math.Abs(got-c.Loss) / max(1, math.Abs(c.Loss))
				if lossErr > twoViewLossTol {
					t.Errorf("loss %.7g, PyTorch %.7g", got, c.Loss)
				}
				per := c.Batch * c.Dim
				var gradAbs, gradRel float64 // largest |error| and |error| / |PyTorch|
				for v, gn := range grads {
					gv := gn.Value().Data().([]float32)
					if len(gv) != per {
						t.Fatalf("grad of view %d has %d elements, want %d", v, len(gv), per)
					}
					for i, x := range gv {
						want := c.Grad[v*per+i]
						e := math.Abs(float64(x) - want)
						gradAbs = max(gradAbs, e)
						if want != 0 {
							gradRel = max(gradRel, e/math.Abs(want))
						}
						if e > twoViewGradAbsTol+twoViewGradRelTol*math.Abs(want) {
							t.Fatalf("grad view %d [%d] = %.7g, PyTorch %.7g", v, i, x, want)
						}
					}
				}
				t.Logf("loss relative error %.2g; gradient: largest absolute error %.2g, largest relative %.2g", lossErr, gradAbs, gradRel)
			})
		}
	}
}

// TestTwoViewFiniteDifferences checks each objective's gradient against
// central differences of its forward pass.
func TestTwoViewFiniteDifferences(t *testing.T) {
	golden := loadTwoViewGolden(t)
	for section, id := range twoViewObjectives {
		for _, c := range golden[section][:3] {
			t.Run(section+"/"+c.Name, func(t *testing.T) {
				opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
					z := viewNodes(g, c.Z, 2, c.Batch, c.Dim)
					loss, err := newTwoView(t, id, c.Params).Loss(z)
					if err != nil {
						t.Fatal(err)
					}
					return loss, z
				}, opstest.Float32)
			})
		}
	}
}

func TestTwoViewRegistration(t *testing.T) {
	bt := newTwoView(t, "objective.barlow_twins", nil).(*barlowTwins)
	if bt.lamb != 0.0051 || bt.scale != 0.1 {
		t.Errorf("barlow_twins defaults %+v, want lamb 0.0051, scale_loss 0.1", *bt)
	}
	vr := newTwoView(t, "objective.vicreg", nil).(*vicReg)
	if vr.sim != 25 || vr.vr != 25 || vr.cov != 1 {
		t.Errorf("vicreg defaults %+v, want weights 25, 25, 1", *vr)
	}
	bad := []struct {
		id, param string
		value     float64
	}{
		{"objective.barlow_twins", "lamb", -0.1},
		{"objective.barlow_twins", "scale_loss", 0},
		{"objective.barlow_twins", "scale_loss", -1},
		{"objective.vicreg", "sim_loss_weight", -1},
		{"objective.vicreg", "var_loss_weight", -1},
		{"objective.vicreg", "cov_loss_weight", -0.5},
	}
	for _, b := range bad {
		_, err := registry.Build[Objective](b.id, map[string]any{b.param: b.value})
		if err == nil || !strings.Contains(err.Error(), b.param) {
			t.Errorf("%s %s = %g: error %v, want one naming the parameter", b.id, b.param, b.value, err)
		}
	}
	for _, ok := range []struct {
		id, param string
		value     float64
	}{
		{"objective.barlow_twins", "lamb", 0},
		{"objective.vicreg", "sim_loss_weight", 0},
		{"objective.vicreg", "cov_loss_weight", 0},
	} {
		if _, err := registry.Build[Objective](ok.id, map[string]any{ok.param: ok.value}); err != nil {
			t.Errorf("%s %s = %g refused: %v", ok.id, ok.param, ok.value, err)
		}
	}
}

func TestTwoViewCheckWiring(t *testing.T) {
	views := func(counts ...int) []registry.WiredView {
		var out []registry.WiredView
		for i, c := range counts {
			out = append(out, registry.WiredView{Name: "v" + string(rune('0'+i)), Count: c})
		}
		return out
	}
	tests := []struct {
		name  string
		views []registry.WiredView
		want  string // "" for no error, else a substring of it
	}{
		{"2 views", views(2), ""},
		{"1+1 views (asymmetric augmentations)", views(1, 1), ""},
		{"one view", views(1), "makes 1"},
		{"three views", views(3), "makes 3"},
		{"2+1 views", views(2, 1), "makes 3"},
	}
	for section, id := range twoViewObjectives {
		for _, tc := range tests {
			t.Run(section+"/"+tc.name, func(t *testing.T) {
				wc, ok := newTwoView(t, id, nil).(registry.WiringChecker)
				if !ok {
					t.Fatalf("%s does not check its wiring", id)
				}
				err := wc.CheckWiring(registry.Wiring{Views: tc.views})
				switch {
				case tc.want == "" && err != nil:
					t.Errorf("unexpected error %v", err)
				case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "exactly two views")):
					t.Errorf("error %v, want one saying exactly two views and %q", err, tc.want)
				}
			})
		}
	}
}

func TestTwoViewLossErrors(t *testing.T) {
	g := G.NewGraph()
	node := func(name string, shape ...int) *G.Node {
		return G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name))
	}
	a, b, c := node("a", 4, 3), node("b", 5, 3), node("c", 4, 3)
	one, vec := node("one", 1, 3), node("vec", 4)
	tests := []struct {
		name string
		z    []*G.Node
	}{
		{"one view", []*G.Node{a}},
		{"three views", []*G.Node{a, c, a}},
		{"batch sizes differ", []*G.Node{a, b}},
		{"one row", []*G.Node{one, one}},
		{"not a matrix", []*G.Node{vec, vec}},
	}
	for section, id := range twoViewObjectives {
		o := newTwoView(t, id, nil)
		for _, tc := range tests {
			if _, err := o.Loss(tc.z); err == nil {
				t.Errorf("%s: %s accepted", section, tc.name)
			} else if !strings.HasPrefix(err.Error(), section) {
				t.Errorf("%s: %s: error %q does not name the objective", section, tc.name, err)
			}
		}
	}
}
