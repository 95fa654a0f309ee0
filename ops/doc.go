// Package ops holds the gorgonia ops this project writes itself and the one
// list of op kinds a training graph may contain.
//
// Each own op keeps its forward pass, backward pass, shape rule and
// lowering to StableHLO (Lowerer, lower.go) side by side in one file, and
// its backward is itself a registered op kind, so every node of a
// differentiated graph is in Allowed. Keeping that set small and explicit
// is what lets package xla lower the same graph (forward and backward
// nodes alike) to another backend op by op.
package ops
