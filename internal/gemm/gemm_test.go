package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// layout is how randMat lays a matrix out in memory.
type layout int

const (
	rowMajor layout = iota // CS 1, pad elements after each row
	colMajor               // RS 1 (a transposed row-major matrix), pad after each column
	strided                // RS and CS both above 1: every other element of a padded row-major matrix
)

func (l layout) String() string { return [...]string{"row", "col", "strided"}[l] }

// dense is Dense or Dense64.
func dense[T float32 | float64](rows, cols int, data []T) View[T] {
	return View[T]{Rows: rows, Cols: cols, RS: cols, CS: 1, Data: data}
}

// randMat is a (rows, cols) view in the given layout, its unused elements
// NaN so that a read outside the view shows.
func randMat[T float32 | float64](r *rand.Rand, rows, cols, pad int, l layout) View[T] {
	var m View[T]
	switch l {
	case rowMajor:
		m = View[T]{Rows: rows, Cols: cols, RS: cols + pad, CS: 1}
	case colMajor:
		m = View[T]{Rows: rows, Cols: cols, RS: 1, CS: rows + pad}
	case strided:
		m = View[T]{Rows: rows, Cols: cols, RS: 2*cols + pad, CS: 2}
	}
	m.Data = make([]T, max(1, (rows+1)*(cols+1)*2+pad*max(rows, cols)+3))
	for i := range m.Data {
		m.Data[i] = T(math.NaN())
	}
	for i := range rows {
		for j := range cols {
			m.Data[i*m.RS+j*m.CS] = T(r.NormFloat64())
		}
	}
	return m
}

// randSlice is n normal deviates.
func randSlice[T float32 | float64](r *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(r.NormFloat64())
	}
	return s
}

// reference returns c + a·b summed naively in order in float64 and, per
// element, the sum of the magnitudes of its terms (the scale of the
// rounding error).
func reference[T float32 | float64](c, a, b View[T]) (want, scale []float64) {
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

// ulps is a few units in the last place of T, relative: the tolerance of
// a product per unit of its terms' scale.
func ulps[T float32 | float64]() float64 {
	var z T
	if _, ok := any(z).(float32); ok {
		return 1e-6
	}
	return 1e-15
}

// mulCase is one product: c (m, n) += a (m, k) · b (k, n), with a and b
// in the given layouts, pad unused elements between rows or columns.
type mulCase struct {
	m, n, k int
	a, b    layout
	pad     int
	workers int
}

// testMulAdds runs testMulAdd on every case, with the Go kernel and, where
// the CPU has AVX2 and FMA, the assembly one, and where it has AVX-512 the
// pair kernel too.
func testMulAdds[T float32 | float64](t *testing.T, tests []mulCase, mulAdd func(c, a, b View[T], workers int)) {
	kernels := []struct{ fused, wide bool }{{false, false}}
	if fused {
		kernels = append(kernels, struct{ fused, wide bool }{true, false})
	}
	if wide {
		kernels = append(kernels, struct{ fused, wide bool }{true, true})
	}
	defer func(f, w bool) { fused, wide = f, w }(fused, wide)
	for _, tc := range tests {
		for _, k := range kernels {
			fused, wide = k.fused, k.wide
			name := fmt.Sprintf("%dx%dx%d/a=%v/b=%v/pad=%d/w=%d/fused=%v/wide=%v", tc.m, tc.n, tc.k, tc.a, tc.b, tc.pad, tc.workers, fused, wide)
			t.Run(name, func(t *testing.T) { testMulAdd(t, tc, mulAdd) })
		}
	}
}

// testMulAdd checks one product against the reference, and that nothing
// outside c's view changes.
func testMulAdd[T float32 | float64](t *testing.T, tc mulCase, mulAdd func(c, a, b View[T], workers int)) {
	r := rand.New(rand.NewPCG(uint64(tc.m), uint64(tc.n*1000+tc.k)))
	a := randMat[T](r, tc.m, tc.k, tc.pad, tc.a)
	b := randMat[T](r, tc.k, tc.n, tc.pad, tc.b)
	c := randMat[T](r, tc.m, tc.n, tc.pad, rowMajor)
	want, scale := reference(c, a, b)
	mulAdd(c, a, b, tc.workers)
	for i := range c.Rows {
		for j := range c.Cols {
			got, w := float64(c.at(i, j)), want[i*c.Cols+j]
			// A few ulps of the terms' scale per kc block, far below any
			// indexing mistake (a whole term).
			if tol := ulps[T]() * scale[i*c.Cols+j] * math.Sqrt(float64(tc.k)+1); math.Abs(got-w) > tol {
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

// TestMulAdd compares products with a float64 reference: tiles at and
// past the edges, blocks past mc, kc and nc, transposed and padded views,
// several workers.
func TestMulAdd(t *testing.T) {
	testMulAdds(t, []mulCase{
		{m: 1, n: 1, k: 1, workers: 1},
		{m: 6, n: 16, k: 1, workers: 1},
		{m: 6, n: 16, k: 300, workers: 1},
		{m: 7, n: 17, k: 3, workers: 1},
		{m: 5, n: 15, k: 9, workers: 1},
		{m: 64, n: 1024, k: 27, workers: 2},
		{m: 145, n: 33, k: 257, a: colMajor, workers: 1},
		{m: 145, n: 33, k: 513, b: colMajor, pad: 3, workers: 3},
		{m: 3, n: 4100, k: 5, a: colMajor, b: colMajor, pad: 1, workers: 2},
		{m: 200, n: 20, k: 70, b: colMajor, workers: 4},
	}, MulAdd)
}

// TestWorkersDoNotChangeBits: the same product on 1 to 5 goroutines is
// bitwise the same, both for a wide c (split by columns) and a tall one
// (split by rows), in both precisions.
func TestWorkersDoNotChangeBits(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testWorkersDoNotChangeBits(t, 40, MulAdd) })
	t.Run("float64", func(t *testing.T) { testWorkersDoNotChangeBits(t, 20, MulAdd64) })
}

// testWorkersDoNotChangeBits multiplies (m, 600) · (600, 3000) and
// (3000, 600) · (600, m).
func testWorkersDoNotChangeBits[T float32 | float64](t *testing.T, m int, mulAdd func(c, a, b View[T], workers int)) {
	for _, shape := range [][3]int{{m, 3000, 600}, {3000, m, 600}} {
		m, n, k := shape[0], shape[1], shape[2]
		r := rand.New(rand.NewPCG(1, 2))
		a, b := randMat[T](r, m, k, 0, rowMajor), randMat[T](r, k, n, 0, colMajor)
		var first []T
		for workers := 1; workers <= 5; workers++ {
			c := dense(m, n, make([]T, m*n))
			mulAdd(c, a, b, workers)
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

// checkTile fails unless c1 and c2 (mr rows of ldc) agree within tol in
// their first cols columns and exactly past them.
func checkTile[T float32 | float64](t *testing.T, c1, c2 []T, ldc, cols int, tol float64) {
	t.Helper()
	for i := range c1 {
		if i%ldc >= cols {
			if c1[i] != c2[i] {
				t.Fatalf("c[%d] outside the tile changed", i)
			}
			continue
		}
		if d := math.Abs(float64(c1[i] - c2[i])); d > tol {
			t.Fatalf("c[%d]: assembly %g, Go %g", i, c1[i], c2[i])
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
	a, b := randSlice[float32](r, kb*mr), randSlice[float32](r, kb*nr)
	c1 := randSlice[float32](r, mr*ldc)
	c2 := slices.Clone(c1)
	kernel(kb, a, b, c1, ldc)
	kernelGo(kb, a, b, c2, ldc)
	checkTile(t, c1, c2, ldc, nr, 1e-4)
}

// TestKernelPair: the AVX-512 kernel for two tiles side by side is
// bitwise the AVX2 kernel on each tile, and leaves c's other columns alone;
// so is MulAdd with it against MulAdd without it.
func TestKernelPair(t *testing.T) {
	if !wide {
		t.Skip("no AVX-512: pairs of tiles run as two AVX2 kernels")
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, kb := range []int{1, 7, 256} {
		const ldc = 37
		a, b0, b1 := randSlice[float32](r, kb*mr), randSlice[float32](r, kb*nr), randSlice[float32](r, kb*nr)
		c1 := randSlice[float32](r, mr*ldc)
		c2 := slices.Clone(c1)
		kernelPair(kb, a, b0, b1, c1, ldc)
		kernel(kb, a, b0, c2, ldc)
		kernel(kb, a, b1, c2[nr:], ldc)
		if diff := cmp.Diff(c2, c1); diff != "" {
			t.Fatalf("kb %d: the pair kernel differs from two tiles:\n%.400s", kb, diff)
		}
	}
	defer func(w bool) { wide = w }(wide)
	for _, shape := range [][3]int{{40, 3000, 600}, {13, 70, 300}} {
		m, n, k := shape[0], shape[1], shape[2]
		a, b := randMat[float32](r, m, k, 0, rowMajor), randMat[float32](r, k, n, 0, colMajor)
		var got [2][]float32
		for i, w := range []bool{false, true} {
			wide = w
			c := dense(m, n, make([]float32, m*n))
			MulAdd(c, a, b, 2)
			got[i] = c.Data
		}
		if diff := cmp.Diff(got[0], got[1]); diff != "" {
			t.Fatalf("%v: MulAdd with pairs of tiles differs:\n%.400s", shape, diff)
		}
	}
}

func TestMulAddPanics(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testMulAddPanics(t, MulAdd) })
	t.Run("float64", func(t *testing.T) { testMulAddPanics(t, MulAdd64) })
}

func testMulAddPanics[T float32 | float64](t *testing.T, mulAdd func(c, a, b View[T], workers int)) {
	ok := dense(2, 2, make([]T, 4))
	tests := []struct {
		name    string
		c, a, b View[T]
	}{
		{"inner sizes", ok, dense(2, 3, make([]T, 6)), ok},
		{"c not row-major", ok.T(), ok, ok},
		{"view outside data", ok, dense(2, 2, make([]T, 3)), ok},
		{"negative stride", ok, View[T]{Rows: 2, Cols: 2, RS: -2, CS: 1, Data: make([]T, 4)}, ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			mulAdd(tt.c, tt.a, tt.b, 1)
		})
	}
}

func TestEmpty(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testEmpty(t, MulAdd) })
	t.Run("float64", func(t *testing.T) { testEmpty(t, MulAdd64) })
}

func testEmpty[T float32 | float64](t *testing.T, mulAdd func(c, a, b View[T], workers int)) {
	tests := []struct {
		name    string
		c, a, b View[T]
	}{
		{"k 0", dense(2, 3, []T{1, 2, 3, 4, 5, 6}), dense[T](2, 0, nil), dense[T](0, 3, nil)},
		{"m 0", dense[T](0, 3, nil), dense[T](0, 2, nil), dense(2, 3, []T{1, 2, 3, 4, 5, 6})},
		{"n 0", dense[T](2, 0, nil), dense(2, 3, []T{1, 2, 3, 4, 5, 6}), dense[T](3, 0, nil)},
	}
	for _, tt := range tests {
		before := slices.Clone(tt.c.Data)
		mulAdd(tt.c, tt.a, tt.b, 2)
		if diff := cmp.Diff(before, tt.c.Data); diff != "" {
			t.Errorf("%s: %s", tt.name, diff)
		}
	}
}

// viewSource is a Source over a view, element (o, l) at (o, l) of m when
// m's rows run along c and at (l, o) when they run along the summed axis.
type viewSource struct {
	m      Mat
	summed bool // m's rows are the summed axis (m is b)
}

func (s viewSource) Pack(dst []float32, w, o0, on, l0, kb int) {
	for p := 0; p < on; p += w {
		d := dst[p*kb : p*kb+kb*w]
		for l := range kb {
			for r := range w {
				o := o0 + p + r
				switch {
				case p+r >= on:
					d[l*w+r] = 0
				case s.summed:
					d[l*w+r] = s.m.at(l0+l, o)
				default:
					d[l*w+r] = s.m.at(o, l0+l)
				}
			}
		}
	}
}

// TestMulAddSources: MulAddA and MulAddB, with a or b packing itself, are
// bitwise MulAdd on the same values, past mc, kc and nc and on several
// workers (split by rows and by columns).
func TestMulAddSources(t *testing.T) {
	for _, tc := range []mulCase{
		{m: 1, n: 1, k: 1, workers: 1},
		{m: 7, n: 17, k: 3, workers: 1},
		{m: 64, n: 1024, k: 27, workers: 2},
		{m: 145, n: 33, k: 513, b: colMajor, pad: 3, workers: 3},
		{m: 3, n: 4100, k: 5, a: colMajor, pad: 1, workers: 2},
		{m: 300, n: 20, k: 700, b: colMajor, workers: 4},
	} {
		t.Run(fmt.Sprintf("%dx%dx%d/w=%d", tc.m, tc.n, tc.k, tc.workers), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tc.m), uint64(tc.k)))
			a := randMat[float32](r, tc.m, tc.k, tc.pad, tc.a)
			b := randMat[float32](r, tc.k, tc.n, tc.pad, tc.b)
			c0 := randMat[float32](r, tc.m, tc.n, 0, rowMajor)
			want := dense(tc.m, tc.n, slices.Clone(c0.Data))
			MulAdd(want, a, b, tc.workers)
			for name, mul := range map[string]func(c Mat){
				"a": func(c Mat) { MulAddA(c, viewSource{m: a}, b, tc.workers) },
				"b": func(c Mat) { MulAddB(c, a, viewSource{m: b, summed: true}, tc.workers) },
			} {
				c := dense(tc.m, tc.n, slices.Clone(c0.Data))
				mul(c)
				// The NaNs past c's view (randMat's) compare equal.
				if diff := cmp.Diff(want.Data, c.Data, cmpopts.EquateNaNs()); diff != "" {
					t.Errorf("%s packing itself differs from MulAdd:\n%.400s", name, diff)
				}
			}
		})
	}
}

// TestMulAddSourcesPanic: the view operand must agree with c.
func TestMulAddSourcesPanic(t *testing.T) {
	c, bad := dense(2, 3, make([]float32, 6)), dense(4, 4, make([]float32, 16))
	for name, f := range map[string]func(){
		"a": func() { MulAddA(c, viewSource{m: bad}, bad, 1) },
		"b": func() { MulAddB(c, bad, viewSource{m: bad, summed: true}, 1) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		})
	}
}
