package hloeval

import (
	"fmt"
	"slices"
)

func init() {
	opTable["stablehlo.reduce"] = reduceOp
	opTable["stablehlo.reduce_window"] = reduceWindowOp
	opTable["stablehlo.select_and_scatter"] = selectAndScatterOp
}

// splitInputsInits checks the operands of reduce and reduce_window: n
// inputs of one shape followed by n scalar initial values, and one body.
func splitInputsInits(st *statement, in []*Tensor) (inputs, inits []*Tensor, body *function, err error) {
	if len(in) == 0 || len(in)%2 != 0 {
		return nil, nil, nil, fmt.Errorf("takes inputs and as many initial values, got %d operands", len(in))
	}
	if len(st.regions) != 1 {
		return nil, nil, nil, fmt.Errorf("takes one body region, got %d", len(st.regions))
	}
	n := len(in) / 2
	inputs, inits = in[:n], in[n:]
	for i := range inputs {
		if !slices.Equal(inputs[i].Shape, inputs[0].Shape) {
			return nil, nil, nil, fmt.Errorf("inputs %s and %s differ in shape", inputs[0], inputs[i])
		}
		if len(inits[i].Shape) != 0 {
			return nil, nil, nil, fmt.Errorf("initial value %s is not a scalar", inits[i])
		}
	}
	return inputs, inits, st.regions[0], nil
}

// reductionResults makes the tensors that hold a reduction's results, one
// per body result, of the body's element types.
func reductionResults(st *statement, body *function, n int, shape []int) ([]*Tensor, error) {
	types := regionResultTypes(body)
	if len(types) != n {
		return nil, fmt.Errorf("body ^%s returns %d values, want %d", body.name, len(types), n)
	}
	outs := make([]*Tensor, n)
	for i, t := range types {
		var err error
		if outs[i], err = st.result(i, t, shape); err != nil {
			return nil, err
		}
	}
	return outs, nil
}

// reduceOp is stablehlo.reduce: for each result index the accumulators
// start at the initial values and the body folds in the inputs' elements
// over the reduced dimensions, in row-major order:
// acc... = body(acc..., x...).
func reduceOp(ev *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	inputs, inits, body, err := splitInputsInits(st, in)
	if err != nil {
		return nil, err
	}
	n := len(inputs)
	inShape := inputs[0].Shape
	dims, err := st.ints("dimensions", nil)
	if err != nil {
		return nil, err
	}
	if err := checkAxes("dimensions", dims, len(inShape)); err != nil {
		return nil, err
	}
	kept := freeDims(len(inShape), nil, dims)
	shape := make([]int, len(kept))
	for i, d := range kept {
		shape[i] = inShape[d]
	}
	reduced := make([]int, len(dims))
	for i, d := range dims {
		reduced[i] = inShape[d]
	}
	outs, err := reductionResults(st, body, n, shape)
	if err != nil {
		return nil, err
	}
	src := make([]int, len(inShape))
	args := make([]float64, 2*n)
	var failed error
	forEach(shape, func(idx []int) {
		if failed != nil {
			return
		}
		for i, d := range kept {
			src[d] = idx[i]
		}
		acc := make([]float64, n)
		for i := range acc {
			acc[i] = inits[i].F[0]
		}
		forEach(reduced, func(r []int) {
			if failed != nil {
				return
			}
			for i, d := range dims {
				src[d] = r[i]
			}
			copy(args, acc)
			for i, x := range inputs {
				args[n+i] = x.at(src)
			}
			acc, failed = ev.apply(body, args...)
		})
		if failed != nil {
			return
		}
		o := flat(idx, shape)
		for i := range outs {
			outs[i].F[o] = acc[i]
		}
	})
	if failed != nil {
		return nil, failed
	}
	return outs, nil
}

// windowParams are the window attributes of reduce_window and
// select_and_scatter, one entry per dimension.
type windowParams struct {
	dims, strides, baseDil, winDil []int
	pad                            [][2]int
}

// readWindow reads the window attributes for a rank-r operand, defaulting
// strides and dilations to 1 and padding to 0.
func readWindow(st *statement, r int) (*windowParams, error) {
	var w windowParams
	var err error
	if w.dims, err = st.ints("window_dimensions", nil); err != nil {
		return nil, err
	}
	if w.strides, err = st.ints("window_strides", ones(r)); err != nil {
		return nil, err
	}
	if w.baseDil, err = st.ints("base_dilations", ones(r)); err != nil {
		return nil, err
	}
	if w.winDil, err = st.ints("window_dilations", ones(r)); err != nil {
		return nil, err
	}
	for _, c := range []struct {
		name string
		xs   []int
	}{{"window_dimensions", w.dims}, {"window_strides", w.strides}, {"base_dilations", w.baseDil}, {"window_dilations", w.winDil}} {
		if err := checkLen(c.name, c.xs, r); err != nil {
			return nil, err
		}
		for _, x := range c.xs {
			if x < 1 {
				return nil, fmt.Errorf("attribute %s %v must be positive", c.name, c.xs)
			}
		}
	}
	if w.pad, err = st.padding("padding", r); err != nil {
		return nil, err
	}
	return &w, nil
}

// outShape returns the number of windows along each dimension of an
// operand of the given shape.
func (w *windowParams) outShape(in []int) []int {
	out := make([]int, len(in))
	for d, size := range in {
		padded := 0
		if size > 0 {
			padded = (size-1)*w.baseDil[d] + 1
		}
		padded += w.pad[d][0] + w.pad[d][1]
		window := (w.dims[d]-1)*w.winDil[d] + 1
		if padded >= window {
			out[d] = (padded-window)/w.strides[d] + 1
		}
	}
	return out
}

// source finds the operand element that window position k of the window
// at result index o reads: ok is false for padding and for the holes of a
// base dilation.
func (w *windowParams) source(o, k, in, src []int) (ok bool) {
	for d := range o {
		p := o[d]*w.strides[d] + k[d]*w.winDil[d] - w.pad[d][0]
		if p < 0 || p%w.baseDil[d] != 0 || p/w.baseDil[d] >= in[d] {
			return false
		}
		src[d] = p / w.baseDil[d]
	}
	return true
}

// reduceWindowOp is stablehlo.reduce_window: each result element folds the
// body over its window of the padded, base-dilated inputs, in row-major
// window order, starting from the initial values; padding and dilation
// holes read the initial values.
func reduceWindowOp(ev *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	inputs, inits, body, err := splitInputsInits(st, in)
	if err != nil {
		return nil, err
	}
	n := len(inputs)
	inShape := inputs[0].Shape
	w, err := readWindow(st, len(inShape))
	if err != nil {
		return nil, err
	}
	shape := w.outShape(inShape)
	outs, err := reductionResults(st, body, n, shape)
	if err != nil {
		return nil, err
	}
	src := make([]int, len(inShape))
	args := make([]float64, 2*n)
	var failed error
	forEach(shape, func(idx []int) {
		if failed != nil {
			return
		}
		acc := make([]float64, n)
		for i := range acc {
			acc[i] = inits[i].F[0]
		}
		forEach(w.dims, func(k []int) {
			if failed != nil {
				return
			}
			copy(args, acc)
			inside := w.source(idx, k, inShape, src)
			for i, x := range inputs {
				if inside {
					args[n+i] = x.at(src)
				} else {
					args[n+i] = inits[i].F[0]
				}
			}
			acc, failed = ev.apply(body, args...)
		})
		if failed != nil {
			return
		}
		o := flat(idx, shape)
		for i := range outs {
			outs[i].F[o] = acc[i]
		}
	})
	if failed != nil {
		return nil, failed
	}
	return outs, nil
}

// selectAndScatterOp is stablehlo.select_and_scatter(operand, source,
// init). The result starts as init everywhere. For each source element, in
// row-major order, its window over the padded operand selects one operand
// element: the first in-bounds element in row-major window order, replaced
// by each later in-bounds candidate for which select(selected, candidate)
// is false. The body scatter then combines the source element into the
// result at the selected element: r = scatter(r, source).
func selectAndScatterOp(ev *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if err := wantOperands(in, 3); err != nil {
		return nil, err
	}
	x, source, init := in[0], in[1], in[2]
	if len(st.regions) != 2 {
		return nil, fmt.Errorf("takes a select and a scatter region, got %d regions", len(st.regions))
	}
	sel, scatter := st.regions[0], st.regions[1]
	if len(init.Shape) != 0 || init.DType != x.DType || source.DType != x.DType {
		return nil, fmt.Errorf("operand %s, source %s and scalar init %s must share an element type", x, source, init)
	}
	if _, ok := st.attrs["base_dilations"]; ok {
		return nil, fmt.Errorf("select_and_scatter takes no base_dilations")
	}
	if _, ok := st.attrs["window_dilations"]; ok {
		return nil, fmt.Errorf("select_and_scatter takes no window_dilations")
	}
	w, err := readWindow(st, len(x.Shape))
	if err != nil {
		return nil, err
	}
	if want := w.outShape(x.Shape); !slices.Equal(want, source.Shape) {
		return nil, fmt.Errorf("source is %s, but the operand has %v windows", source, want)
	}
	out := newTensor(x.DType, x.Shape)
	for i := range out.F {
		out.F[i] = init.F[0]
	}
	cand := make([]int, len(x.Shape))
	best := make([]int, len(x.Shape))
	var failed error
	forEach(source.Shape, func(s []int) {
		if failed != nil {
			return
		}
		found := false
		forEach(w.dims, func(k []int) {
			if failed != nil || !w.source(s, k, x.Shape, cand) {
				return
			}
			if !found {
				copy(best, cand)
				found = true
				return
			}
			keep, err := ev.apply(sel, x.at(best), x.at(cand))
			if err != nil {
				failed = err
				return
			}
			if keep[0] == 0 {
				copy(best, cand)
			}
		})
		if failed != nil || !found {
			return
		}
		o := flat(best, x.Shape)
		r, err := ev.apply(scatter, out.F[o], source.at(s))
		if err != nil {
			failed = err
			return
		}
		out.F[o] = roundTo(x.DType, r[0])
	})
	if failed != nil {
		return nil, failed
	}
	return []*Tensor{out}, nil
}
