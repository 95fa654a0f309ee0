package hloeval

import (
	"fmt"
	"slices"
)

// opFunc evaluates one op kind: given the statement and its operands (whose
// types already match the statement's signature) it returns the results,
// whose types Run then checks against the signature too.
type opFunc func(ev *evaluator, st *statement, in []*Tensor) ([]*Tensor, error)

// opTable maps a StableHLO op name to its evaluation. It is filled by the
// init functions of the files that implement the ops.
var opTable = map[string]opFunc{}

// evaluator runs the functions of one module.
type evaluator struct {
	m *Module
}

// Run runs the module's @main function on inputs, which must match its
// parameters in number, element type and shape (elements are rounded to the
// parameter's element type). Every statement's operands and results are
// checked against the types the statement declares, and any mismatch is an
// error naming the statement's line.
func (m *Module) Run(inputs ...*Tensor) ([]*Tensor, error) {
	main := m.funcs["main"]
	if len(inputs) != len(main.params) {
		return nil, fmt.Errorf("hloeval: @main takes %d inputs, got %d", len(main.params), len(inputs))
	}
	args := make([]*Tensor, len(inputs))
	for i, in := range inputs {
		if err := checkTensor(in); err != nil {
			return nil, fmt.Errorf("hloeval: input %d (%%%s): %w", i, main.params[i].name, err)
		}
		if !main.params[i].typ.matches(in) {
			return nil, fmt.Errorf("hloeval: input %d (%%%s) is %s, @main declares %s", i, main.params[i].name, in, main.params[i].typ)
		}
		c := newTensor(in.DType, in.Shape)
		for j, x := range in.F {
			c.F[j] = roundTo(in.DType, x)
		}
		args[i] = c
	}
	ev := &evaluator{m: m}
	outs, err := ev.call(main, args)
	if err != nil {
		return nil, fmt.Errorf("hloeval: %w", err)
	}
	if main.results != nil {
		if len(outs) != len(main.results) {
			return nil, fmt.Errorf("hloeval: @main returns %d values but declares %d results", len(outs), len(main.results))
		}
		for i, out := range outs {
			if !main.results[i].matches(out) {
				return nil, fmt.Errorf("hloeval: @main result %d is %s but is declared %s", i, out, main.results[i])
			}
		}
	}
	return outs, nil
}

// call runs f on args and returns the values of its return statement.
// Each value lives in the slot the parser numbered it with.
func (ev *evaluator) call(f *function, args []*Tensor) ([]*Tensor, error) {
	vals := make([]*Tensor, f.slots)
	for i, p := range f.params {
		if !p.typ.matches(args[i]) {
			return nil, fmt.Errorf("%s: argument %%%s of ^%s is %s, declared %s", f.pos, p.name, f.name, args[i], p.typ)
		}
		vals[i] = args[i]
	}
	for _, st := range f.body {
		in := make([]*Tensor, len(st.operandSlots))
		for i, slot := range st.operandSlots {
			in[i] = vals[slot]
			if !st.inTypes[i].matches(in[i]) {
				return nil, fmt.Errorf("line %s: %s: operand %d (%%%s) is %s, but the statement declares %s",
					st.pos, st.op, i, st.operands[i], in[i], st.inTypes[i])
			}
		}
		if isReturn(st.op) {
			return in, nil
		}
		if st.eval == nil {
			return nil, fmt.Errorf("line %s: op %s is not supported by hloeval", st.pos, st.op)
		}
		outs, err := st.eval(ev, st, in)
		if err != nil {
			return nil, fmt.Errorf("line %s: %s: %w", st.pos, st.op, err)
		}
		if len(outs) != len(st.outTypes) {
			return nil, fmt.Errorf("line %s: %s computes %d results, but the statement declares %d", st.pos, st.op, len(outs), len(st.outTypes))
		}
		for i, out := range outs {
			if !st.outTypes[i].matches(out) {
				return nil, fmt.Errorf("line %s: %s computes %s for result %d (%%%s), but the statement declares %s",
					st.pos, st.op, out, i, st.results[i], st.outTypes[i])
			}
			vals[st.resultSlots[i]] = out
		}
	}
	return nil, fmt.Errorf("%s: function %s has no return", f.pos, f.name)
}

// apply runs a region on scalar arguments and returns its scalar results.
// The arguments take the element types of the region's parameters.
func (ev *evaluator) apply(region *function, args ...float64) ([]float64, error) {
	if len(args) != len(region.params) {
		return nil, fmt.Errorf("region ^%s takes %d arguments, the op passes %d", region.name, len(region.params), len(args))
	}
	ts := make([]*Tensor, len(args))
	for i, x := range args {
		p := region.params[i].typ
		if len(p.shape) != 0 {
			return nil, fmt.Errorf("region ^%s parameter %%%s is %s, want a scalar", region.name, region.params[i].name, p)
		}
		ts[i] = &Tensor{DType: p.dtype, Shape: []int{}, F: []float64{roundTo(p.dtype, x)}}
	}
	outs, err := ev.call(region, ts)
	if err != nil {
		return nil, err
	}
	res := make([]float64, len(outs))
	for i, o := range outs {
		if len(o.Shape) != 0 {
			return nil, fmt.Errorf("region ^%s returns %s, want a scalar", region.name, o)
		}
		res[i] = o.F[0]
	}
	return res, nil
}

// regionResultTypes returns the element types a region returns, read from
// its return statement.
func regionResultTypes(region *function) []string {
	ret := region.body[len(region.body)-1]
	types := make([]string, len(ret.inTypes))
	for i, t := range ret.inTypes {
		types[i] = t.dtype
	}
	return types
}

// result allocates result i of st once its computed type is known to be
// the declared one, so that attributes giving an absurd shape fail before
// anything that size is allocated.
func (st *statement) result(i int, dtype string, shape []int) (*Tensor, error) {
	if i >= len(st.outTypes) {
		return nil, fmt.Errorf("computes at least %d results, but the statement declares %d", i+1, len(st.outTypes))
	}
	if want := st.outTypes[i]; want.dtype != dtype || !slices.Equal(want.shape, shape) {
		return nil, fmt.Errorf("computes %s for result %d (%%%s), but the statement declares %s",
			typeString(dtype, shape), i, st.results[i], want)
	}
	return newTensor(dtype, shape), nil
}

// attribute accessors

// maxAttrElements bounds the integer lists an attribute may hold.
const maxAttrElements = 1 << 16

// attrOf returns the attribute name of st, or an error if it is missing.
func (st *statement) attrOf(name string) (*attr, error) {
	a := st.attrs[name]
	if a == nil {
		return nil, fmt.Errorf("missing attribute %s", name)
	}
	return a, nil
}

// ints reads an integer-list attribute (array<i64: ...>, [..] or a 1-D
// dense); a missing one is def, or an error when def is nil.
func (st *statement) ints(name string, def []int) ([]int, error) {
	a := st.attrs[name]
	if a == nil {
		if def == nil {
			return nil, fmt.Errorf("missing attribute %s", name)
		}
		return def, nil
	}
	var xs []float64
	switch a.kind {
	case attrArray:
		xs = a.nums
	case attrDense:
		var err error
		if xs, err = a.denseValues(maxAttrElements); err != nil {
			return nil, err
		}
	case attrList:
		for _, e := range a.list {
			if e.kind != attrNumber {
				return nil, fmt.Errorf("attribute %s at %s: want a list of integers", name, a.pos)
			}
			xs = append(xs, e.num)
		}
	default:
		return nil, fmt.Errorf("attribute %s at %s: want an array of integers", name, a.pos)
	}
	out := make([]int, len(xs))
	for i, x := range xs {
		if x != float64(int(x)) {
			return nil, fmt.Errorf("attribute %s at %s: %v is not an integer", name, a.pos, x)
		}
		out[i] = int(x)
	}
	return out, nil
}

// bools reads an array<i1: ...> attribute; a missing one is n falses.
func (st *statement) bools(name string, n int) ([]bool, error) {
	a := st.attrs[name]
	out := make([]bool, n)
	if a == nil {
		return out, nil
	}
	if a.kind != attrArray && a.kind != attrDense {
		return nil, fmt.Errorf("attribute %s at %s: want an array of booleans", name, a.pos)
	}
	xs := a.nums
	if a.kind == attrDense {
		var err error
		if xs, err = a.denseValues(maxAttrElements); err != nil {
			return nil, err
		}
	}
	if len(xs) != n {
		return nil, fmt.Errorf("attribute %s at %s has %d elements, want %d", name, a.pos, len(xs), n)
	}
	for i, x := range xs {
		out[i] = x != 0
	}
	return out, nil
}

// integer reads an integer attribute; a missing one is def, or an error
// when hasDef is false.
func (st *statement) integer(name string, def int, hasDef bool) (int, error) {
	a := st.attrs[name]
	if a == nil {
		if !hasDef {
			return 0, fmt.Errorf("missing attribute %s", name)
		}
		return def, nil
	}
	if a.kind != attrNumber || a.num != float64(int(a.num)) {
		return 0, fmt.Errorf("attribute %s at %s: want an integer", name, a.pos)
	}
	return int(a.num), nil
}

// float reads a floating-point attribute.
func (st *statement) float(name string) (float64, error) {
	a, err := st.attrOf(name)
	if err != nil {
		return 0, err
	}
	if a.kind != attrNumber {
		return 0, fmt.Errorf("attribute %s at %s: want a number", name, a.pos)
	}
	return a.num, nil
}

// padding reads an Nx2 padding attribute (dense<[[lo, hi], ...]>); a
// missing one is all zeros.
func (st *statement) padding(name string, rank int) ([][2]int, error) {
	out := make([][2]int, rank)
	a := st.attrs[name]
	if a == nil {
		return out, nil
	}
	if a.kind != attrDense || !slices.Equal(a.dense.Shape, []int{rank, 2}) {
		return nil, fmt.Errorf("attribute %s at %s: want a dense tensor<%dx2xi64>", name, a.pos, rank)
	}
	xs, err := a.denseValues(2 * rank)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i] = [2]int{int(xs[2*i]), int(xs[2*i+1])}
	}
	return out, nil
}

// checkLen fails unless an attribute list has n elements.
func checkLen(name string, xs []int, n int) error {
	if len(xs) != n {
		return fmt.Errorf("attribute %s has %d elements, want %d", name, len(xs), n)
	}
	return nil
}

// checkAxes fails unless every axis is in [0, rank) and none repeats.
func checkAxes(what string, axes []int, rank int) error {
	seen := map[int]bool{}
	for _, a := range axes {
		if a < 0 || a >= rank || seen[a] {
			return fmt.Errorf("%s %v: bad or repeated axis %d for rank %d", what, axes, a, rank)
		}
		seen[a] = true
	}
	return nil
}
