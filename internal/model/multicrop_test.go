package model_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/components/backbone"
	"github.com/sslrun/sslrun/components/head"
	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/components/optimizer"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/registry"
)

// TestSwAVMultiCrop trains SwAV on 2 large and 3 small crops of different
// sizes through one backbone (views of one size share a pass, all share the
// weights): the graph holds only allowed ops, and a few steps on fixed
// inputs, renormalising the prototypes after each update as SwAV does, lower
// the loss.
func TestSwAVMultiCrop(t *testing.T) {
	protos := build[head.Head](t, "head.prototypes", map[string]any{"count": 16})
	m := &model.Model{
		Params:   nn.NewParams(3),
		Backbone: build[backbone.Backbone](t, "backbone.convnet", map[string]any{"channels": []float64{8, 16}}),
		Heads: []model.NamedHead{
			{Name: "proj", Head: build[head.Head](t, "head.projection_mlp", map[string]any{"hidden_dim": 32, "output_dim": 16})},
			{Name: "prototypes", Head: protos},
		},
		Objective: build[objective.Objective](t, "objective.swav", map[string]any{"temperature": 0.1, "epsilon": 0.05}),
	}
	const b = 8
	shapes := []model.Shape{{b, 3, 16, 16}, {b, 3, 16, 16}, {b, 3, 8, 8}, {b, 3, 8, 8}, {b, 3, 8, 8}}
	g, err := m.Train(shapes)
	if err != nil {
		t.Fatal(err)
	}
	for v, in := range g.Inputs {
		s := shapes[v]
		x := make([]float32, s[0]*s[1]*s[2]*s[3])
		for i := range x {
			x[i] = float32(math.Sin(float64(i*(v+3)) * 0.37))
		}
		if err := G.Let(in, tensorOf(x, s[:]...)); err != nil {
			t.Fatal(err)
		}
	}
	vm := G.NewTapeMachine(g.G)
	defer vm.Close()
	const lr = 0.05
	opt, err := registry.Build[optimizer.Optimizer]("optimizer.sgd", map[string]any{"lr": lr, "momentum": 0.9, "scale_lr": false})
	if err != nil {
		t.Fatal(err)
	}
	var losses []float64
	for step := 0; step < 15; step++ {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		loss := float64(g.Output.Value().Data().(float32))
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			t.Fatalf("step %d: loss %v", step, loss)
		}
		losses = append(losses, loss)
		grads := make([][]float32, len(g.Grads))
		for i, gn := range g.Grads {
			grads[i] = gn.Value().Data().([]float32)
		}
		if err := opt.Step(g.Params, grads, lr); err != nil {
			t.Fatal(err)
		}
		protos.(*head.Prototypes).Normalize(m.Params, "prototypes")
	}
	t.Logf("losses: %.4f ... %.4f", losses[0], losses[len(losses)-1])
	if losses[len(losses)-1] >= losses[0] {
		t.Errorf("loss did not go down: %v", losses)
	}
}
