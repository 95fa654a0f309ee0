package hloeval

import (
	"fmt"
	"slices"
	"strconv"
)

func init() {
	opTable["stablehlo.dot_general"] = dotGeneralOp
	opTable["stablehlo.convolution"] = convolutionOp
}

// opaqueFields reads the fields of a structured attribute such as
// #stablehlo.dot<key = [1, 2], key = 3, ...>: each value is a list of
// integers, a single integer being a list of one.
func opaqueFields(a *attr, name string) (map[string][]int, error) {
	if a.kind != attrOpaque || a.text != name {
		return nil, fmt.Errorf("attribute at %s: want #%s<...>", a.pos, name)
	}
	fields := map[string][]int{}
	toks := a.tokens
	i := 0
	bad := func(what string) error {
		t := token{kind: tkEOF, pos: a.pos}
		if i < len(toks) {
			t = toks[i]
		}
		return errorf(t, "in #%s: expected %s, found %s", name, what, t.describe())
	}
	number := func() (int, error) {
		if i >= len(toks) || toks[i].kind != tkNumber {
			return 0, bad("an integer")
		}
		v, err := strconv.Atoi(toks[i].text)
		if err != nil {
			return 0, bad("an integer")
		}
		i++
		return v, nil
	}
	is := func(s string) bool { return i < len(toks) && toks[i].kind == tkPunct && toks[i].text == s }
	for i < len(toks) {
		if len(fields) > 0 {
			if !is(",") {
				return nil, bad(`","`)
			}
			i++
		}
		if toks[i].kind != tkIdent {
			return nil, bad("a field name")
		}
		key := toks[i].text
		i++
		if !is("=") {
			return nil, bad(`"="`)
		}
		i++
		vals := []int{}
		if is("[") {
			i++
			for !is("]") {
				if len(vals) > 0 {
					if !is(",") {
						return nil, bad(`"," or "]"`)
					}
					i++
				}
				v, err := number()
				if err != nil {
					return nil, err
				}
				vals = append(vals, v)
			}
			i++
		} else {
			v, err := number()
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
		fields[key] = vals
	}
	return fields, nil
}

// dotGeneralOp is stablehlo.dot_general: the result has the batch
// dimensions, then lhs's free dimensions, then rhs's, and each element is
// the sum over the contracting dimensions of lhs*rhs, accumulated in
// float64 and rounded once to the declared element type.
func dotGeneralOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if err := wantOperands(in, 2); err != nil {
		return nil, err
	}
	lhs, rhs := in[0], in[1]
	a, err := st.attrOf("dot_dimension_numbers")
	if err != nil {
		return nil, err
	}
	f, err := opaqueFields(a, "stablehlo.dot")
	if err != nil {
		return nil, err
	}
	lb, rb := f["lhs_batching_dimensions"], f["rhs_batching_dimensions"]
	lc, rc := f["lhs_contracting_dimensions"], f["rhs_contracting_dimensions"]
	if len(lb) != len(rb) || len(lc) != len(rc) {
		return nil, fmt.Errorf("batching %v/%v or contracting %v/%v dimensions differ in number", lb, rb, lc, rc)
	}
	if err := checkAxes("lhs batching and contracting dimensions", append(slices.Clone(lb), lc...), len(lhs.Shape)); err != nil {
		return nil, err
	}
	if err := checkAxes("rhs batching and contracting dimensions", append(slices.Clone(rb), rc...), len(rhs.Shape)); err != nil {
		return nil, err
	}
	for i := range lb {
		if lhs.Shape[lb[i]] != rhs.Shape[rb[i]] {
			return nil, fmt.Errorf("batching dimensions %d and %d differ in size", lb[i], rb[i])
		}
	}
	for i := range lc {
		if lhs.Shape[lc[i]] != rhs.Shape[rc[i]] {
			return nil, fmt.Errorf("contracting dimensions %d and %d differ in size", lc[i], rc[i])
		}
	}
	lf := freeDims(len(lhs.Shape), lb, lc)
	rf := freeDims(len(rhs.Shape), rb, rc)
	var shape []int
	for _, d := range lb {
		shape = append(shape, lhs.Shape[d])
	}
	for _, d := range lf {
		shape = append(shape, lhs.Shape[d])
	}
	for _, d := range rf {
		shape = append(shape, rhs.Shape[d])
	}
	contracting := make([]int, len(lc))
	for i, d := range lc {
		contracting[i] = lhs.Shape[d]
	}
	dtype := st.outTypes[0].dtype
	out, err := st.result(0, dtype, shape)
	if err != nil {
		return nil, err
	}
	lst, rst := strides(lhs.Shape), strides(rhs.Shape)
	// The flat offsets, in lhs and in rhs, of every contracting index.
	type pair struct{ l, r int }
	var pairs []pair
	forEach(contracting, func(c []int) {
		var p pair
		for i := range c {
			p.l += c[i] * lst[lc[i]]
			p.r += c[i] * rst[rc[i]]
		}
		pairs = append(pairs, p)
	})
	forEach(shape, func(idx []int) {
		l, r, k := 0, 0, 0
		for i := range lb {
			l += idx[k] * lst[lb[i]]
			r += idx[k] * rst[rb[i]]
			k++
		}
		for _, d := range lf {
			l += idx[k] * lst[d]
			k++
		}
		for _, d := range rf {
			r += idx[k] * rst[d]
			k++
		}
		sum := 0.0
		for _, p := range pairs {
			sum += lhs.F[l+p.l] * rhs.F[r+p.r]
		}
		out.F[flat(idx, shape)] = roundTo(dtype, sum)
	})
	return []*Tensor{out}, nil
}

// freeDims returns, in order, the dimensions of a rank-n operand that are
// neither batching nor contracting.
func freeDims(n int, batch, contract []int) []int {
	var free []int
	for d := 0; d < n; d++ {
		if !slices.Contains(batch, d) && !slices.Contains(contract, d) {
			free = append(free, d)
		}
	}
	return free
}

// convDims are the dimension numbers of a convolution.
type convDims struct {
	inBatch, inFeature   int
	inSpatial            []int
	kIn, kOut            int
	kSpatial             []int
	outBatch, outFeature int
	outSpatial           []int
}

// parseConvDims reads #stablehlo.conv<[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]>:
// each bracket names what every dimension of the input, kernel and output
// is, b/f (batch/feature) or i/o (kernel input/output feature) or the
// number of a spatial dimension.
func parseConvDims(a *attr) (*convDims, error) {
	if a.kind != attrOpaque || a.text != "stablehlo.conv" {
		return nil, fmt.Errorf("attribute dimension_numbers at %s: want #stablehlo.conv<...>", a.pos)
	}
	toks := a.tokens
	i := 0
	bad := func(what string) error {
		t := token{kind: tkEOF, pos: a.pos}
		if i < len(toks) {
			t = toks[i]
		}
		return errorf(t, "in #stablehlo.conv: expected %s, found %s", what, t.describe())
	}
	group := func(letters string) (map[string]int, []int, error) {
		if i >= len(toks) || toks[i].text != "[" {
			return nil, nil, bad(`"["`)
		}
		i++
		named := map[string]int{}
		spatialAt := map[int]int{}
		n := 0
		for i < len(toks) && toks[i].text != "]" {
			if n > 0 {
				if toks[i].text != "," {
					return nil, nil, bad(`"," or "]"`)
				}
				i++
			}
			if i >= len(toks) {
				return nil, nil, bad("a dimension label")
			}
			t := toks[i]
			switch {
			case t.kind == tkIdent && len(t.text) == 1 && containsByte(letters, t.text[0]):
				if _, dup := named[t.text]; dup {
					return nil, nil, bad("each label once")
				}
				named[t.text] = n
			case t.kind == tkNumber:
				s, err := strconv.Atoi(t.text)
				if err != nil || s < 0 {
					return nil, nil, bad("a spatial dimension number")
				}
				if _, dup := spatialAt[s]; dup {
					return nil, nil, bad("each label once")
				}
				spatialAt[s] = n
			default:
				return nil, nil, bad("one of " + letters + " or a spatial dimension number")
			}
			i++
			n++
		}
		if i >= len(toks) {
			return nil, nil, bad(`"]"`)
		}
		i++
		if len(named) != 2 {
			return nil, nil, bad("both of " + letters)
		}
		spatial := make([]int, len(spatialAt))
		for s := range spatial {
			at, ok := spatialAt[s]
			if !ok {
				return nil, nil, fmt.Errorf("in #stablehlo.conv at %s: spatial dimensions are not numbered 0..%d", a.pos, len(spatial)-1)
			}
			spatial[s] = at
		}
		return named, spatial, nil
	}
	var cd convDims
	in, inSpatial, err := group("bf")
	if err != nil {
		return nil, err
	}
	if i >= len(toks) || toks[i].kind != tkIdent || toks[i].text != "x" {
		return nil, bad(`"x"`)
	}
	i++
	k, kSpatial, err := group("io")
	if err != nil {
		return nil, err
	}
	if i >= len(toks) || toks[i].kind != tkArrow {
		return nil, bad(`"->"`)
	}
	i++
	out, outSpatial, err := group("bf")
	if err != nil {
		return nil, err
	}
	if i != len(toks) {
		return nil, bad(`">"`)
	}
	if len(inSpatial) != len(kSpatial) || len(inSpatial) != len(outSpatial) {
		return nil, fmt.Errorf("in #stablehlo.conv at %s: input, kernel and output have different numbers of spatial dimensions", a.pos)
	}
	cd.inBatch, cd.inFeature, cd.inSpatial = in["b"], in["f"], inSpatial
	cd.kIn, cd.kOut, cd.kSpatial = k["i"], k["o"], kSpatial
	cd.outBatch, cd.outFeature, cd.outSpatial = out["b"], out["f"], outSpatial
	return &cd, nil
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// convolutionOp is stablehlo.convolution. Each result element is, for
// output feature o of feature group g and batch group h,
//
//	sum over kernel input feature i and kernel position k of
//	  lhs[batch h*N' + n, feature g*I + i, position] * rhs[i, o, k]
//
// where, per spatial dimension, the position in the padded, lhs-dilated
// input is out*stride + k*rhs_dilation (with k mirrored when the window is
// reversed); positions in the padding or between dilated elements read 0.
// Sums are accumulated in float64 and rounded once to the declared type.
func convolutionOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if err := wantOperands(in, 2); err != nil {
		return nil, err
	}
	lhs, rhs := in[0], in[1]
	rank := len(lhs.Shape)
	if len(rhs.Shape) != rank || rank < 2 {
		return nil, fmt.Errorf("lhs %s and rhs %s must have one rank of at least 2", lhs, rhs)
	}
	ns := rank - 2
	a, err := st.attrOf("dimension_numbers")
	if err != nil {
		return nil, err
	}
	cd, err := parseConvDims(a)
	if err != nil {
		return nil, err
	}
	if len(cd.inSpatial) != ns {
		return nil, fmt.Errorf("dimension_numbers has %d spatial dimensions, operands have rank %d", len(cd.inSpatial), rank)
	}
	windowStrides, err := st.ints("window_strides", ones(ns))
	if err != nil {
		return nil, err
	}
	lhsDil, err := st.ints("lhs_dilation", ones(ns))
	if err != nil {
		return nil, err
	}
	rhsDil, err := st.ints("rhs_dilation", ones(ns))
	if err != nil {
		return nil, err
	}
	for _, c := range []struct {
		name string
		xs   []int
	}{{"window_strides", windowStrides}, {"lhs_dilation", lhsDil}, {"rhs_dilation", rhsDil}} {
		if err := checkLen(c.name, c.xs, ns); err != nil {
			return nil, err
		}
		for _, x := range c.xs {
			if x < 1 {
				return nil, fmt.Errorf("attribute %s %v must be positive", c.name, c.xs)
			}
		}
	}
	pad, err := st.padding("padding", ns)
	if err != nil {
		return nil, err
	}
	reversal, err := st.bools("window_reversal", ns)
	if err != nil {
		return nil, err
	}
	fgc, err := st.integer("feature_group_count", 1, true)
	if err != nil {
		return nil, err
	}
	bgc, err := st.integer("batch_group_count", 1, true)
	if err != nil {
		return nil, err
	}
	batch, features := lhs.Shape[cd.inBatch], lhs.Shape[cd.inFeature]
	kIn, kOut := rhs.Shape[cd.kIn], rhs.Shape[cd.kOut]
	switch {
	case fgc < 1 || bgc < 1 || (fgc > 1 && bgc > 1):
		return nil, fmt.Errorf("feature_group_count %d and batch_group_count %d: want positive counts, at most one above 1", fgc, bgc)
	case features%fgc != 0 || kIn*fgc != features:
		return nil, fmt.Errorf("input features %d do not split into %d groups of the kernel's %d", features, fgc, kIn)
	case kOut%fgc != 0 || kOut%bgc != 0:
		return nil, fmt.Errorf("kernel output features %d do not split into %d feature or %d batch groups", kOut, fgc, bgc)
	case batch%bgc != 0:
		return nil, fmt.Errorf("batch %d does not split into %d batch groups", batch, bgc)
	}
	outBatch := batch / bgc
	outSpatial := make([]int, ns)
	for s := range ns {
		inSize := lhs.Shape[cd.inSpatial[s]]
		padded := 0
		if inSize > 0 {
			padded = (inSize-1)*lhsDil[s] + 1
		}
		padded += pad[s][0] + pad[s][1]
		window := (rhs.Shape[cd.kSpatial[s]]-1)*rhsDil[s] + 1
		if padded < window {
			outSpatial[s] = 0
		} else {
			outSpatial[s] = (padded-window)/windowStrides[s] + 1
		}
	}
	shape := make([]int, rank)
	shape[cd.outBatch] = outBatch
	shape[cd.outFeature] = kOut
	for s := range ns {
		shape[cd.outSpatial[s]] = outSpatial[s]
	}
	dtype := st.outTypes[0].dtype
	out, err := st.result(0, dtype, shape)
	if err != nil {
		return nil, err
	}
	kernelSpatial := make([]int, ns)
	for s := range ns {
		kernelSpatial[s] = rhs.Shape[cd.kSpatial[s]]
	}
	lst, rst := strides(lhs.Shape), strides(rhs.Shape)
	// A tap is one kernel position whose input element exists (is neither
	// padding nor a dilation hole), as flat offsets into lhs and rhs of its
	// spatial coordinates.
	type tap struct{ l, r int }
	var taps []tap
	forEach(shape, func(idx []int) {
		taps = taps[:0]
		forEach(kernelSpatial, func(k []int) {
			var t tap
			for s := range ns {
				kk := k[s]
				if reversal[s] {
					kk = kernelSpatial[s] - 1 - k[s]
				}
				p := idx[cd.outSpatial[s]]*windowStrides[s] + kk*rhsDil[s] - pad[s][0]
				if p < 0 || p%lhsDil[s] != 0 || p/lhsDil[s] >= lhs.Shape[cd.inSpatial[s]] {
					return
				}
				t.l += p / lhsDil[s] * lst[cd.inSpatial[s]]
				t.r += k[s] * rst[cd.kSpatial[s]]
			}
			taps = append(taps, t)
		})
		n, o := idx[cd.outBatch], idx[cd.outFeature]
		g := o / (kOut / fgc)
		h := o / (kOut / bgc)
		lBase := (h*outBatch + n) * lst[cd.inBatch]
		rBase := o * rst[cd.kOut]
		sum := 0.0
		for i := range kIn {
			l := lBase + (g*kIn+i)*lst[cd.inFeature]
			r := rBase + i*rst[cd.kIn]
			for _, t := range taps {
				sum += lhs.F[l+t.l] * rhs.F[r+t.r]
			}
		}
		out.F[flat(idx, shape)] = roundTo(dtype, sum)
	})
	return []*Tensor{out}, nil
}
