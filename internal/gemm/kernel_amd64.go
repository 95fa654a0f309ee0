package gemm

import "golang.org/x/sys/cpu"

// fused tells whether the assembly micro-kernel (AVX2 with FMA) runs, and
// wide whether the AVX-512 one for pairs of tiles does too.
var (
	fused = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	wide  = fused && cpu.X86.HasAVX512F
)

// kernel6x16 is the AVX2 micro-kernel: kernelGo with fused multiply-adds.
//
//go:noescape
func kernel6x16(kb int, a, b, c *float32, ldc int)

func kernel(kb int, a, b, c []float32, ldc int) {
	if !fused {
		kernelGo(kb, a, b, c, ldc)
		return
	}
	// The slices' bounds are what the assembly relies on.
	_, _, _ = a[kb*mr-1], b[kb*nr-1], c[(mr-1)*ldc+nr-1]
	kernel6x16(kb, &a[0], &b[0], &c[0], ldc)
}

// kernel6x32 is the AVX-512 micro-kernel for two tiles side by side: c
// (6, 32) += a (kb x 6) · [b0 b1] (kb x 16 each), every element's
// products fused and summed in order as kernel6x16's are, so it is bitwise
// kernel6x16 on each half.
//
//go:noescape
func kernel6x32(kb int, a, b0, b1, c *float32, ldc int)

// kernelPair is kernel on the tiles (a, b0) into c[0:16] and (a, b1) into
// c[16:32] of mr rows.
func kernelPair(kb int, a, b0, b1, c []float32, ldc int) {
	if !wide {
		kernel(kb, a, b0, c, ldc)
		kernel(kb, a, b1, c[nr:], ldc)
		return
	}
	// The slices' bounds are what the assembly relies on.
	_, _, _, _ = a[kb*mr-1], b0[kb*nr-1], b1[kb*nr-1], c[(mr-1)*ldc+2*nr-1]
	kernel6x32(kb, &a[0], &b0[0], &b1[0], &c[0], ldc)
}

// kernel6x8 is the AVX2 float64 micro-kernel: kernel64Go with fused
// multiply-adds.
//
//go:noescape
func kernel6x8(kb int, a *float64, rsA, csA int, b *float64, ldb int, c *float64, ldc int)

func kernel64(kb int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
	if !fused {
		kernel64Go(kb, a, rsA, csA, b, ldb, c, ldc)
		return
	}
	// The slices' bounds are what the assembly relies on.
	_, _, _ = a[(mr64-1)*rsA+(kb-1)*csA], b[(kb-1)*ldb+nr64-1], c[(mr64-1)*ldc+nr64-1]
	kernel6x8(kb, &a[0], rsA, csA, &b[0], ldb, &c[0], ldc)
}

// standardize8 is Standardize on the first n elements, n a multiple of 8,
// with AVX2.
//
//go:noescape
func standardize8(n int, dst *float64, src *float32, mean, scale *float64)

// standardizeFast standardises a prefix of src with AVX2 where the CPU has
// it and returns the prefix's length; Standardize does the rest.
func standardizeFast(dst []float64, src []float32, mean, scale []float64) int {
	n := len(src) &^ 7
	if !fused || n == 0 {
		return 0
	}
	_, _, _ = dst[n-1], mean[n-1], scale[n-1]
	standardize8(n, &dst[0], &src[0], &mean[0], &scale[0])
	return n
}
