package hloeval

import (
	"fmt"
	"slices"
)

func init() {
	opTable["stablehlo.gather"] = gatherOp
	opTable["stablehlo.scatter"] = scatterOp
}

// indexTensor fails unless t holds integers.
func indexTensor(t *Tensor) error {
	if isFloat(t.DType) || t.DType == "i1" {
		return fmt.Errorf("indices %s must be integers", t)
	}
	return nil
}

// startIndexAt reads the index vector of indices at batch index b (the
// coordinates of every dimension but indexVectorDim): element k of the
// vector is indices[b with k inserted at indexVectorDim], or the single
// element indices[b] when indexVectorDim is the rank of indices.
func startIndexAt(indices *Tensor, indexVectorDim int, b []int, n int) []int {
	start := make([]int, n)
	if indexVectorDim == len(indices.Shape) {
		start[0] = int(indices.at(b))
		return start
	}
	full := make([]int, 0, len(indices.Shape))
	full = append(full, b[:indexVectorDim]...)
	full = append(full, 0)
	full = append(full, b[indexVectorDim:]...)
	for k := range start {
		full[indexVectorDim] = k
		start[k] = int(indices.at(full))
	}
	return start
}

// batchPosition returns where dimension d of the indices sits in a batch
// index, which leaves out indexVectorDim.
func batchPosition(d, indexVectorDim int) int {
	if d < indexVectorDim {
		return d
	}
	return d - 1
}

// gatherDims are the dimension numbers of a gather.
type gatherDims struct {
	offsetDims, collapsed, operandBatching, indicesBatching, startIndexMap []int
	indexVectorDim                                                         int
}

// checkIndexing validates what gather and scatter share: the operand-side
// dimensions that take no slice (collapsed or inserted, and batching), the
// indices' batching dimensions and the map from index vector to operand
// dimensions.
func checkIndexing(operandShape []int, indices *Tensor, skipped, operandBatching, indicesBatching, indexMap []int, indexVectorDim int) error {
	operandRank := len(operandShape)
	if err := indexTensor(indices); err != nil {
		return err
	}
	if indexVectorDim < 0 || indexVectorDim > len(indices.Shape) {
		return fmt.Errorf("index_vector_dim %d out of range for indices %s", indexVectorDim, indices)
	}
	vector := 1
	if indexVectorDim < len(indices.Shape) {
		vector = indices.Shape[indexVectorDim]
	}
	if len(indexMap) != vector {
		return fmt.Errorf("index map %v has %d entries, the index vectors %d", indexMap, len(indexMap), vector)
	}
	if err := checkAxes("index map and operand batching dimensions", append(slices.Clone(indexMap), operandBatching...), operandRank); err != nil {
		return err
	}
	if err := checkAxes("collapsed or inserted and batching dimensions", append(slices.Clone(skipped), operandBatching...), operandRank); err != nil {
		return err
	}
	if err := checkAxes("indices batching dimensions", indicesBatching, len(indices.Shape)); err != nil {
		return err
	}
	if len(operandBatching) != len(indicesBatching) || slices.Contains(indicesBatching, indexVectorDim) {
		return fmt.Errorf("batching dimensions %v and %v do not pair up", operandBatching, indicesBatching)
	}
	for i, d := range operandBatching {
		if operandShape[d] != indices.Shape[indicesBatching[i]] {
			return fmt.Errorf("batching dimension %d (%d) and indices dimension %d (%d) differ", d, operandShape[d], indicesBatching[i], indices.Shape[indicesBatching[i]])
		}
	}
	return nil
}

// gatherOp is stablehlo.gather: result[i] = operand[full_start_index +
// full_batching_index + full_offset_index] as the spec defines them, the
// start index clamped so that the slice fits.
func gatherOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if err := wantOperands(in, 2); err != nil {
		return nil, err
	}
	operand, indices := in[0], in[1]
	a, err := st.attrOf("dimension_numbers")
	if err != nil {
		return nil, err
	}
	f, err := opaqueFields(a, "stablehlo.gather")
	if err != nil {
		return nil, err
	}
	if len(f["index_vector_dim"]) != 1 {
		return nil, fmt.Errorf("#stablehlo.gather at %s needs one index_vector_dim", a.pos)
	}
	g := gatherDims{f["offset_dims"], f["collapsed_slice_dims"], f["operand_batching_dims"],
		f["start_indices_batching_dims"], f["start_index_map"], f["index_vector_dim"][0]}
	sizes, err := st.ints("slice_sizes", nil)
	if err != nil {
		return nil, err
	}
	rank := len(operand.Shape)
	if err := checkLen("slice_sizes", sizes, rank); err != nil {
		return nil, err
	}
	if err := checkIndexing(operand.Shape, indices, g.collapsed, g.operandBatching, g.indicesBatching, g.startIndexMap, g.indexVectorDim); err != nil {
		return nil, err
	}
	for d, s := range sizes {
		noSlice := slices.Contains(g.collapsed, d) || slices.Contains(g.operandBatching, d)
		if s < 0 || s > operand.Shape[d] || (noSlice && s > 1) {
			return nil, fmt.Errorf("slice size %d does not fit dimension %d of %s", s, d, operand)
		}
	}
	var batchShape, offsetSizes []int
	for d, n := range indices.Shape {
		if d != g.indexVectorDim {
			batchShape = append(batchShape, n)
		}
	}
	for d, s := range sizes {
		if !slices.Contains(g.collapsed, d) && !slices.Contains(g.operandBatching, d) {
			offsetSizes = append(offsetSizes, s)
		}
	}
	resultRank := len(batchShape) + len(offsetSizes)
	if len(g.offsetDims) != len(offsetSizes) || !slices.IsSorted(g.offsetDims) {
		return nil, fmt.Errorf("offset_dims %v: want %d sorted dimensions", g.offsetDims, len(offsetSizes))
	}
	if err := checkAxes("offset_dims", g.offsetDims, resultRank); err != nil {
		return nil, err
	}
	shape := make([]int, resultRank)
	batchDims := freeDims(resultRank, g.offsetDims, nil)
	for i, d := range batchDims {
		shape[d] = batchShape[i]
	}
	for i, d := range g.offsetDims {
		shape[d] = offsetSizes[i]
	}
	out, err := st.result(0, operand.DType, shape)
	if err != nil {
		return nil, err
	}
	b := make([]int, len(batchDims))
	src := make([]int, rank)
	forEach(shape, func(idx []int) {
		for i, d := range batchDims {
			b[i] = idx[d]
		}
		clear(src)
		start := startIndexAt(indices, g.indexVectorDim, b, len(g.startIndexMap))
		for k, d := range g.startIndexMap {
			src[d] = min(max(start[k], 0), operand.Shape[d]-sizes[d])
		}
		for i, d := range g.operandBatching {
			src[d] += b[batchPosition(g.indicesBatching[i], g.indexVectorDim)]
		}
		next := 0
		for d := range src {
			if slices.Contains(g.collapsed, d) || slices.Contains(g.operandBatching, d) {
				continue
			}
			src[d] += idx[g.offsetDims[next]]
			next++
		}
		out.F[flat(idx, shape)] = operand.at(src)
	})
	return []*Tensor{out}, nil
}

// scatterOp is stablehlo.scatter(inputs..., indices, updates...): the
// results start as the inputs, and each update element, in row-major order,
// is combined into the result element the spec's result_index names with
// the body, results... = body(results..., updates...), unless that index
// is out of bounds.
func scatterOp(ev *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if len(in) < 3 || len(in)%2 != 1 {
		return nil, fmt.Errorf("takes inputs, indices and as many updates, got %d operands", len(in))
	}
	n := len(in) / 2
	inputs, indices, updates := in[:n], in[n], in[n+1:]
	if len(st.regions) != 1 {
		return nil, fmt.Errorf("takes one update region, got %d", len(st.regions))
	}
	body := st.regions[0]
	a, err := st.attrOf("scatter_dimension_numbers")
	if err != nil {
		return nil, err
	}
	f, err := opaqueFields(a, "stablehlo.scatter")
	if err != nil {
		return nil, err
	}
	if len(f["index_vector_dim"]) != 1 {
		return nil, fmt.Errorf("#stablehlo.scatter at %s needs one index_vector_dim", a.pos)
	}
	windowDims, inserted := f["update_window_dims"], f["inserted_window_dims"]
	inputBatching, indicesBatching := f["input_batching_dims"], f["scatter_indices_batching_dims"]
	toOperand, ivd := f["scatter_dims_to_operand_dims"], f["index_vector_dim"][0]
	for i := range inputs {
		if !slices.Equal(inputs[i].Shape, inputs[0].Shape) || !slices.Equal(updates[i].Shape, updates[0].Shape) {
			return nil, fmt.Errorf("inputs and updates must share their shapes")
		}
	}
	rank := len(inputs[0].Shape)
	if err := checkIndexing(inputs[0].Shape, indices, inserted, inputBatching, indicesBatching, toOperand, ivd); err != nil {
		return nil, err
	}
	uShape := updates[0].Shape
	if err := checkAxes("update_window_dims", windowDims, len(uShape)); err != nil {
		return nil, err
	}
	if len(windowDims)+len(inserted)+len(inputBatching) != rank {
		return nil, fmt.Errorf("update_window_dims %v, inserted_window_dims %v and input_batching_dims %v do not add up to rank %d",
			windowDims, inserted, inputBatching, rank)
	}
	scatterDims := freeDims(len(uShape), windowDims, nil)
	if len(scatterDims) != len(indices.Shape)-boolInt(ivd < len(indices.Shape)) {
		return nil, fmt.Errorf("updates %s have %d scatter dimensions, the indices %s give %d", updates[0], len(scatterDims), indices, len(indices.Shape)-boolInt(ivd < len(indices.Shape)))
	}
	for i, d := range scatterDims {
		if want := indices.Shape[batchIndexDim(i, ivd)]; uShape[d] != want {
			return nil, fmt.Errorf("update dimension %d is %d, the indices give %d", d, uShape[d], want)
		}
	}
	types := regionResultTypes(body)
	if len(types) != n {
		return nil, fmt.Errorf("body ^%s returns %d values, want %d", body.name, len(types), n)
	}
	outs := make([]*Tensor, n)
	for i := range outs {
		if outs[i], err = st.result(i, types[i], inputs[i].Shape); err != nil {
			return nil, err
		}
		copy(outs[i].F, inputs[i].F)
	}
	usi := make([]int, len(scatterDims))
	dst := make([]int, rank)
	args := make([]float64, 2*n)
	var failed error
	forEach(uShape, func(u []int) {
		if failed != nil {
			return
		}
		for i, d := range scatterDims {
			usi[i] = u[d]
		}
		clear(dst)
		start := startIndexAt(indices, ivd, usi, len(toOperand))
		for k, d := range toOperand {
			dst[d] = start[k]
		}
		for i, d := range inputBatching {
			dst[d] += usi[batchPosition(indicesBatching[i], ivd)]
		}
		next := 0
		for d := range dst {
			if slices.Contains(inserted, d) || slices.Contains(inputBatching, d) {
				continue
			}
			dst[d] += u[windowDims[next]]
			next++
		}
		for d, x := range dst {
			if x < 0 || x >= inputs[0].Shape[d] {
				return
			}
		}
		o := flat(dst, inputs[0].Shape)
		for i := range outs {
			args[i] = outs[i].F[o]
			args[n+i] = updates[i].at(u)
		}
		var vals []float64
		if vals, failed = ev.apply(body, args...); failed != nil {
			return
		}
		for i := range outs {
			outs[i].F[o] = vals[i]
		}
	})
	if failed != nil {
		return nil, failed
	}
	return outs, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// batchIndexDim is the dimension of the indices that position i of a batch
// index stands for: every dimension but indexVectorDim, in order.
func batchIndexDim(i, indexVectorDim int) int {
	if i < indexVectorDim {
		return i
	}
	return i + 1
}
