package optimizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/registry"
)

// golden is testdata/golden.json, written by testdata/make_golden.py from
// torch.optim.SGD, torch.optim.AdamW and a reimplementation of solo-learn's
// LARS.
type golden struct {
	Params []struct {
		Name    string
		Shape   []int
		NoDecay bool `json:"no_decay"`
		Value   []float32
	}
	LRs   []float64
	Grads [][][]float32 // [step][param], nil where the parameter has no gradient
	Cases []goldenCase
}

type goldenCase struct {
	Name   string
	ID     string
	Config map[string]any
	After  [][][]float32 // [step][param] values after the step
	State  State
}

func loadGolden(t *testing.T) golden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) == 0 || len(g.Grads) != len(g.LRs) {
		t.Fatalf("golden.json: %d cases, %d gradient steps, %d learning rates", len(g.Cases), len(g.Grads), len(g.LRs))
	}
	return g
}

// params returns fresh copies of the golden's initial parameters.
func (g golden) params() []*nn.Param {
	out := make([]*nn.Param, len(g.Params))
	for i, p := range g.Params {
		data := append([]float32(nil), p.Value...)
		out[i] = &nn.Param{Name: p.Name, NoDecay: p.NoDecay, Value: tensor.New(tensor.WithShape(p.Shape...), tensor.WithBacking(data))}
	}
	return out
}

// build makes the case's optimizer from its config (JSON lists become
// []float64, as the registry wants).
func (c goldenCase) build(t *testing.T) Optimizer {
	t.Helper()
	cfg := map[string]any{}
	for k, v := range c.Config {
		if list, ok := v.([]any); ok {
			fs := make([]float64, len(list))
			for i, x := range list {
				fs[i] = x.(float64)
			}
			v = fs
		}
		cfg[k] = v
	}
	opt, err := registry.Build[Optimizer](c.ID, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return opt
}

func values(ps []*nn.Param) [][]float32 {
	out := make([][]float32, len(ps))
	for i, p := range ps {
		out[i] = append([]float32(nil), p.Data()...)
	}
	return out
}

// Tolerances against PyTorch. Parameters agree to float32 rounding: within
// 1e-6 relatively (a few ulps; PyTorch's vectorised kernels fuse some
// multiply-adds that Go rounds twice). State buffers get an absolute margin
// of 1e-7 as well: LARS's trust ratio divides norms that PyTorch reduces in
// a CPU-dependent float32 order, so its last bit differs, and a momentum
// buffer that is a sum of near-cancelling terms of size ~0.3 carries that
// float32 rounding (~3e-8) into a relative error of a few 1e-6.
var (
	paramTol = cmpopts.EquateApprox(1e-6, 0)
	stateTol = cmpopts.EquateApprox(1e-6, 1e-7)
)

// TestGolden runs every case's steps, with the learning rate changing from
// step to step, and compares the parameters after each step and the final
// state with PyTorch's.
func TestGolden(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			opt := c.build(t)
			ps := g.params()
			for step, lr := range g.LRs {
				if err := opt.Step(ps, g.Grads[step], lr); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(c.After[step], values(ps), paramTol); diff != "" {
					t.Fatalf("parameters after step %d (-torch +got):\n%s", step, diff)
				}
			}
			if diff := cmp.Diff(c.State, opt.State(), stateTol, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("final state (-torch +got):\n%s", diff)
			}
		})
	}
}
