package gemm

// Standardize writes (float64(src[j]) - mean[j]) * scale[j] to dst[j] for
// every j < len(src): float32 rows widened and standardised into the
// float64 operands of MulAdd64. The result is bitwise that of the plain Go
// expression (a subtraction, then a multiplication, each rounded). It
// panics when dst, mean or scale is shorter than src.
func Standardize(dst []float64, src []float32, mean, scale []float64) {
	n := len(src)
	dst, mean, scale = dst[:n], mean[:n], scale[:n]
	j := standardizeFast(dst, src, mean, scale)
	for ; j < n; j++ {
		dst[j] = (float64(src[j]) - mean[j]) * scale[j]
	}
}
