package gemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// BenchmarkMulAdd reports GFLOP/s (2mnk flops per product) on all cores for
// a square product and the shapes of resnet18's (CIFAR stem) convolutions
// over a chunk of images: (O, K) · (K, columns).
func BenchmarkMulAdd(b *testing.B) {
	for _, s := range []struct {
		name    string
		m, n, k int
		bT      bool
	}{
		{"square512", 512, 512, 512, false},
		{"conv64_32x32", 64, 2048, 576, false},
		{"conv512_4x4", 512, 2048, 4608, false},
		{"gradw64_32x32", 64, 576, 2048, true},
	} {
		b.Run(s.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			a, bm := randMat(r, s.m, s.k, 0, false), randMat(r, s.k, s.n, 0, s.bT)
			c := Dense(s.m, s.n, make([]float32, s.m*s.n))
			workers := runtime.GOMAXPROCS(0)
			for b.Loop() {
				MulAdd(c, a, bm, workers)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkKernel is the micro-kernel alone on one core, kc deep.
func BenchmarkKernel(b *testing.B) {
	for _, name := range []string{"asm", "go"} {
		b.Run(fmt.Sprint(name), func(b *testing.B) {
			if name == "asm" && !fused {
				b.Skip("no AVX2 and FMA")
			}
			a, bp, c := make([]float32, kc*mr), make([]float32, kc*nr), make([]float32, mr*nr)
			f := kernel
			if name == "go" {
				f = kernelGo
			}
			for b.Loop() {
				f(kc, a, bp, c, nr)
			}
			b.ReportMetric(2*float64(mr*nr*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
