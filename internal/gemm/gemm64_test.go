package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// layout is how randMat64 lays a matrix out in memory.
type layout int

const (
	rowMajor layout = iota // CS 1, pad elements after each row
	colMajor               // RS 1 (a transposed row-major matrix), pad after each column
	strided                // RS and CS both above 1: every other element of a padded row-major matrix
)

func (l layout) String() string { return [...]string{"row", "col", "strided"}[l] }

// randMat64 is a (rows, cols) float64 view in the given layout, its unused
// elements NaN so that a read outside the view shows.
func randMat64(r *rand.Rand, rows, cols, pad int, l layout) Mat64 {
	var m Mat64
	switch l {
	case rowMajor:
		m = Mat64{Rows: rows, Cols: cols, RS: cols + pad, CS: 1}
	case colMajor:
		m = Mat64{Rows: rows, Cols: cols, RS: 1, CS: rows + pad}
	case strided:
		m = Mat64{Rows: rows, Cols: cols, RS: 2*cols + pad, CS: 2}
	}
	m.Data = make([]float64, max(1, (rows+1)*(cols+1)*2+pad*max(rows, cols)+3))
	for i := range m.Data {
		m.Data[i] = math.NaN()
	}
	for i := range rows {
		for j := range cols {
			m.Data[i*m.RS+j*m.CS] = r.NormFloat64()
		}
	}
	return m
}

// reference64 returns c + a·b summed naively in order and, per element, the
// sum of the magnitudes of its terms (the scale of the rounding error).
func reference64(c, a, b Mat64) (want, scale []float64) {
	want = make([]float64, c.Rows*c.Cols)
	scale = make([]float64, c.Rows*c.Cols)
	for i := range c.Rows {
		for j := range c.Cols {
			s, mag := c.at(i, j), math.Abs(c.at(i, j))
			for l := range a.Cols {
				p := a.at(i, l) * b.at(l, j)
				s += p
				mag += math.Abs(p)
			}
			want[i*c.Cols+j], scale[i*c.Cols+j] = s, mag
		}
	}
	return want, scale
}

// mulCase64 is one float64 product: c (m, n) += a (m, k) · b (k, n), with
// a and b in the given layouts, pad unused elements between rows or
// columns.
type mulCase64 struct {
	m, n, k int
	a, b    layout
	pad     int
	workers int
}

// TestMulAdd64 compares float64 products with a naive reference, with the
// Go kernel and, where the CPU has AVX2 and FMA, the assembly one: tiles at
// and past the edges, blocks past mc64, kc64 and nc64, row-major,
// column-major (transposed) and strided views, padding, several workers,
// and the linear probe's shapes (classes x dim · dim x rows and classes x
// rows · rows x dim).
func TestMulAdd64(t *testing.T) {
	tests := []mulCase64{
		{m: 1, n: 1, k: 1, workers: 1},
		{m: 6, n: 8, k: 1, workers: 1},
		{m: 6, n: 8, k: 300, workers: 1},
		{m: 7, n: 9, k: 3, workers: 1},
		{m: 5, n: 7, k: 9, b: colMajor, workers: 1},
		{m: 64, n: 1024, k: 27, workers: 2},
		{m: 73, n: 33, k: 257, a: colMajor, workers: 1},
		{m: 145, n: 33, k: 513, b: colMajor, pad: 3, workers: 3},
		{m: 3, n: 2050, k: 5, a: colMajor, b: colMajor, pad: 1, workers: 2},
		{m: 200, n: 20, k: 70, b: strided, workers: 4},
		{m: 11, n: 13, k: 260, a: strided, b: strided, pad: 2, workers: 1},
		{m: 10, n: 256, k: 600, b: colMajor, workers: 1},
		{m: 10, n: 600, k: 256, a: rowMajor, workers: 2},
		{m: 256, n: 10, k: 3072, b: colMajor, workers: 1},
		{m: 10, n: 3072, k: 256, a: colMajor, workers: 1},
		{m: 12, n: 3001, k: 300, pad: 5, workers: 3},
		{m: 300, n: 16, k: 520, a: colMajor, pad: 2, workers: 2},
	}
	kernels := []bool{false}
	if fused {
		kernels = append(kernels, true)
	}
	defer func(f bool) { fused = f }(fused)
	for _, tc := range tests {
		for _, fused = range kernels {
			name := fmt.Sprintf("%dx%dx%d/a=%v/b=%v/pad=%d/w=%d/fused=%v", tc.m, tc.n, tc.k, tc.a, tc.b, tc.pad, tc.workers, fused)
			t.Run(name, func(t *testing.T) { testMulAdd64(t, tc) })
		}
	}
}

// testMulAdd64 checks one product against the reference, and that nothing
// outside c's view changes.
func testMulAdd64(t *testing.T, tc mulCase64) {
	r := rand.New(rand.NewPCG(uint64(tc.m), uint64(tc.n*1000+tc.k)))
	a := randMat64(r, tc.m, tc.k, tc.pad, tc.a)
	b := randMat64(r, tc.k, tc.n, tc.pad, tc.b)
	c := randMat64(r, tc.m, tc.n, tc.pad, rowMajor)
	want, scale := reference64(c, a, b)
	MulAdd64(c, a, b, tc.workers)
	for i := range c.Rows {
		for j := range c.Cols {
			got, w := c.at(i, j), want[i*c.Cols+j]
			// A few ulps of the terms' scale, far below any indexing
			// mistake (a whole term).
			if tol := 1e-15 * scale[i*c.Cols+j] * math.Sqrt(float64(tc.k)+1); math.Abs(got-w) > tol {
				t.Fatalf("c[%d][%d] = %g, want %g (tolerance %g)", i, j, got, w, tol)
			}
		}
	}
	for i, v := range c.Data {
		if row, col := i/c.RS, i%c.RS; row < c.Rows && col < c.Cols {
			continue
		}
		if !math.IsNaN(v) {
			t.Fatalf("c.Data[%d] outside the view was written: %g", i, v)
		}
	}
}

// TestMulAdd64WorkersDoNotChangeBits: the same product on 1 to 5
// goroutines is bitwise the same, for a wide c (split by columns) and a
// tall one (split by rows).
func TestMulAdd64WorkersDoNotChangeBits(t *testing.T) {
	for _, shape := range [][3]int{{20, 3000, 600}, {3000, 20, 600}} {
		m, n, k := shape[0], shape[1], shape[2]
		r := rand.New(rand.NewPCG(1, 2))
		a, b := randMat64(r, m, k, 0, rowMajor), randMat64(r, k, n, 0, colMajor)
		var first []float64
		for workers := 1; workers <= 5; workers++ {
			c := Dense64(m, n, make([]float64, m*n))
			MulAdd64(c, a, b, workers)
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

// TestMulAdd64DirectMatchesPacked: a product that reads its large operand
// in place (c at most 16 columns wide, or at most 12 rows high with a
// row-major b) gives the same bits as the same rows or columns of a wider
// or higher product, which packs it.
func TestMulAdd64DirectMatchesPacked(t *testing.T) {
	tests := []struct {
		name         string
		m, n, k      int
		wideM, wideN int // the packed product's c
		aLay, bLay   layout
	}{
		{name: "a in place, row-major", m: 40, n: 10, k: 600, wideM: 40, wideN: 17, aLay: rowMajor, bLay: colMajor},
		{name: "a in place, column-major", m: 40, n: 16, k: 300, wideM: 40, wideN: 30, aLay: colMajor, bLay: rowMajor},
		{name: "b in place", m: 10, n: 50, k: 600, wideM: 13, wideN: 50, aLay: colMajor, bLay: rowMajor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(5, 6))
			a := randMat64(r, tt.wideM, tt.k, 1, tt.aLay)
			b := randMat64(r, tt.k, tt.wideN, 1, tt.bLay)
			whole := Dense64(tt.wideM, tt.wideN, make([]float64, tt.wideM*tt.wideN))
			MulAdd64(whole, a, b, 1)
			part := Dense64(tt.m, tt.n, make([]float64, tt.m*tt.n))
			MulAdd64(part, a.rows(0, tt.m), b.cols(0, tt.n), 1)
			for i := range tt.m {
				for j := range tt.n {
					if got, want := part.at(i, j), whole.at(i, j); math.Float64bits(got) != math.Float64bits(want) {
						t.Fatalf("c[%d][%d] = %v in place, %v packed", i, j, got, want)
					}
				}
			}
		})
	}
}

// TestKernel64AgreesWithGo: the float64 assembly kernel (where it runs)
// and the Go one compute the same tile up to the rounding of unfused
// products, with a and b packed or read through their strides, and leave
// c outside the tile alone.
func TestKernel64AgreesWithGo(t *testing.T) {
	if !fused {
		t.Skip("no AVX2 and FMA: the Go kernel is the kernel")
	}
	const kb, ldc = 200, 11
	tests := []struct {
		name          string
		rsA, csA, ldb int
	}{
		{"packed", 1, mr64, nr64},
		{"a row-major", kb + 3, 1, nr64},
		{"a column-major, b row-major", 1, mr64 + 5, nr64 + 9},
		{"a strided", 2*kb + 1, 2, nr64 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			a := make([]float64, (mr64-1)*tt.rsA+(kb-1)*tt.csA+1)
			b := make([]float64, (kb-1)*tt.ldb+nr64)
			for i := range a {
				a[i] = r.NormFloat64()
			}
			for i := range b {
				b[i] = r.NormFloat64()
			}
			c1, c2 := make([]float64, mr64*ldc), make([]float64, mr64*ldc)
			for i := range c1 {
				c1[i] = r.NormFloat64()
				c2[i] = c1[i]
			}
			kernel64(kb, a, tt.rsA, tt.csA, b, tt.ldb, c1, ldc)
			kernel64Go(kb, a, tt.rsA, tt.csA, b, tt.ldb, c2, ldc)
			for i := range c1 {
				if i%ldc >= nr64 {
					if c1[i] != c2[i] {
						t.Fatalf("c[%d] outside the tile changed", i)
					}
					continue
				}
				if d := math.Abs(c1[i] - c2[i]); d > 1e-12 {
					t.Fatalf("c[%d]: assembly %g, Go %g", i, c1[i], c2[i])
				}
			}
		})
	}
}

func TestMulAdd64Panics(t *testing.T) {
	ok := Dense64(2, 2, make([]float64, 4))
	tests := []struct {
		name    string
		c, a, b Mat64
	}{
		{"inner sizes", ok, Dense64(2, 3, make([]float64, 6)), ok},
		{"c not row-major", ok.T(), ok, ok},
		{"view outside data", ok, Dense64(2, 2, make([]float64, 3)), ok},
		{"negative stride", ok, Mat64{Rows: 2, Cols: 2, RS: -2, CS: 1, Data: make([]float64, 4)}, ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			MulAdd64(tt.c, tt.a, tt.b, 1)
		})
	}
}

func TestMulAdd64Empty(t *testing.T) {
	tests := []struct {
		name    string
		c, a, b Mat64
	}{
		{"k 0", Dense64(2, 3, []float64{1, 2, 3, 4, 5, 6}), Dense64(2, 0, nil), Dense64(0, 3, nil)},
		{"m 0", Dense64(0, 3, nil), Dense64(0, 2, nil), Dense64(2, 3, []float64{1, 2, 3, 4, 5, 6})},
		{"n 0", Dense64(2, 0, nil), Dense64(2, 3, []float64{1, 2, 3, 4, 5, 6}), Dense64(3, 0, nil)},
	}
	for _, tt := range tests {
		before := slices.Clone(tt.c.Data)
		MulAdd64(tt.c, tt.a, tt.b, 2)
		if diff := cmp.Diff(before, tt.c.Data); diff != "" {
			t.Errorf("%s: %s", tt.name, diff)
		}
	}
}
