package hloeval

import (
	"fmt"
	"slices"
)

func init() {
	opTable["stablehlo.constant"] = constantOp
	opTable["stablehlo.iota"] = iotaOp
	opTable["stablehlo.broadcast_in_dim"] = broadcastInDimOp
	opTable["stablehlo.reshape"] = reshapeOp
	opTable["stablehlo.transpose"] = transposeOp
	opTable["stablehlo.slice"] = sliceOp
	opTable["stablehlo.dynamic_slice"] = dynamicSliceOp
	opTable["stablehlo.dynamic_update_slice"] = dynamicUpdateSliceOp
	opTable["stablehlo.concatenate"] = concatenateOp
	opTable["stablehlo.pad"] = padOp
	opTable["stablehlo.reverse"] = reverseOp
}

// wantOperands fails unless there are n operands.
func wantOperands(in []*Tensor, n int) error {
	if len(in) != n {
		return fmt.Errorf("takes %d operands, got %d", n, len(in))
	}
	return nil
}

// constantOp is stablehlo.constant: the value attribute.
func constantOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if err := wantOperands(in, 0); err != nil {
		return nil, err
	}
	a, err := st.attrOf("value")
	if err != nil {
		return nil, err
	}
	if a.kind != attrDense {
		return nil, fmt.Errorf("attribute value at %s: want a dense<...> literal", a.pos)
	}
	out, err := st.result(0, a.dense.DType, a.dense.Shape)
	if err != nil {
		return nil, err
	}
	xs, err := a.denseValues(len(out.F))
	if err != nil {
		return nil, err
	}
	copy(out.F, xs)
	return []*Tensor{out}, nil
}

// iotaOp is stablehlo.iota: the declared type filled with each element's
// index along iota_dimension.
func iotaOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if err := wantOperands(in, 0); err != nil {
		return nil, err
	}
	typ := st.outTypes[0]
	dim, err := st.integer("iota_dimension", 0, false)
	if err != nil {
		return nil, err
	}
	if dim < 0 || dim >= len(typ.shape) {
		return nil, fmt.Errorf("iota_dimension %d out of range for %s", dim, typ)
	}
	out := newTensor(typ.dtype, typ.shape)
	forEach(out.Shape, func(idx []int) {
		out.F[flat(idx, out.Shape)] = roundTo(typ.dtype, float64(idx[dim]))
	})
	return []*Tensor{out}, nil
}

// broadcastInDimOp is stablehlo.broadcast_in_dim to the declared shape:
// operand dimension i becomes result dimension broadcast_dimensions[i],
// where it must be 1 or equal to it.
func broadcastInDimOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if err := wantOperands(in, 1); err != nil {
		return nil, err
	}
	x, typ := in[0], st.outTypes[0]
	dims, err := st.ints("broadcast_dimensions", nil)
	if err != nil {
		return nil, err
	}
	if err := checkLen("broadcast_dimensions", dims, len(x.Shape)); err != nil {
		return nil, err
	}
	if err := checkAxes("broadcast_dimensions", dims, len(typ.shape)); err != nil {
		return nil, err
	}
	for i, d := range dims {
		if x.Shape[i] != 1 && x.Shape[i] != typ.shape[d] {
			return nil, fmt.Errorf("operand dimension %d (%d) cannot broadcast to result dimension %d (%d)", i, x.Shape[i], d, typ.shape[d])
		}
	}
	out := newTensor(x.DType, typ.shape)
	src := make([]int, len(x.Shape))
	forEach(out.Shape, func(idx []int) {
		for i, d := range dims {
			if x.Shape[i] == 1 {
				src[i] = 0
			} else {
				src[i] = idx[d]
			}
		}
		out.F[flat(idx, out.Shape)] = x.at(src)
	})
	return []*Tensor{out}, nil
}

// reshapeOp is stablehlo.reshape to the declared shape, keeping the
// row-major order of the elements.
func reshapeOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if err := wantOperands(in, 1); err != nil {
		return nil, err
	}
	x, typ := in[0], st.outTypes[0]
	if size(typ.shape) != len(x.F) {
		return nil, fmt.Errorf("cannot reshape %s to %s", x, typ)
	}
	out := newTensor(x.DType, typ.shape)
	copy(out.F, x.F)
	return []*Tensor{out}, nil
}

// transposeOp is stablehlo.transpose: result dimension i is operand
// dimension permutation[i].
func transposeOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if err := wantOperands(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	perm, err := st.ints("permutation", nil)
	if err != nil {
		return nil, err
	}
	if err := checkLen("permutation", perm, len(x.Shape)); err != nil {
		return nil, err
	}
	if err := checkAxes("permutation", perm, len(x.Shape)); err != nil {
		return nil, err
	}
	shape := make([]int, len(perm))
	for i, p := range perm {
		shape[i] = x.Shape[p]
	}
	out := newTensor(x.DType, shape)
	src := make([]int, len(perm))
	forEach(shape, func(idx []int) {
		for i, p := range perm {
			src[p] = idx[i]
		}
		out.F[flat(idx, shape)] = x.at(src)
	})
	return []*Tensor{out}, nil
}

// sliceOp is stablehlo.slice: elements start, start+stride, ... below limit.
func sliceOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if err := wantOperands(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	rank := len(x.Shape)
	start, err := st.ints("start_indices", nil)
	if err != nil {
		return nil, err
	}
	limit, err := st.ints("limit_indices", nil)
	if err != nil {
		return nil, err
	}
	stride, err := st.ints("strides", ones(rank))
	if err != nil {
		return nil, err
	}
	for _, c := range []struct {
		name string
		xs   []int
	}{{"start_indices", start}, {"limit_indices", limit}, {"strides", stride}} {
		if err := checkLen(c.name, c.xs, rank); err != nil {
			return nil, err
		}
	}
	shape := make([]int, rank)
	for d := range shape {
		if start[d] < 0 || start[d] > limit[d] || limit[d] > x.Shape[d] || stride[d] < 1 {
			return nil, fmt.Errorf("bad slice [%d:%d:%d] of dimension %d (%d)", start[d], limit[d], stride[d], d, x.Shape[d])
		}
		shape[d] = (limit[d] - start[d] + stride[d] - 1) / stride[d]
	}
	out := newTensor(x.DType, shape)
	src := make([]int, rank)
	forEach(shape, func(idx []int) {
		for d := range idx {
			src[d] = start[d] + idx[d]*stride[d]
		}
		out.F[flat(idx, shape)] = x.at(src)
	})
	return []*Tensor{out}, nil
}

func ones(n int) []int {
	xs := make([]int, n)
	for i := range xs {
		xs[i] = 1
	}
	return xs
}

// startIndices reads the scalar integer start index operands of the
// dynamic slice ops, clamped so that a window of the given sizes fits.
func startIndices(x *Tensor, idx []*Tensor, sizes []int) ([]int, error) {
	if len(idx) != len(x.Shape) {
		return nil, fmt.Errorf("%d start indices for rank %d", len(idx), len(x.Shape))
	}
	start := make([]int, len(idx))
	for d, t := range idx {
		if len(t.Shape) != 0 || isFloat(t.DType) || t.DType == "i1" {
			return nil, fmt.Errorf("start index %d is %s, want an integer scalar", d, t)
		}
		if sizes[d] < 0 || sizes[d] > x.Shape[d] {
			return nil, fmt.Errorf("size %d does not fit dimension %d (%d)", sizes[d], d, x.Shape[d])
		}
		start[d] = min(max(int(t.F[0]), 0), x.Shape[d]-sizes[d])
	}
	return start, nil
}

// dynamicSliceOp is stablehlo.dynamic_slice(operand, start...).
func dynamicSliceOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if len(in) < 1 {
		return nil, fmt.Errorf("needs an operand")
	}
	x := in[0]
	sizes, err := st.ints("slice_sizes", nil)
	if err != nil {
		return nil, err
	}
	if err := checkLen("slice_sizes", sizes, len(x.Shape)); err != nil {
		return nil, err
	}
	start, err := startIndices(x, in[1:], sizes)
	if err != nil {
		return nil, err
	}
	out := newTensor(x.DType, sizes)
	src := make([]int, len(sizes))
	forEach(sizes, func(idx []int) {
		for d := range idx {
			src[d] = start[d] + idx[d]
		}
		out.F[flat(idx, sizes)] = x.at(src)
	})
	return []*Tensor{out}, nil
}

// dynamicUpdateSliceOp is stablehlo.dynamic_update_slice(operand, update,
// start...).
func dynamicUpdateSliceOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if len(in) < 2 {
		return nil, fmt.Errorf("needs an operand and an update")
	}
	x, upd := in[0], in[1]
	if upd.DType != x.DType || len(upd.Shape) != len(x.Shape) {
		return nil, fmt.Errorf("update %s does not fit operand %s", upd, x)
	}
	start, err := startIndices(x, in[2:], upd.Shape)
	if err != nil {
		return nil, err
	}
	out := newTensor(x.DType, x.Shape)
	copy(out.F, x.F)
	dst := make([]int, len(x.Shape))
	forEach(upd.Shape, func(idx []int) {
		for d := range idx {
			dst[d] = start[d] + idx[d]
		}
		out.F[flat(dst, x.Shape)] = upd.at(idx)
	})
	return []*Tensor{out}, nil
}

// concatenateOp is stablehlo.concatenate along dimension.
func concatenateOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("needs at least one operand")
	}
	dim, err := st.integer("dimension", 0, false)
	if err != nil {
		return nil, err
	}
	first := in[0]
	if dim < 0 || dim >= len(first.Shape) {
		return nil, fmt.Errorf("dimension %d out of range for %s", dim, first)
	}
	shape := slices.Clone(first.Shape)
	shape[dim] = 0
	for _, x := range in {
		if x.DType != first.DType || len(x.Shape) != len(first.Shape) {
			return nil, fmt.Errorf("operands %s and %s cannot be concatenated", first, x)
		}
		for d := range x.Shape {
			if d != dim && x.Shape[d] != first.Shape[d] {
				return nil, fmt.Errorf("operands %s and %s differ outside dimension %d", first, x, dim)
			}
		}
		shape[dim] += x.Shape[dim]
	}
	out := newTensor(first.DType, shape)
	dst := make([]int, len(shape))
	offset := 0
	for _, x := range in {
		forEach(x.Shape, func(idx []int) {
			copy(dst, idx)
			dst[dim] += offset
			out.F[flat(dst, shape)] = x.at(idx)
		})
		offset += x.Shape[dim]
	}
	return []*Tensor{out}, nil
}

// padOp is stablehlo.pad: operand element i lands at low + i*(interior+1)
// when that is inside the result; every other element is the padding value.
// Negative edge padding removes elements.
func padOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if err := wantOperands(in, 2); err != nil {
		return nil, err
	}
	x, pv := in[0], in[1]
	if pv.DType != x.DType || len(pv.Shape) != 0 {
		return nil, fmt.Errorf("padding value %s must be a %s scalar", pv, x.DType)
	}
	rank := len(x.Shape)
	lo, err := st.ints("edge_padding_low", nil)
	if err != nil {
		return nil, err
	}
	hi, err := st.ints("edge_padding_high", nil)
	if err != nil {
		return nil, err
	}
	interior, err := st.ints("interior_padding", nil)
	if err != nil {
		return nil, err
	}
	shape := make([]int, rank)
	for _, c := range []struct {
		name string
		xs   []int
	}{{"edge_padding_low", lo}, {"edge_padding_high", hi}, {"interior_padding", interior}} {
		if err := checkLen(c.name, c.xs, rank); err != nil {
			return nil, err
		}
	}
	for d := range shape {
		if interior[d] < 0 {
			return nil, fmt.Errorf("negative interior padding %d", interior[d])
		}
		shape[d] = lo[d] + x.Shape[d] + max(x.Shape[d]-1, 0)*interior[d] + hi[d]
		if shape[d] < 0 {
			return nil, fmt.Errorf("padding leaves dimension %d with size %d", d, shape[d])
		}
	}
	out, err := st.result(0, x.DType, shape)
	if err != nil {
		return nil, err
	}
	for i := range out.F {
		out.F[i] = pv.F[0]
	}
	dst := make([]int, rank)
	forEach(x.Shape, func(idx []int) {
		for d := range idx {
			dst[d] = lo[d] + idx[d]*(interior[d]+1)
			if dst[d] < 0 || dst[d] >= shape[d] {
				return
			}
		}
		out.F[flat(dst, shape)] = x.at(idx)
	})
	return []*Tensor{out}, nil
}

// reverseOp is stablehlo.reverse along dimensions.
func reverseOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if err := wantOperands(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	dims, err := st.ints("dimensions", nil)
	if err != nil {
		return nil, err
	}
	if err := checkAxes("dimensions", dims, len(x.Shape)); err != nil {
		return nil, err
	}
	out := newTensor(x.DType, x.Shape)
	src := make([]int, len(x.Shape))
	forEach(x.Shape, func(idx []int) {
		copy(src, idx)
		for _, d := range dims {
			src[d] = x.Shape[d] - 1 - idx[d]
		}
		out.F[flat(idx, x.Shape)] = x.at(src)
	})
	return []*Tensor{out}, nil
}
