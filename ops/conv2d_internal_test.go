package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/internal/gemm"
)

// columns lays out the column matrix of samples [n0, n0+size) of x, (K,
// size*P), straight from its definition: element (k, s*P + oh*OW + ow) is
// x[n0+s, c, oh*stride+ki-pad, ow*stride+kj-pad], 0 in the padding.
func (g *convGeom) columns(x []float32, n0, size int) []float32 {
	cols := make([]float32, g.k*size*g.p)
	for k := range g.k {
		c, ki, kj := k/(g.kh*g.kw), k/g.kw%g.kh, k%g.kw
		for s := range size {
			for oh := range g.oh {
				for ow := range g.ow {
					ih, iw := oh*g.stride+ki-g.pad, ow*g.stride+kj-g.pad
					if ih < 0 || ih >= g.h || iw < 0 || iw >= g.w {
						continue
					}
					cols[k*size*g.p+s*g.p+oh*g.ow+ow] = x[(((n0+s)*g.c+c)*g.h+ih)*g.w+iw]
				}
			}
		}
	}
	return cols
}

// TestConvPacksColumns: the forward and grad_weight, which pack the column
// matrix straight from x, are bitwise the products of the column matrix
// laid out whole, on any GOMAXPROCS: runs of positions that cross output
// rows and samples (OW below a panel's 16), strides, paddings wider than
// the kernel, several chunks.
func TestConvPacksColumns(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(5, 6))
	type geom struct{ n, c, h, w, o, kh, kw, stride, pad int }
	cases := []geom{
		{2, 16, 32, 32, 16, 3, 3, 1, 1},
		{4, 8, 4, 4, 16, 3, 3, 1, 1},
		{3, 4, 9, 9, 7, 1, 1, 2, 0},
		{2, 3, 7, 5, 5, 3, 2, 3, 2},
		{5, 64, 32, 32, 7, 3, 3, 1, 1}, // chunks of 3 and 2
		{2, 2, 1, 1, 3, 3, 3, 1, 1},
	}
	for range 30 {
		c := geom{n: 1 + rng.IntN(3), c: 1 + rng.IntN(5), o: 1 + rng.IntN(20),
			kh: 1 + rng.IntN(4), kw: 1 + rng.IntN(4), stride: 1 + rng.IntN(3), pad: rng.IntN(4)}
		c.h = max(1, c.kh-2*c.pad) + rng.IntN(20)
		c.w = max(1, c.kw-2*c.pad) + rng.IntN(20)
		cases = append(cases, c)
	}
	for _, c := range cases {
		g, err := newConvGeom(tensor.Shape{c.n, c.c, c.h, c.w}, tensor.Shape{c.o, c.c, c.kh, c.kw}, c.stride, c.pad)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(fmt.Sprintf("x%v_w%v_s%d_p%d", g.xs, g.ws, c.stride, c.pad), func(t *testing.T) {
			x, w, dy := randSlice(rng, g.n*g.c*g.h*g.w), randSlice(rng, g.o*g.k), randSlice(rng, g.n*g.o*g.p)
			// The products of the laid-out column matrix, chunk by chunk.
			wantY, wantDWT := make([]float32, len(dy)), make([]float32, g.k*g.o)
			g.chunks(func(n0, size int) {
				cols := g.columns(x, n0, size)       // (K, G*P)
				out := make([]float32, g.o*size*g.p) // (O, G*P)
				gemm.MulAdd(gemm.Dense(g.o, size*g.p, out), gemm.Dense(g.o, g.k, w), gemm.Dense(g.k, size*g.p, cols), 1)
				for s := range size {
					for oi := range g.o {
						copy(wantY[((n0+s)*g.o+oi)*g.p:][:g.p], out[oi*size*g.p+s*g.p:])
					}
				}
				dyc := make([]float32, g.o*size*g.p) // (O, G*P)
				g.gatherDY(dyc, dy, n0, size)
				gemm.MulAdd(gemm.Dense(g.k, g.o, wantDWT), gemm.Dense(g.k, size*g.p, cols), gemm.Dense(g.o, size*g.p, dyc).T(), 1)
			})
			wantDW := make([]float32, g.o*g.k)
			for k := range g.k {
				for o := range g.o {
					wantDW[o*g.k+k] = wantDWT[k*g.o+o]
				}
			}
			for _, procs := range []int{1, 2, 3} {
				runtime.GOMAXPROCS(procs)
				y, dw := make([]float32, len(dy)), make([]float32, g.o*g.k)
				g.forward(y, x, w)
				g.gradWeight(dw, x, dy)
				if !slices.Equal(y, wantY) {
					t.Errorf("GOMAXPROCS=%d: y differs from the laid-out column matrix's product", procs)
				}
				if !slices.Equal(dw, wantDW) {
					t.Errorf("GOMAXPROCS=%d: dw differs from the laid-out column matrix's product", procs)
				}
			}
		})
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// TestConvGradInputAsConvolution: a stride-1 convolution with a square
// kernel and pad < KH takes its grad_input as the convolution g.back (dy by
// the flipped filters), which agrees with the column matrix's col2im to
// float32 rounding; other geometries have no back.
func TestConvGradInputAsConvolution(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	type geom struct{ n, c, h, w, o, k, stride, pad int }
	for _, c := range []geom{
		{2, 16, 32, 32, 16, 3, 1, 1},
		{3, 5, 7, 9, 4, 3, 1, 0},
		{2, 3, 6, 5, 6, 5, 1, 2},
		{2, 3, 6, 5, 6, 5, 1, 4},
		{4, 8, 4, 4, 32, 1, 1, 0},
		{5, 64, 32, 32, 7, 3, 1, 1}, // chunks of 3 and 2
		{2, 4, 8, 8, 4, 3, 2, 1},    // stride 2: col2im
		{2, 4, 8, 8, 4, 3, 1, 3},    // pad >= KH: col2im
	} {
		g, err := newConvGeom(tensor.Shape{c.n, c.c, c.h, c.w}, tensor.Shape{c.o, c.c, c.k, c.k}, c.stride, c.pad)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(fmt.Sprintf("x%v_w%v_s%d_p%d", g.xs, g.ws, c.stride, c.pad), func(t *testing.T) {
			if want := c.stride == 1 && c.pad < c.k; (g.back != nil) != want {
				t.Fatalf("back is %v, want one: %v", g.back, want)
			}
			if g.back == nil {
				return
			}
			w, dy := randSlice(rng, g.o*g.k), randSlice(rng, g.n*g.o*g.p)
			got := make([]float32, g.n*g.c*g.h*g.w)
			g.gradInput(got, w, dy)
			plain := g
			plain.back = nil
			want := make([]float32, len(got))
			plain.gradInput(want, w, dy)
			for i := range want {
				// Sums of at most O*KH*KW unit normal products, in
				// another order: a few ulps of their scale.
				if d := math.Abs(float64(got[i] - want[i])); d > 1e-5*math.Sqrt(float64(g.o*g.kh*g.kw)) {
					t.Fatalf("dx[%d] = %g as a convolution, %g by col2im", i, got[i], want[i])
				}
			}
		})
	}
}
