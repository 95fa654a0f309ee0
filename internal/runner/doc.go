// Package runner does the whole job of `sslrun run`: it builds an
// experiment's components, pretrains, evaluates, and keeps a run folder
// (spec, resolved config, JSON-lines log, checkpoints, the exported backbone
// and a summary) from which a run can be seen, repeated, resumed and
// re-evaluated.
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
