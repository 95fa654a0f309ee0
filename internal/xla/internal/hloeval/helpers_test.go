package hloeval

import (
	"testing"

	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types/dtypes"
	"github.com/gomlx/go-xla/pkg/types/shapes"
)

// must returns v or panics with err; the builders' errors are test bugs.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// goXLATypes maps the evaluator's element type names to go-xla's.
var goXLATypes = map[string]dtypes.DType{
	"f64": dtypes.F64, "f32": dtypes.F32, "bf16": dtypes.BFloat16, "f16": dtypes.F16,
	"i64": dtypes.S64, "i32": dtypes.S32, "i16": dtypes.S16, "i8": dtypes.S8,
	"ui32": dtypes.U32, "ui16": dtypes.U16, "ui8": dtypes.U8, "i1": dtypes.Bool,
}

// shapeOf returns go-xla's shape for an element type and dimensions.
func shapeOf(dtype string, dims ...int) shapes.Shape {
	return shapes.Make(goXLATypes[dtype], dims...)
}

// buildFunc adds ops to main, given its arguments, and returns the values
// main returns.
type buildFunc func(fn *stablehlo.Function, args []*stablehlo.Value) []*stablehlo.Value

// buildProgram prints, with go-xla's builder, a module whose @main takes
// arguments of the inputs' types and returns what build returns.
func buildProgram(t testing.TB, inputs []*Tensor, build buildFunc) string {
	t.Helper()
	b := stablehlo.New("test")
	fn := b.Main()
	args := make([]*stablehlo.Value, len(inputs))
	for i, in := range inputs {
		args[i] = must(fn.Input(shapeOf(in.DType, in.Shape...)))
	}
	if err := fn.Return(build(fn, args)...); err != nil {
		t.Fatalf("Return: %v", err)
	}
	text, err := b.Build()
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return string(text)
}

// runProgram parses text and runs it on inputs.
func runProgram(t testing.TB, text string, inputs []*Tensor) []*Tensor {
	t.Helper()
	m, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, text)
	}
	outs, err := m.Run(inputs...)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, text)
	}
	return outs
}

// tensor makes a Tensor; with no shape it is a scalar.
func tensor(dtype string, shape []int, values ...float64) *Tensor {
	if shape == nil {
		shape = []int{}
	}
	return &Tensor{DType: dtype, Shape: shape, F: values}
}

// dims is shorthand for a shape.
func dims(d ...int) []int { return d }

// seq returns n values start, start+step, ...
func seq(n int, start, step float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = start + float64(i)*step
	}
	return xs
}

// closure2 returns a region of fn taking two scalars of dtype and
// returning op of them.
func closure2(fn *stablehlo.Function, dtype string, op func(a, b *stablehlo.Value) (*stablehlo.Value, error)) *stablehlo.Function {
	c := fn.Closure()
	a := must(c.Input(shapeOf(dtype)))
	b := must(c.Input(shapeOf(dtype)))
	if err := c.Return(must(op(a, b))); err != nil {
		panic(err)
	}
	return c
}
