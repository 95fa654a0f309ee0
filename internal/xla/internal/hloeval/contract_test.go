package hloeval

import (
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types"
	"github.com/gomlx/go-xla/pkg/types/dtypes"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// pseudo returns n deterministic values in [-1, 1) that are exact in f32.
func pseudo(n int, seed uint32) []float64 {
	xs := make([]float64, n)
	s := seed*2654435761 + 1
	for i := range xs {
		s = s*1664525 + 1013904223
		xs[i] = float64(int(s>>20)%512-256) / 256
	}
	return xs
}

// approx compares float results up to float32 rounding of a sum.
var approx = cmpopts.EquateApprox(1e-6, 1e-6)

func TestDotGeneral(t *testing.T) {
	tests := []struct {
		name           string
		lhsShape       []int
		rhsShape       []int
		lc, lb, rc, rb []int
	}{
		{"matmul", dims(3, 4), dims(4, 5), dims(1), nil, dims(0), nil},
		{"matmul transposed rhs", dims(3, 4), dims(5, 4), dims(1), nil, dims(1), nil},
		{"outer product", dims(3), dims(2), nil, nil, nil, nil},
		{"batch dims in the middle", dims(3, 2, 4), dims(2, 5, 3), dims(0), dims(1), dims(2), dims(0)},
		{"two contracting dims out of order", dims(2, 3, 4), dims(4, 5, 3), dims(2, 1), nil, dims(0, 2), nil},
		{"two batch dims", dims(2, 3, 4, 2), dims(3, 2, 2, 5), dims(3), dims(1, 0), dims(2), dims(0, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lhs := tensor("f32", tt.lhsShape, pseudo(size(tt.lhsShape), 1)...)
			rhs := tensor("f32", tt.rhsShape, pseudo(size(tt.rhsShape), 2)...)
			text := buildProgram(t, []*Tensor{lhs, rhs}, func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				return []*stablehlo.Value{must(stablehlo.DotGeneral(a[0], tt.lc, tt.lb, a[1], tt.rc, tt.rb).Done())}
			})
			got := runProgram(t, text, []*Tensor{lhs, rhs})
			want := refDotGeneral(lhs, rhs, tt.lc, tt.lb, tt.rc, tt.rb)
			if diff := cmp.Diff([]*Tensor{want}, got, approx); diff != "" {
				t.Errorf("dot_general differs (-want +got):\n%s\n%s", diff, text)
			}
		})
	}
}

// refDotGeneral is dot_general by its definition, written as an einsum over
// every combination of lhs and rhs elements: each pair whose batch and
// contracting coordinates agree adds its product to the output element
// named by the batch and free coordinates.
func refDotGeneral(lhs, rhs *Tensor, lc, lb, rc, rb []int) *Tensor {
	in := func(xs []int, d int) bool {
		for _, x := range xs {
			if x == d {
				return true
			}
		}
		return false
	}
	var shape []int
	for _, d := range lb {
		shape = append(shape, lhs.Shape[d])
	}
	for d := range lhs.Shape {
		if !in(lb, d) && !in(lc, d) {
			shape = append(shape, lhs.Shape[d])
		}
	}
	for d := range rhs.Shape {
		if !in(rb, d) && !in(rc, d) {
			shape = append(shape, rhs.Shape[d])
		}
	}
	out := make([]float64, size(shape))
	lidx := make([]int, len(lhs.Shape))
	for li := range lhs.F {
		unflatten(li, lhs.Shape, lidx)
		ridx := make([]int, len(rhs.Shape))
		for ri := range rhs.F {
			unflatten(ri, rhs.Shape, ridx)
			agree := true
			for k := range lb {
				agree = agree && lidx[lb[k]] == ridx[rb[k]]
			}
			for k := range lc {
				agree = agree && lidx[lc[k]] == ridx[rc[k]]
			}
			if !agree {
				continue
			}
			var oidx []int
			for _, d := range lb {
				oidx = append(oidx, lidx[d])
			}
			for d := range lhs.Shape {
				if !in(lb, d) && !in(lc, d) {
					oidx = append(oidx, lidx[d])
				}
			}
			for d := range rhs.Shape {
				if !in(rb, d) && !in(rc, d) {
					oidx = append(oidx, ridx[d])
				}
			}
			out[flat(oidx, shape)] += lhs.F[li] * rhs.F[ri]
		}
	}
	for i := range out {
		out[i] = float64(float32(out[i]))
	}
	if shape == nil {
		shape = []int{}
	}
	return tensor("f32", shape, out...)
}

// unflatten writes the row-major index of offset i in shape into idx.
func unflatten(i int, shape, idx []int) {
	for d := len(shape) - 1; d >= 0; d-- {
		idx[d] = i % shape[d]
		i /= shape[d]
	}
}

func TestReduce(t *testing.T) {
	x := tensor("f32", dims(2, 3, 4), seq(24, -5, 0.5)...)
	reduce := func(dtype string, init float64, op func(a, b *stablehlo.Value) (*stablehlo.Value, error), axes ...int) buildFunc {
		return func(fn *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
			var iv *stablehlo.Value
			switch dtype {
			case "f32":
				iv = must(fn.ConstantFromScalar(float32(init)))
			case "i1":
				iv = must(fn.ConstantFromScalar(init != 0))
			}
			return []*stablehlo.Value{must(stablehlo.Reduce(a[0], iv, closure2(fn, dtype, op), axes...))}
		}
	}
	sumOver := func(keep func(i, j, k int) int, n int) []float64 {
		out := make([]float64, n)
		for i := 0; i < 2; i++ {
			for j := 0; j < 3; j++ {
				for k := 0; k < 4; k++ {
					out[keep(i, j, k)] += x.F[(i*3+j)*4+k]
				}
			}
		}
		return out
	}
	runCases(t, []opCase{
		{"sum over 0 and 2", []*Tensor{x}, reduce("f32", 0, stablehlo.Add, 0, 2),
			[]*Tensor{tensor("f32", dims(3), sumOver(func(_, j, _ int) int { return j }, 3)...)}},
		{"sum over 1", []*Tensor{x}, reduce("f32", 0, stablehlo.Add, 1),
			[]*Tensor{tensor("f32", dims(2, 4), sumOver(func(i, _, k int) int { return i*4 + k }, 8)...)}},
		{"sum of all with init", []*Tensor{x}, reduce("f32", 100, stablehlo.Add, 0, 1, 2),
			[]*Tensor{tensor("f32", nil, 100+sumOver(func(int, int, int) int { return 0 }, 1)[0])}},
		{"max", []*Tensor{x}, reduce("f32", math.Inf(-1), stablehlo.Maximum, 2),
			[]*Tensor{tensor("f32", dims(2, 3), -3.5, -1.5, 0.5, 2.5, 4.5, 6.5)}},
		{"min", []*Tensor{x}, reduce("f32", math.Inf(1), stablehlo.Minimum, 0),
			[]*Tensor{tensor("f32", dims(3, 4), seq(12, -5, 0.5)...)}},
		{"product", []*Tensor{tensor("f32", dims(2, 2), 2, 3, 4, 5)}, reduce("f32", 1, stablehlo.Multiply, 1),
			[]*Tensor{tensor("f32", dims(2), 6, 20)}},
		{"and", []*Tensor{tensor("i1", dims(2, 2), 1, 1, 1, 0)}, reduce("i1", 1, stablehlo.And, 1),
			[]*Tensor{tensor("i1", dims(2), 1, 0)}},
		{"or", []*Tensor{tensor("i1", dims(2, 2), 0, 0, 1, 0)}, reduce("i1", 0, stablehlo.Or, 1),
			[]*Tensor{tensor("i1", dims(2), 0, 1)}},
		{"argmax with two operands", []*Tensor{tensor("f32", dims(2, 4), 1, 7, 7, 2, -1, -3, -1, -5), tensor("i32", dims(2, 4), 0, 1, 2, 3, 0, 1, 2, 3)},
			func(fn *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				body := fn.Closure()
				v1 := must(body.Input(shapeOf("f32")))
				i1 := must(body.Input(shapeOf("i32")))
				v2 := must(body.Input(shapeOf("f32")))
				i2 := must(body.Input(shapeOf("i32")))
				keep := must(stablehlo.Compare(v1, v2, types.CompareGE, types.CompareFloat))
				if err := body.Return(must(stablehlo.Select(keep, v1, v2)), must(stablehlo.Select(keep, i1, i2))); err != nil {
					panic(err)
				}
				inits := []*stablehlo.Value{must(fn.ConstantFromScalar(float32(math.Inf(-1)))), must(fn.ConstantFromScalar(int32(-1)))}
				return must(stablehlo.MultiReduce(a, inits, body, 1))
			}, []*Tensor{tensor("f32", dims(2), 7, -1), tensor("i32", dims(2), 1, 0)}},
	})
}

// convCase describes a 2-D convolution in canonical terms (input NCHW,
// kernel OIHW, output NCHW) and the layouts go-xla is asked to use: each
// layout lists, for every position, which canonical axis sits there.
type convCase struct {
	name                  string
	n, c, h, w, o, kh, kw int
	strides               [2]int
	padLo, padHi          [2]int
	lhsDil, rhsDil        [2]int
	groups                int
	inLayout, kLayout     [4]int
	outLayout             [4]int
}

func TestConvolution(t *testing.T) {
	nchw := [4]int{0, 1, 2, 3}
	nhwc := [4]int{0, 2, 3, 1}
	hwio := [4]int{2, 3, 1, 0}
	one := [2]int{1, 1}
	tests := []convCase{
		{name: "3x3 same padding NCHW", n: 2, c: 2, h: 5, w: 5, o: 3, kh: 3, kw: 3, strides: one, padLo: one, padHi: one,
			lhsDil: one, rhsDil: one, groups: 1, inLayout: nchw, kLayout: nchw, outLayout: nchw},
		{name: "stride 2 NHWC HWIO", n: 1, c: 3, h: 6, w: 5, o: 2, kh: 3, kw: 2, strides: [2]int{2, 2}, padLo: [2]int{1, 0}, padHi: [2]int{1, 1},
			lhsDil: one, rhsDil: one, groups: 1, inLayout: nhwc, kLayout: hwio, outLayout: nhwc},
		{name: "input gradient: stride 2, padding, lhs dilation", n: 2, c: 2, h: 3, w: 4, o: 3, kh: 3, kw: 3, strides: [2]int{2, 1},
			padLo: [2]int{2, 2}, padHi: [2]int{1, 2}, lhsDil: [2]int{2, 2}, rhsDil: one, groups: 1, inLayout: nchw, kLayout: nchw, outLayout: nchw},
		{name: "weight gradient: rhs dilation, batch as feature", n: 3, c: 2, h: 7, w: 6, o: 2, kh: 3, kw: 2, strides: one,
			padLo: [2]int{1, 0}, padHi: [2]int{0, 1}, lhsDil: one, rhsDil: [2]int{2, 3}, groups: 1,
			inLayout: [4]int{1, 0, 2, 3}, kLayout: [4]int{1, 0, 2, 3}, outLayout: [4]int{2, 3, 0, 1}},
		{name: "feature groups", n: 1, c: 4, h: 4, w: 4, o: 6, kh: 2, kw: 2, strides: one, padLo: one, padHi: [2]int{0, 0},
			lhsDil: one, rhsDil: one, groups: 2, inLayout: nchw, kLayout: nchw, outLayout: nchw},
		{name: "depthwise", n: 2, c: 3, h: 5, w: 4, o: 3, kh: 3, kw: 3, strides: [2]int{2, 2}, padLo: one, padHi: one,
			lhsDil: one, rhsDil: one, groups: 3, inLayout: nhwc, kLayout: hwio, outLayout: nhwc},
		{name: "negative padding", n: 1, c: 1, h: 6, w: 6, o: 1, kh: 2, kw: 2, strides: one, padLo: [2]int{-1, 0}, padHi: [2]int{0, -2},
			lhsDil: one, rhsDil: one, groups: 1, inLayout: nchw, kLayout: nchw, outLayout: nchw},
		{name: "everything at once", n: 2, c: 4, h: 5, w: 9, o: 4, kh: 2, kw: 3, strides: [2]int{2, 3}, padLo: [2]int{3, 1}, padHi: [2]int{2, -1},
			lhsDil: [2]int{2, 1}, rhsDil: [2]int{1, 2}, groups: 2, inLayout: [4]int{2, 0, 3, 1}, kLayout: [4]int{3, 0, 2, 1}, outLayout: [4]int{1, 3, 2, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := pseudo(tt.n*tt.c*tt.h*tt.w, 3)
			k := pseudo(tt.o*(tt.c/tt.groups)*tt.kh*tt.kw, 4)
			ref, oh, ow := refConv2D(tt, x, k)
			in := permuted(x, [4]int{tt.n, tt.c, tt.h, tt.w}, tt.inLayout)
			kernel := permuted(k, [4]int{tt.o, tt.c / tt.groups, tt.kh, tt.kw}, tt.kLayout)
			want := permuted(ref, [4]int{tt.n, tt.o, oh, ow}, tt.outLayout)
			at := func(layout [4]int, canonical int) int {
				for p, a := range layout {
					if a == canonical {
						return p
					}
				}
				panic(fmt.Sprint("no axis ", canonical))
			}
			text := buildProgram(t, []*Tensor{in, kernel}, func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				return []*stablehlo.Value{must(stablehlo.Convolution(a[0], a[1],
					tt.strides[:], [][2]int{{tt.padLo[0], tt.padHi[0]}, {tt.padLo[1], tt.padHi[1]}}, tt.lhsDil[:], tt.rhsDil[:],
					at(tt.inLayout, 0), at(tt.inLayout, 1), []int{at(tt.inLayout, 2), at(tt.inLayout, 3)},
					at(tt.kLayout, 1), at(tt.kLayout, 0), []int{at(tt.kLayout, 2), at(tt.kLayout, 3)},
					at(tt.outLayout, 0), at(tt.outLayout, 1), []int{at(tt.outLayout, 2), at(tt.outLayout, 3)},
					tt.groups, 1, types.DotGeneralPrecisionDefault, types.DotGeneralPrecisionDefault))}
			})
			got := runProgram(t, text, []*Tensor{in, kernel})
			if diff := cmp.Diff([]*Tensor{want}, got, approx); diff != "" {
				t.Errorf("convolution differs (-want +got):\n%s\n%s", diff, text)
			}
		})
	}
}

// refConv2D is a grouped 2-D convolution in NCHW/OIHW written the textbook
// way: it first materializes the input with its lhs dilation and padding
// applied, then slides the rhs-dilated kernel over it with the strides.
func refConv2D(cc convCase, x, k []float64) (out []float64, oh, ow int) {
	ph := (cc.h-1)*cc.lhsDil[0] + 1 + cc.padLo[0] + cc.padHi[0]
	pw := (cc.w-1)*cc.lhsDil[1] + 1 + cc.padLo[1] + cc.padHi[1]
	padded := make([]float64, cc.n*cc.c*ph*pw)
	for n := 0; n < cc.n; n++ {
		for c := 0; c < cc.c; c++ {
			for y := 0; y < cc.h; y++ {
				for xx := 0; xx < cc.w; xx++ {
					py := cc.padLo[0] + y*cc.lhsDil[0]
					px := cc.padLo[1] + xx*cc.lhsDil[1]
					if py >= 0 && py < ph && px >= 0 && px < pw {
						padded[((n*cc.c+c)*ph+py)*pw+px] = x[((n*cc.c+c)*cc.h+y)*cc.w+xx]
					}
				}
			}
		}
	}
	ekh := (cc.kh-1)*cc.rhsDil[0] + 1
	ekw := (cc.kw-1)*cc.rhsDil[1] + 1
	oh = (ph-ekh)/cc.strides[0] + 1
	ow = (pw-ekw)/cc.strides[1] + 1
	cin := cc.c / cc.groups
	opg := cc.o / cc.groups
	out = make([]float64, cc.n*cc.o*oh*ow)
	for n := 0; n < cc.n; n++ {
		for o := 0; o < cc.o; o++ {
			g := o / opg
			for y := 0; y < oh; y++ {
				for xx := 0; xx < ow; xx++ {
					sum := 0.0
					for ic := 0; ic < cin; ic++ {
						for ky := 0; ky < cc.kh; ky++ {
							for kx := 0; kx < cc.kw; kx++ {
								py := y*cc.strides[0] + ky*cc.rhsDil[0]
								px := xx*cc.strides[1] + kx*cc.rhsDil[1]
								sum += padded[((n*cc.c+g*cin+ic)*ph+py)*pw+px] * k[((o*cin+ic)*cc.kh+ky)*cc.kw+kx]
							}
						}
					}
					out[((n*cc.o+o)*oh+y)*ow+xx] = float64(float32(sum))
				}
			}
		}
	}
	return out, oh, ow
}

// permuted returns canonical 4-D data laid out so that position p holds
// canonical axis layout[p].
func permuted(data []float64, shape [4]int, layout [4]int) *Tensor {
	var newShape [4]int
	for p, a := range layout {
		newShape[p] = shape[a]
	}
	out := make([]float64, len(data))
	idx := make([]int, 4)
	nidx := make([]int, 4)
	for i, v := range data {
		unflatten(i, shape[:], idx)
		for p, a := range layout {
			nidx[p] = idx[a]
		}
		out[flat(nidx, newShape[:])] = v
	}
	return tensor("f32", newShape[:], out...)
}

func TestDotGeneralOutputType(t *testing.T) {
	lhs := tensor("bf16", dims(1, 2), 1+math.Ldexp(1, -7), 1)
	rhs := tensor("bf16", dims(2, 1), 1+math.Ldexp(1, -7), math.Ldexp(1, -9))
	text := buildProgram(t, []*Tensor{lhs, rhs}, func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
		return []*stablehlo.Value{
			must(stablehlo.DotGeneral(a[0], []int{1}, nil, a[1], []int{0}, nil).Done()),
			must(stablehlo.DotGeneral(a[0], []int{1}, nil, a[1], []int{0}, nil).OutputDType(dtypes.F32).Done()),
		}
	})
	got := runProgram(t, text, []*Tensor{lhs, rhs})
	exact := (1+math.Ldexp(1, -7))*(1+math.Ldexp(1, -7)) + math.Ldexp(1, -9)
	want := []*Tensor{tensor("bf16", dims(1, 1), roundTo("bf16", exact)), tensor("f32", dims(1, 1), float64(float32(exact)))}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dot_general output types differ (-want +got):\n%s", diff)
	}
}

// TestConvolutionBatchGroups checks batch_group_count by the spec's own
// decomposition: split the input by batch and the kernel by output feature
// into as many groups, convolve each pair, and concatenate along the output
// features.
func TestConvolutionBatchGroups(t *testing.T) {
	const groups = 2
	one := [2]int{1, 1}
	nchw := [4]int{0, 1, 2, 3}
	cc := convCase{n: 4, c: 2, h: 5, w: 4, o: 6, kh: 2, kw: 3, strides: [2]int{2, 1}, padLo: one, padHi: [2]int{0, 1},
		lhsDil: one, rhsDil: [2]int{1, 2}, groups: 1, inLayout: nchw, kLayout: nchw, outLayout: nchw}
	x := pseudo(cc.n*cc.c*cc.h*cc.w, 9)
	k := pseudo(cc.o*cc.c*cc.kh*cc.kw, 10)
	sub := cc
	sub.n, sub.o = cc.n/groups, cc.o/groups
	xPer, kPer := sub.n*cc.c*cc.h*cc.w, sub.o*cc.c*cc.kh*cc.kw
	var parts [][]float64
	var oh, ow int
	for g := 0; g < groups; g++ {
		var part []float64
		part, oh, ow = refConv2D(sub, x[g*xPer:(g+1)*xPer], k[g*kPer:(g+1)*kPer])
		parts = append(parts, part)
	}
	// Concatenate along the output features of the NCHW results.
	want := make([]float64, 0, sub.n*cc.o*oh*ow)
	plane := oh * ow
	for n := 0; n < sub.n; n++ {
		for _, part := range parts {
			want = append(want, part[n*sub.o*plane:(n+1)*sub.o*plane]...)
		}
	}
	in := tensor("f32", dims(cc.n, cc.c, cc.h, cc.w), x...)
	kernel := tensor("f32", dims(cc.o, cc.c, cc.kh, cc.kw), k...)
	text := buildProgram(t, []*Tensor{in, kernel}, func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
		return []*stablehlo.Value{must(stablehlo.Convolution(a[0], a[1], cc.strides[:], [][2]int{{1, 0}, {1, 1}}, nil, cc.rhsDil[:],
			0, 1, []int{2, 3}, 1, 0, []int{2, 3}, 0, 1, []int{2, 3}, 1, groups, types.DotGeneralPrecisionDefault, types.DotGeneralPrecisionDefault))}
	})
	got := runProgram(t, text, []*Tensor{in, kernel})
	if diff := cmp.Diff([]*Tensor{tensor("f32", dims(sub.n, cc.o, oh, ow), want...)}, got, approx); diff != "" {
		t.Errorf("convolution with batch groups differs (-want +got):\n%s\n%s", diff, text)
	}
}
