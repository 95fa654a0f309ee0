package model_test

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/components/backbone"
	"github.com/sslrun/sslrun/components/head"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/nn"
)

// TestGroupedViewsKeepTheirRows: views of one size share a backbone pass;
// each must get back its own rows. Swapping two views' inputs swaps their
// projections (batch norm over the pair is the same either way), and the
// projections of different inputs differ.
func TestGroupedViewsKeepTheirRows(t *testing.T) {
	for _, b := range []int{4, 64, 256} {
		t.Run(fmt.Sprint(b), func(t *testing.T) { groupedViews(t, b) })
	}
}

func groupedViews(t *testing.T, b int) {
	shapes := []model.Shape{{b, 3, 8, 8}, {b, 3, 8, 8}}
	project := func(swap bool) [][]float32 {
		rec := &recorder{}
		m := &model.Model{
			Params:    nn.NewParams(9),
			Backbone:  build[backbone.Backbone](t, "backbone.convnet", map[string]any{"channels": []float64{4}}),
			Heads:     []model.NamedHead{{Name: "proj", Head: build[head.Head](t, "head.projection_mlp", map[string]any{"hidden_dim": 8, "output_dim": 5})}},
			Objective: rec,
		}
		g, err := m.Train(shapes)
		if err != nil {
			t.Fatal(err)
		}
		for v, in := range g.Inputs {
			src := v
			if swap {
				src = 1 - v
			}
			x := make([]float32, b*3*8*8)
			for i := range x {
				x[i] = float32(math.Sin(float64(i*(src+2)) * 0.37))
			}
			if err := G.Let(in, tensorOf(x, shapes[v][:]...)); err != nil {
				t.Fatal(err)
			}
		}
		vm := G.NewTapeMachine(g.G)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		var out [][]float32
		for _, z := range rec.z {
			out = append(out, append([]float32(nil), z.Value().Data().([]float32)...))
		}
		return out
	}
	a, s := project(false), project(true)
	near := func(x, y []float32) bool {
		for i := range x {
			if math.Abs(float64(x[i]-y[i])) > 1e-4 {
				return false
			}
		}
		return true
	}
	if near(a[0], a[1]) {
		t.Fatal("two views of different inputs have the same projections")
	}
	if !near(a[0], s[1]) || !near(a[1], s[0]) {
		t.Errorf("swapping the inputs did not swap the projections:\n%v\n%v\n%v\n%v", a[0], a[1], s[0], s[1])
	}
}
