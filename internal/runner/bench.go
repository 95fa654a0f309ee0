package runner

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/sslrun/sslrun/components/schedule"
	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/internal/buildinfo"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/pipeline"
	"github.com/sslrun/sslrun/internal/procstat"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/internal/xla"
)

// BenchOptions say how much Bench measures.
type BenchOptions struct {
	// Steps is the number of timed training steps, after one untimed
	// warm-up step (at least 1).
	Steps int
	// Batch is the number of source images per step (0: the spec's
	// batch_size).
	Batch int
	// AugmentImages is how many source images the augmentation measurement
	// makes at least (whole batches; at least 1). The XLA engine leaves
	// the augmentation out: the CPU engine's bench measures the loader.
	AugmentImages int
	// Device, when set, times the step lowered to one XLA program on it
	// (engine "xla", benchStepsXLA) instead of on the CPU engine.
	Device *xla.Device
}

// BenchResult is what Bench measured: `sslrun bench` prints it as one JSON
// line, and scripts/bench_torch.py prints the same fields for PyTorch.
// Images are source images, each with all its views.
type BenchResult struct {
	Experiment string `json:"experiment"`
	Backbone   string `json:"backbone"`
	// Views are the spec's view blocks as COUNTxSIZE joined by "+", e.g.
	// "2x32+6x18" (COUNTxHxW for views that are not square).
	Views   string `json:"views"`
	Batch   int    `json:"batch"`
	Steps   int    `json:"steps"`
	Threads int    `json:"threads"` // GOMAXPROCS
	// StepImagesPerS and SecondsPerStep time whole training steps: forward,
	// backward and the optimizer's update.
	StepImagesPerS float64 `json:"step_images_per_s"`
	SecondsPerStep float64 `json:"seconds_per_step"`
	// PeakRSSMB is the peak resident memory (VmHWM, MiB) right after the
	// steps, before any data is loaded.
	PeakRSSMB float64 `json:"peak_rss_mb"`
	// AugmentImages were made by the data loader on Threads cores;
	// AugmentImagesPerSPerCore divides the rate by Threads.
	AugmentImages            int     `json:"augment_images,omitempty"`
	AugmentImagesPerS        float64 `json:"augment_images_per_s,omitempty"`
	AugmentImagesPerSPerCore float64 `json:"augment_images_per_s_per_core,omitempty"`
	GoVersion                string  `json:"go_version"`
	// Engine and Device are set by the XLA engine only ("xla" and the
	// PJRT device), which leaves the augmentation fields out.
	Engine string `json:"engine,omitempty"`
	Device string `json:"device,omitempty"`
	// Precision is what the XLA engine's step computed in: the spec's
	// train precision, fp32 or bf16.
	Precision string `json:"precision,omitempty"`
}

// benchStream is the stream, next to the experiment's seed, of the
// generator that fills the benchmark's inputs.
const benchStream = 0x62656e6368 // "bench"

// Bench measures the speed of exp's training step and of its data
// pipeline, once the memory estimate says the machine can hold them. First
// the step: the training loop's own step (runner/train.go) on the spec's
// model, objective and optimizer at its peak learning rate,
// as at the start of a run (epoch 0: the objective's state as at its
// first step, heads frozen where the spec says), on inputs of the views' shapes filled from
// the seed; then the peak resident memory, read before the dataset is
// opened; then the spec's views made from the training dataset by the
// pipeline's loader on all cores (GOMAXPROCS). Cancelling ctx stops it
// between steps and batches with ctx's error.
func Bench(ctx context.Context, exp *spec.Experiment, opts BenchOptions) (*BenchResult, error) {
	batch := opts.Batch
	if batch == 0 {
		batch = exp.Train.BatchSize
	}
	switch {
	case opts.Steps < 1:
		return nil, fmt.Errorf("bench: %d steps, want at least 1", opts.Steps)
	case batch < 1:
		return nil, fmt.Errorf("bench: batch of %d images, want at least 1", batch)
	case opts.AugmentImages < 1 && opts.Device == nil:
		return nil, fmt.Errorf("bench: %d augmented images, want at least 1", opts.AugmentImages)
	case len(exp.Views) == 0:
		return nil, fmt.Errorf("%s has no view blocks", exp.File)
	}
	if opts.Device == nil {
		if err := checkCPUPrecision(exp); err != nil {
			return nil, err
		}
		if err := checkBenchMemory(ctx, exp, batch); err != nil {
			return nil, err
		}
	}
	p, err := buildParts(exp)
	if err != nil {
		return nil, err
	}
	c, h, w, err := pipeline.ImageShape(ctx, exp, exp.Train.Dataset)
	if err != nil {
		return nil, err
	}
	if err := pipeline.CheckChannels(p.views, c); err != nil {
		return nil, err
	}
	res := &BenchResult{Experiment: exp.Name, Backbone: exp.Backbone.ID, Batch: batch, Steps: opts.Steps,
		Threads: runtime.GOMAXPROCS(0), GoVersion: buildinfo.GoVersion()}
	// The views of a blank image have the shapes of every image's views.
	made := pipeline.Apply(p.views, imaging.New(c, h, w), uint64(exp.Seed), 0, 0)
	var shapes []model.Shape
	var blocks []string
	for _, v := range made {
		shapes = append(shapes, model.Shape{batch, v.C, v.H, v.W})
	}
	k := 0
	for _, v := range p.views {
		size := fmt.Sprint(made[k].H)
		if made[k].W != made[k].H {
			size += fmt.Sprintf("x%d", made[k].W)
		}
		blocks = append(blocks, fmt.Sprintf("%dx%s", v.Count, size))
		k += v.Count
	}
	res.Views = strings.Join(blocks, "+")

	var secs float64
	if opts.Device != nil {
		res.Engine, res.Device, res.Precision = "xla", opts.Device.String(), exp.Train.Precision
		secs, err = benchStepsXLA(ctx, exp, p, shapes, opts.Steps, opts.Device)
	} else {
		secs, err = benchSteps(ctx, exp, p, shapes, opts.Steps)
	}
	if err != nil {
		return nil, err
	}
	res.SecondsPerStep = secs / float64(opts.Steps)
	res.StepImagesPerS = float64(batch*opts.Steps) / secs
	if res.PeakRSSMB, err = procstat.PeakRSSMiB(); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if opts.Device != nil {
		return res, nil
	}

	images, secs, err := benchAugment(ctx, exp, p.views, batch, opts.AugmentImages)
	if err != nil {
		return nil, err
	}
	res.AugmentImages = images
	res.AugmentImagesPerS = float64(images) / secs
	res.AugmentImagesPerSPerCore = res.AugmentImagesPerS / float64(res.Threads)
	return res, nil
}

// benchSteps runs one untimed training step and then steps timed ones on
// inputs of the given shapes, and returns the seconds they took.
func benchSteps(ctx context.Context, exp *spec.Experiment, p *parts, shapes []model.Shape, steps int) (float64, error) {
	// Warmup schedules would start near 0; any rate costs the same.
	p.schedule = schedule.Constant{}
	b := shapes[0][0]
	t := &trainer{exp: exp, p: p, shapes: shapes, graphs: map[int]*stepGraph{}, log: zerolog.Nop(),
		peak: p.optimizer.LR(b), perEpoch: 1, total: 1}
	defer t.close()
	rng := rand.New(rand.NewPCG(uint64(exp.Seed), benchStream))
	in := &pipeline.Batch{Indices: make([]int, b), Labels: make([]int, b)}
	for _, s := range shapes {
		x := pipeline.Tensor{N: s[0], C: s[1], H: s[2], W: s[3], Data: make([]float32, s[0]*s[1]*s[2]*s[3])}
		for i := range x.Data {
			x.Data[i] = float32(rng.NormFloat64())
		}
		in.Views = append(in.Views, x)
	}
	var start time.Time
	for i := range steps + 1 {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if i == 1 { // the first step built the graph and its buffers
			start = time.Now()
		}
		if err := t.step(in); err != nil {
			return 0, fmt.Errorf("bench: %w", err)
		}
	}
	return time.Since(start).Seconds(), nil
}

// benchAugment makes the views of at least n source images of the training
// dataset, batch by batch, and returns how many it made in how many seconds.
func benchAugment(ctx context.Context, exp *spec.Experiment, views []pipeline.View, batch, n int) (int, float64, error) {
	data, err := pipeline.OpenDataset(ctx, exp, exp.Train.Dataset)
	if err != nil {
		return 0, 0, err
	}
	l := &pipeline.Loader{Data: data, Views: views, Seed: uint64(exp.Seed), BatchSize: batch, Prefetch: exp.Train.Prefetch}
	images, start := 0, time.Now()
	for epoch := 0; images < n; epoch++ {
		for b, err := range l.Epoch(ctx, epoch, 0) {
			if err != nil {
				return 0, 0, fmt.Errorf("bench: augmenting dataset %q: %w", exp.Train.Dataset, err)
			}
			if images += len(b.Indices); images >= n {
				break
			}
		}
	}
	return images, time.Since(start).Seconds(), nil
}
