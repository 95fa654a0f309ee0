// Package head holds the layer stacks put on top of a backbone: SimCLR's and
// SwAV's projection MLPs and the linear classifier used for evaluation. Each
// is one file that registers itself; a head wires itself to the width of
// whatever feeds it, so users never repeat a backbone's feature dimension.
package head
