// Package pipeline turns the data half of a resolved spec into batches: it
// opens datasets, builds each view's augmentation steps through the
// registry, and loads epochs on all cores with prefetching.
//
// Every random draw is a pure function of (seed, epoch, sample index, view
// index) via SampleRNG, so a batch is the same bytes whatever the number of
// workers, and a run can resume at any step.
package pipeline
