package hloeval

import (
	"math"
	"testing"

	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types"
	"github.com/gomlx/go-xla/pkg/types/dtypes"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// opCase is one program built with go-xla's builder, its inputs and the
// results worked out by hand.
type opCase struct {
	name   string
	inputs []*Tensor
	build  buildFunc
	want   []*Tensor
}

// runCases builds, parses and runs every case and compares the results
// exactly (NaNs equal).
func runCases(t *testing.T, cases []opCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := buildProgram(t, c.inputs, c.build)
			got := runProgram(t, text, c.inputs)
			if diff := cmp.Diff(c.want, got, cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("results differ (-want +got):\n%s\nprogram:\n%s", diff, text)
			}
		})
	}
}

// unary returns a build function applying op to the single argument.
func unary(op func(*stablehlo.Value) (*stablehlo.Value, error)) buildFunc {
	return func(_ *stablehlo.Function, args []*stablehlo.Value) []*stablehlo.Value {
		return []*stablehlo.Value{must(op(args[0]))}
	}
}

// binary returns a build function applying op to the two arguments.
func binary(op func(a, b *stablehlo.Value) (*stablehlo.Value, error)) buildFunc {
	return func(_ *stablehlo.Function, args []*stablehlo.Value) []*stablehlo.Value {
		return []*stablehlo.Value{must(op(args[0], args[1]))}
	}
}

func TestElementwise(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	x := tensor("f32", dims(2, 3), -2.5, -0.5, 0, 0.5, 1.5, 4)
	y := tensor("f32", dims(2, 3), 2, 3, -1, 0.25, 1.5, -3)
	ix := tensor("i32", dims(5), -7, 7, 7, -7, 5)
	iy := tensor("i32", dims(5), 2, 2, -2, -2, 0)
	b1 := tensor("i1", dims(4), 0, 0, 1, 1)
	b2 := tensor("i1", dims(4), 0, 1, 0, 1)
	f32 := func(xs ...float64) *Tensor {
		for i, v := range xs {
			xs[i] = float64(float32(v))
		}
		return tensor("f32", dims(2, 3), xs...)
	}
	logistic := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	runCases(t, []opCase{
		{"add", []*Tensor{x, y}, binary(stablehlo.Add), []*Tensor{f32(-0.5, 2.5, -1, 0.75, 3, 1)}},
		{"subtract", []*Tensor{x, y}, binary(stablehlo.Subtract), []*Tensor{f32(-4.5, -3.5, 1, 0.25, 0, 7)}},
		{"multiply", []*Tensor{x, y}, binary(stablehlo.Multiply), []*Tensor{f32(-5, -1.5, 0, 0.125, 2.25, -12)}},
		{"divide", []*Tensor{x, y}, binary(stablehlo.Divide), []*Tensor{f32(-1.25, -0.5/3, 0, 2, 1, -4.0/3)}},
		{"divide by zero", []*Tensor{tensor("f32", dims(3), 1, -1, 0), tensor("f32", dims(3), 0, 0, 0)},
			binary(stablehlo.Divide), []*Tensor{tensor("f32", dims(3), inf, -inf, nan)}},
		{"remainder", []*Tensor{x, y}, binary(stablehlo.Remainder), []*Tensor{f32(-0.5, -0.5, 0, 0, 0, 1)}},
		{"power", []*Tensor{x, y}, binary(stablehlo.Power), []*Tensor{f32(6.25, -0.125, math.Inf(1), math.Pow(0.5, 0.25), math.Pow(1.5, 1.5), 1.0/64)}},
		{"maximum", []*Tensor{x, y}, binary(stablehlo.Maximum), []*Tensor{f32(2, 3, 0, 0.5, 1.5, 4)}},
		{"minimum", []*Tensor{x, y}, binary(stablehlo.Minimum), []*Tensor{f32(-2.5, -0.5, -1, 0.25, 1.5, -3)}},
		{"maximum NaN", []*Tensor{tensor("f32", dims(2), nan, 1), tensor("f32", dims(2), 1, nan)},
			binary(stablehlo.Maximum), []*Tensor{tensor("f32", dims(2), nan, nan)}},
		{"negate", []*Tensor{x}, unary(stablehlo.Negate), []*Tensor{f32(2.5, 0.5, 0, -0.5, -1.5, -4)}},
		{"abs", []*Tensor{x}, unary(stablehlo.Abs), []*Tensor{f32(2.5, 0.5, 0, 0.5, 1.5, 4)}},
		{"exponential", []*Tensor{x}, unary(stablehlo.Exponential),
			[]*Tensor{f32(math.Exp(-2.5), math.Exp(-0.5), 1, math.Exp(0.5), math.Exp(1.5), math.Exp(4))}},
		{"log", []*Tensor{x}, unary(stablehlo.Log), []*Tensor{f32(nan, nan, -inf, math.Log(0.5), math.Log(1.5), math.Log(4))}},
		{"log_plus_one", []*Tensor{x}, unary(stablehlo.LogPlusOne),
			[]*Tensor{f32(nan, math.Log(0.5), 0, math.Log(1.5), math.Log(2.5), math.Log(5))}},
		{"sqrt", []*Tensor{x}, unary(stablehlo.Sqrt), []*Tensor{f32(nan, nan, 0, math.Sqrt(0.5), math.Sqrt(1.5), 2)}},
		{"rsqrt", []*Tensor{x}, unary(stablehlo.Rsqrt), []*Tensor{f32(nan, nan, inf, math.Sqrt(2), 1/math.Sqrt(1.5), 0.5)}},
		{"tanh", []*Tensor{x}, unary(stablehlo.Tanh),
			[]*Tensor{f32(math.Tanh(-2.5), math.Tanh(-0.5), 0, math.Tanh(0.5), math.Tanh(1.5), math.Tanh(4))}},
		{"logistic", []*Tensor{x}, unary(stablehlo.Logistic),
			[]*Tensor{f32(logistic(-2.5), logistic(-0.5), 0.5, logistic(0.5), logistic(1.5), logistic(4))}},
		{"sign", []*Tensor{x}, unary(stablehlo.Sign), []*Tensor{f32(-1, -1, 0, 1, 1, 1)}},
		{"floor", []*Tensor{x}, unary(stablehlo.Floor), []*Tensor{f32(-3, -1, 0, 0, 1, 4)}},
		{"ceil", []*Tensor{x}, unary(stablehlo.Ceil), []*Tensor{f32(-2, 0, 0, 1, 2, 4)}},
		{"round_nearest_even", []*Tensor{x}, unary(stablehlo.RoundNearestEven), []*Tensor{f32(-2, 0, 0, 0, 2, 4)}},
		{"is_finite", []*Tensor{tensor("f32", dims(4), 1, inf, -inf, nan)}, unary(stablehlo.IsFinite),
			[]*Tensor{tensor("i1", dims(4), 1, 0, 0, 0)}},
		{"integer add wraps", []*Tensor{tensor("i32", dims(1), math.MaxInt32), tensor("i32", dims(1), 1)},
			binary(stablehlo.Add), []*Tensor{tensor("i32", dims(1), math.MinInt32)}},
		{"integer multiply wraps exactly", []*Tensor{tensor("i32", dims(2), 123456789, -65537), tensor("i32", dims(2), 987654321, 65537)},
			binary(stablehlo.Multiply), []*Tensor{tensor("i32", dims(2), -67153019, -131073)}}, // the products mod 2^32
		{"integer divide truncates", []*Tensor{ix, iy}, binary(stablehlo.Divide), []*Tensor{tensor("i32", dims(5), -3, 3, -3, 3, -1)}},
		{"integer remainder", []*Tensor{ix, iy}, binary(stablehlo.Remainder), []*Tensor{tensor("i32", dims(5), -1, 1, 1, -1, 5)}},
		{"integer power", []*Tensor{tensor("i32", dims(3), 3, -2, 5), tensor("i32", dims(3), 4, 3, -1)},
			binary(stablehlo.Power), []*Tensor{tensor("i32", dims(3), 81, -8, 0)}},
		{"integer power wraps", []*Tensor{tensor("i32", dims(2), 3, -1), tensor("i32", dims(2), 40, 2147483647)},
			binary(stablehlo.Power), []*Tensor{tensor("i32", dims(2), 689956897, -1)}}, // 3^40 mod 2^32
		{"integer negate", []*Tensor{ix}, unary(stablehlo.Negate), []*Tensor{tensor("i32", dims(5), 7, -7, -7, 7, -5)}},
		{"and", []*Tensor{b1, b2}, binary(stablehlo.And), []*Tensor{tensor("i1", dims(4), 0, 0, 0, 1)}},
		{"or", []*Tensor{b1, b2}, binary(stablehlo.Or), []*Tensor{tensor("i1", dims(4), 0, 1, 1, 1)}},
		{"not", []*Tensor{b1}, unary(stablehlo.Not), []*Tensor{tensor("i1", dims(4), 1, 1, 0, 0)}},
		{"integer not", []*Tensor{tensor("i32", dims(2), 0, 5)}, unary(stablehlo.Not), []*Tensor{tensor("i32", dims(2), -1, -6)}},
		{"integer and", []*Tensor{tensor("i32", dims(2), 12, -1), tensor("i32", dims(2), 10, 6)},
			binary(stablehlo.And), []*Tensor{tensor("i32", dims(2), 8, 6)}},
		{"select", []*Tensor{b2, tensor("f32", dims(4), 1, 2, 3, 4), tensor("f32", dims(4), -1, -2, -3, -4)},
			func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				return []*stablehlo.Value{must(stablehlo.Select(a[0], a[1], a[2]))}
			}, []*Tensor{tensor("f32", dims(4), -1, 2, -3, 4)}},
		{"select scalar predicate", []*Tensor{tensor("i1", nil, 1), tensor("f32", dims(2), 1, 2), tensor("f32", dims(2), -1, -2)},
			func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				return []*stablehlo.Value{must(stablehlo.Select(a[0], a[1], a[2]))}
			}, []*Tensor{tensor("f32", dims(2), 1, 2)}},
		{"clamp", []*Tensor{tensor("f32", nil, -1), x, tensor("f32", nil, 1)},
			func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				return []*stablehlo.Value{must(stablehlo.Clamp(a[0], a[1], a[2]))}
			}, []*Tensor{f32(-1, -0.5, 0, 0.5, 1, 1)}},
		{"clamp elementwise bounds", []*Tensor{tensor("i32", dims(3), 0, 0, 5), tensor("i32", dims(3), -4, 4, 4), tensor("i32", dims(3), 3, 3, 9)},
			func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				return []*stablehlo.Value{must(stablehlo.Clamp(a[0], a[1], a[2]))}
			}, []*Tensor{tensor("i32", dims(3), 0, 3, 5)}},
	})
}

func TestCompare(t *testing.T) {
	nan := math.NaN()
	fx := tensor("f32", dims(5), 1, 2, 3, nan, math.Copysign(0, -1))
	fy := tensor("f32", dims(5), 2, 2, 1, nan, 0)
	ix := tensor("i32", dims(3), -1, 2, 3)
	iy := tensor("i32", dims(3), 1, 2, -3)
	cmpOp := func(dir types.ComparisonDirection, ct types.ComparisonType) buildFunc {
		return func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
			return []*stablehlo.Value{must(stablehlo.Compare(a[0], a[1], dir, ct))}
		}
	}
	b := func(xs ...float64) []*Tensor { return []*Tensor{tensor("i1", dims(len(xs)), xs...)} }
	runCases(t, []opCase{
		{"float EQ", []*Tensor{fx, fy}, cmpOp(types.CompareEQ, types.CompareFloat), b(0, 1, 0, 0, 1)},
		{"float NE", []*Tensor{fx, fy}, cmpOp(types.CompareNE, types.CompareFloat), b(1, 0, 1, 1, 0)},
		{"float LT", []*Tensor{fx, fy}, cmpOp(types.CompareLT, types.CompareFloat), b(1, 0, 0, 0, 0)},
		{"float LE", []*Tensor{fx, fy}, cmpOp(types.CompareLE, types.CompareFloat), b(1, 1, 0, 0, 1)},
		{"float GT", []*Tensor{fx, fy}, cmpOp(types.CompareGT, types.CompareFloat), b(0, 0, 1, 0, 0)},
		{"float GE", []*Tensor{fx, fy}, cmpOp(types.CompareGE, types.CompareFloat), b(0, 1, 1, 0, 1)},
		{"total order EQ", []*Tensor{fx, fy}, cmpOp(types.CompareEQ, types.CompareTotalOrder), b(0, 1, 0, 1, 0)},
		{"total order LT", []*Tensor{fx, fy}, cmpOp(types.CompareLT, types.CompareTotalOrder), b(1, 0, 0, 0, 1)},
		{"total order GE", []*Tensor{fx, fy}, cmpOp(types.CompareGE, types.CompareTotalOrder), b(0, 1, 1, 1, 0)},
		{"signed LT", []*Tensor{ix, iy}, cmpOp(types.CompareLT, types.CompareSigned), b(1, 0, 0)},
		{"signed GE", []*Tensor{ix, iy}, cmpOp(types.CompareGE, types.CompareSigned), b(0, 1, 1)},
		{"unsigned LT", []*Tensor{tensor("ui8", dims(3), 200, 2, 3), tensor("ui8", dims(3), 1, 2, 250)},
			cmpOp(types.CompareLT, types.CompareUnsigned), b(0, 0, 1)},
		{"bool GT", []*Tensor{tensor("i1", dims(2), 1, 0), tensor("i1", dims(2), 0, 1)},
			cmpOp(types.CompareGT, types.CompareUnsigned), b(1, 0)},
	})
}

func TestConvert(t *testing.T) {
	conv := func(to dtypes.DType) buildFunc {
		return unary(func(v *stablehlo.Value) (*stablehlo.Value, error) { return stablehlo.Convert(v, to) })
	}
	nan := math.NaN()
	runCases(t, []opCase{
		{"f32 to i32 truncates and saturates", []*Tensor{tensor("f32", dims(6), 2.7, -2.7, 1e10, -1e10, nan, -0.5)},
			conv(dtypes.S32), []*Tensor{tensor("i32", dims(6), 2, -2, math.MaxInt32, math.MinInt32, 0, 0)}},
		{"i32 to f32", []*Tensor{tensor("i32", dims(2), 16777217, -3)},
			conv(dtypes.F32), []*Tensor{tensor("f32", dims(2), 16777216, -3)}},
		{"f32 to bool", []*Tensor{tensor("f32", dims(3), 0, -0.5, nan)},
			conv(dtypes.Bool), []*Tensor{tensor("i1", dims(3), 0, 1, 1)}},
		{"bool to f32", []*Tensor{tensor("i1", dims(2), 1, 0)},
			conv(dtypes.F32), []*Tensor{tensor("f32", dims(2), 1, 0)}},
		{"f32 to f64 is exact", []*Tensor{tensor("f32", dims(1), float64(float32(0.1)))},
			conv(dtypes.F64), []*Tensor{tensor("f64", dims(1), float64(float32(0.1)))}},
		{"f64 to f32 rounds", []*Tensor{tensor("f64", dims(1), 0.1)},
			conv(dtypes.F32), []*Tensor{tensor("f32", dims(1), float64(float32(0.1)))}},
		{"bitcast f32 to i32", []*Tensor{tensor("f32", dims(2), 1, -2)},
			unary(func(v *stablehlo.Value) (*stablehlo.Value, error) { return stablehlo.BitcastConvert(v, dtypes.S32) }),
			[]*Tensor{tensor("i32", dims(2), 0x3f800000, -0x40000000)}},
		{"bitcast f16 and bf16 to i16", []*Tensor{tensor("f16", dims(2), 1.5, -2), tensor("bf16", dims(2), 1.5, -2)},
			func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				return []*stablehlo.Value{must(stablehlo.BitcastConvert(a[0], dtypes.S16)), must(stablehlo.BitcastConvert(a[1], dtypes.S16))}
			}, []*Tensor{tensor("i16", dims(2), 0x3e00, -0x4000), tensor("i16", dims(2), 0x3fc0, -0x4000)}},
		{"bitcast i16 to f16", []*Tensor{tensor("i16", dims(2), 0x3c01, -0x400)},
			unary(func(v *stablehlo.Value) (*stablehlo.Value, error) { return stablehlo.BitcastConvert(v, dtypes.F16) }),
			[]*Tensor{tensor("f16", dims(2), 1+math.Ldexp(1, -10), math.Inf(-1))}},
		{"bitcast i32 to f32", []*Tensor{tensor("i32", dims(1), 0x40490fdb)},
			unary(func(v *stablehlo.Value) (*stablehlo.Value, error) { return stablehlo.BitcastConvert(v, dtypes.F32) }),
			[]*Tensor{tensor("f32", dims(1), float64(float32(math.Pi)))}},
	})
}

func TestShapeOps(t *testing.T) {
	x := tensor("f32", dims(2, 3), 1, 2, 3, 4, 5, 6)
	m := tensor("f32", dims(3, 4), seq(12, 0, 1)...)
	pad := func(lo, hi, interior []int) buildFunc {
		return func(fn *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
			zero := must(fn.ConstantFromScalar(float32(-1)))
			return []*stablehlo.Value{must(stablehlo.Pad(a[0], zero, lo, hi, interior))}
		}
	}
	runCases(t, []opCase{
		{"constant", nil, func(fn *stablehlo.Function, _ []*stablehlo.Value) []*stablehlo.Value {
			return []*stablehlo.Value{
				must(fn.ConstantFromFlatAndDimensions([]float32{1, 2, 3, 4, 5, 6}, 3, 2)),
				must(fn.ConstantFromScalar(int32(-7))),
				must(fn.ConstantFromFlatAndDimensions([]bool{true, false}, 2)),
				must(fn.ConstantFromScalar(float32(math.Inf(-1)))),
			}
		}, []*Tensor{tensor("f32", dims(3, 2), 1, 2, 3, 4, 5, 6), tensor("i32", nil, -7), tensor("i1", dims(2), 1, 0), tensor("f32", nil, math.Inf(-1))}},
		{"iota", nil, func(fn *stablehlo.Function, _ []*stablehlo.Value) []*stablehlo.Value {
			return []*stablehlo.Value{must(fn.Iota(shapeOf("i32", 2, 3), 1)), must(fn.Iota(shapeOf("f32", 2, 3), 0))}
		}, []*Tensor{tensor("i32", dims(2, 3), 0, 1, 2, 0, 1, 2), tensor("f32", dims(2, 3), 0, 0, 0, 1, 1, 1)}},
		{"broadcast_in_dim", []*Tensor{tensor("f32", dims(2, 1), 1, 2)},
			unary(func(v *stablehlo.Value) (*stablehlo.Value, error) {
				return stablehlo.BroadcastInDim(v, shapeOf("f32", 3, 2, 2), []int{1, 2})
			}), []*Tensor{tensor("f32", dims(3, 2, 2), 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2)}},
		{"broadcast_in_dim transposing", []*Tensor{x},
			unary(func(v *stablehlo.Value) (*stablehlo.Value, error) {
				return stablehlo.BroadcastInDim(v, shapeOf("f32", 3, 2), []int{1, 0})
			}), []*Tensor{tensor("f32", dims(3, 2), 1, 4, 2, 5, 3, 6)}},
		{"broadcast scalar", []*Tensor{tensor("f32", nil, 7)},
			unary(func(v *stablehlo.Value) (*stablehlo.Value, error) {
				return stablehlo.BroadcastInDim(v, shapeOf("f32", 2), nil)
			}), []*Tensor{tensor("f32", dims(2), 7, 7)}},
		{"reshape", []*Tensor{x},
			unary(func(v *stablehlo.Value) (*stablehlo.Value, error) {
				return stablehlo.Reshape(v, shapeOf("f32", 3, 1, 2))
			}),
			[]*Tensor{tensor("f32", dims(3, 1, 2), 1, 2, 3, 4, 5, 6)}},
		{"transpose", []*Tensor{x},
			unary(func(v *stablehlo.Value) (*stablehlo.Value, error) { return stablehlo.Transpose(v, 1, 0) }),
			[]*Tensor{tensor("f32", dims(3, 2), 1, 4, 2, 5, 3, 6)}},
		{"transpose rank 3", []*Tensor{tensor("f32", dims(2, 3, 2), seq(12, 0, 1)...)},
			unary(func(v *stablehlo.Value) (*stablehlo.Value, error) { return stablehlo.Transpose(v, 2, 0, 1) }),
			[]*Tensor{tensor("f32", dims(2, 2, 3), 0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11)}},
		{"slice", []*Tensor{m},
			unary(func(v *stablehlo.Value) (*stablehlo.Value, error) {
				return stablehlo.Slice(v, []int{0, 1}, []int{3, 4}, []int{2, 2})
			}), []*Tensor{tensor("f32", dims(2, 2), 1, 3, 9, 11)}},
		{"dynamic_slice clamps", []*Tensor{m, tensor("i32", nil, 2), tensor("i32", nil, -1)},
			func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				return []*stablehlo.Value{must(stablehlo.DynamicSlice(a[0], a[1:], []int{2, 3}))}
			}, []*Tensor{tensor("f32", dims(2, 3), 4, 5, 6, 8, 9, 10)}},
		{"dynamic_update_slice", []*Tensor{m, tensor("f32", dims(2, 2), -1, -2, -3, -4), tensor("i32", nil, 1), tensor("i32", nil, 3)},
			func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				return []*stablehlo.Value{must(stablehlo.DynamicUpdateSlice(a[0], a[1], a[2:]))}
			}, []*Tensor{tensor("f32", dims(3, 4), 0, 1, 2, 3, 4, 5, -1, -2, 8, 9, -3, -4)}},
		{"concatenate", []*Tensor{x, tensor("f32", dims(2, 1), 7, 8)},
			func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				return []*stablehlo.Value{must(stablehlo.Concatenate(1, a[0], a[1]))}
			}, []*Tensor{tensor("f32", dims(2, 4), 1, 2, 3, 7, 4, 5, 6, 8)}},
		{"pad edges", []*Tensor{x}, pad([]int{1, 0}, []int{0, 2}, nil),
			[]*Tensor{tensor("f32", dims(3, 5), -1, -1, -1, -1, -1, 1, 2, 3, -1, -1, 4, 5, 6, -1, -1)}},
		{"pad interior", []*Tensor{x}, pad([]int{0, 1}, []int{0, 0}, []int{1, 1}),
			[]*Tensor{tensor("f32", dims(3, 6), -1, 1, -1, 2, -1, 3, -1, -1, -1, -1, -1, -1, -1, 4, -1, 5, -1, 6)}},
		{"pad negative", []*Tensor{x}, pad([]int{0, -1}, []int{-1, 1}, []int{0, 1}),
			[]*Tensor{tensor("f32", dims(1, 5), -1, 2, -1, 3, -1)}},
		{"pad negative through interior", []*Tensor{tensor("f32", dims(3), 1, 2, 3)}, pad([]int{-2}, []int{-1}, []int{2}),
			[]*Tensor{tensor("f32", dims(4), -1, 2, -1, -1)}},
		{"reverse", []*Tensor{x},
			unary(func(v *stablehlo.Value) (*stablehlo.Value, error) { return stablehlo.Reverse(v, 1) }),
			[]*Tensor{tensor("f32", dims(2, 3), 3, 2, 1, 6, 5, 4)}},
		{"reverse both", []*Tensor{x},
			unary(func(v *stablehlo.Value) (*stablehlo.Value, error) { return stablehlo.Reverse(v, 0, 1) }),
			[]*Tensor{tensor("f32", dims(2, 3), 6, 5, 4, 3, 2, 1)}},
	})
}

func TestBF16Rounding(t *testing.T) {
	// bf16 keeps 8 significant bits: 1 + 2^-7 is representable, 1 + 2^-8 is
	// the tie between 1 and 1+2^-7 and goes to the even 1, 1 + 3*2^-8 ties to
	// the even 1 + 2^-6, and 3*(1+2^-7) = 3 + 1.5 ulp goes to 3 + 2 ulp.
	x := tensor("bf16", dims(4), 1, 1, 1, 256)
	y := tensor("bf16", dims(4), math.Ldexp(1, -7), math.Ldexp(1, -8), 1, 1)
	runCases(t, []opCase{
		{"add", []*Tensor{x, y}, binary(stablehlo.Add), []*Tensor{tensor("bf16", dims(4), 1+math.Ldexp(1, -7), 1, 2, 256)}},
		{"convert from f32 ties to even", []*Tensor{tensor("f32", dims(5), 1+math.Ldexp(1, -8), 1+3*math.Ldexp(1, -8), 1+math.Ldexp(1, -8)+math.Ldexp(1, -20), 3.4e38, -1e-40)},
			unary(func(v *stablehlo.Value) (*stablehlo.Value, error) { return stablehlo.Convert(v, dtypes.BFloat16) }),
			[]*Tensor{tensor("bf16", dims(5), 1, 1+math.Ldexp(1, -6), 1+math.Ldexp(1, -7), math.Inf(1), -math.Ldexp(1, -133))}},
		{"multiply", []*Tensor{tensor("bf16", dims(1), 3), tensor("bf16", dims(1), 1+math.Ldexp(1, -7))},
			binary(stablehlo.Multiply), []*Tensor{tensor("bf16", dims(1), 3+math.Ldexp(1, -5))}},
	})
}

func TestRoundTo(t *testing.T) {
	tests := []struct {
		dtype string
		x     float64
		want  float64
	}{
		{"bf16", 1 + math.Ldexp(1, -8), 1},
		{"bf16", 1 + 3*math.Ldexp(1, -8), 1 + math.Ldexp(1, -6)},
		{"bf16", -(1 + math.Ldexp(1, -7) + math.Ldexp(1, -9)), -(1 + math.Ldexp(1, -7))},
		{"bf16", math.Ldexp(1, -133), math.Ldexp(1, -133)},
		{"bf16", math.Ldexp(1, -134), 0},
		{"bf16", math.Ldexp(3, -135), math.Ldexp(1, -133)},
		{"bf16", 3.4e38, math.Inf(1)},
		{"f16", 65504, 65504},
		{"f16", 65520, math.Inf(1)},
		{"f16", 1 + math.Ldexp(1, -11), 1},
		{"f16", math.Ldexp(1, -24), math.Ldexp(1, -24)},
		{"f32", 0.1, float64(float32(0.1))},
		{"i32", -2.9, -2},
		{"i32", math.Ldexp(1, 31), math.MinInt32},
		{"ui8", -1, 255},
		{"i8", 200, -56},
		{"i1", -3, 1},
	}
	for _, tt := range tests {
		if got := roundTo(tt.dtype, tt.x); got != tt.want {
			t.Errorf("roundTo(%s, %v) = %v, want %v", tt.dtype, tt.x, got, tt.want)
		}
	}
}
