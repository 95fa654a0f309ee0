package evaluate

import (
	"context"
	"errors"
	"maps"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/registry"
)

var evaluateIDs = []string{"evaluate.knn", "evaluate.linear"}

func TestDefaults(t *testing.T) {
	tests := []struct {
		id   string
		want Evaluator
	}{
		{id: "evaluate.knn", want: &WeightedKNN{splits: splits{train: "train", test: "test"}, k: 200, temperature: 0.1}},
		{id: "evaluate.linear", want: &Linear{splits: splits{train: "train", test: "test"}, l2: 1e-4, maxIterations: 1000, tolerance: 1e-5}},
	}
	for _, tt := range tests {
		e, err := registry.Build[Evaluator](tt.id, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, e, cmp.AllowUnexported(WeightedKNN{}, Linear{}, splits{})); diff != "" {
			t.Errorf("%s defaults (-want +got):\n%s", tt.id, diff)
		}
	}
}

func TestSplits(t *testing.T) {
	tests := []struct {
		params           map[string]any
		baseline, pixels bool
	}{
		{params: map[string]any{}},
		{params: map[string]any{"baseline": true}, baseline: true},
		{params: map[string]any{"pixels": true}, pixels: true},
		{params: map[string]any{"baseline": true, "pixels": true}, baseline: true, pixels: true},
	}
	for _, id := range evaluateIDs {
		for _, tt := range tests {
			params := map[string]any{"train": "cifar10_train", "test": "cifar10_test"}
			maps.Copy(params, tt.params)
			e, err := registry.Build[Evaluator](id, params)
			if err != nil {
				t.Fatal(err)
			}
			if train, test := e.Splits(); train != "cifar10_train" || test != "cifar10_test" || e.Baseline() != tt.baseline || e.Pixels() != tt.pixels {
				t.Errorf("%s %v: Splits %q, %q, Baseline %v, Pixels %v; want baseline %v, pixels %v", id, tt.params, train, test, e.Baseline(), e.Pixels(), tt.baseline, tt.pixels)
			}
		}
		_, err := registry.Build[Evaluator](id, map[string]any{"train": "cifar10", "test": "cifar10"})
		var pe *registry.ParamError
		if !errors.As(err, &pe) || pe.Param != "test" {
			t.Errorf("%s with train = test: error %v, want a ParamError on test", id, err)
		}
	}
}

func TestCheckWiring(t *testing.T) {
	tests := []struct {
		name        string
		train, test string
		datasets    []string
		want        string // substring of the error; "" for none
	}{
		{name: "both exist", train: "tr", test: "te", datasets: []string{"unlabeled", "tr", "te"}},
		{name: "unknown train", train: "trn", test: "te", datasets: []string{"tr", "te"}, want: `train names dataset block "trn", which the spec does not have; its dataset blocks are "tr", "te"`},
		{name: "unknown test", train: "tr", test: "tst", datasets: []string{"tr", "te"}, want: `test names dataset block "tst", which the spec does not have; its dataset blocks are "tr", "te"`},
		{name: "no datasets", train: "tr", test: "te", want: `train names dataset block "tr", but the spec has no dataset blocks`},
	}
	for _, id := range evaluateIDs {
		for _, tt := range tests {
			t.Run(id+"/"+tt.name, func(t *testing.T) {
				e, err := registry.Build[Evaluator](id, map[string]any{"train": tt.train, "test": tt.test})
				if err != nil {
					t.Fatal(err)
				}
				wc, ok := e.(registry.WiringChecker)
				if !ok {
					t.Fatalf("%T is not a registry.WiringChecker", e)
				}
				err = wc.CheckWiring(registry.Wiring{Datasets: tt.datasets})
				switch {
				case tt.want == "" && err != nil:
					t.Errorf("unexpected error: %v", err)
				case tt.want != "" && (err == nil || err.Error() != tt.want):
					t.Errorf("error %v, want %q", err, tt.want)
				}
			})
		}
	}
}

func TestEvaluateInputErrors(t *testing.T) {
	good := Features{Dim: 2, Data: []float32{1, 0, 0, 1, 1, 1}, Labels: []int{0, 1, 2}}
	tests := []struct {
		name        string
		train, test Features
		classes     int
		want        string
	}{
		{name: "no classes", train: good, test: good, classes: 0, want: "0 classes"},
		{name: "empty train", train: Features{Dim: 2}, test: good, classes: 3, want: "train split has no vectors"},
		{name: "empty test", train: good, test: Features{Dim: 2}, classes: 3, want: "test split has no vectors"},
		{name: "widths", train: good, test: Features{Dim: 3, Data: []float32{1, 2, 3}, Labels: []int{0}}, classes: 3, want: "feature widths 2 (train) and 3 (test) differ"},
		{name: "zero width", train: Features{Labels: []int{0}}, test: Features{Labels: []int{0}}, classes: 3, want: "train split: feature width 0"},
		{name: "short data", train: Features{Dim: 2, Data: []float32{1, 2, 3}, Labels: []int{0, 1}}, test: good, classes: 3, want: "train split: 3 values for 2 labels of width 2 (want 4)"},
		{name: "label too large", train: good, test: good, classes: 2, want: "train split: label 2 of vector 2 is outside [0, 2)"},
		{name: "negative label", train: good, test: Features{Dim: 2, Data: []float32{1, 2}, Labels: []int{-1}}, classes: 3, want: "test split: label -1 of vector 0 is outside [0, 3)"},
		{name: "NaN", train: Features{Dim: 2, Data: []float32{1, 0, 0, float32(math.NaN())}, Labels: []int{0, 1}}, test: good, classes: 3, want: "train split: vector 1 holds NaN"},
	}
	for _, id := range evaluateIDs {
		e, err := registry.Build[Evaluator](id, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			_, err := e.Evaluate(context.Background(), tt.train, tt.test, tt.classes)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s, %s: error %v, want one containing %q", id, tt.name, err, tt.want)
			}
		}
	}
}
