// Package nn builds networks on gorgonia graphs from parameters that outlive
// any one graph.
//
// Params owns every learnable tensor and every batch-norm statistic of a
// model, created once from the experiment's seeded generator. A Builder binds
// them into one graph: a training graph and an evaluation graph built from
// the same Params share the very same tensors, which is how sslrun switches
// between train and eval mode without gorgonia's shared VM state.
package nn
