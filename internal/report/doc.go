// Package report draws the loss and learning-rate curves of a training run
// folder as a PNG.
//
// A run folder holds log.jsonl, the run's zerolog JSON log with one event per
// line, and, once the run has ended, summary.json. [ReadLog] parses the log:
// "step" events give the loss and learning rate after a global optimizer
// step, "epoch" events the mean loss of an epoch, "eval" events the score of
// an evaluation protocol and the "start" event the experiment's name and
// seed. Other events, lines without an "event" field and fields this package
// does not know are ignored, so the log can grow new events and fields. A
// resumed run appends to the same log and may redo steps and epochs; the
// line logged last for a step or an epoch wins.
//
// [Plot] reads a run folder and renders a 1000×600 pixel PNG (10×6 inches at
// 100 dpi) with two panels sharing the step axis: the loss of every logged
// step as a line, with the mean loss of each epoch as a point halfway
// through the epoch, and below it the learning rate. Non-finite values are
// left out. The title names the experiment, its seed and its number of
// steps, and gives the top-1 accuracy of each evaluation protocol in
// summary.json next to the score of the randomly initialised network and
// that of the raw pixels, where the run has them. While
// summary.json is absent, as during a run, the title gives the experiment
// and seed of the start event and the last logged step instead.
//
// The rendering uses the Liberation Sans font embedded in gonum.org/v1/plot
// through a font cache of this package's own, and a fixed size and
// resolution, so the same run folder gives the same PNG bytes on a given
// platform and Go release.
package report
