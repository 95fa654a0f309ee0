package evaluate

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/sslrun/sslrun/registry"
)

func TestKNN(t *testing.T) {
	// Two clusters on the unit circle; the test points sit near them.
	train := Features{Dim: 2, Data: []float32{1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9, -1, 0}, Labels: []int{0, 0, 1, 1, 2}}
	test := Features{Dim: 2, Data: []float32{2, 0.1, 0.2, 3, -5, 0.2}, Labels: []int{0, 1, 1}}
	tests := []struct {
		k          int
		top1, top5 float64
	}{
		{k: 1, top1: 2.0 / 3, top5: 1},
		{k: 2, top1: 2.0 / 3, top5: 1},
	}
	for _, tt := range tests {
		top1, top5, err := KNN(train, test, 3, tt.k, 0.1)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(top1-tt.top1) > 1e-9 || math.Abs(top5-tt.top5) > 1e-9 {
			t.Errorf("k=%d: top1 %v top5 %v, want %v %v", tt.k, top1, top5, tt.top1, tt.top5)
		}
	}
	// The weighting matters: one very close neighbour of class 2 outvotes
	// two distant ones of class 0 at a low temperature.
	train = Features{Dim: 2, Data: []float32{1, 0, 0, 1, 0.05, 1}, Labels: []int{0, 0, 2}}
	test = Features{Dim: 2, Data: []float32{0.05, 1}, Labels: []int{2}}
	if top1, _, _ := KNN(train, test, 3, 3, 0.05); top1 != 1 {
		t.Errorf("weighted vote lost to the count: top1 %v", top1)
	}
	if _, _, err := KNN(train, Features{Dim: 3}, 3, 1, 0.1); err == nil {
		t.Error("mismatched widths accepted")
	}
}

func TestWeightedKNN(t *testing.T) {
	train := Features{Dim: 2, Data: []float32{1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9, -1, 0}, Labels: []int{0, 0, 1, 1, 2}}
	test := Features{Dim: 2, Data: []float32{2, 0.1, 0.2, 3, -5, 0.2}, Labels: []int{0, 1, 1}}
	e, err := registry.Build[Evaluator]("evaluate.knn", map[string]any{"k": 2})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Evaluate(context.Background(), train, test, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Result{Top1: 2.0 / 3, Top5: 1}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Evaluate(ctx, train, test, 3); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v, want context.Canceled", err)
	}
}
