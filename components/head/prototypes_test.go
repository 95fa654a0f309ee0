package head

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/ops/opstest"
	"github.com/sslrun/sslrun/registry"
)

func newPrototypes(t *testing.T, values map[string]any) *Prototypes {
	t.Helper()
	h, ok := newHead(t, "head.prototypes", values).(*Prototypes)
	if !ok {
		t.Fatal("head.prototypes does not build a *Prototypes")
	}
	return h
}

func protoInput(g *G.ExprGraph, n, d int) *G.Node {
	rng := rand.New(rand.NewPCG(7, 8))
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return G.NewMatrix(g, tensor.Float32, G.WithShape(n, d), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(n, d), tensor.WithBacking(x))))
}

func TestPrototypesRegistration(t *testing.T) {
	h := newPrototypes(t, nil)
	if h.OutputDim() != 3000 || h.FreezeSteps() != 0 {
		t.Errorf("defaults: count %d, freeze_steps %d", h.OutputDim(), h.FreezeSteps())
	}
	h = newPrototypes(t, map[string]any{"count": 10, "freeze_steps": 5005})
	if h.OutputDim() != 10 || h.FreezeSteps() != 5005 {
		t.Errorf("count %d, freeze_steps %d", h.OutputDim(), h.FreezeSteps())
	}
	if h = newPrototypes(t, map[string]any{"freeze_epochs": 2}); h.FreezeEpochs() != 2 {
		t.Errorf("freeze_epochs %d", h.FreezeEpochs())
	}
	_, err := registry.Build[Head]("head.prototypes", map[string]any{"freeze_steps": 10, "freeze_epochs": 2})
	var pe *registry.ParamError
	if !errors.As(err, &pe) || pe.Param != "freeze_epochs" {
		t.Errorf("both freezes: %v, want a ParamError on freeze_epochs", err)
	}
}

func TestPrototypesShapeAndNormalize(t *testing.T) {
	h := newPrototypes(t, map[string]any{"count": 10})
	g := G.NewGraph()
	ps := nn.NewParams(1)
	b := nn.NewBuilder(g, ps, true)
	y, err := h.Apply(b, "protos", protoInput(g, 6, 5))
	if err != nil {
		t.Fatal(err)
	}
	if !y.Shape().Eq(tensor.Shape{6, 10}) {
		t.Errorf("scores shape %v, want (6, 10)", y.Shape())
	}
	if got := ps.List(); len(got) != 1 || got[0].Name != "protos.weight" {
		t.Errorf("parameters %v, want [protos.weight] (no bias)", got)
	}
	if err := ops.CheckGraph(g); err != nil {
		t.Error(err)
	}
	w := ps.List()[0]
	if !w.Value.Shape().Eq(tensor.Shape{10, 5}) {
		t.Fatalf("weight shape %v, want (10, 5)", w.Value.Shape())
	}
	h.Normalize(ps, "protos")
	data := w.Data()
	for r := 0; r < 10; r++ {
		var ss float64
		for _, v := range data[r*5 : (r+1)*5] {
			ss += float64(v) * float64(v)
		}
		if math.Abs(math.Sqrt(ss)-1) > 1e-6 {
			t.Errorf("row %d has norm %.7g after Normalize", r, math.Sqrt(ss))
		}
	}
	// with unit features and unit prototypes the scores are cosines
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	for i, v := range y.Value().Data().([]float32) {
		if math.Abs(float64(v)) > 1+1e-6 {
			t.Fatalf("score [%d] = %g, not a cosine", i, v)
		}
	}
	h.Normalize(ps, "absent") // no such parameter: nothing happens
}

// TestPrototypesFiniteDifferences: gradients reach both the features and the
// prototype matrix.
func TestPrototypesFiniteDifferences(t *testing.T) {
	h := newPrototypes(t, map[string]any{"count": 7})
	opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
		b := nn.NewBuilder(g, nn.NewParams(3), true)
		x := protoInput(g, 4, 5)
		y, err := h.Apply(b, "protos", x)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(9, 10))
		c := make([]float32, 4*7)
		for i := range c {
			c[i] = float32(rng.NormFloat64())
		}
		cost := G.Must(G.Sum(G.Must(G.HadamardProd(y, G.NewConstant(tensor.New(tensor.WithShape(4, 7), tensor.WithBacking(c)))))))
		_, learn := b.Learnables()
		return cost, append([]*G.Node{x}, learn...)
	}, opstest.Float32)
}

func TestPrototypesFrozen(t *testing.T) {
	tests := []struct {
		params      map[string]any
		step, epoch int
		want        bool
	}{
		{map[string]any{}, 0, 0, false},
		{map[string]any{"freeze_steps": 10}, 9, 0, true},
		{map[string]any{"freeze_steps": 10}, 10, 0, false},
		{map[string]any{"freeze_epochs": 2}, 500, 1, true},
		{map[string]any{"freeze_epochs": 2}, 501, 2, false},
	}
	for _, tt := range tests {
		h, err := registry.Build[Head]("head.prototypes", tt.params)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.(*Prototypes).Frozen(tt.step, tt.epoch); got != tt.want {
			t.Errorf("%v: Frozen(%d, %d) = %v, want %v", tt.params, tt.step, tt.epoch, got, tt.want)
		}
	}
}
