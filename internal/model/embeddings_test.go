package model_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/components/backbone"
	"github.com/sslrun/sslrun/components/head"
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

// TestEmbeddings checks Graph.Embeddings, which SwAV's queue keeps: each is
// the L2-normalised input of the last head (the prototypes), for every view
// including views grouped with others of their size, so the prototype
// scores are exactly the embeddings times the prototype matrix.
func TestEmbeddings(t *testing.T) {
	rec := &recorder{}
	const k = 6
	m := &model.Model{
		Params:   nn.NewParams(5),
		Backbone: build[backbone.Backbone](t, "backbone.convnet", map[string]any{"channels": []float64{4}}),
		Heads: []model.NamedHead{
			{Name: "proj", Head: build[head.Head](t, "head.projection_mlp", map[string]any{"hidden_dim": 8, "output_dim": 5})},
			{Name: "prototypes", Head: build[head.Head](t, "head.prototypes", map[string]any{"count": k})},
		},
		Objective:  rec,
		Embeddings: true,
	}
	const b = 3
	shapes := []model.Shape{{b, 1, 8, 8}, {b, 1, 8, 8}, {b, 1, 6, 6}}
	g, err := m.Train(shapes)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Embeddings) != len(shapes) {
		t.Fatalf("%d embeddings for %d views", len(g.Embeddings), len(shapes))
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
	for v, e := range g.Embeddings {
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
