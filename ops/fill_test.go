package ops_test

import (
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/internal/engine"
	"github.com/sslrun/sslrun/ops"
)

// TestFill checks that a filled node holds what its function writes over
// zeros on every run, even in a buffer that held other values, that two
// fills of one shape stay two nodes, and that no gradient flows through
// them.
func TestFill(t *testing.T) {
	g := G.NewGraph()
	x := input(g, "x", 1, 2, 3)
	diag, err := ops.Fill(x, "diag", tensor.Shape{3, 3}, func(m []float32) { m[0], m[4], m[8] = 1, 1, 1 })
	if err != nil {
		t.Fatal(err)
	}
	first, err := ops.Fill(x, "first", tensor.Shape{3, 3}, func(m []float32) { m[0] = 2 })
	if err != nil {
		t.Fatal(err)
	}
	if diag == first {
		t.Fatal("two fills of one shape became one node")
	}
	if k := ops.KindOf(diag.Op()); k != "sslrun.fill" || !slices.Contains(ops.Allowed(), k) {
		t.Errorf("kind %s", k)
	}
	y := G.Must(G.Mul(x, G.Must(G.Add(diag, first)))) // (2, 3)
	grads, err := G.Grad(G.Must(G.Sum(y)), x)
	if err != nil {
		t.Fatal(err)
	}
	m, err := engine.New(g, diag, grads[0])
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for run := range 2 {
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		if got := diag.Value().Data().([]float32); !slices.Equal(got, []float32{1, 0, 0, 0, 1, 0, 0, 0, 1}) {
			t.Errorf("run %d: diag = %v", run, got)
		}
		if got := grads[0].Value().Shape(); !got.Eq(tensor.Shape{2, 3}) {
			t.Errorf("run %d: gradient of x has shape %v", run, got)
		}
	}
	out, err := diag.Op().(G.UsePreallocDoer).UsePreallocDo(tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float32{9, 9, 9, 9, 9, 9, 9, 9, 9})))
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Data().([]float32); !slices.Equal(got, []float32{1, 0, 0, 0, 1, 0, 0, 0, 1}) {
		t.Errorf("filled over a used buffer: %v", got)
	}
}

func TestFillErrors(t *testing.T) {
	g := G.NewGraph()
	x := input(g, "x", 1, 2, 3)
	for _, tc := range []struct {
		name  string
		after *G.Node
		shape tensor.Shape
		want  string
	}{
		{"scalar after", G.NewScalar(g, tensor.Float32, G.WithName("s")), tensor.Shape{2}, "float32 tensor"},
		{"scalar shape", x, tensor.Shape{}, "scalar"},
		{"empty axis", x, tensor.Shape{2, 0}, "empty axis"},
	} {
		_, err := ops.Fill(tc.after, tc.name, tc.shape, func([]float32) {})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}
