package model_test

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/components/backbone"
	"github.com/sslrun/sslrun/components/head"
	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
)

// recorder is an objective that keeps copies of its inputs: the loss is the
// sum of every view's squared scores, so each of them is used. The copies
// are nodes no other node reads, since a tape machine reuses the buffers of
// intermediate values.
type recorder struct{ z []*G.Node }

func (r *recorder) Loss(z []*G.Node) (*G.Node, error) {
	for _, v := range z {
		c, err := ops.StopGradient(v)
		if err != nil {
			return nil, err
		}
		r.z = append(r.z, c)
	}
	var total *G.Node
	for _, v := range z {
		s, err := G.Sum(G.Must(G.Square(v)))
		if err != nil {
			return nil, err
		}
		if total == nil {
			total = s
		} else if total, err = G.Add(total, s); err != nil {
			return nil, err
		}
	}
	return total, nil
}

// tapper is a recorder that is a Method reading the given taps.
type tapper struct {
	recorder
	nodes, params []string
}

func (r *tapper) Taps() (nodes, params []string)                        { return r.nodes, r.params }
func (r *tapper) Variant(objective.Step) string                         { return "" }
func (r *tapper) BeforeStep(objective.Step, map[string]*nn.Param) error { return nil }
func (r *tapper) AfterStep(objective.Step, map[string][][]float32) error {
	return nil
}
func (r *tapper) State() objective.State                      { return objective.State{} }
func (r *tapper) SetState(objective.State) error              { return nil }
func (r *tapper) StateBytes(int, map[string][]int, int) int64 { return 0 }

// TestTaps checks Graph.Taps for a method that reads the prototypes head's
// taps: per view, including views grouped with others of their size, the
// L2-normalised input of the head, so that the prototype scores are
// exactly the tap times the prototype matrix, which TappedParams gives.
func TestTaps(t *testing.T) {
	rec := &tapper{nodes: []string{head.TapPrototypesInput}, params: []string{head.TapPrototypes}}
	const k = 6
	m := &model.Model{
		Params:   nn.NewParams(5),
		Backbone: build[backbone.Backbone](t, "backbone.convnet", map[string]any{"channels": []float64{4}}),
		Heads: []model.NamedHead{
			{Name: "proj", Head: build[head.Head](t, "head.projection_mlp", map[string]any{"hidden_dim": 8, "output_dim": 5})},
			{Name: "prototypes", Head: build[head.Head](t, "head.prototypes", map[string]any{"count": k})},
		},
		Objective: rec,
	}
	const b = 3
	shapes := []model.Shape{{b, 1, 8, 8}, {b, 1, 8, 8}, {b, 1, 6, 6}}
	g, err := m.Train(shapes)
	if err != nil {
		t.Fatal(err)
	}
	taps := g.Taps[head.TapPrototypesInput]
	if len(taps) != len(shapes) || len(g.TapNodes()) != len(shapes) {
		t.Fatalf("%d taps for %d views", len(taps), len(shapes))
	}
	if w, _ := m.Params.Param("prototypes.weight"); g.TappedParams[head.TapPrototypes] != w {
		t.Errorf("the tapped prototypes are %v, want the head's weight", g.TappedParams[head.TapPrototypes])
	}
	for v, in := range g.Inputs {
		s := shapes[v]
		x := make([]float32, s[0]*s[1]*s[2]*s[3])
		for i := range x {
			x[i] = float32(math.Cos(float64(i*(v+2)) * 0.71))
		}
		if err := G.Let(in, tensorOf(x, s[:]...)); err != nil {
			t.Fatal(err)
		}
	}
	vm := G.NewTapeMachine(g.G)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	w, _ := m.Params.Param("prototypes.weight")
	wd := w.Data() // (K, D)
	for v, e := range taps {
		emb := e.Value().Data().([]float32) // (B, D)
		scores := rec.z[v].Value().Data().([]float32)
		d := len(emb) / b
		for i := 0; i < b; i++ {
			row := emb[i*d : (i+1)*d]
			var norm float64
			for _, x := range row {
				norm += float64(x) * float64(x)
			}
			if math.Abs(norm-1) > 1e-5 {
				t.Errorf("view %d row %d: squared norm %v", v, i, norm)
			}
			for j := 0; j < k; j++ {
				var dot float64
				for c, x := range row {
					dot += float64(x) * float64(wd[j*d+c])
				}
				if got := float64(scores[i*k+j]); math.Abs(got-dot) > 1e-5 {
					t.Errorf("view %d row %d prototype %d: score %v, embedding·w %v", v, i, j, got, dot)
				}
			}
		}
	}
}

// TestMissingTap: a method reading a tap no component publishes is an
// error naming it, not a nil node.
func TestMissingTap(t *testing.T) {
	for _, r := range []*tapper{{nodes: []string{"teacher.output"}}, {params: []string{"teacher.weight"}}} {
		m := &model.Model{
			Params:    nn.NewParams(5),
			Backbone:  build[backbone.Backbone](t, "backbone.convnet", map[string]any{"channels": []float64{4}}),
			Objective: r,
		}
		if _, err := m.Train([]model.Shape{{2, 1, 8, 8}}); err == nil || !strings.Contains(err.Error(), "teacher.") {
			t.Errorf("taps %v %v: got %v, want an error naming the tap", r.nodes, r.params, err)
		}
	}
}
