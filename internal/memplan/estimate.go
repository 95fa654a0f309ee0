package memplan

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"

	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/components/evaluate"
	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/components/optimizer"
	"github.com/sslrun/sslrun/internal/engine"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/pipeline"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/registry"
)

// runtimeBytes is what the sslrun process holds before a run allocates
// anything: the Go runtime, the program and its tables (21 MiB measured by
// `sslrun bench` on a one-layer convnet with batch 4).
const runtimeBytes = 24 << 20

// exactViews is the most views whose training graph is built whole. More
// views make gorgonia's graph building slow (it grows with the square of
// the nodes), so the step is measured at three smaller view counts in the
// same proportions and extrapolated by the quadratic through them: a loss
// over V views grows at most with V² (nt_xent's (V*B, V*B) similarities).
const exactViews = 128

// sampleViews are the view counts an extrapolated step is measured at.
var sampleViews = [3]int{32, 64, 96}

// Options say which run is estimated.
type Options struct {
	// Batch is the number of source images per step (0: the spec's
	// batch_size).
	Batch int
	// Bench estimates what `sslrun bench` holds: the step on inputs it keeps
	// twice, then the training set and its loader; no evaluation, no
	// checkpoints, no short last batch.
	Bench bool
	// EvalBatch is the number of images per run of the evaluation graph
	// (the runner's; at least 1 unless Bench).
	EvalBatch int
	// Budget stops the estimate once its cheap items (inputs, datasets,
	// loader) exceed it, before any graph is built, and marks the plan
	// Partial (0: no budget).
	Budget int64
}

// IncompleteError is what Estimate returns for a spec that lacks a block a
// run needs (views, a backbone, an objective, an optimizer): there is no
// run to estimate.
type IncompleteError struct {
	File, Block string
}

func (e *IncompleteError) Error() string { return fmt.Sprintf("%s has no %s block", e.File, e.Block) }

// Estimate returns what a run of exp needs, item by item. It reads the
// header of the training set's first image and lists image folders; it
// decodes no set and allocates nothing in proportion to the spec's sizes.
func Estimate(ctx context.Context, exp *spec.Experiment, opts Options) (*Plan, error) {
	for _, b := range []struct {
		missing bool
		what    string
	}{
		{len(exp.Views) == 0, "view"},
		{exp.Backbone == nil, "backbone"},
		{exp.Objective == nil, "objective"},
		{exp.Optimizer == nil, "optimizer"},
	} {
		if b.missing {
			return nil, &IncompleteError{File: exp.File, Block: b.what}
		}
	}
	batch := opts.Batch
	if batch == 0 {
		batch = exp.Train.BatchSize
	}
	if batch < 1 {
		return nil, fmt.Errorf("memory estimate: batch of %d images", batch)
	}
	if !opts.Bench && opts.EvalBatch < 1 {
		return nil, fmt.Errorf("memory estimate: evaluation batch of %d images", opts.EvalBatch)
	}
	views, err := pipeline.BuildViews(exp)
	if err != nil {
		return nil, err
	}
	c, h, w, err := pipeline.ImageShape(ctx, exp, exp.Train.Dataset)
	if err != nil {
		return nil, err
	}
	if err := pipeline.CheckChannels(views, c); err != nil {
		return nil, err
	}
	blocks, err := viewBlocks(views, c, h, w)
	if err != nil {
		return nil, err
	}
	var n int64
	for _, b := range blocks {
		n = addSat(n, int64(b.count))
	}
	p := &Plan{Experiment: exp.Name, Batch: batch, Views: int(n)}
	e := &estimator{exp: exp, opts: opts, plan: p, batch: batch, source: [3]int{c, h, w}, blocks: blocks, sizes: map[string]setSize{}}
	e.plan.add(Step, runtimeBytes, "Go runtime and program")
	if err := e.cheap(ctx); err != nil {
		return nil, err
	}
	if opts.Budget > 0 && p.Total > opts.Budget {
		p.Partial = true
		return p, nil
	}
	if err := e.graphs(); err != nil {
		return nil, err
	}
	return p, nil
}

// estimator holds what the parts of an estimate share.
type estimator struct {
	exp    *spec.Experiment
	opts   Options
	plan   *Plan
	batch  int
	source [3]int // (C, H, W) of the training set's first image
	blocks []block
	sizes  map[string]setSize
}

// block is a view block: count views of one (C, H, W).
type block struct {
	count int
	shape [3]int
}

// viewBlocks is every view block's count and (C, H, W) for source images
// of c x h x w.
func viewBlocks(views []pipeline.View, c, h, w int) ([]block, error) {
	var out []block
	for _, v := range views {
		vc, vh, vw, err := pipeline.OutputShape(v, c, h, w)
		if err != nil {
			return nil, fmt.Errorf("%w, so the memory the run needs cannot be estimated", err)
		}
		out = append(out, block{v.Count, [3]int{vc, vh, vw}})
	}
	return out, nil
}

// expand is the (C, H, W) of every view of the blocks.
func expand(blocks []block) [][3]int {
	var out [][3]int
	for _, b := range blocks {
		for range b.count {
			out = append(out, b.shape)
		}
	}
	return out
}

// imageBytes is the size of a float32 image or batch of the given shape.
func imageBytes(n int, s [3]int) int64 {
	return mulSat(int64(n), int64(s[0]), int64(s[1]), int64(s[2]), 4)
}

// cheap adds the items that need no graph: the step's inputs, the
// datasets and the data loader.
func (e *estimator) cheap(ctx context.Context) error {
	var batchBytes int64 // every view of one batch
	for _, b := range e.blocks {
		batchBytes = addSat(batchBytes, mulSat(int64(b.count), imageBytes(e.batch, b.shape)))
	}
	copies := int64(1)
	if e.opts.Bench {
		copies = 2 // the inputs it fills, then the graph's
	}
	e.plan.add(Step, mulSat(batchBytes, copies), "step inputs (%d views of %d images)", e.plan.Views, e.batch)

	names := []string{e.exp.Train.Dataset}
	if !e.opts.Bench {
		splits, _, _, err := evalSplits(e.exp)
		if err != nil {
			return err
		}
		for _, n := range splits {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	for _, name := range names {
		s, err := datasetSize(ctx, e.exp, name)
		if err != nil {
			return err
		}
		e.sizes[name] = s
		if !s.known {
			e.plan.Unsized = append(e.plan.Unsized, name)
			continue
		}
		e.plan.add(Data, s.bytes, "dataset %q (%d images)", name, s.images)
	}

	prefetch := max(e.exp.Train.Prefetch, 1)
	workers := e.exp.Train.Workers
	if workers <= 0 || e.opts.Bench {
		workers = runtime.GOMAXPROCS(0)
	}
	// A worker holds its source image, the copy a view is being made of and
	// the views made.
	perWorker := mulSat(imageBytes(1, e.source), 2)
	for _, b := range e.blocks {
		perWorker = addSat(perWorker, mulSat(int64(b.count), imageBytes(1, b.shape)))
	}
	loader := addSat(mulSat(int64(prefetch+2), batchBytes), mulSat(int64(workers), perWorker))
	if s := e.sizes[e.exp.Train.Dataset]; s.known {
		loader = addSat(loader, mulSat(int64(s.images), 8)) // the epoch's order
	}
	e.plan.add(Data, loader, "data loader (%d batches ahead, %d workers)", prefetch, workers)
	return nil
}

// graphs adds the items measured on the run's graphs: parameters,
// gradients, optimizer state, the step's activations, the objective's
// state, evaluation and checkpoints.
func (e *estimator) graphs() error {
	step, m, g, err := e.step(e.batch)
	if err != nil {
		return err
	}
	params := paramBytes(m.Params)
	for _, name := range m.Params.BNNames() {
		params = addSat(params, mulSat(int64(m.Params.BN(name, 0).Channels()), 8))
	}
	e.plan.add(Step, params, "parameters and batch-norm statistics")
	e.plan.add(Step, step.Kept, "gradients")
	opt, err := registry.New[optimizer.Optimizer](e.exp.Optimizer.ID, e.exp.Optimizer.Params)
	if err != nil {
		return fmt.Errorf("optimizer: %w", err)
	}
	var state int64
	if s, ok := opt.(interface{ StateBuffers() int }); ok {
		state = mulSat(paramBytes(m.Params), int64(s.StateBuffers()))
	}
	e.plan.add(Step, state, "optimizer state")
	e.plan.add(Step, addSat(addSat(addSat(step.Pooled, step.Transient), step.Scratch), step.Constants), "activations of the training step")
	// What the ops allocate afresh is garbage until the collector runs;
	// `sslrun bench` measures two steps' worth of it beside what is live.
	e.plan.add(Step, mulSat(step.Churn, 2), "garbage between collections")
	if meth, ok := m.Objective.(objective.Method); ok {
		// A benchmark runs steps of the first epoch only.
		epoch := -1
		if e.opts.Bench {
			epoch = 0
		}
		e.plan.add(Step, meth.StateBytes(e.batch, g.TapShapes(), epoch), "the objective's state")
	}
	if e.opts.Bench {
		return nil
	}
	if s := e.sizes[e.exp.Train.Dataset]; s.known && !e.exp.Train.DropLast && s.images%e.batch != 0 && s.images > e.batch {
		short, _, _, err := e.step(s.images % e.batch)
		if err != nil {
			return err
		}
		e.plan.add(Step, short.Total(), "the short last batch's step (%d images)", s.images%e.batch)
	}
	e.plan.add(Other, mulSat(addSat(params, state), 2), "checkpoint writing")
	return e.evaluation(m, params)
}

// paramBytes is the size of the learnable parameters, at most
// math.MaxInt64.
func paramBytes(ps *nn.Params) int64 {
	var n int64
	for _, p := range ps.List() {
		b := int64(4)
		for _, d := range p.Shape() {
			b = mulSat(b, int64(d))
		}
		n = addSat(n, b)
	}
	return n
}

// evaluation adds the evaluation graph, the features it extracts, the
// baseline model and the raw pixels of the sets a block scores them on.
func (e *estimator) evaluation(m *model.Model, params int64) error {
	if len(e.exp.Evaluate) == 0 {
		return nil
	}
	eb := e.opts.EvalBatch
	s := e.blocks[0].shape
	g, err := m.Features(model.Shape{eb, s[0], s[1], s[2]})
	if err != nil {
		return err
	}
	f, err := engine.Measure(g.G, g.Output)
	if err != nil {
		return err
	}
	e.plan.add(Other, addSat(f.Total(), imageBytes(eb, s)), "evaluation graph (%d images)", eb)
	dim := int64(g.Output.Shape()[1])
	names, baseline, pixels, err := evalSplits(e.exp)
	if err != nil {
		return err
	}
	values := int64(s[0]) * int64(s[1]) * int64(s[2]) // a preprocessed image's C*H*W
	var features, raw int64
	anyBaseline := false
	for _, n := range names {
		sz := e.sizes[n]
		if !sz.known {
			continue
		}
		// The features, their labels, and the evaluator's working copy; the
		// baseline's are kept beside them.
		b := mulSat(int64(sz.images), addSat(mulSat(dim, 8), 8))
		if baseline[n] {
			b = mulSat(b, 2)
			anyBaseline = true
		}
		features = addSat(features, b)
		if pixels[n] {
			// The same for the flattened images: the matrix, its labels
			// and kNN's normalised copy.
			raw = addSat(raw, mulSat(int64(sz.images), addSat(mulSat(values, 8), 8)))
		}
	}
	e.plan.add(Other, features, "evaluation features (%d per image)", dim)
	if anyBaseline {
		e.plan.add(Other, params, "the baseline's initial parameters")
	}
	if raw > 0 {
		e.plan.add(Other, raw, "raw pixels of the evaluation sets (%d per image)", values)
	}
	return nil
}

// step measures the training step at batch b on a model of its own:
// exactly for up to exactViews views, else extrapolated from three smaller
// view counts in the same proportions. It returns the footprint, the model
// (its symbolic parameters all created) and the graph it last built.
func (e *estimator) step(b int) (engine.Footprint, *model.Model, *model.Graph, error) {
	if e.plan.Views <= exactViews {
		return measureStep(e.exp, shapes(expand(e.blocks), b))
	}
	var xs [3]float64
	var fs [3]engine.Footprint
	var m *model.Model
	var g *model.Graph
	for i, n := range sampleViews {
		fewer := make([]block, len(e.blocks))
		for k, bl := range e.blocks {
			fewer[k] = block{max(1, int(math.Round(float64(bl.count)*float64(n)/float64(e.plan.Views)))), bl.shape}
		}
		var err error
		views := expand(fewer)
		if fs[i], m, g, err = measureStep(e.exp, shapes(views, b)); err != nil {
			return engine.Footprint{}, nil, nil, err
		}
		xs[i] = float64(len(views))
	}
	v := float64(e.plan.Views)
	fit := func(part func(engine.Footprint) int64) int64 {
		var ys [3]float64
		for i := range fs {
			ys[i] = float64(part(fs[i]))
		}
		return quadratic(xs, ys, v)
	}
	return engine.Footprint{
		Pooled:    fit(func(f engine.Footprint) int64 { return f.Pooled }),
		Kept:      fit(func(f engine.Footprint) int64 { return f.Kept }),
		Transient: fit(func(f engine.Footprint) int64 { return f.Transient }),
		Scratch:   fit(func(f engine.Footprint) int64 { return f.Scratch }),
		Constants: fit(func(f engine.Footprint) int64 { return f.Constants }),
		Churn:     fit(func(f engine.Footprint) int64 { return f.Churn }),
	}, m, g, nil
}

// shapes is the model's input shapes for batches of b.
func shapes(views [][3]int, b int) []model.Shape {
	out := make([]model.Shape, len(views))
	for i, s := range views {
		out[i] = model.Shape{b, s[0], s[1], s[2]}
	}
	return out
}

// measureStep builds exp's model on symbolic parameters and its training
// graph for the given inputs, and measures the graph with what the trainer
// keeps: the loss, the gradients, the embeddings.
func measureStep(exp *spec.Experiment, in []model.Shape) (engine.Footprint, *model.Model, *model.Graph, error) {
	m, err := model.FromSpec(exp, nn.NewSymbolicParams())
	if err != nil {
		return engine.Footprint{}, nil, nil, err
	}
	g, err := m.Train(in)
	if err != nil {
		return engine.Footprint{}, nil, nil, fmt.Errorf("building the training graph: %w", err)
	}
	keep := append(append(G.Nodes{g.Output}, g.Grads...), g.TapNodes()...)
	f, err := engine.Measure(g.G, keep...)
	if err != nil {
		return engine.Footprint{}, nil, nil, fmt.Errorf("training graph: %w", err)
	}
	return f, m, g, nil
}

// quadratic evaluates at x the parabola through (xs[i], ys[i]), no lower
// than the largest y, at most math.MaxInt64.
func quadratic(xs, ys [3]float64, x float64) int64 {
	var y float64
	for i := range xs {
		l := 1.0
		for j := range xs {
			if j != i {
				l *= (x - xs[j]) / (xs[i] - xs[j])
			}
		}
		y += ys[i] * l
	}
	y = max(y, ys[0], ys[1], ys[2])
	if y >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(y)
}

// evalSplits are the datasets the evaluate blocks read, without repeats,
// and whether any block scores one at initialisation or its raw pixels
// too.
func evalSplits(exp *spec.Experiment) (names []string, baseline, pixels map[string]bool, err error) {
	baseline, pixels = map[string]bool{}, map[string]bool{}
	for _, ev := range exp.Evaluate {
		ee, err := registry.New[evaluate.Evaluator](ev.ID, ev.Params)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("evaluate %s: %w", ev.ID, err)
		}
		tr, te := ee.Splits()
		for _, n := range []string{tr, te} {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
			baseline[n] = baseline[n] || ee.Baseline()
			pixels[n] = pixels[n] || ee.Pixels()
		}
	}
	return names, baseline, pixels, nil
}
