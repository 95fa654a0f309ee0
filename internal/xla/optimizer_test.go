package xla

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types/dtypes"
	"github.com/gomlx/go-xla/pkg/types/shapes"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/components/optimizer"
	"github.com/sslrun/sslrun/internal/xla/internal/hloeval"
	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/registry"
)

// optGolden is the optimizer package's testdata/golden.json (written from
// PyTorch): parameters, a learning rate and gradients per step (nil where
// a parameter has none, which the lowered update gets as frozen), and
// optimizer configurations covering momentum, Nesterov, the weight-decay
// exclusions, LARS's clip and AdamW's betas.
type optGolden struct {
	Params []struct {
		Name    string
		Shape   []int
		NoDecay bool `json:"no_decay"`
		Value   []float32
	}
	LRs   []float64
	Grads [][][]float32
	Cases []struct {
		Name   string
		ID     string
		Config map[string]any
	}
}

// loadOptGolden reads the optimizer package's golden steps.
func loadOptGolden(t *testing.T) optGolden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "components", "optimizer", "testdata", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g optGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// buildOptimizer builds the optimizer id from config (JSON lists become
// []float64, as the registry wants).
func buildOptimizer(t testing.TB, id string, config map[string]any) optimizer.Lowerer {
	t.Helper()
	cfg := map[string]any{}
	for k, v := range config {
		if list, ok := v.([]any); ok {
			fs := make([]float64, len(list))
			for i, x := range list {
				fs[i] = x.(float64)
			}
			v = fs
		}
		cfg[k] = v
	}
	opt, err := registry.Build[optimizer.Optimizer](id, cfg)
	if err != nil {
		t.Fatal(err)
	}
	lw, ok := opt.(optimizer.Lowerer)
	if !ok {
		t.Fatalf("%s does not lower its update", id)
	}
	return lw
}

// updateProgram lowers opt's update of params alone. Arguments: lr, one
// freeze flag per parameter, the parameters, their gradients, then each
// parameter's buffers and counters; results: each parameter, then its
// buffers and counters.
func updateProgram(t testing.TB, opt optimizer.Lowerer, params []*nn.Param) string {
	t.Helper()
	b := stablehlo.New("update")
	fn := b.Main()
	in := func(name string, s shapes.Shape) *stablehlo.Value {
		v, err := fn.NamedInput(stablehlo.ConvertToValidName(name), s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	lr := in("lr", shapes.Make(dtypes.Float64))
	frozen := make([]*stablehlo.Value, len(params))
	for i, p := range params {
		frozen[i] = in("frozen_"+p.Name, shapes.Make(dtypes.Bool))
	}
	old := make([]optimizer.Slotted, len(params))
	grads := make([]*stablehlo.Value, len(params))
	for i, p := range params {
		old[i].W = in(p.Name, shapes.Make(dtypes.Float32, p.Shape()...))
	}
	for i, p := range params {
		grads[i] = in("grad_"+p.Name, shapes.Make(dtypes.Float32, p.Shape()...))
	}
	bufs, counts := opt.Slots()
	for i, p := range params {
		for _, s := range bufs {
			old[i].Buffers = append(old[i].Buffers, in(s+"_"+p.Name, shapes.Make(dtypes.Float32, p.Shape()...)))
		}
		for _, s := range counts {
			old[i].Counters = append(old[i].Counters, in(s+"_"+p.Name, shapes.Make(dtypes.Int64)))
		}
	}
	ctx := ops.NewLowerContext(fn)
	out, err := lowerUpdates(ctx.Op(nil, shapes.Shape{}), opt, params, lr, grads, old, frozen)
	if err != nil {
		t.Fatal(err)
	}
	var results []*stablehlo.Value
	for _, u := range out {
		results = append(results, u.W)
		results = append(results, u.Buffers...)
		results = append(results, u.Counters...)
	}
	if err := fn.Return(results...); err != nil {
		t.Fatal(err)
	}
	text, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}

// f32Tensor is x of shape as the evaluator takes it.
func f32Tensor(x []float32, shape []int) *hloeval.Tensor {
	return &hloeval.Tensor{DType: "f32", Shape: slices.Clone(shape), F: floats64(x)}
}

// boolTensor is a boolean scalar for the evaluator.
func boolTensor(on bool) *hloeval.Tensor {
	t := &hloeval.Tensor{DType: "i1", F: []float64{0}}
	if on {
		t.F[0] = 1
	}
	return t
}

// optStateTensors is parameter p's optimizer state in st as the
// evaluator takes it, buffers then counters in opt.Slots order: zeros
// where st has none, as Step creates it.
func optStateTensors(opt optimizer.Lowerer, st optimizer.State, p *nn.Param) []*hloeval.Tensor {
	bufs, counts := opt.Slots()
	var out []*hloeval.Tensor
	for _, s := range bufs {
		b, ok := st.Buffers[s+"/"+p.Name]
		if !ok {
			b = make([]float32, len(p.Data()))
		}
		out = append(out, f32Tensor(b, p.Shape()))
	}
	for _, s := range counts {
		out = append(out, &hloeval.Tensor{DType: "i64", F: []float64{float64(st.Counters[s+"/"+p.Name])}})
	}
	return out
}

// sameBits reports the first element of got that is not want's float32,
// bit for bit, as an error.
func sameBits(name string, got *hloeval.Tensor, want []float64) error {
	if len(got.F) != len(want) {
		return fmt.Errorf("%s: %d values, want %d", name, len(got.F), len(want))
	}
	for i, w := range want {
		if math.Float64bits(got.F[i]) != math.Float64bits(w) {
			return fmt.Errorf("%s[%d] = %v, want %v (%.3g apart)", name, i, got.F[i], w, got.F[i]-w)
		}
	}
	return nil
}

// TestOptimizerUpdatesMatchStep runs every golden optimizer case's steps
// (the learning rate changing from step to step, parameters without a
// gradient in some) twice: with the optimizer's Step, and with its
// lowered update on the evaluator, one program for every step, fed the
// parameters and state Step had before the step, a parameter without a
// gradient frozen. Parameters, buffers and counters must agree bit for
// bit: the lowering does Step's float32 operations in its order, its
// float64 scalars in float64, and the evaluator rounds each to its type
// (LARS's norms sum in row-major order, as Step's loop does).
func TestOptimizerUpdatesMatchStep(t *testing.T) {
	g := loadOptGolden(t)
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			opt := buildOptimizer(t, c.ID, c.Config)
			params := make([]*nn.Param, len(g.Params))
			for i, p := range g.Params {
				params[i] = &nn.Param{Name: p.Name, NoDecay: p.NoDecay, Value: tensor.New(tensor.WithShape(p.Shape...), tensor.WithBacking(slices.Clone(p.Value)))}
			}
			mod, err := hloeval.Parse(updateProgram(t, opt, params))
			if err != nil {
				t.Fatal(err)
			}
			for step, lr := range g.LRs {
				feed := []*hloeval.Tensor{{DType: "f64", F: []float64{lr}}}
				for _, gr := range g.Grads[step] {
					feed = append(feed, boolTensor(gr == nil))
				}
				for _, p := range params {
					feed = append(feed, f32Tensor(p.Data(), p.Shape()))
				}
				for i, p := range params {
					gr := g.Grads[step][i]
					if gr == nil {
						gr = make([]float32, len(p.Data()))
					}
					feed = append(feed, f32Tensor(gr, p.Shape()))
				}
				st := opt.State()
				for _, p := range params {
					feed = append(feed, optStateTensors(opt, st, p)...)
				}
				got, err := mod.Run(feed...)
				if err != nil {
					t.Fatal(err)
				}
				if err := opt.Step(params, g.Grads[step], lr); err != nil {
					t.Fatal(err)
				}
				st = opt.State()
				k := 0
				for _, p := range params {
					if err := sameBits(fmt.Sprintf("step %d: %s", step, p.Name), got[k], floats64(p.Data())); err != nil {
						t.Error(err)
					}
					k++
					for _, want := range optStateTensors(opt, st, p) {
						if err := sameBits(fmt.Sprintf("step %d: state %d of %s", step, k, p.Name), got[k], want.F); err != nil {
							t.Error(err)
						}
						k++
					}
				}
			}
		})
	}
}
