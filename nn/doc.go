// Package nn builds networks on gorgonia graphs from parameters that outlive
// any one graph.
//
// Params owns every learnable tensor and every batch-norm statistic of a
// model, created once from the experiment's seeded generator. A Builder binds
// them into one graph: a training graph and an evaluation graph built from
// the same Params share the very same tensors, which is how sslrun switches
// between train and eval mode without gorgonia's shared VM state.
//
// The Builder's layers are the vocabulary a component needs: Linear, Conv,
// BatchNorm, ReLU, MaxPool, GlobalAvgPool, Add (residual connections),
// Concat and Rows (stacking and taking blocks of the batch axis). Each
// makes only op kinds in ops.Allowed, so a component built of them runs on
// either engine; Concat and Rows are ops.ConcatRows and ops.Rows, not
// gorgonia's Concat and Slice, which Allowed leaves out.
package nn
