package hloeval

import (
	"fmt"
	"math"
	"slices"
)

func init() {
	for name, f := range unaryFloat {
		opTable["stablehlo."+name] = unaryOp(f)
	}
	for name, f := range binaryArith {
		opTable["stablehlo."+name] = binaryOp(f)
	}
	opTable["stablehlo.compare"] = compareOp
	opTable["stablehlo.select"] = selectOp
	opTable["stablehlo.clamp"] = clampOp
	opTable["stablehlo.convert"] = convertOp
	opTable["stablehlo.bitcast_convert"] = bitcastConvertOp
	opTable["stablehlo.is_finite"] = isFiniteOp
}

// unaryFloat holds the element-wise unary ops; each gets the element type
// so that integer and boolean operands are handled as the spec says.
var unaryFloat = map[string]func(dtype string, x float64) float64{
	"negate": func(_ string, x float64) float64 { return -x },
	"abs":    func(_ string, x float64) float64 { return math.Abs(x) },
	"sign": func(_ string, x float64) float64 {
		switch {
		case math.IsNaN(x) || x == 0:
			return x
		case x < 0:
			return -1
		}
		return 1
	},
	"exponential":           func(_ string, x float64) float64 { return math.Exp(x) },
	"exponential_minus_one": func(_ string, x float64) float64 { return math.Expm1(x) },
	"log":                   func(_ string, x float64) float64 { return math.Log(x) },
	"log_plus_one":          func(_ string, x float64) float64 { return math.Log1p(x) },
	"sqrt":                  func(_ string, x float64) float64 { return math.Sqrt(x) },
	"rsqrt":                 func(_ string, x float64) float64 { return 1 / math.Sqrt(x) },
	"cbrt":                  func(_ string, x float64) float64 { return math.Cbrt(x) },
	"tanh":                  func(_ string, x float64) float64 { return math.Tanh(x) },
	"logistic":              func(_ string, x float64) float64 { return 1 / (1 + math.Exp(-x)) },
	"sine":                  func(_ string, x float64) float64 { return math.Sin(x) },
	"cosine":                func(_ string, x float64) float64 { return math.Cos(x) },
	"tan":                   func(_ string, x float64) float64 { return math.Tan(x) },
	"floor":                 func(_ string, x float64) float64 { return math.Floor(x) },
	"ceil":                  func(_ string, x float64) float64 { return math.Ceil(x) },
	"round_nearest_even":    func(_ string, x float64) float64 { return math.RoundToEven(x) },
	"round_nearest_afz":     func(_ string, x float64) float64 { return math.Round(x) },
	"not": func(dtype string, x float64) float64 {
		if dtype == "i1" {
			return 1 - x
		}
		return float64(^int64(x))
	},
}

// unaryOp makes an element-wise op of one operand whose result has the
// operand's type.
func unaryOp(f func(dtype string, x float64) float64) opFunc {
	return func(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
		if len(in) != 1 {
			return nil, fmt.Errorf("takes 1 operand, got %d", len(in))
		}
		x := in[0]
		out := newTensor(x.DType, x.Shape)
		for i, v := range x.F {
			out.F[i] = roundTo(x.DType, f(x.DType, v))
		}
		return []*Tensor{out}, nil
	}
}

// binaryArith holds the element-wise binary ops whose result has the
// operands' type.
var binaryArith = map[string]func(dtype string, x, y float64) float64{
	"add": func(dtype string, x, y float64) float64 {
		if isFloat(dtype) {
			return x + y
		}
		return intResult(dtype, int64(x)+int64(y))
	},
	"subtract": func(dtype string, x, y float64) float64 {
		if isFloat(dtype) {
			return x - y
		}
		return intResult(dtype, int64(x)-int64(y))
	},
	"multiply": func(dtype string, x, y float64) float64 {
		if isFloat(dtype) {
			return x * y
		}
		return intResult(dtype, int64(x)*int64(y))
	},
	"divide": func(dtype string, x, y float64) float64 {
		if isFloat(dtype) {
			return x / y
		}
		if y == 0 {
			// XLA's result for an integer division by zero: all bits set.
			return -1
		}
		return float64(int64(x) / int64(y))
	},
	"remainder": func(dtype string, x, y float64) float64 {
		if isFloat(dtype) {
			return math.Mod(x, y)
		}
		if y == 0 {
			return x
		}
		return float64(int64(x) % int64(y))
	},
	"power": func(dtype string, x, y float64) float64 {
		if isFloat(dtype) {
			return math.Pow(x, y)
		}
		return intPower(dtype, x, y)
	},
	"maximum": func(dtype string, x, y float64) float64 {
		switch {
		case math.IsNaN(x) || math.IsNaN(y):
			return math.NaN()
		case x == 0 && y == 0:
			if math.Signbit(x) {
				return y
			}
			return x
		case x > y:
			return x
		}
		return y
	},
	"minimum": func(dtype string, x, y float64) float64 {
		switch {
		case math.IsNaN(x) || math.IsNaN(y):
			return math.NaN()
		case x == 0 && y == 0:
			if math.Signbit(x) {
				return x
			}
			return y
		case x < y:
			return x
		}
		return y
	},
	"atan2": func(_ string, x, y float64) float64 { return math.Atan2(x, y) },
	"and":   func(_ string, x, y float64) float64 { return float64(int64(x) & int64(y)) },
	"or":    func(_ string, x, y float64) float64 { return float64(int64(x) | int64(y)) },
	"xor":   func(_ string, x, y float64) float64 { return float64(int64(x) ^ int64(y)) },
}

// intPower is integer exponentiation with wrapping, by repeated squaring;
// a negative exponent gives 0 except for bases 1 and -1.
func intPower(dtype string, x, y float64) float64 {
	if y < 0 {
		switch {
		case x == 1:
			return 1
		case x == -1 && math.Mod(y, 2) == 0:
			return 1
		case x == -1:
			return -1
		}
		return 0
	}
	r := 1.0
	for e := int64(y); e > 0; e >>= 1 {
		if e&1 == 1 {
			r = intResult(dtype, int64(r)*int64(x))
		}
		x = intResult(dtype, int64(x)*int64(x))
	}
	return r
}

// binaryOp makes an element-wise op of two operands of one type whose
// result has that type.
func binaryOp(f func(dtype string, x, y float64) float64) opFunc {
	return func(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
		if len(in) != 2 {
			return nil, fmt.Errorf("takes 2 operands, got %d", len(in))
		}
		x, y := in[0], in[1]
		if err := sameType(x, y); err != nil {
			return nil, err
		}
		out := newTensor(x.DType, x.Shape)
		for i := range out.F {
			out.F[i] = roundTo(x.DType, f(x.DType, x.F[i], y.F[i]))
		}
		return []*Tensor{out}, nil
	}
}

// sameType fails unless a and b have one element type and shape.
func sameType(a, b *Tensor) error {
	if a.DType != b.DType || !slices.Equal(a.Shape, b.Shape) {
		return fmt.Errorf("operands %s and %s differ in type", a, b)
	}
	return nil
}

// compareOp is stablehlo.compare.
func compareOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("takes 2 operands, got %d", len(in))
	}
	x, y := in[0], in[1]
	if err := sameType(x, y); err != nil {
		return nil, err
	}
	dir, err := st.enumAttr("comparison_direction", "comparison_direction", "")
	if err != nil {
		return nil, err
	}
	defType := "SIGNED"
	switch {
	case isFloat(x.DType):
		defType = "FLOAT"
	case x.DType == "i1" || x.DType[0] == 'u':
		defType = "UNSIGNED"
	}
	ctype, err := st.enumAttr("compare_type", "comparison_type", defType)
	if err != nil {
		return nil, err
	}
	var cmp func(a, b float64) int // -1, 0, 1, or 2 when unordered
	switch ctype {
	case "FLOAT":
		cmp = func(a, b float64) int {
			switch {
			case math.IsNaN(a) || math.IsNaN(b):
				return 2
			case a < b:
				return -1
			case a > b:
				return 1
			}
			return 0
		}
	case "TOTALORDER":
		cmp = func(a, b float64) int {
			ka, kb := totalOrderKey(a), totalOrderKey(b)
			switch {
			case ka < kb:
				return -1
			case ka > kb:
				return 1
			}
			return 0
		}
	case "SIGNED", "UNSIGNED":
		bits := elementTypes[x.DType].bits
		unsigned := ctype == "UNSIGNED"
		cmp = func(a, b float64) int {
			if unsigned && bits < 64 {
				if a < 0 {
					a += math.Ldexp(1, bits)
				}
				if b < 0 {
					b += math.Ldexp(1, bits)
				}
			}
			switch {
			case a < b:
				return -1
			case a > b:
				return 1
			}
			return 0
		}
	default:
		return nil, fmt.Errorf("unknown comparison type %s", ctype)
	}
	var holds func(c int) bool
	switch dir {
	case "EQ":
		holds = func(c int) bool { return c == 0 }
	case "NE":
		holds = func(c int) bool { return c != 0 }
	case "LT":
		holds = func(c int) bool { return c == -1 }
	case "LE":
		holds = func(c int) bool { return c == -1 || c == 0 }
	case "GT":
		holds = func(c int) bool { return c == 1 }
	case "GE":
		holds = func(c int) bool { return c == 1 || c == 0 }
	default:
		return nil, fmt.Errorf("unknown comparison direction %s", dir)
	}
	out := newTensor("i1", x.Shape)
	for i := range out.F {
		out.F[i] = boolNum(holds(cmp(x.F[i], y.F[i])))
	}
	return []*Tensor{out}, nil
}

// totalOrderKey maps a float to an integer that orders as IEEE-754
// totalOrder does: -NaN < -Inf < negatives < -0 < +0 < positives < +Inf < +NaN.
func totalOrderKey(x float64) int64 {
	b := int64(math.Float64bits(x))
	if b < 0 {
		return math.MinInt64 - b - 1
	}
	return b
}

// enumAttr reads an attribute spelled #stablehlo<kind VALUE> and returns
// VALUE; a missing one is def, or an error when def is empty.
func (st *statement) enumAttr(name, kind, def string) (string, error) {
	a := st.attrs[name]
	if a == nil {
		if def == "" {
			return "", fmt.Errorf("missing attribute %s", name)
		}
		return def, nil
	}
	if a.kind != attrOpaque || len(a.tokens) != 2 || a.tokens[0].text != kind || a.tokens[1].kind != tkIdent {
		return "", fmt.Errorf("attribute %s at %s: want #stablehlo<%s VALUE>", name, a.pos, kind)
	}
	return a.tokens[1].text, nil
}

// selectOp is stablehlo.select: pred ? on_true : on_false, with pred a
// scalar or of the operands' shape.
func selectOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("takes 3 operands, got %d", len(in))
	}
	pred, t, f := in[0], in[1], in[2]
	if err := sameType(t, f); err != nil {
		return nil, err
	}
	if pred.DType != "i1" || (len(pred.Shape) != 0 && !slices.Equal(pred.Shape, t.Shape)) {
		return nil, fmt.Errorf("predicate %s must be i1 and a scalar or of shape %v", pred, t.Shape)
	}
	out := newTensor(t.DType, t.Shape)
	for i := range out.F {
		p := pred.F[0]
		if len(pred.Shape) != 0 {
			p = pred.F[i]
		}
		if p != 0 {
			out.F[i] = t.F[i]
		} else {
			out.F[i] = f.F[i]
		}
	}
	return []*Tensor{out}, nil
}

// clampOp is stablehlo.clamp(min, operand, max) = min(max(operand, min),
// max), with min and max scalars or of the operand's shape.
func clampOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("takes 3 operands, got %d", len(in))
	}
	lo, x, hi := in[0], in[1], in[2]
	for _, b := range []*Tensor{lo, hi} {
		if b.DType != x.DType || (len(b.Shape) != 0 && !slices.Equal(b.Shape, x.Shape)) {
			return nil, fmt.Errorf("bound %s must be a scalar or of the operand's type %s", b, x)
		}
	}
	pick := func(b *Tensor, i int) float64 {
		if len(b.Shape) == 0 {
			return b.F[0]
		}
		return b.F[i]
	}
	maxF, minF := binaryArith["maximum"], binaryArith["minimum"]
	out := newTensor(x.DType, x.Shape)
	for i, v := range x.F {
		out.F[i] = minF(x.DType, maxF(x.DType, v, pick(lo, i)), pick(hi, i))
	}
	return []*Tensor{out}, nil
}

// convertOp is stablehlo.convert to the declared element type. Float to
// integer truncates toward zero and saturates (NaN becomes 0); anything to
// i1 is true for non-zero values.
func convertOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("takes 1 operand, got %d", len(in))
	}
	x, to := in[0], st.outTypes[0].dtype
	info := elementTypes[to]
	out := newTensor(to, x.Shape)
	for i, v := range x.F {
		if isFloat(x.DType) && !info.float && to != "i1" {
			switch {
			case math.IsNaN(v):
				v = 0
			case info.signed:
				v = math.Max(math.Min(v, math.Ldexp(1, info.bits-1)-1), -math.Ldexp(1, info.bits-1))
			default:
				v = math.Max(math.Min(v, math.Ldexp(1, info.bits)-1), 0)
			}
		}
		out.F[i] = roundTo(to, v)
	}
	return []*Tensor{out}, nil
}

// bitcastConvertOp is stablehlo.bitcast_convert between element types of
// one width whose bits the evaluator holds exactly: f32 and i32/ui32, bf16
// or f16 and i16/ui16.
func bitcastConvertOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("takes 1 operand, got %d", len(in))
	}
	x, to := in[0], st.outTypes[0].dtype
	from := x.DType
	bitsFrom, err := bitsOf(from)
	if err != nil {
		return nil, err
	}
	valueTo, err := valueOfBits(to)
	if err != nil {
		return nil, err
	}
	if elementTypes[from].bits != elementTypes[to].bits {
		return nil, fmt.Errorf("bitcast from %s to %s changes the width, which hloeval does not support", from, to)
	}
	out := newTensor(to, x.Shape)
	for i, v := range x.F {
		out.F[i] = valueTo(bitsFrom(v))
	}
	return []*Tensor{out}, nil
}

// bitsOf returns the function giving the bit pattern of a value of dtype.
func bitsOf(dtype string) (func(float64) uint64, error) {
	switch dtype {
	case "f32":
		return func(x float64) uint64 { return uint64(math.Float32bits(float32(x))) }, nil
	case "bf16":
		return func(x float64) uint64 { return uint64(math.Float32bits(float32(x)) >> 16) }, nil
	case "f16":
		return func(x float64) uint64 { return uint64(halfBits(x)) }, nil
	case "i32", "ui32":
		return func(x float64) uint64 { return uint64(int64(x)) & 0xffffffff }, nil
	case "i16", "ui16":
		return func(x float64) uint64 { return uint64(int64(x)) & 0xffff }, nil
	}
	return nil, fmt.Errorf("bitcast of %s is not supported by hloeval", dtype)
}

// valueOfBits returns the function giving the value of dtype with a bit
// pattern.
func valueOfBits(dtype string) (func(uint64) float64, error) {
	switch dtype {
	case "f32":
		return func(b uint64) float64 { return float64(math.Float32frombits(uint32(b))) }, nil
	case "bf16":
		return func(b uint64) float64 { return float64(math.Float32frombits(uint32(b) << 16)) }, nil
	case "f16":
		return func(b uint64) float64 { return halfFromBits(uint16(b)) }, nil
	case "i32", "ui32", "i16", "ui16":
		return func(b uint64) float64 { return roundTo(dtype, float64(b)) }, nil
	}
	return nil, fmt.Errorf("bitcast to %s is not supported by hloeval", dtype)
}

// halfBits encodes an f16 value (already exactly representable) as its
// IEEE binary16 bit pattern.
func halfBits(x float64) uint16 {
	var sign uint16
	if math.Signbit(x) {
		sign = 0x8000
		x = -x
	}
	switch {
	case math.IsNaN(x):
		return 0x7e00
	case math.IsInf(x, 0):
		return sign | 0x7c00
	case x == 0:
		return sign
	}
	_, e := math.Frexp(x)
	exp := e - 1
	if exp < -14 {
		return sign | uint16(math.Ldexp(x, 24))
	}
	frac := math.Ldexp(x, 10-exp) - 1024
	return sign | uint16(exp+15)<<10 | uint16(frac)
}

// isFiniteOp is stablehlo.is_finite.
func isFiniteOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("takes 1 operand, got %d", len(in))
	}
	out := newTensor("i1", in[0].Shape)
	for i, v := range in[0].F {
		out.F[i] = boolNum(!math.IsNaN(v) && !math.IsInf(v, 0))
	}
	return []*Tensor{out}, nil
}
