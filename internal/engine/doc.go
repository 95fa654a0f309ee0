// Package engine runs gorgonia graphs with planned memory.
//
// gorgonia's TapeMachine gives every node of a graph its own value buffer
// for as long as the machine lives (its register allocator shares a buffer
// only with an op that overwrites its input), so a training graph holds
// every activation and every gradient at once: for resnet18 at 2x64 images
// of 32x32 that is 1.9 GB of buffers. A Machine runs the same nodes in the
// same topological order but hands each op an output buffer from a pool
// and returns the buffer once the last node that reads it has run, so only
// the values still needed share memory at any time. After the first run
// the pool holds all it needs and a run allocates no tensors.
//
// Results are those of the TapeMachine: each op computes from the same
// inputs, whatever buffer it writes into.
package engine
