package optim

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/nn"
)

func param(name string, noDecay bool, w ...float32) *nn.Param {
	return &nn.Param{Name: name, NoDecay: noDecay, Value: tensor.New(tensor.WithShape(len(w)), tensor.WithBacking(w))}
}

// TestSGD follows torch.optim.SGD by hand: g += wd*w, v = m*v + g, w -= lr*v,
// with no weight decay on NoDecay parameters.
func TestSGD(t *testing.T) {
	w := param("w", false, 1, -2)
	b := param("b", true, 0.5)
	s := &SGD{LR: 0.1, Momentum: 0.9, WeightDecay: 0.01}
	grads := [][]float32{{0.2, 0.4}, {1}}
	// step 1: v = g + wd*w; w -= lr*v
	if err := s.Step([]*nn.Param{w, b}, grads); err != nil {
		t.Fatal(err)
	}
	v1 := []float32{0.2 + 0.01*1, 0.4 + 0.01*-2}
	want := []float32{1 - 0.1*v1[0], -2 - 0.1*v1[1]}
	if diff := cmp.Diff(want, w.Data(), cmpopts.EquateApprox(0, 1e-6)); diff != "" {
		t.Errorf("step 1 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]float32{0.5 - 0.1*1}, b.Data(), cmpopts.EquateApprox(0, 1e-6)); diff != "" {
		t.Errorf("bias decayed (-want +got):\n%s", diff)
	}
	// step 2: momentum carries the first velocity.
	w1 := append([]float32(nil), w.Data()...)
	if err := s.Step([]*nn.Param{w, b}, grads); err != nil {
		t.Fatal(err)
	}
	v2 := []float32{0.9*v1[0] + 0.2 + 0.01*w1[0], 0.9*v1[1] + 0.4 + 0.01*w1[1]}
	want = []float32{w1[0] - 0.1*v2[0], w1[1] - 0.1*v2[1]}
	if diff := cmp.Diff(want, w.Data(), cmpopts.EquateApprox(0, 1e-6)); diff != "" {
		t.Errorf("step 2 (-want +got):\n%s", diff)
	}
	if err := s.Step([]*nn.Param{w}, grads); err == nil {
		t.Error("mismatched parameter and gradient counts accepted")
	}
}
