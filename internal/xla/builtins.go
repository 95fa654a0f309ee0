package xla

import (
	"fmt"
	"math"
	"reflect"
	"slices"

	"github.com/gomlx/go-xla/pkg/stablehlo"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
)

// builtin lowers one gorgonia built-in op on l.
type builtin func(l *ops.Lowering, op G.Op) (*stablehlo.Value, error)

// builtins lowers the gorgonia kinds of ops.Allowed, by ops.KindOf. The
// configuration of most is in the node's shapes; where it is not,
// gorgonia keeps it in unexported fields, read here by reflection (field,
// below), each such read named in the lowering's comment and covered by
// builtins_test.go.
var builtins = map[string]builtin{
	"gorgonia.elemBinOp +":        binary((*ops.Lowering).Add),
	"gorgonia.elemBinOp -":        binary((*ops.Lowering).Sub),
	"gorgonia.elemBinOp ⊙":        binary((*ops.Lowering).Mul),
	"gorgonia.elemBinOp ÷":        binary((*ops.Lowering).Div),
	"gorgonia.elemBinOp ^":        binary((*ops.Lowering).Pow),
	"gorgonia.elemUnaryOp exp":    unary((*ops.Lowering).Exp),
	"gorgonia.elemUnaryOp ln":     unary((*ops.Lowering).Log),
	"gorgonia.elemUnaryOp sqrt":   unary((*ops.Lowering).Sqrt),
	"gorgonia.elemUnaryOp neg":    unary((*ops.Lowering).Neg),
	"gorgonia.elemUnaryOp square": unary(func(l *ops.Lowering, x *stablehlo.Value) *stablehlo.Value { return l.Mul(x, x) }),
	"gorgonia.linAlgBinOp matmul": lowerMatMul,
	"gorgonia.sumOp":              lowerSum,
	"gorgonia.sizeOp":             lowerSize,
	"gorgonia.constantScalar":     lowerConstant,
	"gorgonia.constantTensor":     lowerConstant,
	"gorgonia.reshapeOp":          lowerReshape,
	"gorgonia.repeatOp":           lowerRepeat,
	"gorgonia.softmaxOp":          lowerSoftmax,
	"gorgonia.softmaxDiffOp":      lowerSoftmaxDiff,
	"gorgonia.transposeOp":        lowerTranspose,
	"gorgonia.maxPoolOp":          lowerMaxPool,
	"gorgonia.maxPoolDiffOp":      lowerMaxPoolDiff,
}

// ---- reflection --------------------------------------------------------

// field is the field name of op's struct, through pointers and embedded
// structs. gorgonia keeps an op's configuration (axes, patterns, kernel
// sizes) unexported: reading it is the only way to lower the op without
// running it, and a gorgonia version that renames a field fails here, at
// lowering, with the field's name.
func field(op G.Op, name string) (reflect.Value, error) {
	v := reflect.ValueOf(op)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return reflect.Value{}, fmt.Errorf("%T is not a struct", op)
	}
	f := v.FieldByName(name)
	if !f.IsValid() {
		return reflect.Value{}, fmt.Errorf("%T has no field %s", op, name)
	}
	return f, nil
}

// intField reads an integer field of op (see field).
func intField(op G.Op, name string) (int, error) {
	f, err := field(op, name)
	if err != nil {
		return 0, err
	}
	switch f.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(f.Int()), nil
	case reflect.Uint8:
		return int(f.Uint()), nil
	}
	return 0, fmt.Errorf("%T.%s is %s, not an integer", op, name, f.Kind())
}

// boolField reads a bool field of op (see field).
func boolField(op G.Op, name string) (bool, error) {
	f, err := field(op, name)
	if err != nil {
		return false, err
	}
	if f.Kind() != reflect.Bool {
		return false, fmt.Errorf("%T.%s is %s, not a bool", op, name, f.Kind())
	}
	return f.Bool(), nil
}

// intsField reads an []int field of op (see field).
func intsField(op G.Op, name string) ([]int, error) {
	f, err := field(op, name)
	if err != nil {
		return nil, err
	}
	if f.Kind() != reflect.Slice || f.Type().Elem().Kind() != reflect.Int {
		return nil, fmt.Errorf("%T.%s is %s, not []int", op, name, f.Type())
	}
	out := make([]int, f.Len())
	for i := range out {
		out[i] = int(f.Index(i).Int())
	}
	return out, nil
}

// fields reads several int or bool fields of op into the pointers given
// by name; the first failure is returned.
func fields(op G.Op, ints map[string]*int, bools map[string]*bool) error {
	for name, p := range ints {
		v, err := intField(op, name)
		if err != nil {
			return err
		}
		*p = v
	}
	for name, p := range bools {
		v, err := boolField(op, name)
		if err != nil {
			return err
		}
		*p = v
	}
	return nil
}

// ---- element-wise ------------------------------------------------------

// binary lowers an element-wise binary op; an operand of one element (a
// scalar) is broadcast to the other's shape, as gorgonia does.
func binary(f func(l *ops.Lowering, a, b *stablehlo.Value) *stablehlo.Value) builtin {
	return func(l *ops.Lowering, _ G.Op) (*stablehlo.Value, error) {
		if len(l.In) != 2 {
			return nil, fmt.Errorf("want 2 inputs, got %d", len(l.In))
		}
		a, err := fit(l, l.In[0])
		if err != nil {
			return nil, err
		}
		b, err := fit(l, l.In[1])
		if err != nil {
			return nil, err
		}
		return f(l, a, b), l.Err()
	}
}

// fit is x in the node's shape: x itself, or broadcast from one element.
func fit(l *ops.Lowering, x *stablehlo.Value) (*stablehlo.Value, error) {
	s := x.Shape()
	switch {
	case slices.Equal(s.Dimensions, l.Out.Dimensions):
		return x, nil
	case s.Size() == 1:
		return l.Broadcast(l.Reshape(x), l.Out), l.Err()
	}
	return nil, fmt.Errorf("operand %s does not fit the result %s", s, l.Out)
}

// unary lowers an element-wise unary op.
func unary(f func(l *ops.Lowering, x *stablehlo.Value) *stablehlo.Value) builtin {
	return func(l *ops.Lowering, _ G.Op) (*stablehlo.Value, error) {
		return f(l, l.In[0]), l.Err()
	}
}

// ---- linear algebra ----------------------------------------------------

// Values of gorgonia's āBinaryOperator (operatorLinAlg.go), the embedded
// first field of linAlgBinOp.
const (
	matMulOperator = iota
	matVecMulOperator
	vecDotOperator
	outerProdOperator
	batchedMatMulOperator
)

// lowerMatMul lowers every linAlgBinOp to one dot_general. The operator
// (the embedded āBinaryOperator) and the transA and transB flags are read
// by reflection; a transposed operand is contracted over its other axis
// rather than transposed.
func lowerMatMul(l *ops.Lowering, op G.Op) (*stablehlo.Value, error) {
	var transA, transB bool
	if err := fields(op, nil, map[string]*bool{"transA": &transA, "transB": &transB}); err != nil {
		return nil, err
	}
	f, err := field(op, "āBinaryOperator")
	if err != nil {
		return nil, err
	}
	a, b := l.In[0], l.In[1]
	other := func(t bool, axis int) int { // the contracted axis of a 2-D operand
		if t {
			return 1 - axis
		}
		return axis
	}
	switch f.Uint() {
	case matMulOperator: // (M, K) × (K, N)
		return l.Dot(a, []int{other(transA, 1)}, nil, b, []int{other(transB, 0)}, nil), l.Err()
	case matVecMulOperator: // (M, N) × (N)
		return l.Dot(a, []int{other(transA, 1)}, nil, b, []int{0}, nil), l.Err()
	case vecDotOperator: // (N) · (N)
		return l.Dot(a, []int{0}, nil, b, []int{0}, nil), l.Err()
	case outerProdOperator: // (M) ⊗ (N), of any shapes flattened
		a = l.Reshape(a, a.Shape().Size())
		b = l.Reshape(b, b.Shape().Size())
		return l.Dot(a, nil, nil, b, nil, nil), l.Err()
	case batchedMatMulOperator: // (..., M, K) × (..., K, N)
		r := a.Shape().Rank()
		batch := make([]int, r-2)
		for i := range batch {
			batch[i] = i
		}
		ca, cb := r-1, r-2
		if transA {
			ca = r - 2
		}
		if transB {
			cb = r - 1
		}
		return l.Dot(a, []int{ca}, batch, b, []int{cb}, batch), l.Err()
	}
	return nil, fmt.Errorf("unknown linear-algebra operator %d (%v)", f.Uint(), op)
}

// ---- reductions and shapes ---------------------------------------------

// allAxes is 0, 1, ..., n-1.
func allAxes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// lowerSum lowers sumOp: a reduce over its axes (the field along, read by
// reflection), reshaped to the node's shape.
func lowerSum(l *ops.Lowering, op G.Op) (*stablehlo.Value, error) {
	along, err := intsField(op, "along")
	if err != nil {
		return nil, err
	}
	return l.Reshape(l.Sum(l.In[0], along...), l.Out.Dimensions...), l.Err()
}

// lowerSize lowers sizeOp: the length of its input's axis (the field axis,
// read by reflection), 1 for a scalar, as a constant of the node's dtype.
func lowerSize(l *ops.Lowering, op G.Op) (*stablehlo.Value, error) {
	axis, err := intField(op, "axis")
	if err != nil {
		return nil, err
	}
	d := l.In[0].Shape().Dimensions
	n := 1
	if len(d) > 0 {
		if axis >= len(d) {
			return nil, fmt.Errorf("size of axis %d of a %d-D input", axis, len(d))
		}
		n = d[axis]
	}
	return l.Full(float64(n), l.Out), l.Err()
}

// lowerConstant inlines a constantScalar or constantTensor, whose value its
// Do returns.
func lowerConstant(l *ops.Lowering, op G.Op) (*stablehlo.Value, error) {
	v, err := op.Do()
	if err != nil {
		return nil, err
	}
	switch d := v.Data().(type) {
	case float32:
		return l.Full(float64(d), l.Out), l.Err()
	case float64:
		return l.Full(d, l.Out), l.Err()
	case []float32:
		return l.Tensor(slices.Clone(d[:l.Out.Size()]), l.Out.Dimensions...), l.Err()
	case []float64:
		return l.Tensor(slices.Clone(d[:l.Out.Size()]), l.Out.Dimensions...), l.Err()
	}
	return nil, fmt.Errorf("constant %v holds %T", op, v.Data())
}

// lowerReshape lowers reshapeOp to the node's shape.
func lowerReshape(l *ops.Lowering, _ G.Op) (*stablehlo.Value, error) {
	return l.Reshape(l.In[0], l.Out.Dimensions...), l.Err()
}

// lowerRepeat lowers repeatOp, numpy's repeat along one axis (the field
// along, read by reflection), to a broadcast: gorgonia makes one only to
// broadcast an axis of 1 (Broadcast*, a sum's gradient), after giving x
// the result's rank, and the count (the op's second input, a size known
// at run time) is the node's length along that axis. Repeating a longer
// axis, each element r times in a row, is not lowered.
func lowerRepeat(l *ops.Lowering, op G.Op) (*stablehlo.Value, error) {
	along, err := intField(op, "along")
	if err != nil {
		return nil, err
	}
	out := l.Out.Dimensions
	x := l.In[0]
	xd := slices.Clone(x.Shape().Dimensions)
	for len(xd) < len(out) { // a scalar or vector, extended with axes of 1 as gorgonia does
		xd = append(xd, 1)
	}
	if along >= len(out) || xd[along] != 1 {
		return nil, fmt.Errorf("repeat along axis %d of %s into %s: only an axis of 1 is lowered", along, x.Shape(), l.Out)
	}
	return l.Broadcast(l.Reshape(x, xd...), l.Out), l.Err()
}

// lowerTranspose lowers transposeOp: its permutation is the field pattern,
// read by reflection.
func lowerTranspose(l *ops.Lowering, op G.Op) (*stablehlo.Value, error) {
	pattern, err := intsField(op, "pattern")
	if err != nil {
		return nil, err
	}
	return l.Transpose(l.In[0], pattern...), l.Err()
}

// ---- softmax -----------------------------------------------------------

// softmaxAxis is the axis softmaxOp's forward normalises: the field axis
// (read by reflection), or when it is -1 the last axis, or axis 0 of a
// vector or column vector (tensor's SoftMax as gorgonia calls it).
func softmaxAxis(op G.Op, d []int) (int, error) {
	axis, err := intField(op, "axis")
	if err != nil {
		return 0, err
	}
	s := tensor.Shape(d)
	switch {
	case axis != -1:
	case s.IsColVec() || (s.IsVector() && !s.IsRowVec()):
		axis = 0
	default:
		axis = len(d) - 1
	}
	return resolveAxis(axis, len(d))
}

// resolveAxis is axis counted from the end when negative.
func resolveAxis(axis, dims int) (int, error) {
	if axis < 0 {
		axis += dims
	}
	if axis < 0 || axis >= dims {
		return 0, fmt.Errorf("axis %d of a %d-D tensor", axis, dims)
	}
	return axis, nil
}

// others is every axis of an n-D tensor but axis.
func others(n, axis int) []int {
	return slices.DeleteFunc(allAxes(n), func(a int) bool { return a == axis })
}

// lowerSoftmax lowers softmaxOp (log-softmax when the field isLog, read by
// reflection, is set): shifted by the largest element along the axis.
func lowerSoftmax(l *ops.Lowering, op G.Op) (*stablehlo.Value, error) {
	x := l.In[0]
	s := x.Shape()
	axis, err := softmaxAxis(op, s.Dimensions)
	if err != nil {
		return nil, err
	}
	isLog, err := boolField(op, "isLog")
	if err != nil {
		return nil, err
	}
	keep := others(s.Rank(), axis)
	z := l.Sub(x, l.Broadcast(l.ReduceMax(x, axis), s, keep...))
	e := l.Exp(z)
	sum := l.Broadcast(l.Sum(e, axis), s, keep...)
	if isLog {
		return l.Sub(z, l.Log(sum)), l.Err()
	}
	return l.Div(e, sum), l.Err()
}

// lowerSoftmaxDiff lowers softmaxDiffOp (inputs x, y, dy) along the field
// axis, -1 the last (tensor's SoftMaxB and LogSoftMaxB): dx = (dy - Σ y·dy)
// · y, or dx = dy - exp(y) Σ dy for the log-softmax.
func lowerSoftmaxDiff(l *ops.Lowering, op G.Op) (*stablehlo.Value, error) {
	y, dy := l.In[1], l.In[2]
	s := y.Shape()
	axis, err := intField(op, "axis")
	if err != nil {
		return nil, err
	}
	if axis, err = resolveAxis(axis, s.Rank()); err != nil {
		return nil, err
	}
	isLog, err := boolField(op, "isLog")
	if err != nil {
		return nil, err
	}
	keep := others(s.Rank(), axis)
	if isLog {
		return l.Sub(dy, l.Mul(l.Exp(y), l.Broadcast(l.Sum(dy, axis), s, keep...))), l.Err()
	}
	return l.Mul(l.Sub(dy, l.Broadcast(l.Sum(l.Mul(y, dy), axis), s, keep...)), y), l.Err()
}

// ---- max pooling -------------------------------------------------------

// pool is a maxPoolOp's geometry, read from its fields by reflection:
// kernel h × w, strides, and the padding its windows start from (padNorth
// and padWest, or padSouth and padEast when the padding was given as four
// numbers, as gorgonia's loop does).
type pool struct {
	h, w, strideH, strideW, padH, padW int
}

func poolOf(op G.Op) (pool, error) {
	var p pool
	var north, west, south, east int
	var explicit bool
	err := fields(op, map[string]*int{
		"h": &p.h, "w": &p.w, "strideH": &p.strideH, "strideW": &p.strideW,
		"padNorth": &north, "padWest": &west, "padSouth": &south, "padEast": &east,
	}, map[string]*bool{"explicitPadding": &explicit})
	if err != nil {
		return p, err
	}
	p.padH, p.padW = north, west
	if explicit {
		p.padH, p.padW = south, east
	}
	return p, nil
}

// padded is x (N, C, H, W) laid out for windows making an output of
// (OH, OW): padH (padW) rows (columns) of fill before, and after as many
// as the last window needs, or x cropped where no window reaches; kept
// are the rows and columns of x that remain.
func (p pool) padded(l *ops.Lowering, x *stablehlo.Value, oh, ow int, fill float64) (xp *stablehlo.Value, keptH, keptW int) {
	d := x.Shape().Dimensions
	needH, needW := (oh-1)*p.strideH+p.h, (ow-1)*p.strideW+p.w // the padded extent windows cover
	keptH, keptW = min(d[2], needH-p.padH), min(d[3], needW-p.padW)
	if keptH < d[2] || keptW < d[3] {
		x = l.Slice(x, []int{0, 0, 0, 0}, []int{d[0], d[1], keptH, keptW}, nil)
	}
	lo := []int{0, 0, p.padH, p.padW}
	hi := []int{0, 0, needH - p.padH - keptH, needW - p.padW - keptW}
	return l.Pad(x, fill, lo, hi, nil), keptH, keptW
}

// lowerMaxPool lowers maxPoolOp: a reduce_window of max over x padded with
// -Inf (a window's padding never wins, as gorgonia's loop skips it).
func lowerMaxPool(l *ops.Lowering, op G.Op) (*stablehlo.Value, error) {
	p, err := poolOf(op)
	if err != nil {
		return nil, err
	}
	out := l.Out.Dimensions
	xp, _, _ := p.padded(l, l.In[0], out[2], out[3], negInf)
	return l.MaxPool(xp, []int{1, 1, p.h, p.w}, []int{1, 1, p.strideH, p.strideW}), l.Err()
}

// lowerMaxPoolDiff lowers maxPoolDiffOp (inputs x, y, dy): a
// select_and_scatter over x padded as the forward pads it, each window's
// dy added at its first largest element as gorgonia's mask records it; the
// padding is cut off again and rows no window reached get zeros.
func lowerMaxPoolDiff(l *ops.Lowering, op G.Op) (*stablehlo.Value, error) {
	p, err := poolOf(op)
	if err != nil {
		return nil, err
	}
	x, dy := l.In[0], l.In[2]
	d, o := x.Shape().Dimensions, dy.Shape().Dimensions
	xp, keptH, keptW := p.padded(l, x, o[2], o[3], negInf)
	dxp := l.MaxPoolGrad(xp, dy, []int{1, 1, p.h, p.w}, []int{1, 1, p.strideH, p.strideW})
	dx := l.Slice(dxp, []int{0, 0, p.padH, p.padW}, []int{d[0], d[1], p.padH + keptH, p.padW + keptW}, nil)
	if keptH < d[2] || keptW < d[3] {
		dx = l.Pad(dx, 0, nil, []int{0, 0, d[2] - keptH, d[3] - keptW}, nil)
	}
	return dx, l.Err()
}

// negInf fills padding that max pooling must never pick.
var negInf = math.Inf(-1)
