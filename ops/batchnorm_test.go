package ops_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/ops/opstest"
)

// bnStatsFor returns statistics for c channels that are not the defaults,
// so eval mode has something to normalise with.
func bnStatsFor(c int) *ops.BNStats {
	s := ops.NewBNStats(c)
	for i := range s.Mean {
		s.Mean[i] = 0.3*float32(i) - 0.2
		s.Var[i] = 0.5 + 0.25*float32(i)
	}
	return s
}

func TestBatchNormGrad(t *testing.T) {
	for _, tc := range []struct {
		shape    []int
		training bool
	}{
		{[]int{3, 2, 3, 4}, true},
		{[]int{3, 2, 3, 4}, false},
		{[]int{2, 3, 1, 2}, true},
		{[]int{6, 4}, true},
		{[]int{6, 4}, false},
		{[]int{2, 3}, true},
	} {
		t.Run(fmt.Sprintf("%v/training=%t", tc.shape, tc.training), func(t *testing.T) {
			c := tc.shape[1]
			opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
				x := input(g, "x", 11, tc.shape...)
				gamma := input(g, "gamma", 12, c)
				beta := input(g, "beta", 13, c)
				y, err := ops.BatchNorm(x, gamma, beta, bnStatsFor(c), tc.training)
				if err != nil {
					t.Fatal(err)
				}
				return weighted(g, y, 14), []*G.Node{x, gamma, beta}
			}, opstest.Float32)
		})
	}
}

// bnNet is a batch-norm graph with cost sum(y ⊙ r), differentiated with
// respect to x, gamma and beta.
type bnNet struct {
	x, gamma, beta, y *G.Node
	grads             G.Nodes // dx, dgamma, dbeta
	g                 *G.ExprGraph
	vm                G.VM
}

// newBNNet builds the graph on the given values: the net reads and writes
// x, gamma and beta in place, so two nets given the same gamma and beta
// share them.
func newBNNet(t testing.TB, x, gamma, beta, r *tensor.Dense, stats *ops.BNStats, training bool) *bnNet {
	t.Helper()
	g := G.NewGraph()
	xn := G.NewTensor(g, tensor.Float32, x.Dims(), G.WithShape(x.Shape()...), G.WithName("x"), G.WithValue(x))
	gn := G.NewVector(g, tensor.Float32, G.WithShape(gamma.Shape()...), G.WithName("gamma"), G.WithValue(gamma))
	bn := G.NewVector(g, tensor.Float32, G.WithShape(beta.Shape()...), G.WithName("beta"), G.WithValue(beta))
	y, err := ops.BatchNorm(xn, gn, bn, stats, training)
	if err != nil {
		t.Fatal(err)
	}
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(y, G.NewConstant(r, G.WithName("r"))))))
	grads, err := G.Grad(cost, xn, gn, bn)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	t.Cleanup(func() { vm.Close() })
	return &bnNet{x: xn, gamma: gn, beta: bn, y: y, grads: grads, g: g, vm: vm}
}

// run sets x's values and runs forward and backward once.
func (n *bnNet) run(t testing.TB, x []float32) {
	t.Helper()
	copy(n.x.Value().Data().([]float32), x)
	n.vm.Reset()
	if err := n.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
}

func values(n *G.Node) []float32 { return slices.Clone(n.Value().Data().([]float32)) }

func dense(v []float32, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(slices.Clone(v)))
}

type bnGolden struct {
	Name          string
	Shape         []int
	Momentum, Eps float64
	X1, X2, X3, R []float32
	Weight, Bias  []float32

	Train1        []float32
	RunningMean1  []float32 `json:"running_mean1"`
	RunningVar1   []float32 `json:"running_var1"`
	Train1Dx      []float32 `json:"train1_dx"`
	Train1Dweight []float32 `json:"train1_dweight"`
	Train1Dbias   []float32 `json:"train1_dbias"`

	Train2       []float32
	RunningMean2 []float32 `json:"running_mean2"`
	RunningVar2  []float32 `json:"running_var2"`

	Eval        []float32
	EvalDx      []float32 `json:"eval_dx"`
	EvalDweight []float32 `json:"eval_dweight"`
	EvalDbias   []float32 `json:"eval_dbias"`
}

func loadBNGolden(t *testing.T) []bnGolden {
	t.Helper()
	b, err := os.ReadFile("testdata/batchnorm_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Cases []bnGolden }
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("no golden cases")
	}
	return f.Cases
}

// bnTol bounds |got - want| <= bnTol * (1 + |want|) against PyTorch.
const bnTol = 1e-5

// closeTo reports the largest error of got against want, in units of
// 1 + |want|, and fails the test if it is above bnTol.
func closeTo(t *testing.T, what string, got, want []float32) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	worst, at := 0.0, 0
	for i := range want {
		if e := math.Abs(float64(got[i])-float64(want[i])) / (1 + math.Abs(float64(want[i]))); e > worst || math.IsNaN(e) {
			worst, at = e, i
		}
	}
	if !(worst <= bnTol) {
		t.Errorf("%s[%d] = %v, want %v (error %.3g)", what, at, got[at], want[at], worst)
	}
	return worst
}

// TestBatchNormGolden compares outputs, running statistics and gradients
// with torch.nn.BatchNorm1d/2d (testdata/make_batchnorm_golden.py).
func TestBatchNormGolden(t *testing.T) {
	for _, gc := range loadBNGolden(t) {
		t.Run(gc.Name, func(t *testing.T) {
			c := gc.Shape[1]
			stats := ops.NewBNStats(c)
			stats.Momentum, stats.Eps = gc.Momentum, gc.Eps
			gamma, beta, r := dense(gc.Weight, c), dense(gc.Bias, c), dense(gc.R, gc.Shape...)
			worst := 0.0
			check := func(what string, got, want []float32) { worst = max(worst, closeTo(t, what, got, want)) }

			train := newBNNet(t, dense(gc.X1, gc.Shape...), gamma, beta, r, stats, true)
			train.run(t, gc.X1)
			check("train y", values(train.y), gc.Train1)
			check("running mean 1", stats.Mean, gc.RunningMean1)
			check("running var 1", stats.Var, gc.RunningVar1)
			check("train dx", values(train.grads[0]), gc.Train1Dx)
			check("train dweight", values(train.grads[1]), gc.Train1Dweight)
			check("train dbias", values(train.grads[2]), gc.Train1Dbias)

			train.run(t, gc.X2)
			check("train y 2", values(train.y), gc.Train2)
			check("running mean 2", stats.Mean, gc.RunningMean2)
			check("running var 2", stats.Var, gc.RunningVar2)

			mean, vr := slices.Clone(stats.Mean), slices.Clone(stats.Var)
			eval := newBNNet(t, dense(gc.X3, gc.Shape...), gamma, beta, r, stats, false)
			eval.run(t, gc.X3)
			check("eval y", values(eval.y), gc.Eval)
			check("eval dx", values(eval.grads[0]), gc.EvalDx)
			check("eval dweight", values(eval.grads[1]), gc.EvalDweight)
			check("eval dbias", values(eval.grads[2]), gc.EvalDbias)
			if !slices.Equal(stats.Mean, mean) || !slices.Equal(stats.Var, vr) {
				t.Errorf("eval changed the running statistics")
			}
			t.Logf("largest error against PyTorch: %.3g (of 1 + |value|)", worst)
		})
	}
}

// bnEvalRef is eval-mode batch norm in float64, for reference.
func bnEvalRef(x []float32, shape []int, s *ops.BNStats, gamma, beta []float32) []float32 {
	c := shape[1]
	inner := len(x) / (shape[0] * c)
	y := make([]float32, len(x))
	for i, v := range x {
		ch := i / inner % c
		y[i] = float32((float64(v)-float64(s.Mean[ch]))/math.Sqrt(float64(s.Var[ch])+s.Eps)*float64(gamma[ch]) + float64(beta[ch]))
	}
	return y
}

// TestBatchNormModeSwitch: train, eval, train on one model. The running
// statistics carry on from the first training pass (no reset), the eval
// pass neither reads batch statistics nor writes running ones, and the
// second training pass ends where PyTorch's two consecutive ones do.
func TestBatchNormModeSwitch(t *testing.T) {
	for _, gc := range loadBNGolden(t) {
		t.Run(gc.Name, func(t *testing.T) {
			c := gc.Shape[1]
			stats := ops.NewBNStats(c)
			stats.Momentum, stats.Eps = gc.Momentum, gc.Eps
			gamma, beta, r := dense(gc.Weight, c), dense(gc.Bias, c), dense(gc.R, gc.Shape...)
			train := newBNNet(t, dense(gc.X1, gc.Shape...), gamma, beta, r, stats, true)
			eval := newBNNet(t, dense(gc.X3, gc.Shape...), gamma, beta, r, stats, false)

			train.run(t, gc.X1)
			closeTo(t, "running mean after train", stats.Mean, gc.RunningMean1)
			closeTo(t, "running var after train", stats.Var, gc.RunningVar1)
			mean, vr := slices.Clone(stats.Mean), slices.Clone(stats.Var)

			for range 2 {
				eval.run(t, gc.X3)
				if !slices.Equal(stats.Mean, mean) || !slices.Equal(stats.Var, vr) {
					t.Fatalf("eval changed the running statistics")
				}
				if stats.Tracked != 1 {
					t.Fatalf("Tracked = %d after train and eval, want 1", stats.Tracked)
				}
				closeTo(t, "eval y", values(eval.y), bnEvalRef(gc.X3, gc.Shape, stats, gc.Weight, gc.Bias))
			}

			train.run(t, gc.X2)
			closeTo(t, "train y after eval", values(train.y), gc.Train2)
			closeTo(t, "running mean after train, eval, train", stats.Mean, gc.RunningMean2)
			closeTo(t, "running var after train, eval, train", stats.Var, gc.RunningVar2)
			if stats.Tracked != 2 {
				t.Errorf("Tracked = %d after train, eval, train, want 2", stats.Tracked)
			}
		})
	}
}

// TestBatchNormDeterministic: outputs and gradients are bitwise the same
// whatever GOMAXPROCS, on a tensor large enough to be split over channels.
func TestBatchNormDeterministic(t *testing.T) {
	shape := []int{16, 24, 16, 16}
	c := shape[1]
	x := opstest.Tensor(randn(21), shape...)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var ref [][]float32
	for _, procs := range []int{1, 2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		stats := bnStatsFor(c)
		n := newBNNet(t, x.Clone().(*tensor.Dense), opstest.Tensor(randn(22), c), opstest.Tensor(randn(23), c),
			opstest.Tensor(randn(24), shape...), stats, true)
		n.run(t, x.Data().([]float32))
		got := [][]float32{values(n.y), values(n.grads[0]), values(n.grads[1]), values(n.grads[2]), stats.Mean, stats.Var}
		if ref == nil {
			ref = got
			continue
		}
		for i := range ref {
			if !slices.Equal(got[i], ref[i]) {
				t.Errorf("GOMAXPROCS=%d: result %d differs from GOMAXPROCS=1", procs, i)
			}
		}
	}
}

// TestBatchNormBuffers: a second run of a tape machine writes into the
// first run's buffers, and UsePreallocDo writes into a buffer it is given,
// refusing (before touching the running statistics) one that does not fit.
func TestBatchNormBuffers(t *testing.T) {
	shape := []int{4, 3, 2, 2}
	x := opstest.Tensor(randn(31), shape...)
	stats := ops.NewBNStats(3)
	n := newBNNet(t, x.Clone().(*tensor.Dense), opstest.Tensor(randn(32), 3), opstest.Tensor(randn(33), 3),
		opstest.Tensor(randn(34), shape...), stats, true)
	n.run(t, x.Data().([]float32))
	y1, dx1 := values(n.y), values(n.grads[0])
	yp, dxp := &n.y.Value().Data().([]float32)[0], &n.grads[0].Value().Data().([]float32)[0]
	once := slices.Clone(stats.Mean)
	n.run(t, x.Data().([]float32))
	if &n.y.Value().Data().([]float32)[0] != yp || &n.grads[0].Value().Data().([]float32)[0] != dxp {
		t.Errorf("second run allocated new buffers for y or dx")
	}
	if !slices.Equal(values(n.y), y1) || !slices.Equal(values(n.grads[0]), dx1) {
		t.Errorf("second run gives other values")
	}
	for i, mu := range once {
		// From 0: m*mean after one update, (1-m)*m*mean + m*mean after two.
		if want := float64(mu) * (2 - stats.Momentum); math.Abs(float64(stats.Mean[i])-want) > 1e-6 {
			t.Errorf("running mean[%d] = %v after two runs, want %v", i, stats.Mean[i], want)
		}
	}

	op, ok := n.y.Op().(G.UsePreallocDoer)
	if !ok {
		t.Fatalf("%T is not a UsePreallocDoer", n.y.Op())
	}
	in := []G.Value{n.x.Value(), n.gamma.Value(), n.beta.Value()}
	before := slices.Clone(stats.Mean)
	if _, err := op.UsePreallocDo(tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(4, 3, 4)), in...); err == nil {
		t.Errorf("UsePreallocDo accepted a buffer of the wrong shape")
	}
	if !slices.Equal(stats.Mean, before) || stats.Tracked != 2 {
		t.Errorf("a refused UsePreallocDo updated the running statistics (Tracked %d after two runs)", stats.Tracked)
	}
	buf := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(shape...))
	got, err := op.UsePreallocDo(buf, in...)
	if err != nil || got != buf {
		t.Fatalf("UsePreallocDo = %v, %v; want the given buffer", got, err)
	}
	if !slices.Equal(buf.Data().([]float32), y1) {
		t.Errorf("UsePreallocDo wrote %v, want %v", buf.Data(), y1)
	}
}

func TestBatchNormKinds(t *testing.T) {
	for _, training := range []bool{true, false} {
		for _, shape := range [][]int{{4, 3, 2, 2}, {5, 3}} {
			g := G.NewGraph()
			x := input(g, "x", 41, shape...)
			gamma, beta := input(g, "gamma", 42, 3), input(g, "beta", 43, 3)
			y, err := ops.BatchNorm(x, gamma, beta, ops.NewBNStats(3), training)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := G.Grad(weighted(g, y, 44), x, gamma, beta); err != nil {
				t.Fatal(err)
			}
			if err := ops.CheckGraph(g); err != nil {
				t.Errorf("training=%t %v: %v", training, shape, err)
			}
			seen := map[string]int{}
			for _, n := range g.AllNodes() {
				if n.Op() == nil {
					continue
				}
				k := ops.KindOf(n.Op())
				if s := n.Op().String(); strings.HasPrefix(s, "sslrun.batchnorm") && !strings.HasPrefix(s, k+"(") {
					t.Errorf("op %s has kind %s", s, k)
				}
				seen[k]++
			}
			for _, k := range []string{"sslrun.batchnorm", "sslrun.batchnorm_grad_params", "sslrun.batchnorm_grad_input"} {
				if seen[k] != 1 {
					t.Errorf("training=%t %v: %d nodes of kind %s, want 1", training, shape, seen[k], k)
				}
				if !slices.Contains(ops.Allowed(), k) {
					t.Errorf("%s not in Allowed", k)
				}
			}
		}
	}
}

func TestBatchNormErrors(t *testing.T) {
	g := G.NewGraph()
	x4 := input(g, "x4", 1, 4, 3, 2, 2)
	c3, c2 := input(g, "c3", 2, 3), input(g, "c2", 3, 2)
	for _, tc := range []struct {
		name     string
		x, gamma *G.Node
		stats    *ops.BNStats
		training bool
		want     string
	}{
		{"3-D input", input(g, "x3", 4, 4, 3, 2), c3, ops.NewBNStats(3), true, "(N, C)"},
		{"gamma shape", x4, c2, ops.NewBNStats(3), true, "gamma"},
		{"stats channels", x4, c3, ops.NewBNStats(2), true, "3 channels"},
		{"symbolic stats channels", x4, c3, ops.SymbolicBNStats(2), true, "3 channels"},
		{"no stats", x4, c3, nil, false, "3 channels"},
		{"one value per channel", input(g, "x1", 5, 1, 3), c3, ops.NewBNStats(3), true, "more than one value"},
	} {
		_, err := ops.BatchNorm(tc.x, tc.gamma, c3, tc.stats, tc.training)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
	// One value per channel is fine in eval mode.
	if _, err := ops.BatchNorm(input(g, "x1", 5, 1, 3), c3, c3, ops.NewBNStats(3), false); err != nil {
		t.Errorf("eval with batch 1: %v", err)
	}
}

// TestSymbolicBNStats builds a training graph on statistics without values
// and checks that running it fails with an error instead of touching them.
func TestSymbolicBNStats(t *testing.T) {
	g := G.NewGraph()
	x := input(g, "x", 1, 4, 3, 2, 2)
	c3 := input(g, "c3", 2, 3)
	y, err := ops.BatchNorm(x, c3, c3, ops.SymbolicBNStats(3), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := G.Grad(weighted(g, y, 3), x, c3); err != nil {
		t.Fatal(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err == nil || !strings.Contains(err.Error(), "statistics have 0 means") {
		t.Errorf("running on symbolic statistics: error %v", err)
	}
}

// BenchmarkBatchNorm runs the batch-norm forward and backward nodes alone
// (dy is an input) on a ResNet-sized activation. GB/s counts the least
// traffic the three ops need: the forward reads x twice and writes y,
// grad_params reads x and dy, grad_input reads x and dy and writes dx.
// GFLOP/s counts 14 flops an element: the forward's mean, variance and
// scale-and-shift (2 + 3 + 2), the two gradient sums (1 + 2) and the
// input gradient (4).
func BenchmarkBatchNorm(b *testing.B) {
	shape := []int{128, 64, 32, 32}
	c := shape[1]
	g := G.NewGraph()
	x := input(g, "x", 51, shape...)
	gamma, beta := input(g, "gamma", 52, c), input(g, "beta", 53, c)
	dy := input(g, "dy", 54, shape...)
	y, err := ops.BatchNorm(x, gamma, beta, ops.NewBNStats(c), true)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := G.Backpropagate(G.Nodes{y}, G.Nodes{dy}, G.Nodes{x, gamma, beta}); err != nil {
		b.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	b.ReportAllocs()
	b.ResetTimer()
	iters := 0
	for b.Loop() {
		iters++
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
	}
	bytes := float64(8*4*x.Shape().TotalSize()) * float64(iters)
	b.ReportMetric(bytes/b.Elapsed().Seconds()/1e9, "GB/s")
	b.ReportMetric(14*float64(x.Shape().TotalSize()*iters)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
