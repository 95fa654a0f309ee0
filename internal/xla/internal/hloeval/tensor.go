package hloeval

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Tensor is a value of a StableHLO program: its element type as StableHLO
// spells it ("f32", "bf16", "i32", "i1", ...), its dimensions and its
// elements in row-major order. Elements are held as float64 whatever the
// element type; they are always exactly representable in that type (i64 and
// ui64 only up to 2^53 in magnitude).
type Tensor struct {
	DType string
	Shape []int
	F     []float64
}

// dtypeInfo describes how the elements of one element type are rounded.
type dtypeInfo struct {
	float    bool
	bits     int  // storage bits of integers
	signed   bool // for integers
	mantissa int  // precision of floats in bits, the implicit bit included
	minExp   int  // exponent of the smallest normal float
	maxExp   int  // exponent of the largest finite float
}

// elementTypes lists the element types the evaluator knows.
var elementTypes = map[string]dtypeInfo{
	"f64":  {float: true, bits: 64, mantissa: 53, minExp: -1022, maxExp: 1023},
	"f32":  {float: true, bits: 32, mantissa: 24, minExp: -126, maxExp: 127},
	"bf16": {float: true, bits: 16, mantissa: 8, minExp: -126, maxExp: 127},
	"f16":  {float: true, bits: 16, mantissa: 11, minExp: -14, maxExp: 15},
	"i64":  {bits: 64, signed: true},
	"i32":  {bits: 32, signed: true},
	"i16":  {bits: 16, signed: true},
	"i8":   {bits: 8, signed: true},
	"ui64": {bits: 64},
	"ui32": {bits: 32},
	"ui16": {bits: 16},
	"ui8":  {bits: 8},
	"i1":   {bits: 1},
}

// isFloat reports whether dtype is a floating-point element type.
func isFloat(dtype string) bool { return elementTypes[dtype].float }

// roundTo returns x rounded to a value of the element type dtype, as the
// result of an op of that type is: floats round to nearest even (overflowing
// to infinity), integers truncate toward zero and wrap in two's complement,
// and i1 is 1 for any non-zero value.
func roundTo(dtype string, x float64) float64 {
	switch dtype {
	case "f64":
		return x
	case "f32":
		return float64(float32(x))
	}
	info := elementTypes[dtype]
	switch {
	case info.float:
		return roundFloat(x, info.mantissa, info.minExp, info.maxExp)
	case dtype == "i1":
		if x != 0 {
			return 1
		}
		return 0
	default:
		return wrapInt(x, info.bits, info.signed)
	}
}

// roundFloat rounds x to nearest even in a binary float format with the
// given precision and exponent range, with gradual underflow and overflow to
// infinity.
func roundFloat(x float64, mantissa, minExp, maxExp int) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	_, e := math.Frexp(x) // |x| = f * 2^e with 0.5 <= f < 1
	exp := max(e-1, minExp)
	ulp := math.Ldexp(1, exp-(mantissa-1))
	r := math.RoundToEven(x/ulp) * ulp
	maxFinite := math.Ldexp(2-math.Ldexp(1, 1-mantissa), maxExp)
	if math.Abs(r) > maxFinite {
		return math.Copysign(math.Inf(1), x)
	}
	return r
}

// wrapInt truncates x toward zero and wraps it into a bits-wide integer.
// NaN becomes 0 and values beyond the int64 range saturate first.
func wrapInt(x float64, bits int, signed bool) float64 {
	if math.IsNaN(x) {
		return 0
	}
	t := math.Trunc(x)
	switch {
	case t >= math.MaxInt64:
		return wrapInt64(math.MaxInt64, bits, signed)
	case t <= math.MinInt64:
		return wrapInt64(math.MinInt64, bits, signed)
	}
	return wrapInt64(int64(t), bits, signed)
}

// wrapInt64 wraps i into a bits-wide integer, two's complement.
func wrapInt64(i int64, bits int, signed bool) float64 {
	if bits == 64 {
		if !signed && i < 0 {
			return float64(uint64(i))
		}
		return float64(i)
	}
	mask := int64(1)<<bits - 1
	u := i & mask
	if signed && u >= int64(1)<<(bits-1) {
		u -= int64(1) << bits
	}
	return float64(u)
}

// intResult converts the exact int64 result of an integer op to a value
// of the integer type dtype, wrapping before any precision is lost.
func intResult(dtype string, i int64) float64 {
	if dtype == "i1" {
		return boolNum(i != 0)
	}
	info := elementTypes[dtype]
	return wrapInt64(i, info.bits, info.signed)
}

// size returns the number of elements of a shape.
func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// typeString spells a tensor type the way StableHLO does: tensor<2x3xf32>.
func typeString(dtype string, shape []int) string {
	var sb strings.Builder
	sb.WriteString("tensor<")
	for _, d := range shape {
		sb.WriteString(strconv.Itoa(d))
		sb.WriteString("x")
	}
	sb.WriteString(dtype)
	sb.WriteString(">")
	return sb.String()
}

// String spells the tensor's type, tensor<2x3xf32>.
func (t *Tensor) String() string { return typeString(t.DType, t.Shape) }

// newTensor returns a zero tensor of the given type.
func newTensor(dtype string, shape []int) *Tensor {
	return &Tensor{DType: dtype, Shape: append([]int{}, shape...), F: make([]float64, size(shape))}
}

// strides returns the row-major strides of a shape.
func strides(shape []int) []int {
	s := make([]int, len(shape))
	n := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = n
		n *= shape[i]
	}
	return s
}

// flat returns the row-major offset of index in a tensor of the given shape.
func flat(index, shape []int) int {
	off := 0
	for i, x := range index {
		off = off*shape[i] + x
	}
	return off
}

// next advances index to the next one in row-major order within shape and
// reports false once every index has been visited.
func next(index, shape []int) bool {
	for i := len(index) - 1; i >= 0; i-- {
		index[i]++
		if index[i] < shape[i] {
			return true
		}
		index[i] = 0
	}
	return false
}

// forEach calls f with every index of shape in row-major order (once, with
// an empty index, for a scalar; never for a shape with a zero dimension).
// The index slice is reused between calls.
func forEach(shape []int, f func(index []int)) {
	if size(shape) == 0 {
		return
	}
	index := make([]int, len(shape))
	for {
		f(index)
		if !next(index, shape) {
			return
		}
	}
}

// at returns the element of t at index.
func (t *Tensor) at(index []int) float64 { return t.F[flat(index, t.Shape)] }

// checkTensor reports whether t is well formed: a known element type,
// non-negative dimensions and as many elements as its shape holds.
func checkTensor(t *Tensor) error {
	if t == nil {
		return fmt.Errorf("nil tensor")
	}
	if _, ok := elementTypes[t.DType]; !ok {
		return fmt.Errorf("unknown element type %q", t.DType)
	}
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("negative dimension in %s", t)
		}
	}
	if len(t.F) != size(t.Shape) {
		return fmt.Errorf("%s holds %d elements, want %d", t, len(t.F), size(t.Shape))
	}
	return nil
}
