// Package gemm multiplies float32 matrices (MulAdd) and float64 matrices
// (MulAdd64): c += a·b, with a and b given as strided views (so a transpose
// is free) and c row-major. A view is a View, Mat for float32 and Mat64 for
// float64; the two products share its checks and their split over
// goroutines, and each has its own tile sizes and micro-kernel.
//
// It is the packed, blocked algorithm of BLIS and OpenBLAS: b is copied in
// blocks of kc rows by nc columns into panels of nr = 16 columns, a in
// blocks of mc rows by kc columns into panels of mr = 6 rows, and a
// micro-kernel multiplies one a panel by one b panel into a 6x16 tile of c
// held in registers. On amd64 with AVX2 and FMA the micro-kernel is
// assembly (12 accumulators of 8 floats, fused multiply-adds); with
// AVX-512 too, a second kernel multiplies one a panel by two b panels at
// once (12 accumulators of 16 floats), each element's products fused and
// summed in the same order, so its results are bitwise the AVX2 kernel's;
// elsewhere it is plain Go.
//
// MulAddA and MulAddB take one operand as a Source, which packs its own
// blocks into the same panels: a matrix that is never laid out whole, such
// as a convolution's im2col matrix, packed straight from the image. The
// packed values are the same, so the products are bitwise MulAdd's.
//
// The float64 product is the same algorithm with 6x8 tiles (12 accumulators
// of 4 doubles) and one difference: a skinny product, whose c has at most
// two tiles' worth of columns, or of rows with b row-major, reads its large
// operand in place through its strides instead of packing it, since each
// of its panels would be read at most twice. Standardize widens float32
// rows into float64 operands, (x - mean) * scale per column, with AVX2
// where the CPU has it. The linear probe (components/evaluate) uses both.
//
// Every element of c is c + t_0 + t_1 + ..., added in that order, where
// t_b is the sum of the products of the b-th block of kc terms (256 in
// both precisions), accumulated in order from zero. Work is spread over
// goroutines by contiguous ranges of c's rows or columns, which never
// changes that order: the result is bitwise the same whatever the number
// of workers. It does depend on the kernel (fused or not), so two machines
// agree bitwise only when both have, or both lack, AVX2 and FMA.
package gemm
