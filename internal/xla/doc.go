// Package xla lowers a gorgonia graph of the op kinds in ops.Allowed, a
// training graph with its gradients included, to one StableHLO program
// (text, built with github.com/gomlx/go-xla's stablehlo package), for XLA
// to compile and run through PJRT on an accelerator (issue 16).
//
// Lower walks the graph in the order engine.Machine runs it and emits each
// node's computation: this project's own ops lower themselves
// (ops.Lowerer, beside each op's forward and backward), gorgonia's
// built-ins through a table here, keyed by ops.KindOf. The program's
// arguments are, in order, the inputs the caller names, the graph's other
// leaves (parameters: nodes holding values, such as weights) by node ID,
// and the state ops read outside the graph's values (batch-norm running
// statistics, a Sinkhorn queue's scores) in order of first use; constants are
// inlined. Its results are the outputs the caller names, then the new
// value of every state an op updates (a training batch norm's running
// mean, variance and count of batches), so that one run of the program
// does what one run of engine.Machine does, side effects included.
//
// LowerStep lowers a whole training step the same way and adds the
// optimizer's update (optimizer.Lowerer, beside each optimizer's Step):
// the learning rate and per-group freeze flags are arguments, and the
// parameters, optimizer state and running statistics are donated to their
// updated results so that they stay on the device between steps.
//
// Numerics: ops compute in their nodes' dtype (float32) except where the
// CPU engine deliberately accumulates in float64 (sslrun.sum, the
// Sinkhorn-Knopp codes), which lower to float64 too. Products use XLA's
// default precision.
package xla
