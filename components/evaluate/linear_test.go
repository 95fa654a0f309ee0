package evaluate

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sslrun/sslrun/registry"
)

// blobs draws n labelled points: a uniform class c, then centers[c] plus
// Gaussian noise of the given std in every coordinate.
func blobs(r *rand.Rand, n int, centers [][]float64, noise float64) Features {
	d := len(centers[0])
	f := Features{Dim: d, Data: make([]float32, n*d), Labels: make([]int, n)}
	for i := range n {
		y := r.IntN(len(centers))
		f.Labels[i] = y
		for j, m := range centers[y] {
			f.Data[i*d+j] = float32(m + noise*r.NormFloat64())
		}
	}
	return f
}

// randomCenters returns classes centers of width dim, coordinates N(0, scale²).
func randomCenters(r *rand.Rand, classes, dim int, scale float64) [][]float64 {
	out := make([][]float64, classes)
	for c := range out {
		out[c] = make([]float64, dim)
		for j := range out[c] {
			out[c][j] = scale * r.NormFloat64()
		}
	}
	return out
}

func buildLinear(t *testing.T, params map[string]any) *Linear {
	t.Helper()
	e, err := registry.Build[Evaluator]("evaluate.linear", params)
	if err != nil {
		t.Fatal(err)
	}
	return e.(*Linear)
}

// TestSoftmaxObjectiveGradient compares the analytic gradient with central
// differences of the objective, at a random point and on features with
// different scales, offsets and a constant column.
func TestSoftmaxObjectiveGradient(t *testing.T) {
	tests := []struct {
		name               string
		rows, dim, classes int
		l2                 float64
		workers            int
	}{
		{name: "one chunk", rows: 9, dim: 4, classes: 3, l2: 0.3, workers: 1},
		{name: "two classes", rows: 20, dim: 3, classes: 2, l2: 1e-4, workers: 2},
		{name: "several chunks", rows: 2*chunkRows + 17, dim: 5, classes: 6, l2: 0.05, workers: 2},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(i), 1))
			x := blobs(r, tt.rows, randomCenters(r, tt.classes, tt.dim, 1), 1)
			for k := range x.Labels {
				x.Data[k*tt.dim] = 100 + 30*x.Data[k*tt.dim] // scaled and offset
				x.Data[k*tt.dim+tt.dim-1] = 2                // constant
			}
			mean, invStd := standardization(x)
			o := newSoftmaxObjective(x, tt.classes, mean, invStd, tt.l2, tt.workers)
			params := make([]float64, o.size())
			for j := range params {
				params[j] = r.NormFloat64()
			}
			grad := make([]float64, o.size())
			o.eval(params, grad)
			fd := make([]float64, o.size())
			scratch := make([]float64, o.size())
			const h = 1e-5
			for j := range params {
				p := params[j]
				params[j] = p + h
				up := o.eval(params, scratch)
				params[j] = p - h
				down := o.eval(params, scratch)
				params[j] = p
				fd[j] = (up - down) / (2 * h)
			}
			if diff := cmp.Diff(fd, grad, cmpopts.EquateApprox(1e-6, 1e-9)); diff != "" {
				t.Errorf("gradient against central differences (-fd +analytic):\n%s", diff)
			}
		})
	}
}

func TestLinearBlobs(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	separable := randomCenters(r, 4, 6, 10)
	// Two classes whose means differ by 2 standard deviations along the
	// first axis only: the Bayes classifier is right with probability
	// Phi(1) = 0.8413.
	overlapping := [][]float64{{-1, 0, 0, 0, 0}, {1, 0, 0, 0, 0}}
	tests := []struct {
		name       string
		centers    [][]float64
		noise      float64
		top1, tol  float64
		top5       float64
		trainCount int
	}{
		{name: "separable", centers: separable, noise: 1, top1: 1, tol: 0, top5: 1, trainCount: 400},
		{name: "overlapping", centers: overlapping, noise: 1, top1: 0.8413, tol: 0.025, top5: 1, trainCount: 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			train := blobs(r, tt.trainCount, tt.centers, tt.noise)
			test := blobs(r, 4000, tt.centers, tt.noise)
			e := buildLinear(t, nil)
			res, err := e.Evaluate(context.Background(), train, test, len(tt.centers))
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(res.Top1-tt.top1) > tt.tol || res.Top5 != tt.top5 {
				t.Errorf("top-1 %v top-5 %v, want %v ± %v and %v", res.Top1, res.Top5, tt.top1, tt.tol, tt.top5)
			}
		})
	}
}

// TestLinearDegenerate fits problems whose gradient vanishes at the start
// (one class) or that only the bias can fit (a constant feature).
func TestLinearDegenerate(t *testing.T) {
	tests := []struct {
		name    string
		x       Features
		classes int
		want    Result
	}{
		{name: "one class", x: Features{Dim: 2, Data: []float32{1, 2, 3, 4, 5, 7}, Labels: []int{0, 0, 0}}, classes: 1, want: Result{Top1: 1, Top5: 1}},
		{name: "constant feature", x: Features{Dim: 1, Data: []float32{1, 1, 1}, Labels: []int{0, 1, 0}}, classes: 2, want: Result{Top1: 2.0 / 3, Top5: 1}},
	}
	e := buildLinear(t, nil)
	for _, tt := range tests {
		got, err := e.Evaluate(context.Background(), tt.x, tt.x, tt.classes)
		if err != nil || got != tt.want {
			t.Errorf("%s: %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
}

// TestLinearTop5 checks the top-5 rule on a fixed model: the label counts
// when at most 4 classes score above it, ties going to the lower class.
func TestLinearTop5(t *testing.T) {
	// One feature; class c scores c*x (bias 0), so for x = 1 the order is
	// 6, 5, ..., 0 and for x = 0 all tie and the order is 0, 1, ..., 6.
	m := &linearModel{classes: 7, dim: 1, mean: []float64{0}, invStd: []float64{1}, params: []float64{0, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0}}
	tests := []struct {
		x          float32
		label      int
		top1, top5 float64
	}{
		{x: 1, label: 6, top1: 1, top5: 1},
		{x: 1, label: 2, top1: 0, top5: 1},
		{x: 1, label: 1, top1: 0, top5: 0},
		{x: 0, label: 0, top1: 1, top5: 1},
		{x: 0, label: 4, top1: 0, top5: 1},
		{x: 0, label: 5, top1: 0, top5: 0},
	}
	for _, tt := range tests {
		top1, top5 := m.accuracy(Features{Dim: 1, Data: []float32{tt.x}, Labels: []int{tt.label}})
		if top1 != tt.top1 || top5 != tt.top5 {
			t.Errorf("x %v label %d: top-1 %v top-5 %v, want %v %v", tt.x, tt.label, top1, top5, tt.top1, tt.top5)
		}
	}
}

// TestLinearDeterministic fits the same problem with 1, 2 and 3 workers and
// wants bit-identical parameters.
func TestLinearDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	centers := randomCenters(r, 5, 16, 0.7)
	train := blobs(r, 12*chunkRows+5, centers, 1)
	e := buildLinear(t, map[string]any{"tolerance": 1e-8})
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first *linearModel
	for _, procs := range []int{1, 2, 3} {
		runtime.GOMAXPROCS(procs)
		m, err := e.fit(context.Background(), train, 5)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = m
			continue
		}
		if diff := cmp.Diff(bits(first.params), bits(m.params)); diff != "" || m.objective != first.objective {
			t.Errorf("GOMAXPROCS %d: objective %v, with 1: %v; parameter bits (-1 +%d):\n%s", procs, m.objective, first.objective, procs, diff)
		}
	}
}

func bits(xs []float64) []uint64 {
	out := make([]uint64, len(xs))
	for i, x := range xs {
		out[i] = math.Float64bits(x)
	}
	return out
}

// countdownCtx is a context whose Err reports context.Canceled from its
// (calls+1)-th call on.
type countdownCtx struct {
	context.Context
	calls atomic.Int64
}

func (c *countdownCtx) Err() error {
	if c.calls.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func TestLinearCancel(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	centers := randomCenters(r, 3, 8, 1)
	train, test := blobs(r, 500, centers, 1), blobs(r, 100, centers, 1)
	e := buildLinear(t, nil)
	const plenty = 1 << 40
	counting := &countdownCtx{Context: context.Background()}
	counting.calls.Store(plenty)
	if _, err := e.Evaluate(counting, train, test, 3); err != nil {
		t.Fatalf("uncancelled fit: %v", err)
	}
	checks := plenty - counting.calls.Load()
	if checks < 10 {
		t.Fatalf("the fit checked its context %d times; too few to cancel it midway", checks)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	midway := &countdownCtx{Context: context.Background()}
	midway.calls.Store(checks / 2)
	for name, ctx := range map[string]context.Context{"before": cancelled, "midway through": midway} {
		if _, err := e.Evaluate(ctx, train, test, 3); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled %s the fit: error %v, want context.Canceled", name, err)
		}
	}
}

func TestLinearGolden(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	type split struct {
		Data   []float64 `json:"data"`
		Labels []int     `json:"labels"`
	}
	var g struct {
		Dim     int   `json:"dim"`
		Classes int   `json:"classes"`
		Train   split `json:"train"`
		Test    split `json:"test"`
		Cases   []struct {
			L2        float64   `json:"l2"`
			Objective float64   `json:"objective"`
			Top1      float64   `json:"top1"`
			Top5      float64   `json:"top5"`
			Weight    []float64 `json:"weight"`
			Bias      []float64 `json:"bias"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) == 0 {
		t.Fatal("golden.json has no cases")
	}
	features := func(s split) Features {
		f := Features{Dim: g.Dim, Data: make([]float32, len(s.Data)), Labels: s.Labels}
		for i, v := range s.Data {
			f.Data[i] = float32(v) // exact: the script stores float32 values
		}
		return f
	}
	train, test := features(g.Train), features(g.Test)
	fits := []struct {
		name      string
		tolerance float64 // 0: the default
		rel       float64 // allowed relative error of the optimum
	}{
		{name: "default tolerance", rel: 1e-5},
		{name: "tight tolerance", tolerance: 1e-10, rel: 1e-10},
	}
	for _, c := range g.Cases {
		for _, fit := range fits {
			params := map[string]any{"l2": c.L2, "max_iterations": 10000}
			if fit.tolerance > 0 {
				params["tolerance"] = fit.tolerance
			}
			m, err := buildLinear(t, params).fit(context.Background(), train, g.Classes)
			if err != nil {
				t.Fatal(err)
			}
			if rel := math.Abs(m.objective-c.Objective) / c.Objective; rel > fit.rel {
				t.Errorf("l2 %v, %s: optimum %.15g, PyTorch %.15g (relative %.2g)", c.L2, fit.name, m.objective, c.Objective, rel)
			}
			top1, top5 := m.accuracy(test)
			if top1 != c.Top1 || top5 != c.Top5 {
				t.Errorf("l2 %v, %s: top-1 %v top-5 %v, PyTorch %v %v", c.L2, fit.name, top1, top5, c.Top1, c.Top5)
			}
		}
		// The objective itself, at PyTorch's optimum.
		mean, invStd := standardization(train)
		o := newSoftmaxObjective(train, g.Classes, mean, invStd, c.L2, 1)
		at := append(append([]float64{}, c.Weight...), c.Bias...)
		if f := o.eval(at, make([]float64, o.size())); math.Abs(f-c.Objective) > 1e-12*c.Objective {
			t.Errorf("l2 %v: objective at PyTorch's optimum %.17g, PyTorch %.17g", c.L2, f, c.Objective)
		}
	}
}
