// Package model wires a resolved spec's network components (backbone,
// heads, objective) into gorgonia graphs over one set of parameters: a
// training graph from every view of a batch to the loss, and a feature graph
// for evaluation. Views of one size share a pass through the backbone, and
// every view size reuses the same weight nodes.
package model
