package objective

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/ops/opstest"
	"github.com/sslrun/sslrun/registry"
)

type ntXentCase struct {
	Name        string
	Views       int
	Batch       int
	Dim         int
	Temperature float64
	Z           []float32
	Loss        float64
	Grad        []float64
}

func loadGolden(t *testing.T) []ntXentCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		NTXent []ntXentCase `json:"nt_xent"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.NTXent) == 0 {
		t.Fatal("no nt_xent cases in golden.json")
	}
	return g.NTXent
}

func newNTXent(t testing.TB, temperature float64) Objective {
	t.Helper()
	o, err := registry.New[Objective]("objective.nt_xent", registry.Values{{Name: "temperature", Value: temperature}})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// viewNodes splits z (V*B, D) into V input nodes of (B, D).
func viewNodes(g *G.ExprGraph, z []float32, views, batch, dim int) []*G.Node {
	nodes := make([]*G.Node, views)
	for v := range nodes {
		part := append([]float32(nil), z[v*batch*dim:(v+1)*batch*dim]...)
		nodes[v] = G.NewMatrix(g, tensor.Float32, G.WithShape(batch, dim), G.WithName("z"+string(rune('0'+v))),
			G.WithValue(tensor.New(tensor.WithShape(batch, dim), tensor.WithBacking(part))))
	}
	return nodes
}

// TestNTXentGolden compares loss and gradient with solo-learn's
// simclr_loss_func run by PyTorch (testdata/make_golden.py).
func TestNTXentGolden(t *testing.T) {
	for _, c := range loadGolden(t) {
		t.Run(c.Name, func(t *testing.T) {
			g := G.NewGraph()
			z := viewNodes(g, c.Z, c.Views, c.Batch, c.Dim)
			loss, err := newNTXent(t, c.Temperature).Loss(z)
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
			if math.Abs(got-c.Loss) > 1e-5*max(1, math.Abs(c.Loss)) {
				t.Errorf("loss %.7g, PyTorch %.7g", got, c.Loss)
			}
			per := c.Batch * c.Dim
			for v, gn := range grads {
				gv := gn.Value().Data().([]float32)
				for i, x := range gv {
					want := c.Grad[v*per+i]
					if math.Abs(float64(x)-want) > 1e-5+1e-4*math.Abs(want) {
						t.Fatalf("grad view %d [%d] = %.7g, PyTorch %.7g", v, i, x, want)
					}
				}
			}
		})
	}
}

func TestNTXentFiniteDifferences(t *testing.T) {
	c := loadGolden(t)[2]
	opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
		z := viewNodes(g, c.Z, c.Views, c.Batch, c.Dim)
		loss, err := newNTXent(t, c.Temperature).Loss(z)
		if err != nil {
			t.Fatal(err)
		}
		return loss, z
	}, opstest.Float32)
}

func TestNTXentErrors(t *testing.T) {
	g := G.NewGraph()
	a := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 3), G.WithName("a"))
	b := G.NewMatrix(g, tensor.Float32, G.WithShape(5, 3), G.WithName("b"))
	o := newNTXent(t, 0.1)
	if _, err := o.Loss([]*G.Node{a}); err == nil {
		t.Error("one view accepted")
	}
	if _, err := o.Loss([]*G.Node{a, b}); err == nil {
		t.Error("views of different batch sizes accepted")
	}
}
