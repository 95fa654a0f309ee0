package hloeval

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/x448/float16"
)

// randomFloat32s returns float32 values spread over every exponent, with
// the float32 edge cases.
func randomFloat32s(n int) []float32 {
	r := rand.New(rand.NewPCG(1, 2))
	xs := []float32{0, float32(math.Copysign(0, -1)), math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32,
		float32(math.Inf(1)), float32(math.Inf(-1)), 65504, 65519.99, 65520, 3.3895314e38, 3.3961775e38, 3.3961778e38}
	for len(xs) < n {
		xs = append(xs, math.Float32frombits(r.Uint32()))
	}
	return xs
}

// TestRoundF16 checks f16 rounding and decoding against the x448/float16
// package, an independent implementation working on bit patterns.
func TestRoundF16(t *testing.T) {
	for b := 0; b < 1<<16; b++ {
		h := float16.Frombits(uint16(b))
		got := halfFromBits(uint16(b))
		if want := float64(h.Float32()); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("halfFromBits(%#04x) = %v, want %v", b, got, want)
		}
		if !h.IsNaN() && halfBits(got) != uint16(b) {
			t.Fatalf("halfBits(%v) = %#04x, want %#04x", got, halfBits(got), b)
		}
	}
	for _, x := range randomFloat32s(200000) {
		got := roundTo("f16", float64(x))
		want := float64(float16.Fromfloat32(x).Float32())
		if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("roundTo(f16, %v) = %v, want %v", x, got, want)
		}
	}
}

// TestRoundBF16 checks bf16 rounding against the usual bit trick: add
// 0x7fff plus the lowest kept bit to the float32 pattern and drop the low
// 16 bits, which rounds to nearest even.
func TestRoundBF16(t *testing.T) {
	for _, x := range randomFloat32s(200000) {
		if x != x {
			continue
		}
		bits := math.Float32bits(x)
		bits += 0x7fff + (bits>>16)&1
		want := float64(math.Float32frombits(bits &^ 0xffff))
		if got := roundTo("bf16", float64(x)); got != want {
			t.Fatalf("roundTo(bf16, %v) = %v, want %v", x, got, want)
		}
	}
}
