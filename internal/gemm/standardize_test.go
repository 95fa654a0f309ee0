package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestStandardize compares Standardize, with and without the assembly,
// bit for bit with the plain Go expression at lengths around the assembly's
// step of 8, and checks that it writes nothing past len(src).
func TestStandardize(t *testing.T) {
	kernels := []bool{false}
	if fused {
		kernels = append(kernels, true)
	}
	defer func(f bool) { fused = f }(fused)
	for _, n := range []int{0, 1, 7, 8, 9, 16, 23, 3072} {
		for _, fused = range kernels {
			r := rand.New(rand.NewPCG(uint64(n), 7))
			src := make([]float32, n)
			mean, scale := make([]float64, n+1), make([]float64, n+1)
			for j := range src {
				src[j] = float32(100 * r.NormFloat64())
				mean[j] = r.NormFloat64()
				scale[j] = 1 / (0.1 + r.Float64())
			}
			dst := make([]float64, n+1)
			dst[n] = math.NaN()
			Standardize(dst, src, mean, scale)
			for j, v := range src {
				if want := (float64(v) - mean[j]) * scale[j]; math.Float64bits(dst[j]) != math.Float64bits(want) {
					t.Fatalf("n %d, fused %v: dst[%d] = %v, want %v", n, fused, j, dst[j], want)
				}
			}
			if !math.IsNaN(dst[n]) {
				t.Fatalf("n %d, fused %v: wrote past the end", n, fused)
			}
		}
	}
}

func TestStandardizePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic with a short dst")
		}
	}()
	Standardize(make([]float64, 15), make([]float32, 16), make([]float64, 16), make([]float64, 16))
}
