package gemm

import "golang.org/x/sys/cpu"

// fused tells whether the assembly micro-kernel (AVX2 with FMA) runs.
var fused = cpu.X86.HasAVX2 && cpu.X86.HasFMA

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
