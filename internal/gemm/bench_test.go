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

// BenchmarkMulAdd64 reports GFLOP/s (2mnk flops per product) of the
// float64 product on all cores for a square product, and on one core (as
// the probe runs them) for the linear probe's two products over one chunk
// of 256 rows of CIFAR-10's pixels (3,072 values, 10 classes): the scores
// X · Wᵀ and the weight gradient Gᵀ · X, which read X in place.
func BenchmarkMulAdd64(b *testing.B) {
	for _, s := range []struct {
		name    string
		m, n, k int
		al, bl  layout
		workers int
	}{
		{"square512", 512, 512, 512, rowMajor, rowMajor, runtime.GOMAXPROCS(0)},
		{"probe_scores_256x10x3072", 256, 10, 3072, rowMajor, colMajor, 1},
		{"probe_gradient_10x3072x256", 10, 3072, 256, colMajor, rowMajor, 1},
	} {
		b.Run(s.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			a, bm := randMat64(r, s.m, s.k, 0, s.al), randMat64(r, s.k, s.n, 0, s.bl)
			c := Dense64(s.m, s.n, make([]float64, s.m*s.n))
			for b.Loop() {
				MulAdd64(c, a, bm, s.workers)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkKernel64 is the float64 micro-kernel alone on one core, kc64
// deep.
func BenchmarkKernel64(b *testing.B) {
	for _, name := range []string{"asm", "go"} {
		b.Run(name, func(b *testing.B) {
			if name == "asm" && !fused {
				b.Skip("no AVX2 and FMA")
			}
			a, bp, c := make([]float64, kc64*mr64), make([]float64, kc64*nr64), make([]float64, mr64*nr64)
			f := kernel64
			if name == "go" {
				f = kernel64Go
			}
			for b.Loop() {
				f(kc64, a, 1, mr64, bp, nr64, c, nr64)
			}
			b.ReportMetric(2*float64(mr64*nr64*kc64)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
