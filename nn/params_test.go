package nn_test

import (
	"math"
	"slices"
	"testing"

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
