package engine_test

import (
	"math"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	_ "github.com/sslrun/sslrun/components/all"
	"github.com/sslrun/sslrun/components/backbone"
	"github.com/sslrun/sslrun/components/head"
	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/internal/engine"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/registry"
)

func build[T any](t testing.TB, id string, params map[string]any) T {
	t.Helper()
	x, err := registry.Build[T](id, params)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// recipe builds a fresh model (the same weights for the same seed) and
// its training graph with inputs bound.
type recipe struct {
	name   string
	shapes []model.Shape
	model  func(t *testing.T) *model.Model
}

var recipes = []recipe{
	{
		name:   "simclr_resnet18",
		shapes: []model.Shape{{2, 3, 8, 8}, {2, 3, 8, 8}},
		model: func(t *testing.T) *model.Model {
			return &model.Model{
				Params:    nn.NewParams(1),
				Backbone:  build[backbone.Backbone](t, "backbone.resnet18", map[string]any{"stem": "cifar"}),
				Heads:     []model.NamedHead{{Name: "proj", Head: build[head.Head](t, "head.projection_mlp", map[string]any{"hidden_dim": 64, "output_dim": 32})}},
				Objective: build[objective.Objective](t, "objective.nt_xent", map[string]any{"temperature": 0.2}),
			}
		},
	},
	{
		name:   "swav_multicrop_convnet",
		shapes: []model.Shape{{8, 3, 16, 16}, {8, 3, 16, 16}, {8, 3, 8, 8}, {8, 3, 8, 8}},
		model: func(t *testing.T) *model.Model {
			return &model.Model{
				Params:   nn.NewParams(2),
				Backbone: build[backbone.Backbone](t, "backbone.convnet", map[string]any{"channels": []float64{8, 16}}),
				Heads: []model.NamedHead{
					{Name: "proj", Head: build[head.Head](t, "head.projection_mlp", map[string]any{"hidden_dim": 32, "output_dim": 16})},
					{Name: "prototypes", Head: build[head.Head](t, "head.prototypes", map[string]any{"count": 16})},
				},
				Objective: build[objective.Objective](t, "objective.swav", map[string]any{"temperature": 0.1, "epsilon": 0.05, "queue_length": 64}),
			}
		},
	},
}

func (r recipe) graph(t *testing.T) (*model.Model, *model.Graph) {
	m := r.model(t)
	g, err := m.Train(r.shapes)
	if err != nil {
		t.Fatal(err)
	}
	for v, in := range g.Inputs {
		s := r.shapes[v]
		x := make([]float32, s[0]*s[1]*s[2]*s[3])
		for i := range x {
			x[i] = float32(math.Sin(float64(i*(v+3)) * 0.37))
		}
		if err := G.Let(in, tensor.New(tensor.WithShape(s[:]...), tensor.WithBacking(x))); err != nil {
			t.Fatal(err)
		}
	}
	return m, g
}

// outputs copies the loss, the gradients and the taps.
func outputs(g *model.Graph) [][]float32 {
	out := [][]float32{{g.Output.Value().Data().(float32)}}
	for _, n := range append(slices.Clone(g.Grads), g.TapNodes()...) {
		out = append(out, slices.Clone(n.Value().Data().([]float32)))
	}
	return out
}

func keep(g *model.Graph) []*G.Node {
	return append(append([]*G.Node{g.Output}, g.Grads...), g.TapNodes()...)
}

// TestSameAsTapeMachine: three runs of a training graph on the Machine give
// bitwise the loss, gradients, embeddings and batch-norm statistics that
// gorgonia's TapeMachine gives on an identical graph, and the runs after
// the first make no new buffers.
func TestSameAsTapeMachine(t *testing.T) {
	for _, r := range recipes {
		t.Run(r.name, func(t *testing.T) {
			m1, g1 := r.graph(t)
			m2, g2 := r.graph(t)
			tape := G.NewTapeMachine(g1.G)
			defer tape.Close()
			em, err := engine.New(g2.G, keep(g2)...)
			if err != nil {
				t.Fatal(err)
			}
			defer em.Close()
			for run := range 3 {
				tape.Reset()
				if err := tape.RunAll(); err != nil {
					t.Fatal(err)
				}
				if err := em.RunAll(); err != nil {
					t.Fatal(err)
				}
				want, got := outputs(g1), outputs(g2)
				for i := range want {
					if !slices.Equal(got[i], want[i]) {
						t.Fatalf("run %d, output %d differs from the TapeMachine's", run, i)
					}
				}
				if run == 0 {
					made := em.Buffers()
					t.Logf("%d nodes, %d pooled buffers", len(g2.G.AllNodes()), made)
					defer func() {
						if after := em.Buffers(); after != made {
							t.Errorf("%d buffers after the first run, %d after the third", made, after)
						}
					}()
				}
			}
			for _, name := range m1.Params.BNNames() {
				a, b := m1.Params.BN(name, 0), m2.Params.BN(name, 0)
				if !slices.Equal(a.Mean, b.Mean) || !slices.Equal(a.Var, b.Var) {
					t.Errorf("batch-norm statistics %s differ", name)
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("x"))
	y := G.Must(G.Square(x))
	m, err := engine.New(g, y)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.RunAll(); err == nil {
		t.Error("running with an unbound input: no error")
	}
	other := G.NewGraph()
	z := G.NewMatrix(other, tensor.Float32, G.WithShape(2, 2), G.WithName("z"))
	if _, err := engine.New(g, z); err == nil {
		t.Error("keeping a node of another graph: no error")
	}
}
