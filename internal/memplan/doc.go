// Package memplan estimates the memory a run of an experiment needs before
// anything large is allocated, and refuses a run the machine cannot hold.
//
// The estimate builds the run's very graphs on symbolic parameters
// (nn.NewSymbolicParams: shapes, no values) and measures what the executor
// would allocate for them (engine.Measure), so a new backbone, head or
// objective is estimated without a formula of its own. Around the graphs it
// adds what the components report: the optimizer's buffers per parameter,
// the objective's state (objective.Method), the decoded size of each preloaded
// dataset, and the data loader's prefetched batches. `sslrun bench`
// measures the training step's real peak; the estimate of the same step is
// checked against it on the shipped recipes (testdata/bench_peaks.json).
package memplan
