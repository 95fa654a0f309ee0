package head

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/registry"
)

func newHead(t *testing.T, id string, values registry.Values) Head {
	t.Helper()
	c, _ := registry.Lookup(id)
	var full registry.Values
	for _, p := range c.Params {
		v, ok := values.Get(p.Name)
		if !ok {
			v = p.Default
		}
		full = append(full, registry.Value{Name: p.Name, Value: v})
	}
	h, err := registry.New[Head](id, full)
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
		values registry.Values
		want   map[string][]int
	}{
		{"solo-learn simclr", registry.Values{{Name: "hidden_dim", Value: 2048}, {Name: "output_dim", Value: 256}}, map[string][]int{
			"proj.0.weight": {2048, 512}, "proj.0.bias": {2048},
			"proj.1.weight": {2048}, "proj.1.bias": {2048},
			"proj.3.weight": {256, 2048}, "proj.3.bias": {256},
		}},
		{"no batch norm, 3 layers", registry.Values{{Name: "layers", Value: 3}, {Name: "hidden_dim", Value: 64}, {Name: "output_dim", Value: 8}, {Name: "batch_norm", Value: false}}, map[string][]int{
			"proj.0.weight": {64, 512}, "proj.0.bias": {64},
			"proj.2.weight": {64, 64}, "proj.2.bias": {64},
			"proj.4.weight": {8, 64}, "proj.4.bias": {8},
		}},
		{"linear only", registry.Values{{Name: "layers", Value: 1}, {Name: "output_dim", Value: 8}}, map[string][]int{
			"proj.0.weight": {8, 512}, "proj.0.bias": {8},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHead(t, "head.projection_mlp", tt.values)
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
	h := newHead(t, "head.linear", registry.Values{{Name: "output_dim", Value: 10}})
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
