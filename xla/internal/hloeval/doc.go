// Package hloeval is a test-only evaluator of the StableHLO subset that
// sslrun's XLA lowering emits. It exists so that the lowering can be proven
// correct on machines without a PJRT plugin: a lowered program is printed by
// go-xla's stablehlo builder, parsed here and run with naive nested loops
// over the output index, and its results are compared with the CPU engine's.
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
package hloeval
