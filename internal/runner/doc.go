// Package runner does the job of `sslrun run`, `resume` and `eval`: it
// builds an experiment's components and runs the training loop (on the CPU
// engine or an XLA runtime), composing the packages that each hold one
// part of a run: runfolder (the folder, its lock and log), checkpoint (the
// checkpoint format), evaluation (features and protocols) and progress
// (what a person sees). The folder it keeps (spec, resolved config,
// JSON-lines log, checkpoints, the exported backbone and a summary) lets a
// run be seen, repeated, resumed and re-evaluated.
//
// Every random draw of a run derives from the experiment's seed: parameter
// initialisation from a generator seeded once, and every augmentation and
// the data order from (seed, epoch, image index) in the pipeline. A
// checkpoint therefore holds the position in the data (epoch and step)
// rather than generator states, and a resumed run replays exactly the
// batches an uninterrupted one would have seen.
//
// Bench measures what `sslrun bench` prints: the speed and peak memory of
// the training loop's step and the speed of the data pipeline for a spec.
package runner
