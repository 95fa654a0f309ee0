#include "textflag.h"

// func kernel6x16(kb int, a, b, c *float32, ldc int)
//
// c (6, 16, row stride ldc) += a (kb x 6, packed) · b (kb x 16, packed).
// Y4..Y15 hold the tile, two registers of 8 per row; each step l loads
// b's row l into Y0, Y1 and broadcasts a's six elements into Y2, Y3 in
// turn: t[i][j] = fma(a[l][i], b[l][j], t[i][j]) in order of l.
TEXT ·kernel6x16(SB), NOSPLIT, $0-40
	MOVQ kb+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

loop:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VBROADCASTSS 0(SI), Y2
	VFMADD231PS Y0, Y2, Y4
	VFMADD231PS Y1, Y2, Y5
	VBROADCASTSS 4(SI), Y3
	VFMADD231PS Y0, Y3, Y6
	VFMADD231PS Y1, Y3, Y7
	VBROADCASTSS 8(SI), Y2
	VFMADD231PS Y0, Y2, Y8
	VFMADD231PS Y1, Y2, Y9
	VBROADCASTSS 12(SI), Y3
	VFMADD231PS Y0, Y3, Y10
	VFMADD231PS Y1, Y3, Y11
	VBROADCASTSS 16(SI), Y2
	VFMADD231PS Y0, Y2, Y12
	VFMADD231PS Y1, Y2, Y13
	VBROADCASTSS 20(SI), Y3
	VFMADD231PS Y0, Y3, Y14
	VFMADD231PS Y1, Y3, Y15
	ADDQ $24, SI
	ADDQ $64, DI
	DECQ CX
	JNZ loop

	// c += t, row by row.
	VADDPS (DX), Y4, Y4
	VMOVUPS Y4, (DX)
	VADDPS 32(DX), Y5, Y5
	VMOVUPS Y5, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y6, Y6
	VMOVUPS Y6, (DX)
	VADDPS 32(DX), Y7, Y7
	VMOVUPS Y7, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y8, Y8
	VMOVUPS Y8, (DX)
	VADDPS 32(DX), Y9, Y9
	VMOVUPS Y9, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y10, Y10
	VMOVUPS Y10, (DX)
	VADDPS 32(DX), Y11, Y11
	VMOVUPS Y11, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y12, Y12
	VMOVUPS Y12, (DX)
	VADDPS 32(DX), Y13, Y13
	VMOVUPS Y13, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y14, Y14
	VMOVUPS Y14, (DX)
	VADDPS 32(DX), Y15, Y15
	VMOVUPS Y15, 32(DX)
	VZEROUPPER
	RET

// func kernel6x32(kb int, a, b0, b1, c *float32, ldc int)
//
// c (6, 32, row stride ldc) += a (kb x 6, packed) · [b0 b1] (kb x 16 each,
// packed), with AVX-512: Z4..Z15 hold the two tiles, one register of 16
// per row and tile; each step l loads row l of b0 into Z0 and of b1 into
// Z1 and broadcasts a's six elements into Z2, Z3 in turn: t[i][j] =
// fma(a[l][i], b[l][j], t[i][j]) in order of l, as kernel6x16 computes.
TEXT ·kernel6x32(SB), NOSPLIT, $0-48
	MOVQ kb+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b0+16(FP), DI
	MOVQ b1+24(FP), BX
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R8
	SHLQ $2, R8
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15

loop32:
	VMOVUPS (DI), Z0
	VMOVUPS (BX), Z1
	VBROADCASTSS 0(SI), Z2
	VFMADD231PS Z0, Z2, Z4
	VFMADD231PS Z1, Z2, Z5
	VBROADCASTSS 4(SI), Z3
	VFMADD231PS Z0, Z3, Z6
	VFMADD231PS Z1, Z3, Z7
	VBROADCASTSS 8(SI), Z2
	VFMADD231PS Z0, Z2, Z8
	VFMADD231PS Z1, Z2, Z9
	VBROADCASTSS 12(SI), Z3
	VFMADD231PS Z0, Z3, Z10
	VFMADD231PS Z1, Z3, Z11
	VBROADCASTSS 16(SI), Z2
	VFMADD231PS Z0, Z2, Z12
	VFMADD231PS Z1, Z2, Z13
	VBROADCASTSS 20(SI), Z3
	VFMADD231PS Z0, Z3, Z14
	VFMADD231PS Z1, Z3, Z15
	ADDQ $24, SI
	ADDQ $64, DI
	ADDQ $64, BX
	DECQ CX
	JNZ loop32

	// c += t, row by row.
	VADDPS (DX), Z4, Z4
	VMOVUPS Z4, (DX)
	VADDPS 64(DX), Z5, Z5
	VMOVUPS Z5, 64(DX)
	ADDQ R8, DX
	VADDPS (DX), Z6, Z6
	VMOVUPS Z6, (DX)
	VADDPS 64(DX), Z7, Z7
	VMOVUPS Z7, 64(DX)
	ADDQ R8, DX
	VADDPS (DX), Z8, Z8
	VMOVUPS Z8, (DX)
	VADDPS 64(DX), Z9, Z9
	VMOVUPS Z9, 64(DX)
	ADDQ R8, DX
	VADDPS (DX), Z10, Z10
	VMOVUPS Z10, (DX)
	VADDPS 64(DX), Z11, Z11
	VMOVUPS Z11, 64(DX)
	ADDQ R8, DX
	VADDPS (DX), Z12, Z12
	VMOVUPS Z12, (DX)
	VADDPS 64(DX), Z13, Z13
	VMOVUPS Z13, 64(DX)
	ADDQ R8, DX
	VADDPS (DX), Z14, Z14
	VMOVUPS Z14, (DX)
	VADDPS 64(DX), Z15, Z15
	VMOVUPS Z15, 64(DX)
	VZEROUPPER
	RET

// func kernel6x8(kb int, a *float64, rsA, csA int, b *float64, ldb int, c *float64, ldc int)
//
// kernel6x16 for float64, with a and b read through strides: c (6, 8,
// row stride ldc) += a (6 x kb, element (i, l) at a[i*rsA + l*csA]) ·
// b (kb x 8, row l at b[l*ldb]). Y4..Y15 hold the tile, two registers of
// 4 per row; each step l loads b's row l into Y0, Y1 and broadcasts a's
// six elements of column l into Y2, Y3 in turn: t[i][j] = fma(a[i][l],
// b[l][j], t[i][j]) in order of l. SI walks a's column l, at offsets 0,
// rsA, 2rsA, 3rsA (R10), 4rsA, 5rsA (R11) bytes.
TEXT ·kernel6x8(SB), NOSPLIT, $0-64
	MOVQ kb+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ rsA+16(FP), R9
	MOVQ csA+24(FP), R12
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R13
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $3, R9
	SHLQ $3, R12
	SHLQ $3, R13
	SHLQ $3, R8
	LEAQ (R9)(R9*2), R10
	LEAQ (R9)(R9*4), R11
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	VXORPD Y12, Y12, Y12
	VXORPD Y13, Y13, Y13
	VXORPD Y14, Y14, Y14
	VXORPD Y15, Y15, Y15

loop64:
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1
	VBROADCASTSD (SI), Y2
	VFMADD231PD Y0, Y2, Y4
	VFMADD231PD Y1, Y2, Y5
	VBROADCASTSD (SI)(R9*1), Y3
	VFMADD231PD Y0, Y3, Y6
	VFMADD231PD Y1, Y3, Y7
	VBROADCASTSD (SI)(R9*2), Y2
	VFMADD231PD Y0, Y2, Y8
	VFMADD231PD Y1, Y2, Y9
	VBROADCASTSD (SI)(R10*1), Y3
	VFMADD231PD Y0, Y3, Y10
	VFMADD231PD Y1, Y3, Y11
	VBROADCASTSD (SI)(R9*4), Y2
	VFMADD231PD Y0, Y2, Y12
	VFMADD231PD Y1, Y2, Y13
	VBROADCASTSD (SI)(R11*1), Y3
	VFMADD231PD Y0, Y3, Y14
	VFMADD231PD Y1, Y3, Y15
	ADDQ R12, SI
	ADDQ R13, DI
	DECQ CX
	JNZ loop64

	// c += t, row by row.
	VADDPD (DX), Y4, Y4
	VMOVUPD Y4, (DX)
	VADDPD 32(DX), Y5, Y5
	VMOVUPD Y5, 32(DX)
	ADDQ R8, DX
	VADDPD (DX), Y6, Y6
	VMOVUPD Y6, (DX)
	VADDPD 32(DX), Y7, Y7
	VMOVUPD Y7, 32(DX)
	ADDQ R8, DX
	VADDPD (DX), Y8, Y8
	VMOVUPD Y8, (DX)
	VADDPD 32(DX), Y9, Y9
	VMOVUPD Y9, 32(DX)
	ADDQ R8, DX
	VADDPD (DX), Y10, Y10
	VMOVUPD Y10, (DX)
	VADDPD 32(DX), Y11, Y11
	VMOVUPD Y11, 32(DX)
	ADDQ R8, DX
	VADDPD (DX), Y12, Y12
	VMOVUPD Y12, (DX)
	VADDPD 32(DX), Y13, Y13
	VMOVUPD Y13, 32(DX)
	ADDQ R8, DX
	VADDPD (DX), Y14, Y14
	VMOVUPD Y14, (DX)
	VADDPD 32(DX), Y15, Y15
	VMOVUPD Y15, 32(DX)
	VZEROUPPER
	RET

// func standardize8(n int, dst *float64, src *float32, mean, scale *float64)
//
// dst[j] = (float64(src[j]) - mean[j]) * scale[j] for j < n, n a positive
// multiple of 8: eight elements a step, in two registers of four doubles.
TEXT ·standardize8(SB), NOSPLIT, $0-40
	MOVQ n+0(FP), CX
	MOVQ dst+8(FP), DI
	MOVQ src+16(FP), SI
	MOVQ mean+24(FP), R8
	MOVQ scale+32(FP), R9
	SHRQ $3, CX

loopstd:
	VCVTPS2PD (SI), Y0
	VCVTPS2PD 16(SI), Y1
	VSUBPD (R8), Y0, Y0
	VSUBPD 32(R8), Y1, Y1
	VMULPD (R9), Y0, Y0
	VMULPD 32(R9), Y1, Y1
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	ADDQ $32, SI
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, DI
	DECQ CX
	JNZ loopstd
	VZEROUPPER
	RET
