package hloeval

import (
	"testing"

	"github.com/gomlx/go-xla/pkg/stablehlo"
)

func TestGather(t *testing.T) {
	table := tensor("f32", dims(5, 3), seq(15, 0, 1)...)
	runCases(t, []opCase{
		{"rows, as an embedding lookup", []*Tensor{table, tensor("i32", dims(4, 1), 4, 0, 2, 2)},
			func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				return []*stablehlo.Value{must(stablehlo.Gather(a[0], a[1], 1, []int{1}, []int{0}, nil, nil, []int{0}, []int{1, 3}, false))}
			}, []*Tensor{tensor("f32", dims(4, 3), 12, 13, 14, 0, 1, 2, 6, 7, 8, 6, 7, 8)}},
		{"implicit index vector, slices clamped to fit", []*Tensor{table, tensor("i32", dims(3), -2, 1, 9)},
			func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				return []*stablehlo.Value{must(stablehlo.Gather(a[0], a[1], 1, []int{1, 2}, nil, nil, nil, []int{0}, []int{2, 2}, false))}
			}, []*Tensor{tensor("f32", dims(3, 2, 2), 0, 1, 3, 4, 3, 4, 6, 7, 9, 10, 12, 13)}},
		{"one element per row, with batching dimensions", []*Tensor{table, tensor("i32", dims(5, 2, 1), 0, 2, 1, 1, 2, 0, 0, 0, 2, 1)},
			func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				return []*stablehlo.Value{must(stablehlo.Gather(a[0], a[1], 2, nil, []int{1}, []int{0}, []int{0}, []int{1}, []int{1, 1}, false))}
			}, []*Tensor{tensor("f32", dims(5, 2), 0, 2, 4, 4, 8, 6, 9, 9, 14, 13)}},
		{"two-coordinate index vectors in dimension 0", []*Tensor{table, tensor("i32", dims(2, 3), 0, 4, 1, 2, 0, 1)},
			func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				return []*stablehlo.Value{must(stablehlo.Gather(a[0], a[1], 0, nil, []int{0, 1}, nil, nil, []int{0, 1}, []int{1, 1}, false))}
			}, []*Tensor{tensor("f32", dims(3), 2, 12, 4)}},
	})
}

func TestScatter(t *testing.T) {
	zeros := tensor("f32", dims(4, 3), make([]float64, 12)...)
	add := func(fn *stablehlo.Function) *stablehlo.Function { return closure2(fn, "f32", stablehlo.Add) }
	runCases(t, []opCase{
		{"rows added, duplicates accumulate, out of range skipped", []*Tensor{zeros, tensor("i32", dims(4, 1), 1, 3, 1, 7), tensor("f32", dims(4, 3), seq(12, 1, 1)...)},
			func(fn *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				return []*stablehlo.Value{must(stablehlo.Scatter(a[0], a[1], a[2], []int{1}, []int{0}, nil, nil, []int{0}, 1, false, false, add(fn)))}
			}, []*Tensor{tensor("f32", dims(4, 3), 0, 0, 0, 1+7, 2+8, 3+9, 0, 0, 0, 4, 5, 6)}},
		{"one element per row, with batching dimensions", []*Tensor{zeros, tensor("i32", dims(4, 1), 2, 0, 0, 1), tensor("f32", dims(4), 10, 20, 30, 40)},
			func(fn *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				return []*stablehlo.Value{must(stablehlo.Scatter(a[0], a[1], a[2], nil, []int{1}, []int{0}, []int{0}, []int{1}, 1, false, false, add(fn)))}
			}, []*Tensor{tensor("f32", dims(4, 3), 0, 0, 10, 20, 0, 0, 30, 0, 0, 0, 40, 0)}},
		{"replacing with the update", []*Tensor{tensor("f32", dims(3), 1, 2, 3), tensor("i32", dims(1, 1), 1), tensor("f32", dims(1), 9)},
			func(fn *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				replace := closure2(fn, "f32", func(_, b *stablehlo.Value) (*stablehlo.Value, error) { return b, nil })
				return []*stablehlo.Value{must(stablehlo.Scatter(a[0], a[1], a[2], nil, []int{0}, nil, nil, []int{0}, 1, true, true, replace))}
			}, []*Tensor{tensor("f32", dims(3), 1, 9, 3)}},
	})
}
