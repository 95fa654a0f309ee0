package ops

import (
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types"
	"github.com/gomlx/go-xla/pkg/types/dtypes"
	"github.com/gomlx/go-xla/pkg/types/shapes"
)

// Lowering to StableHLO (package xla walks a graph and asks each node's op
// for its part of one program). Every own op kind lowers itself in its own
// file, beside its forward and backward; gorgonia's built-ins are lowered by
// a table in package xla on the same Lowering.
//
// Side effects an op has on the CPU engine become program state: a value
// that lives outside the graph (a batch-norm layer's running statistics,
// SwAV's queue of scores) is a program input on first use, an op that
// updates it sets its new value, and the last value of every updated state
// is a program output. Ops lowered later in the graph's order read the
// updated value, as they would on the CPU engine.
//
// The lowerings are tested in package xla, against the CPU engine on its
// StableHLO evaluator (internal to xla, so not importable here).

// Lowerer is implemented by ops that lower themselves to StableHLO: every
// own kind does, and an op kind from elsewhere may.
type Lowerer interface {
	// Lower emits the op's computation on l.In into l.Fn and returns the
	// value of its output, of shape l.Out.
	Lower(l *Lowering) (*stablehlo.Value, error)
}

// StateKey names one piece of state: a field of the object holding it.
type StateKey struct {
	Owner any    // *BNStats, *SinkhornQueue
	Field string // "mean", "var", "tracked", "scores"
}

// State is one piece of state of a lowered program.
type State struct {
	Key StateKey
	// Name is the program input's name, unique in the program.
	Name string
	// Input holds the state's value when the program starts; Value is its
	// value at the end, Input itself when no op updates it.
	Input, Value *stablehlo.Value
}

// Updated reports whether an op set a new value.
func (s *State) Updated() bool { return s.Value != s.Input }

// LowerContext is what the lowered ops of one program share: its state,
// and values one op saves for another (a batch norm's batch statistics,
// computed by the forward, read by the backward).
type LowerContext struct {
	fn     *stablehlo.Function
	states []*State
	byKey  map[StateKey]*State
	owners map[any]string // owner -> its name prefix with a number
	count  map[string]int // prefix -> owners named so far
	saved  map[any][]*stablehlo.Value
	// products is the element type of the operands of the float32
	// products (Dot, Conv); Float32 unless SetProducts changed it.
	products dtypes.DType
}

// NewLowerContext starts the lowering of a program into fn.
func NewLowerContext(fn *stablehlo.Function) *LowerContext {
	return &LowerContext{
		fn:     fn,
		byKey:  map[StateKey]*State{},
		owners: map[any]string{},
		count:  map[string]int{},
		saved:  map[any][]*stablehlo.Value{},

		products: dtypes.Float32,
	}
}

// SetProducts makes dt (Float32 or BFloat16) the element type in which
// the products lowered from here on (Dot and Conv: matrix products and
// convolutions, forward and backward) take their float32 operands, as
// mixed-precision training computes them: with BFloat16, each float32
// operand is converted to bf16 at the product's input and the product's
// result is float32 (dot_general declares a float32 result; a
// convolution, whose result has its operands' type, is converted back),
// so that everything around the products (batch-norm statistics,
// softmax, the loss, Sinkhorn, sums, the optimizer's update) computes in
// float32 on float32 values. Float64 operands are left as they are.
func (c *LowerContext) SetProducts(dt dtypes.DType) error {
	if dt != dtypes.Float32 && dt != dtypes.BFloat16 {
		return fmt.Errorf("lowering: products in %s: want float32 or bfloat16", dt)
	}
	c.products = dt
	return nil
}

// States returns the program's state in order of first use.
func (c *LowerContext) States() []*State { return c.states }

// Op returns the Lowering of one node whose inputs have the values in and
// whose output has shape out.
func (c *LowerContext) Op(in []*stablehlo.Value, out shapes.Shape) *Lowering {
	return &Lowering{Fn: c.fn, In: in, Out: out, ctx: c}
}

// Lowering is one node's part of a lowering. Its helpers wrap go-xla's
// builders with a sticky error: after the first failure every helper
// returns nil and Err reports the failure, so lowering code reads as the
// formula it computes and checks once at the end.
type Lowering struct {
	Fn  *stablehlo.Function
	In  []*stablehlo.Value // the node's inputs' values, in order
	Out shapes.Shape       // the node's shape and dtype
	ctx *LowerContext
	err error
}

// Err is the first failure of any helper, nil if none.
func (l *Lowering) Err() error { return l.err }

// Fail records err (when it is the first) and returns nil.
func (l *Lowering) Fail(err error) *stablehlo.Value {
	if l.err == nil && err != nil {
		l.err = err
	}
	return nil
}

// check returns v, or records err.
func (l *Lowering) check(v *stablehlo.Value, err error) *stablehlo.Value {
	if err != nil {
		return l.Fail(err)
	}
	return v
}

// ok reports whether no helper has failed and every value is there.
func (l *Lowering) ok(vs ...*stablehlo.Value) bool {
	if l.err != nil {
		return false
	}
	for _, v := range vs {
		if v == nil {
			l.Fail(fmt.Errorf("lowering: missing value"))
			return false
		}
	}
	return true
}

// ---- state -------------------------------------------------------------

// State returns the current value of key: on first use a new program
// input of shape s named prefix<n>_<field>, n counting the owners of that
// prefix; afterwards the last value SetState gave it.
func (l *Lowering) State(key StateKey, prefix string, s shapes.Shape) *stablehlo.Value {
	if !l.ok() {
		return nil
	}
	c := l.ctx
	if st, ok := c.byKey[key]; ok {
		if !st.Value.Shape().Equal(s) {
			return l.Fail(fmt.Errorf("lowering: state %s is %s, wanted %s", st.Name, st.Value.Shape(), s))
		}
		return st.Value
	}
	owner, ok := c.owners[key.Owner]
	if !ok {
		owner = fmt.Sprintf("%s%d", prefix, c.count[prefix])
		c.count[prefix]++
		c.owners[key.Owner] = owner
	}
	name := owner + "_" + key.Field
	in, err := c.fn.NamedInput(name, s)
	if err != nil {
		return l.Fail(fmt.Errorf("lowering: state %s: %w", name, err))
	}
	st := &State{Key: key, Name: name, Input: in, Value: in}
	c.byKey[key] = st
	c.states = append(c.states, st)
	return in
}

// SetState makes v the value of key from here on; key must have been read
// with State first.
func (l *Lowering) SetState(key StateKey, v *stablehlo.Value) {
	if !l.ok(v) {
		return
	}
	st, ok := l.ctx.byKey[key]
	switch {
	case !ok:
		l.Fail(fmt.Errorf("lowering: state %v set before it is read", key))
	case !st.Value.Shape().Equal(v.Shape()):
		l.Fail(fmt.Errorf("lowering: state %s is %s, set to %s", st.Name, st.Value.Shape(), v.Shape()))
	default:
		st.Value = v
	}
}

// Save keeps values (nil ones too) under key for a later op of the same
// program.
func (l *Lowering) Save(key any, vs ...*stablehlo.Value) {
	if l.ok() {
		l.ctx.saved[key] = vs
	}
}

// Saved returns what Save kept under key, nil if nothing.
func (l *Lowering) Saved(key any) []*stablehlo.Value { return l.ctx.saved[key] }

// ---- constants and shapes ----------------------------------------------

// Const is the scalar v of dtype dt (a float type).
func (l *Lowering) Const(v float64, dt dtypes.DType) *stablehlo.Value {
	if !l.ok() {
		return nil
	}
	switch dt {
	case dtypes.Float32:
		return l.check(l.Fn.ConstantFromScalar(float32(v)))
	case dtypes.Float64:
		return l.check(l.Fn.ConstantFromScalar(v))
	case dtypes.Int64:
		return l.check(l.Fn.ConstantFromScalar(int64(v)))
	}
	return l.Fail(fmt.Errorf("lowering: no constant of dtype %s", dt))
}

// Full is v in every element of shape s; a scalar shape gives Const.
func (l *Lowering) Full(v float64, s shapes.Shape) *stablehlo.Value {
	c := l.Const(v, s.DType)
	if s.IsScalar() {
		return c
	}
	return l.Broadcast(c, s)
}

// Like is v in every element of x's shape and dtype.
func (l *Lowering) Like(v float64, x *stablehlo.Value) *stablehlo.Value {
	if !l.ok(x) {
		return nil
	}
	return l.Full(v, x.Shape())
}

// Tensor is the constant of dims holding data (float32, float64 or int64).
func (l *Lowering) Tensor(data any, dims ...int) *stablehlo.Value {
	if !l.ok() {
		return nil
	}
	return l.check(l.Fn.ConstantFromFlatAndDimensions(data, dims...))
}

// Broadcast puts x into shape s (s's dtype is ignored): axis i of x
// becomes axis axes[i] of s; without axes, x's axes are s's last ones.
func (l *Lowering) Broadcast(x *stablehlo.Value, s shapes.Shape, axes ...int) *stablehlo.Value {
	if !l.ok(x) {
		return nil
	}
	if axes == nil {
		r := x.Shape().Rank()
		for i := range r {
			axes = append(axes, s.Rank()-r+i)
		}
	}
	t := shapes.Make(x.Shape().DType, s.Dimensions...)
	return l.check(stablehlo.BroadcastInDim(x, t, axes))
}

// Reshape gives x the dimensions dims.
func (l *Lowering) Reshape(x *stablehlo.Value, dims ...int) *stablehlo.Value {
	if !l.ok(x) {
		return nil
	}
	return l.check(stablehlo.Reshape(x, shapes.Make(x.Shape().DType, dims...)))
}

// Transpose permutes x's axes: axis i of the result is axis perm[i] of x.
func (l *Lowering) Transpose(x *stablehlo.Value, perm ...int) *stablehlo.Value {
	if !l.ok(x) {
		return nil
	}
	return l.check(stablehlo.Transpose(x, perm...))
}

// Slice is x[starts:limits:strides] on every axis (nil strides: 1).
func (l *Lowering) Slice(x *stablehlo.Value, starts, limits, strides []int) *stablehlo.Value {
	if !l.ok(x) {
		return nil
	}
	return l.check(stablehlo.Slice(x, starts, limits, strides))
}

// Rows is x[lo:hi] along axis 0.
func (l *Lowering) Rows(x *stablehlo.Value, lo, hi int) *stablehlo.Value {
	if !l.ok(x) {
		return nil
	}
	d := x.Shape().Dimensions
	starts, limits := make([]int, len(d)), append([]int(nil), d...)
	starts[0], limits[0] = lo, hi
	return l.Slice(x, starts, limits, nil)
}

// Pad surrounds x with fill (a scalar): lo and hi elements before and
// after each axis, interior between its elements (nil: none).
func (l *Lowering) Pad(x *stablehlo.Value, fill float64, lo, hi, interior []int) *stablehlo.Value {
	if !l.ok(x) {
		return nil
	}
	return l.check(stablehlo.Pad(x, l.Const(fill, x.Shape().DType), lo, hi, interior))
}

// Concat joins xs along axis.
func (l *Lowering) Concat(axis int, xs ...*stablehlo.Value) *stablehlo.Value {
	if !l.ok(xs...) {
		return nil
	}
	return l.check(stablehlo.Concatenate(axis, xs...))
}

// Reverse flips x along axes.
func (l *Lowering) Reverse(x *stablehlo.Value, axes ...int) *stablehlo.Value {
	if !l.ok(x) {
		return nil
	}
	return l.check(stablehlo.Reverse(x, axes...))
}

// Convert casts x to dtype dt.
func (l *Lowering) Convert(x *stablehlo.Value, dt dtypes.DType) *stablehlo.Value {
	if !l.ok(x) {
		return nil
	}
	if x.Shape().DType == dt {
		return x
	}
	return l.check(stablehlo.Convert(x, dt))
}

// ---- element-wise ------------------------------------------------------

// binary applies a go-xla binary builder to a and b, of one shape.
func (l *Lowering) binary(f func(a, b *stablehlo.Value) (*stablehlo.Value, error), a, b *stablehlo.Value) *stablehlo.Value {
	if !l.ok(a, b) {
		return nil
	}
	return l.check(f(a, b))
}

// unary applies a go-xla unary builder to x.
func (l *Lowering) unary(f func(x *stablehlo.Value) (*stablehlo.Value, error), x *stablehlo.Value) *stablehlo.Value {
	if !l.ok(x) {
		return nil
	}
	return l.check(f(x))
}

// Add is a + b.
func (l *Lowering) Add(a, b *stablehlo.Value) *stablehlo.Value { return l.binary(stablehlo.Add, a, b) }

// Sub is a - b.
func (l *Lowering) Sub(a, b *stablehlo.Value) *stablehlo.Value {
	return l.binary(stablehlo.Subtract, a, b)
}

// Mul is a * b.
func (l *Lowering) Mul(a, b *stablehlo.Value) *stablehlo.Value {
	return l.binary(stablehlo.Multiply, a, b)
}

// Div is a / b.
func (l *Lowering) Div(a, b *stablehlo.Value) *stablehlo.Value {
	return l.binary(stablehlo.Divide, a, b)
}

// Max is max(a, b).
func (l *Lowering) Max(a, b *stablehlo.Value) *stablehlo.Value {
	return l.binary(stablehlo.Maximum, a, b)
}

// Min is min(a, b).
func (l *Lowering) Min(a, b *stablehlo.Value) *stablehlo.Value {
	return l.binary(stablehlo.Minimum, a, b)
}

// Pow is a to the power b.
func (l *Lowering) Pow(a, b *stablehlo.Value) *stablehlo.Value {
	return l.binary(stablehlo.Power, a, b)
}

// Neg is -x.
func (l *Lowering) Neg(x *stablehlo.Value) *stablehlo.Value { return l.unary(stablehlo.Negate, x) }

// Exp is e^x.
func (l *Lowering) Exp(x *stablehlo.Value) *stablehlo.Value {
	return l.unary(stablehlo.Exponential, x)
}

// Log is ln x.
func (l *Lowering) Log(x *stablehlo.Value) *stablehlo.Value { return l.unary(stablehlo.Log, x) }

// Sqrt is √x.
func (l *Lowering) Sqrt(x *stablehlo.Value) *stablehlo.Value { return l.unary(stablehlo.Sqrt, x) }

// Compare is the boolean a dir b (float comparison).
func (l *Lowering) Compare(a *stablehlo.Value, dir types.ComparisonDirection, b *stablehlo.Value) *stablehlo.Value {
	if !l.ok(a, b) {
		return nil
	}
	return l.check(stablehlo.Compare(a, b, dir, types.CompareFloat))
}

// Select is onTrue where pred holds, else onFalse.
func (l *Lowering) Select(pred, onTrue, onFalse *stablehlo.Value) *stablehlo.Value {
	if !l.ok(pred, onTrue, onFalse) {
		return nil
	}
	return l.check(stablehlo.Select(pred, onTrue, onFalse))
}

// ---- products and reductions -------------------------------------------

// Dot is go-xla's DotGeneral: a and b contracted over the axes ac and bc,
// with batch axes ab and bb; the result's axes are the batch axes, then
// a's free axes, then b's. Float32 operands are multiplied in the
// context's product type (SetProducts), the result float32.
func (l *Lowering) Dot(a *stablehlo.Value, ac, ab []int, b *stablehlo.Value, bc, bb []int) *stablehlo.Value {
	if !l.ok(a, b) {
		return nil
	}
	out := a.Shape().DType
	a, b = l.productOperand(a), l.productOperand(b)
	if !l.ok(a, b) {
		return nil
	}
	return l.check(stablehlo.DotGeneral(a, ac, ab, b, bc, bb).OutputDType(out).Done())
}

// productOperand is x as a product takes it: converted to the context's
// product type when x is float32 (SetProducts), else x itself.
func (l *Lowering) productOperand(x *stablehlo.Value) *stablehlo.Value {
	if x.Shape().DType != dtypes.Float32 {
		return x
	}
	return l.Convert(x, l.ctx.products)
}

// reducer makes the closure f(a, b) over scalars of dtype dt.
func (l *Lowering) reducer(dt dtypes.DType, f func(a, b *stablehlo.Value) (*stablehlo.Value, error)) *stablehlo.Function {
	c := l.Fn.Closure()
	a, err := c.Input(shapes.Make(dt))
	if err != nil {
		l.Fail(err)
		return nil
	}
	b, err := c.Input(shapes.Make(dt))
	if err != nil {
		l.Fail(err)
		return nil
	}
	r, err := f(a, b)
	if err != nil {
		l.Fail(err)
		return nil
	}
	if err := c.Return(r); err != nil {
		l.Fail(err)
		return nil
	}
	return c
}

// reduce folds axes of x with f from init.
func (l *Lowering) reduce(x *stablehlo.Value, init float64, f func(a, b *stablehlo.Value) (*stablehlo.Value, error), axes []int) *stablehlo.Value {
	if !l.ok(x) {
		return nil
	}
	dt := x.Shape().DType
	c := l.reducer(dt, f)
	if c == nil {
		return nil
	}
	return l.check(stablehlo.Reduce(x, l.Const(init, dt), c, axes...))
}

// Sum adds x's elements along axes, which leave the shape.
func (l *Lowering) Sum(x *stablehlo.Value, axes ...int) *stablehlo.Value {
	return l.reduce(x, 0, stablehlo.Add, axes)
}

// negInf starts a search for the largest element.
var negInf = math.Inf(-1)

// ReduceMax is the largest of x's elements along axes (-Inf for none).
func (l *Lowering) ReduceMax(x *stablehlo.Value, axes ...int) *stablehlo.Value {
	return l.reduce(x, negInf, stablehlo.Maximum, axes)
}

// MaxPool is the largest element of every window of x, windows of
// window's sizes strides apart (pad x with -Inf first for padding).
func (l *Lowering) MaxPool(x *stablehlo.Value, window, strides []int) *stablehlo.Value {
	if !l.ok(x) {
		return nil
	}
	dt := x.Shape().DType
	c := l.reducer(dt, stablehlo.Maximum)
	if c == nil {
		return nil
	}
	return l.check(stablehlo.ReduceWindow(x, l.Const(negInf, dt), c, window, strides, nil, nil, nil))
}

// MaxPoolGrad is MaxPool's gradient: each element of dy, the gradient of
// its output, added at the first largest element of its window of x, the
// windows as MaxPool's; elsewhere 0.
func (l *Lowering) MaxPoolGrad(x, dy *stablehlo.Value, window, strides []int) *stablehlo.Value {
	if !l.ok(x, dy) {
		return nil
	}
	dt := x.Shape().DType
	sel := l.Fn.Closure()
	a, err := sel.Input(shapes.Make(dt))
	if err != nil {
		return l.Fail(err)
	}
	b, err := sel.Input(shapes.Make(dt))
	if err != nil {
		return l.Fail(err)
	}
	ge, err := stablehlo.Compare(a, b, types.CompareGE, types.CompareFloat)
	if err != nil {
		return l.Fail(err)
	}
	if err := sel.Return(ge); err != nil {
		return l.Fail(err)
	}
	add := l.reducer(dt, stablehlo.Add)
	if add == nil {
		return nil
	}
	return l.check(stablehlo.SelectAndScatter(x, dy, l.Const(0, dt), sel, add, window, strides, nil))
}

// ---- convolutions ------------------------------------------------------

// Conv is StableHLO's 2-D convolution of x by w, its operands' axes named
// by layout strings of four letters: xl for x ('b' batch, 'f' feature, '0'
// and '1' spatial), wl for w ('i' input feature, 'o' output feature, '0',
// '1'), yl for the result ('b', 'f', '0', '1'); so one helper serves a
// convolution and both its backward passes. stride, lhsDil (of x) and
// rhsDil (of w) are per spatial axis, nil for ones; pads are (low, high)
// per spatial axis and may be negative, which not every consumer of
// StableHLO accepts: the convolution is then made with those pads at zero
// and its result cropped by as many elements on that side, the same
// values. Float32 operands are convolved in the context's product type
// (SetProducts), the result float32.
func (l *Lowering) Conv(x, w *stablehlo.Value, stride, lhsDil, rhsDil []int, pads [][2]int, xl, wl, yl string) *stablehlo.Value {
	if !l.ok(x, w) {
		return nil
	}
	ax := func(layout string, c byte) int { return strings.IndexByte(layout, c) }
	spatial := func(layout string) []int { return []int{ax(layout, '0'), ax(layout, '1')} }
	clipped := make([][2]int, len(pads))
	crop := false
	for i, p := range pads {
		clipped[i] = [2]int{max(p[0], 0), max(p[1], 0)}
		crop = crop || p[0] < 0 || p[1] < 0
	}
	out := x.Shape().DType
	x, w = l.productOperand(x), l.productOperand(w)
	if !l.ok(x, w) {
		return nil
	}
	y := l.Convert(l.check(stablehlo.Convolution(x, w, stride, clipped, lhsDil, rhsDil,
		ax(xl, 'b'), ax(xl, 'f'), spatial(xl),
		ax(wl, 'i'), ax(wl, 'o'), spatial(wl),
		ax(yl, 'b'), ax(yl, 'f'), spatial(yl),
		1, 1, types.DotGeneralPrecisionDefault, types.DotGeneralPrecisionDefault)), out)
	if !crop || !l.ok(y) {
		return y
	}
	d := y.Shape().Dimensions
	starts, limits := make([]int, len(d)), append([]int(nil), d...)
	for i, a := range spatial(yl) {
		starts[a] = max(-pads[i][0], 0)
		limits[a] -= max(-pads[i][1], 0)
	}
	return l.Slice(y, starts, limits, nil)
}
