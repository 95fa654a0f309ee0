// Package hloeval is a test-only evaluator of the StableHLO subset that
// sslrun's XLA lowering emits. It exists so that the lowering can be proven
// correct on machines without a PJRT plugin: a lowered program is printed by
// go-xla's stablehlo builder, parsed here and run with naive loops over the
// output index, and its results are compared with the CPU engine's.
//
// The evaluator favours being obviously correct over being fast. Every value
// is a Tensor holding float64 elements in row-major order whatever its
// element type, and every op rounds its results to the element type it
// declares (float32 rounding for f32, round-to-nearest-even for bf16 and
// f16, truncation and two's-complement wrapping for integers, 0/1 for i1).
// Op semantics follow the StableHLO specification
// (https://openxla.org/stablehlo/spec).
//
// Parse reads a whole module in the generic form go-xla's Builder.Build
// prints; Module.Run runs its @main function and checks every operand and
// result against the types each statement declares, so that a disagreement
// between the lowering's shape arithmetic and the op semantics is reported
// at the statement's line rather than as a wrong number far downstream.
//
// Supported ops: constant, iota; the element-wise add, subtract, multiply,
// divide, remainder, power, maximum, minimum, atan2, and, or, xor, negate,
// abs, sign, exponential, exponential_minus_one, log, log_plus_one, sqrt,
// rsqrt, cbrt, tanh, logistic, sine, cosine, tan, floor, ceil,
// round_nearest_even, round_nearest_afz, not, is_finite; compare (every
// direction, FLOAT, TOTALORDER, SIGNED and UNSIGNED), select, clamp,
// convert, bitcast_convert between f32 and i32/ui32 and between bf16 or f16
// and i16/ui16; broadcast_in_dim, reshape, transpose, slice, dynamic_slice,
// dynamic_update_slice, concatenate, pad, reverse; dot_general,
// convolution (any dimension numbers, strides, padding, lhs and rhs
// dilation, window reversal, feature and batch groups); reduce,
// reduce_window and select_and_scatter with any body; gather, scatter;
// batch_norm_training, batch_norm_inference, batch_norm_grad; and
// stablehlo.return or func.return ending a function.
//
// Not supported: complex, quantized and dynamically shaped types, tuples,
// control flow (while, if, case), calls between functions, sort, rng,
// fft, custom_call, collectives, shifts, popcnt and count_leading_zeros, and
// MLIR's pretty-printed op syntax. 64-bit integers are exact only up to
// 2^53 in magnitude.
//
// Where the spec leaves a choice, the evaluator makes the plainest one:
// dot_general, convolution and batch norm accumulate in float64 and round
// once; reduce and reduce_window fold their body over the elements in
// row-major order; an integer division by zero gives -1 and its remainder
// the dividend; a float converted to an integer saturates, NaN giving 0.
package hloeval
