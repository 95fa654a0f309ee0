// Package ops holds the gorgonia ops this project writes itself and the one
// list of op kinds a training graph may contain.
//
// Each own op keeps its forward pass, backward pass, shape rule and
// lowering to StableHLO (Lowerer, lower.go) side by side in one file, and
// its backward is itself a registered op kind, so every node of a
// differentiated graph is in Allowed. Keeping that set small and explicit
// is what lets package xla lower the same graph (forward and backward
// nodes alike) to another backend op by op.
//
// gorgonia's Concat and Slice are not in Allowed: Slice hashes its bounds
// as single bytes, so rows [0, 256) and [256, 512) become one node, and
// Concat's gradient, split by Slice, is silently wrong at 256 rows. Rows
// and ConcatRows take rows apart and stack them instead.
//
// A plugin adds an op kind of its own with Register, from init(): the op
// implements Kinded with a namespaced kind ("myplugin.clip"), and Lowerer
// to run on the XLA engine (see the example).
package ops
