package gemm

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMulAdd64 compares float64 products with a naive reference: tiles at
// and past the edges, blocks past mc64, kc64 and nc64, row-major,
// column-major (transposed) and strided views, padding, several workers,
// and the linear probe's shapes (classes x dim · dim x rows and classes x
// rows · rows x dim).
func TestMulAdd64(t *testing.T) {
	testMulAdds(t, []mulCase{
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
	}, MulAdd64)
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
			a := randMat[float64](r, tt.wideM, tt.k, 1, tt.aLay)
			b := randMat[float64](r, tt.k, tt.wideN, 1, tt.bLay)
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
			a := randSlice[float64](r, (mr64-1)*tt.rsA+(kb-1)*tt.csA+1)
			b := randSlice[float64](r, (kb-1)*tt.ldb+nr64)
			c1 := randSlice[float64](r, mr64*ldc)
			c2 := slices.Clone(c1)
			kernel64(kb, a, tt.rsA, tt.csA, b, tt.ldb, c1, ldc)
			kernel64Go(kb, a, tt.rsA, tt.csA, b, tt.ldb, c2, ldc)
			checkTile(t, c1, c2, ldc, nr64, 1e-12)
		})
	}
}
