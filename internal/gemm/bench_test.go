package gemm

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// BenchmarkMulAdd reports GFLOP/s (2mnk flops per product) on all cores for
// a square product and the shapes of resnet18's (CIFAR stem) convolutions
// over a chunk of images: (O, K) · (K, columns).
func BenchmarkMulAdd(b *testing.B) {
	workers := runtime.GOMAXPROCS(0)
	for _, s := range []benchCase{
		{"square512", 512, 512, 512, rowMajor, rowMajor, workers},
		{"conv64_32x32", 64, 2048, 576, rowMajor, rowMajor, workers},
		{"conv512_4x4", 512, 2048, 4608, rowMajor, rowMajor, workers},
		{"gradw64_32x32", 64, 576, 2048, rowMajor, colMajor, workers},
	} {
		b.Run(s.name, func(b *testing.B) { benchMulAdd(b, s, MulAdd) })
	}
}

// BenchmarkMulAdd64 reports GFLOP/s (2mnk flops per product) of the
// float64 product on all cores for a square product, and on one core (as
// the probe runs them) for the linear probe's two products over one chunk
// of 256 rows of CIFAR-10's pixels (3,072 values, 10 classes): the scores
// X · Wᵀ and the weight gradient Gᵀ · X, which read X in place.
func BenchmarkMulAdd64(b *testing.B) {
	for _, s := range []benchCase{
		{"square512", 512, 512, 512, rowMajor, rowMajor, runtime.GOMAXPROCS(0)},
		{"probe_scores_256x10x3072", 256, 10, 3072, rowMajor, colMajor, 1},
		{"probe_gradient_10x3072x256", 10, 3072, 256, colMajor, rowMajor, 1},
	} {
		b.Run(s.name, func(b *testing.B) { benchMulAdd(b, s, MulAdd64) })
	}
}

// benchCase is one benchmarked product: c (m, n) += a (m, k) · b (k, n),
// a and b in the given layouts, on up to workers goroutines.
type benchCase struct {
	name    string
	m, n, k int
	al, bl  layout
	workers int
}

func benchMulAdd[T float32 | float64](b *testing.B, s benchCase, mulAdd func(c, a, b View[T], workers int)) {
	r := rand.New(rand.NewPCG(1, 1))
	a, bm := randMat[T](r, s.m, s.k, 0, s.al), randMat[T](r, s.k, s.n, 0, s.bl)
	c := dense(s.m, s.n, make([]T, s.m*s.n))
	for b.Loop() {
		mulAdd(c, a, bm, s.workers)
	}
	b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkKernel is the micro-kernel alone on one core, kc deep; pair is
// the AVX-512 kernel on two tiles side by side (twice the work a call).
func BenchmarkKernel(b *testing.B) {
	a, bp, c := make([]float32, kc*mr), make([]float32, kc*nr), make([]float32, mr*nr)
	benchKernel(b, mr*nr*kc,
		func() { kernel(kc, a, bp, c, nr) },
		func() { kernelGo(kc, a, bp, c, nr) })
	b.Run("pair", func(b *testing.B) {
		if !wide {
			b.Skip("no AVX-512")
		}
		b1, c2 := make([]float32, kc*nr), make([]float32, mr*2*nr)
		for b.Loop() {
			kernelPair(kc, a, bp, b1, c2, 2*nr)
		}
		b.ReportMetric(2*float64(2*mr*nr*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

// BenchmarkKernel64 is the float64 micro-kernel alone on one core, kc64
// deep.
func BenchmarkKernel64(b *testing.B) {
	a, bp, c := make([]float64, kc64*mr64), make([]float64, kc64*nr64), make([]float64, mr64*nr64)
	benchKernel(b, mr64*nr64*kc64,
		func() { kernel64(kc64, a, 1, mr64, bp, nr64, c, nr64) },
		func() { kernel64Go(kc64, a, 1, mr64, bp, nr64, c, nr64) })
}

// benchKernel runs a kernel of madds multiply-adds as asm and as go.
func benchKernel(b *testing.B, madds int, asm, goKernel func()) {
	for _, name := range []string{"asm", "go"} {
		b.Run(name, func(b *testing.B) {
			if name == "asm" && !fused {
				b.Skip("no AVX2 and FMA")
			}
			f := asm
			if name == "go" {
				f = goKernel
			}
			for b.Loop() {
				f()
			}
			b.ReportMetric(2*float64(madds)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
