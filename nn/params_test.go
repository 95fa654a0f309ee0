package nn_test

import (
	"math"
	"runtime"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/nn"
)

func TestParamsAreSeeded(t *testing.T) {
	initial := func(seed uint64) []float32 {
		ps := nn.NewParams(seed)
		a := ps.Get("a", []int{8, 4}, 4, 8, nn.KaimingUniform, false)
		b := ps.Get("b", []int{8}, 4, 8, nn.FanInUniform, true)
		if again := ps.Get("a", []int{8, 4}, 4, 8, nn.KaimingUniform, false); again != a {
			t.Error("Get created a parameter twice")
		}
		return append(slices.Clone(a.Data()), b.Data()...)
	}
	if !slices.Equal(initial(1), initial(1)) {
		t.Error("the same seed gave different initial values")
	}
	if slices.Equal(initial(1), initial(2)) {
		t.Error("different seeds gave the same initial values")
	}
}

// TestInitialisers checks the PyTorch and torchvision rules by their
// statistics: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) and N(0, 2/fanOut).
func TestInitialisers(t *testing.T) {
	ps := nn.NewParams(0)
	u := ps.Get("u", []int{256, 64, 3, 3}, 64*9, 256*9, nn.KaimingUniform, false).Data()
	bound := 1 / math.Sqrt(64*9)
	var mx float64
	for _, v := range u {
		mx = max(mx, math.Abs(float64(v)))
	}
	if mx > bound || mx < 0.99*bound {
		t.Errorf("kaiming uniform: max |w| %.5f, bound %.5f", mx, bound)
	}
	n := ps.Get("n", []int{256, 64, 3, 3}, 64*9, 256*9, nn.KaimingNormalFanOut, false).Data()
	var ss float64
	for _, v := range n {
		ss += float64(v) * float64(v)
	}
	std, want := math.Sqrt(ss/float64(len(n))), math.Sqrt(2.0/(256*9))
	if math.Abs(std-want) > 0.02*want {
		t.Errorf("kaiming normal fan_out: std %.5f, want %.5f", std, want)
	}
	ones := ps.Get("g", []int{3}, 3, 3, nn.Ones, true).Data()
	if !slices.Equal(ones, []float32{1, 1, 1}) {
		t.Errorf("ones: %v", ones)
	}
	defer func() {
		if recover() == nil {
			t.Error("asking for a parameter with another shape did not panic")
		}
	}()
	ps.Get("g", []int{4}, 4, 4, nn.Ones, true)
}

// TestSymbolicParams builds layers whose weights would take 36 TB on
// symbolic parameters: they get shapes and no values, and so do the graph's
// nodes.
func TestSymbolicParams(t *testing.T) {
	ps := nn.NewSymbolicParams()
	g := G.NewGraph()
	b := nn.NewBuilder(g, ps, true)
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 3, 8, 8), G.WithName("x"))
	y := G.Must(b.Conv(x, "c1", 1_000_000, 3, 1, 1, nn.KaimingUniform))
	y = G.Must(b.BatchNorm(y, "bn1"))
	y = G.Must(b.Conv(y, "c2", 1_000_000, 3, 1, 1, nn.KaimingUniform))
	y = G.Must(b.GlobalAvgPool(y))
	if _, err := b.Linear(y, "fc", 1_000_000, 10, true); err != nil {
		t.Fatal(err)
	}
	want := 1_000_000*3*9 + 2*1_000_000 + 1_000_000*1_000_000*9 + 10*1_000_000 + 10
	if got := ps.Count(); got != want {
		t.Errorf("Count = %d, want %d", got, want)
	}
	params, nodes := b.Learnables()
	for i, p := range params {
		if p.Value != nil || nodes[i].Value() != nil {
			t.Errorf("%s has a value", p.Name)
		}
		if !nodes[i].Shape().Eq(p.Shape()) {
			t.Errorf("%s: node shape %v, parameter %v", p.Name, nodes[i].Shape(), p.Shape())
		}
	}
	if s := ps.BN("bn1", 1_000_000); s.Mean != nil || s.Var != nil {
		t.Error("symbolic batch-norm statistics hold values")
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ps.BN("bn2", 1_000_000_000)
	ps.Get("huge", []int{1_000_000_000, 1_000_000_000}, 1, 1, nn.Zeros, false)
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("a symbolic parameter and statistics of 1e9 channels allocated %d bytes", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("asking for a symbolic parameter with another shape did not panic")
		}
	}()
	ps.Get("fc.bias", []int{11}, 1, 1, nn.Zeros, true)
}
