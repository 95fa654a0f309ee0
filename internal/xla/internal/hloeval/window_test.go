package hloeval

import (
	"math"
	"testing"

	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types"
	"github.com/google/go-cmp/cmp"
)

func TestReduceWindow(t *testing.T) {
	x := tensor("f32", dims(1, 1, 5, 5), pseudo(25, 5)...)
	tests := []struct {
		name            string
		init            float64
		op              func(a, b *stablehlo.Value) (*stablehlo.Value, error)
		window, strides []int
		dilations       []int
		padding         [][2]int
		fold            func(acc, v float64) float64
	}{
		{"max pool 3x3 stride 2 pad 1", math.Inf(-1), stablehlo.Maximum, dims(1, 1, 3, 3), dims(1, 1, 2, 2), nil,
			[][2]int{{0, 0}, {0, 0}, {1, 1}, {1, 1}}, math.Max},
		{"max pool 2x2", math.Inf(-1), stablehlo.Maximum, dims(1, 1, 2, 2), nil, nil, nil, math.Max},
		{"sum pool with asymmetric padding", 0, stablehlo.Add, dims(1, 1, 2, 3), dims(1, 1, 1, 2), nil,
			[][2]int{{0, 0}, {0, 0}, {0, 1}, {2, 0}}, func(a, v float64) float64 { return a + v }},
		{"sum with base and window dilation 2", 0, stablehlo.Add, dims(1, 1, 2, 2), dims(1, 1, 1, 1), dims(1, 1, 2, 2),
			[][2]int{{0, 0}, {0, 0}, {1, 0}, {0, 1}}, func(a, v float64) float64 { return a + v }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := buildProgram(t, []*Tensor{x}, func(fn *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				init := must(fn.ConstantFromScalar(float32(tt.init)))
				// go-xla prints its window dilations as base_dilations too,
				// so the two are passed equal.
				return []*stablehlo.Value{must(stablehlo.ReduceWindow(a[0], init, closure2(fn, "f32", tt.op),
					tt.window, tt.strides, tt.dilations, tt.dilations, tt.padding))}
			})
			got := runProgram(t, text, []*Tensor{x})
			want := refPool(x, tt.init, tt.window, tt.strides, tt.dilations, tt.padding, tt.fold)
			if diff := cmp.Diff([]*Tensor{want}, got, approx); diff != "" {
				t.Errorf("reduce_window differs (-want +got):\n%s\n%s", diff, text)
			}
		})
	}
}

// refPool folds a window over the last two dimensions of a 1x1xHxW input,
// written over input coordinates: for each output element, it visits the
// window taps, maps each to the dilated-and-padded input grid and folds in
// the input element found there, or init where the tap hits padding or a
// dilation hole. Missing strides default to the window, missing dilations
// and padding to none, as go-xla's builder does.
func refPool(x *Tensor, init float64, window, strides, dil []int, padding [][2]int, fold func(acc, v float64) float64) *Tensor {
	if strides == nil {
		strides = window
	}
	if dil == nil {
		dil = dims(1, 1, 1, 1)
	}
	if padding == nil {
		padding = make([][2]int, 4)
	}
	h, w := x.Shape[2], x.Shape[3]
	grid := func(d, size int) int { return (size-1)*dil[d] + 1 + padding[d][0] + padding[d][1] }
	span := func(d int) int { return (window[d]-1)*dil[d] + 1 }
	oh := (grid(2, h)-span(2))/strides[2] + 1
	ow := (grid(3, w)-span(3))/strides[3] + 1
	out := make([]float64, oh*ow)
	for oy := 0; oy < oh; oy++ {
		for ox := 0; ox < ow; ox++ {
			acc := init
			for ky := 0; ky < window[2]; ky++ {
				for kx := 0; kx < window[3]; kx++ {
					gy := oy*strides[2] + ky*dil[2] - padding[2][0]
					gx := ox*strides[3] + kx*dil[3] - padding[3][0]
					v := init
					if gy >= 0 && gx >= 0 && gy%dil[2] == 0 && gx%dil[3] == 0 && gy/dil[2] < h && gx/dil[3] < w {
						v = x.F[(gy/dil[2])*w+gx/dil[3]]
					}
					acc = float64(float32(fold(acc, v)))
				}
			}
			out[oy*ow+ox] = acc
		}
	}
	return tensor("f32", dims(1, 1, oh, ow), out...)
}

func TestSelectAndScatter(t *testing.T) {
	tests := []struct {
		name            string
		x               *Tensor
		window, strides []int
		padding         [][2]int
		source          []float64
	}{
		{"max pool 2x2 gradient with ties", tensor("f32", dims(4, 4), 1, 5, 5, 2, 5, 3, 0, 2, -1, -1, 4, 4, -1, -1, 4, 4),
			dims(2, 2), dims(2, 2), nil, []float64{10, 20, 30, 40}},
		{"overlapping 3x3 stride 2 pad 1", tensor("f32", dims(5, 5), pseudo(25, 6)...),
			dims(3, 3), dims(2, 2), [][2]int{{1, 1}, {1, 1}}, seq(9, 1, 1)},
		{"all negative with padding", tensor("f32", dims(3, 3), seq(9, -9, 1)...),
			dims(2, 2), dims(1, 1), [][2]int{{1, 0}, {0, 1}}, seq(9, 1, 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tensor("f32", dims(refWindows(tt.x.Shape[0], tt.window[0], tt.strides[0], tt.padding, 0),
				refWindows(tt.x.Shape[1], tt.window[1], tt.strides[1], tt.padding, 1)), tt.source...)
			text := buildProgram(t, []*Tensor{tt.x, src}, func(fn *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				zero := must(fn.ConstantFromScalar(float32(0)))
				sel := closure2(fn, "f32", func(a, b *stablehlo.Value) (*stablehlo.Value, error) {
					return stablehlo.Compare(a, b, types.CompareGE, types.CompareFloat)
				})
				return []*stablehlo.Value{must(stablehlo.SelectAndScatter(a[0], a[1], zero, sel, closure2(fn, "f32", stablehlo.Add),
					tt.window, tt.strides, tt.padding))}
			})
			got := runProgram(t, text, []*Tensor{tt.x, src})
			want := refMaxPoolGrad(tt.x, src, tt.window, tt.strides, tt.padding)
			if diff := cmp.Diff([]*Tensor{want}, got); diff != "" {
				t.Errorf("select_and_scatter differs (-want +got):\n%s\n%s", diff, text)
			}
		})
	}
}

// refWindows counts the windows along dimension d.
func refWindows(size, window, stride int, padding [][2]int, d int) int {
	if padding != nil {
		size += padding[d][0] + padding[d][1]
	}
	return (size-window)/stride + 1
}

// refMaxPoolGrad routes each source element to the first maximum of its
// window (in row-major order, padding excluded) and sums what lands on
// each input element: the gradient of a max pool.
func refMaxPoolGrad(x, src *Tensor, window, strides []int, padding [][2]int) *Tensor {
	if padding == nil {
		padding = make([][2]int, 2)
	}
	h, w := x.Shape[0], x.Shape[1]
	out := make([]float64, h*w)
	for sy := 0; sy < src.Shape[0]; sy++ {
		for sx := 0; sx < src.Shape[1]; sx++ {
			best, bestAt := math.Inf(-1), -1
			for ky := 0; ky < window[0]; ky++ {
				for kx := 0; kx < window[1]; kx++ {
					y, xx := sy*strides[0]+ky-padding[0][0], sx*strides[1]+kx-padding[1][0]
					if y < 0 || y >= h || xx < 0 || xx >= w {
						continue
					}
					if v := x.F[y*w+xx]; bestAt < 0 || v > best {
						best, bestAt = v, y*w+xx
					}
				}
			}
			out[bestAt] += src.F[sy*src.Shape[1]+sx]
		}
	}
	return tensor("f32", dims(h, w), out...)
}

func TestBatchNorm(t *testing.T) {
	const eps = 1e-3
	x := tensor("f32", dims(2, 3, 2, 2), pseudo(24, 7)...)
	scale := tensor("f32", dims(3), 1, 0.5, -2)
	offset := tensor("f32", dims(3), 0, 1, 0.25)
	grad := tensor("f32", dims(2, 3, 2, 2), pseudo(24, 8)...)
	// Per-channel statistics over N, H and W of the NCHW input, and the
	// textbook batch-norm gradient.
	mean, variance := make([]float64, 3), make([]float64, 3)
	for i, v := range x.F {
		mean[(i/4)%3] += v / 8
	}
	for i, v := range x.F {
		d := v - mean[(i/4)%3]
		variance[(i/4)%3] += d * d / 8
	}
	norm := make([]float64, 24)
	for i, v := range x.F {
		c := (i / 4) % 3
		norm[i] = (v - mean[c]) / math.Sqrt(variance[c]+eps)
	}
	f32 := func(xs []float64) []float64 {
		out := make([]float64, len(xs))
		for i, v := range xs {
			out[i] = float64(float32(v))
		}
		return out
	}
	out := make([]float64, 24)
	for i := range out {
		c := (i / 4) % 3
		out[i] = scale.F[c]*norm[i] + offset.F[c]
	}
	dScale, dOffset := make([]float64, 3), make([]float64, 3)
	for i, g := range grad.F {
		c := (i / 4) % 3
		dScale[c] += g * norm[i]
		dOffset[c] += g
	}
	dx := make([]float64, 24)
	for i, g := range grad.F {
		c := (i / 4) % 3
		dx[i] = scale.F[c] / math.Sqrt(variance[c]+eps) * (g - dOffset[c]/8 - norm[i]*dScale[c]/8)
	}
	meanT := tensor("f32", dims(3), f32(mean)...)
	varT := tensor("f32", dims(3), f32(variance)...)
	cases := []opCase{
		{"training", []*Tensor{x, scale, offset}, func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
			n, m, v, err := stablehlo.BatchNormTraining(a[0], a[1], a[2], eps, 1)
			if err != nil {
				panic(err)
			}
			return []*stablehlo.Value{n, m, v}
		}, []*Tensor{tensor("f32", x.Shape, f32(out)...), meanT, varT}},
		{"inference", []*Tensor{x, scale, offset, meanT, varT}, func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
			return []*stablehlo.Value{must(stablehlo.BatchNormInference(a[0], a[1], a[2], a[3], a[4], eps, 1))}
		}, []*Tensor{tensor("f32", x.Shape, f32(out)...)}},
		{"grad", []*Tensor{x, scale, meanT, varT, grad}, func(_ *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
			gx, gs, gb, err := stablehlo.BatchNormGradient(a[0], a[1], a[2], a[3], a[4], eps, 1)
			if err != nil {
				panic(err)
			}
			return []*stablehlo.Value{gx, gs, gb}
		}, []*Tensor{tensor("f32", x.Shape, f32(dx)...), tensor("f32", dims(3), f32(dScale)...), tensor("f32", dims(3), f32(dOffset)...)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := buildProgram(t, c.inputs, c.build)
			got := runProgram(t, text, c.inputs)
			if diff := cmp.Diff(c.want, got, cmpEpsilon(1e-5)); diff != "" {
				t.Errorf("batch norm differs (-want +got):\n%s\n%s", diff, text)
			}
		})
	}
}

// cmpEpsilon compares floats with a relative and absolute tolerance, for
// results computed from float32-rounded statistics.
func cmpEpsilon(tol float64) cmp.Option {
	return cmp.Comparer(func(a, b float64) bool {
		return math.Abs(a-b) <= tol*(1+math.Max(math.Abs(a), math.Abs(b)))
	})
}
