package head

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/registry"
)

func newHead(t *testing.T, id string, params map[string]any) Head {
	t.Helper()
	h, err := registry.Build[Head](id, params)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestProjectionMLPLayout checks parameter names and shapes against the
// PyTorch nn.Sequential it mirrors, e.g. solo-learn's SimCLR projector
// Linear(512, 2048), BatchNorm1d(2048), ReLU, Linear(2048, 256).
func TestProjectionMLPLayout(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]any
		want   map[string][]int
	}{
		{"solo-learn simclr", map[string]any{"hidden_dim": 2048, "output_dim": 256}, map[string][]int{
			"proj.0.weight": {2048, 512}, "proj.0.bias": {2048},
			"proj.1.weight": {2048}, "proj.1.bias": {2048},
			"proj.3.weight": {256, 2048}, "proj.3.bias": {256},
		}},
		{"no batch norm, 3 layers", map[string]any{"layers": 3, "hidden_dim": 64, "output_dim": 8, "batch_norm": false}, map[string][]int{
			"proj.0.weight": {64, 512}, "proj.0.bias": {64},
			"proj.2.weight": {64, 64}, "proj.2.bias": {64},
			"proj.4.weight": {8, 64}, "proj.4.bias": {8},
		}},
		{"linear only", map[string]any{"layers": 1, "output_dim": 8}, map[string][]int{
			"proj.0.weight": {8, 512}, "proj.0.bias": {8},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHead(t, "head.projection_mlp", tt.params)
			ps := nn.NewParams(0)
			g := G.NewGraph()
			x := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 512), G.WithName("x"))
			y, err := h.Apply(nn.NewBuilder(g, ps, true), "proj", x)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]int{}
			for _, p := range ps.List() {
				got[p.Name] = []int(p.Value.Shape())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parameters (-want +got):\n%s", diff)
			}
			if !y.Shape().Eq(tensor.Shape{4, h.OutputDim()}) {
				t.Errorf("output %v, want (4, %d)", y.Shape(), h.OutputDim())
			}
		})
	}
}

func TestLinearHead(t *testing.T) {
	h := newHead(t, "head.linear", map[string]any{"output_dim": 10})
	ps := nn.NewParams(0)
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(3, 7), G.WithName("x"))
	y, err := h.Apply(nn.NewBuilder(g, ps, false), "fc", x)
	if err != nil {
		t.Fatal(err)
	}
	if !y.Shape().Eq(tensor.Shape{3, 10}) || ps.Count() != 7*10+10 {
		t.Errorf("output %v, %d parameters", y.Shape(), ps.Count())
	}
}
