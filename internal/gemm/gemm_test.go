package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// randMat is a (rows, cols) view with the given layout: transposed data,
// and pad unused elements between rows (or columns), filled with NaN so a
// read outside the view shows.
func randMat(r *rand.Rand, rows, cols, pad int, transposed bool) Mat {
	var m Mat
	if transposed {
		m = Mat{Rows: rows, Cols: cols, RS: 1, CS: rows + pad}
	} else {
		m = Mat{Rows: rows, Cols: cols, RS: cols + pad, CS: 1}
	}
	m.Data = make([]float32, max(1, rows*cols+pad*max(rows, cols)+3))
	for i := range m.Data {
		m.Data[i] = float32(math.NaN())
	}
	for i := range rows {
		for j := range cols {
			m.Data[i*m.RS+j*m.CS] = float32(r.NormFloat64())
		}
	}
	return m
}

// reference returns c + a·b in float64 and, per element, the sum of the
// magnitudes of its terms (the scale of float32's rounding error).
func reference(c, a, b Mat) (want, scale []float64) {
	want = make([]float64, c.Rows*c.Cols)
	scale = make([]float64, c.Rows*c.Cols)
	for i := range c.Rows {
		for j := range c.Cols {
			s, mag := float64(c.at(i, j)), math.Abs(float64(c.at(i, j)))
			for l := range a.Cols {
				p := float64(a.at(i, l)) * float64(b.at(l, j))
				s += p
				mag += math.Abs(p)
			}
			want[i*c.Cols+j], scale[i*c.Cols+j] = s, mag
		}
	}
	return want, scale
}

// mulCase is one product: c (m, n) += a (m, k) · b (k, n), a and b
// transposed or not, pad unused elements between rows.
type mulCase struct {
	m, n, k int
	aT, bT  bool
	pad     int
	workers int
}

// TestMulAdd compares products with a float64 reference, with the Go
// kernel and, where the CPU has AVX2 and FMA, the assembly one: tiles at
// and past the edges, blocks past mc, kc and nc, transposed and padded
// views, several workers.
func TestMulAdd(t *testing.T) {
	tests := []mulCase{
		{m: 1, n: 1, k: 1, workers: 1},
		{m: 6, n: 16, k: 1, workers: 1},
		{m: 6, n: 16, k: 300, workers: 1},
		{m: 7, n: 17, k: 3, workers: 1},
		{m: 5, n: 15, k: 9, workers: 1},
		{m: 64, n: 1024, k: 27, workers: 2},
		{m: 145, n: 33, k: 257, aT: true, workers: 1},
		{m: 145, n: 33, k: 513, bT: true, pad: 3, workers: 3},
		{m: 3, n: 4100, k: 5, aT: true, bT: true, pad: 1, workers: 2},
		{m: 200, n: 20, k: 70, bT: true, workers: 4},
	}
	kernels := []bool{false}
	if fused {
		kernels = append(kernels, true)
	}
	defer func(f bool) { fused = f }(fused)
	for _, tc := range tests {
		for _, fused = range kernels {
			name := fmt.Sprintf("%dx%dx%d/aT=%v/bT=%v/pad=%d/w=%d/fused=%v", tc.m, tc.n, tc.k, tc.aT, tc.bT, tc.pad, tc.workers, fused)
			t.Run(name, func(t *testing.T) { testMulAdd(t, tc) })
		}
	}
}

// testMulAdd checks one product against the float64 reference, and that
// nothing outside c's view changes.
func testMulAdd(t *testing.T, tc mulCase) {
	r := rand.New(rand.NewPCG(uint64(tc.m), uint64(tc.n*1000+tc.k)))
	a := randMat(r, tc.m, tc.k, tc.pad, tc.aT)
	b := randMat(r, tc.k, tc.n, tc.pad, tc.bT)
	c := randMat(r, tc.m, tc.n, tc.pad, false)
	want, scale := reference(c, a, b)
	MulAdd(c, a, b, tc.workers)
	for i := range c.Rows {
		for j := range c.Cols {
			got, w := float64(c.at(i, j)), want[i*c.Cols+j]
			// float32 accumulation: a few ulps of the terms' scale per kc
			// block, far below any indexing mistake (a whole term).
			if tol := 1e-6 * scale[i*c.Cols+j] * math.Sqrt(float64(tc.k)+1); math.Abs(got-w) > tol {
				t.Fatalf("c[%d][%d] = %g, want %g (tolerance %g)", i, j, got, w, tol)
			}
		}
	}
	for i, v := range c.Data {
		if row, col := i/c.RS, i%c.RS; row < c.Rows && col < c.Cols {
			continue
		}
		if !math.IsNaN(float64(v)) {
			t.Fatalf("c.Data[%d] outside the view was written: %g", i, v)
		}
	}
}

// TestWorkersDoNotChangeBits: the same product on 1 to 5 goroutines is
// bitwise the same, both for a wide c (split by columns) and a tall one
// (split by rows).
func TestWorkersDoNotChangeBits(t *testing.T) {
	for _, shape := range [][3]int{{40, 3000, 600}, {3000, 40, 600}} {
		m, n, k := shape[0], shape[1], shape[2]
		r := rand.New(rand.NewPCG(1, 2))
		a, b := randMat(r, m, k, 0, false), randMat(r, k, n, 0, true)
		var first []float32
		for workers := 1; workers <= 5; workers++ {
			c := Dense(m, n, make([]float32, m*n))
			MulAdd(c, a, b, workers)
			if first == nil {
				first = c.Data
				continue
			}
			if diff := cmp.Diff(first, c.Data); diff != "" {
				t.Fatalf("%v with %d workers differs from 1 worker:\n%.400s", shape, workers, diff)
			}
		}
	}
}

// TestKernelAgreesWithGo: the assembly kernel (where it runs) and the Go
// one compute the same tile up to the rounding of unfused products.
func TestKernelAgreesWithGo(t *testing.T) {
	if !fused {
		t.Skip("no AVX2 and FMA: the Go kernel is the kernel")
	}
	r := rand.New(rand.NewPCG(3, 4))
	const kb, ldc = 200, 21
	a, b := make([]float32, kb*mr), make([]float32, kb*nr)
	for i := range a {
		a[i] = float32(r.NormFloat64())
	}
	for i := range b {
		b[i] = float32(r.NormFloat64())
	}
	c1, c2 := make([]float32, mr*ldc), make([]float32, mr*ldc)
	for i := range c1 {
		c1[i] = float32(r.NormFloat64())
		c2[i] = c1[i]
	}
	kernel(kb, a, b, c1, ldc)
	kernelGo(kb, a, b, c2, ldc)
	for i := range c1 {
		if i%ldc >= nr {
			if c1[i] != c2[i] {
				t.Fatalf("c[%d] outside the tile changed", i)
			}
			continue
		}
		if d := math.Abs(float64(c1[i] - c2[i])); d > 1e-4 {
			t.Fatalf("c[%d]: assembly %g, Go %g", i, c1[i], c2[i])
		}
	}
}

func TestMulAddPanics(t *testing.T) {
	ok := Dense(2, 2, make([]float32, 4))
	tests := []struct {
		name    string
		c, a, b Mat
	}{
		{"inner sizes", ok, Dense(2, 3, make([]float32, 6)), ok},
		{"c not row-major", ok.T(), ok, ok},
		{"view outside data", ok, Dense(2, 2, make([]float32, 3)), ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			MulAdd(tt.c, tt.a, tt.b, 1)
		})
	}
}

func TestEmpty(t *testing.T) {
	c := Dense(2, 3, []float32{1, 2, 3, 4, 5, 6})
	MulAdd(c, Dense(2, 0, nil), Dense(0, 3, nil), 2)
	if diff := cmp.Diff([]float32{1, 2, 3, 4, 5, 6}, c.Data); diff != "" {
		t.Fatal(diff)
	}
}
