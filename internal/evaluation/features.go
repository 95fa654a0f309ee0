package evaluation

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"time"

	"github.com/rs/zerolog"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/components/augment"
	"github.com/sslrun/sslrun/components/dataset"
	"github.com/sslrun/sslrun/components/evaluate"
	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/internal/engine"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/pipeline"
	"github.com/sslrun/sslrun/internal/progress"
	"github.com/sslrun/sslrun/internal/xla"
	"github.com/sslrun/sslrun/registry"
)

// maxBatch is the most images per run of the evaluation graph.
const maxBatch = 200

// Transforms is the deterministic preprocessing of evaluation images:
// every image brought to the first view's output size (see fitSize; images
// of that size, as CIFAR's, pass as they are), then the first view's
// trailing invertible steps (its normalize). The sample, an image of the
// pretraining set, tells the view's output size.
func Transforms(views []pipeline.View, sample *imaging.Image) ([]augment.Transform, error) {
	if len(views) == 0 {
		return nil, fmt.Errorf("no view block: evaluation takes its image size and normalisation from the first view")
	}
	first := views[0]
	first.Count = 1
	out := pipeline.Apply([]pipeline.View{first}, sample, 0, 0, 0)[0]
	if out.H != out.W {
		return nil, fmt.Errorf("view %q makes %dx%d images; evaluation needs square ones", first.Name, out.W, out.H)
	}
	resize, err := registry.Build[augment.Transform]("augment.resize", map[string]any{"size": int(math.Round(float64(out.H) / 0.875))})
	if err != nil {
		return nil, err
	}
	crop, err := registry.Build[augment.Transform]("augment.center_crop", map[string]any{"size": out.H})
	if err != nil {
		return nil, err
	}
	steps := []augment.Transform{&fitSize{size: out.H, resize: resize, crop: crop}}
	tail := len(first.Steps)
	for tail > 0 {
		if _, ok := first.Steps[tail-1].(augment.Inverter); !ok {
			break
		}
		tail--
	}
	return append(steps, first.Steps[tail:]...), nil
}

// fitSize brings an image to size x size by the ImageNet evaluation
// protocol, a resize of its shorter side to size/0.875 and a centre crop,
// unless it already is size x size: a set whose images differ in size
// comes out in one size, and a set of the view's size unchanged.
type fitSize struct {
	size         int
	resize, crop augment.Transform
}

// Apply draws nothing from rng.
func (f *fitSize) Apply(src *imaging.Image, rng *rand.Rand) *imaging.Image {
	if src.H == f.size && src.W == f.size {
		return src
	}
	return f.crop.Apply(f.resize.Apply(src, rng), rng)
}

// BatchSize is the number of images per run of the evaluation graph
// for a training batch of trainBatch source images: at most maxBatch, and
// never more than a training step takes, whose graph runs every view of
// them forward and backward, so that evaluation's peak memory stays below
// training's.
func BatchSize(trainBatch int) int { return max(1, min(maxBatch, trainBatch)) }

// Extract runs the model's evaluation graph (batch norm in eval
// mode) over every image of d, preprocessed by prep, batch images at a
// time, and returns the backbone features with their labels. Images are
// loaded a batch at a time and each batch's features go straight into the
// feature matrix; p shows the progress. With rt set the graph runs there,
// lowered to one program (xla.Lower) whose weights and batch-norm
// statistics are set once from the model's; otherwise on the CPU engine.
func Extract(ctx context.Context, m *model.Model, d dataset.Dataset, name string, prep []augment.Transform, batch int, p *progress.Progress, rt xla.Runtime) (evaluate.Features, error) {
	// What the run has let go of (the training graphs, an earlier set's
	// features graph) is collected and handed back to the system first:
	// otherwise the garbage collector, paced by the heap that training
	// left, lets this graph's buffers pile up on top of it.
	debug.FreeOSMemory()
	var out evaluate.Features
	n := d.Len()
	load := func(i int) (*imaging.Image, error) {
		img, err := d.Image(i)
		if err != nil {
			return nil, fmt.Errorf("dataset %q: %w", name, err)
		}
		for _, s := range prep {
			img = s.Apply(img, nil)
		}
		return img, nil
	}
	first, err := load(0)
	if err != nil {
		return out, err
	}
	batch = min(batch, n)
	g, err := m.Features(model.Shape{batch, first.C, first.H, first.W})
	if err != nil {
		return out, err
	}
	per := len(first.Pix)
	x := make([]float32, batch*per) // (B, C, H, W)
	if err := G.Let(g.Inputs[0], tensor.New(tensor.WithShape(batch, first.C, first.H, first.W), tensor.WithBacking(x))); err != nil {
		return out, err
	}
	runBatch, closeRun, err := featureRunner(g, rt, batch, first)
	if err != nil {
		return out, err
	}
	defer closeRun()
	out.Labels = make([]int, n)
	for i := range n {
		if out.Labels[i] = d.Label(i); out.Labels[i] < 0 {
			return out, fmt.Errorf("dataset %q is unlabeled (image %d); evaluation needs labels", name, i)
		}
	}
	shown := &featureProgress{p: p, name: name, total: n, began: time.Now()}
	for lo := 0; lo < n; lo += batch {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		k := min(batch, n-lo)
		for j := range batch {
			img, err := load(lo + min(j, k-1)) // a short last batch repeats its last image
			if err != nil {
				return out, err
			}
			if len(img.Pix) != per {
				return out, fmt.Errorf("dataset %q: image %d is %dx%dx%d after preprocessing, image 0 %dx%dx%d", name, lo+j, img.C, img.H, img.W, first.C, first.H, first.W)
			}
			copy(x[j*per:], img.Pix)
		}
		f, err := runBatch(x) // (B, D)
		if err != nil {
			return out, fmt.Errorf("features of %q: %w", name, err)
		}
		if out.Data == nil {
			out.Dim = len(f) / batch
			out.Data = make([]float32, 0, n*out.Dim) // (N, D)
		}
		out.Data = append(out.Data, f[:k*out.Dim]...)
		shown.update(lo+k, time.Now())
	}
	return out, nil
}

// featureRunner prepares g, the evaluation graph at batch images shaped
// as first, to run on rt (nil: the CPU engine, with g's input bound to
// the batch buffer Extract fills). run returns the features of
// the batch x, (B, C, H, W), as (B, D), valid until its next call; done
// releases what it holds.
func featureRunner(g *model.Graph, rt xla.Runtime, batch int, first *imaging.Image) (run func(x []float32) ([]float32, error), done func(), err error) {
	if rt == nil {
		vm, err := engine.New(g.G, g.Output)
		if err != nil {
			return nil, nil, fmt.Errorf("features graph: %w", err)
		}
		return func([]float32) ([]float32, error) {
			vm.Reset()
			if err := vm.RunAll(); err != nil {
				return nil, err
			}
			return g.Output.Value().Data().([]float32), nil
		}, func() { vm.Close() }, nil
	}
	prog, err := xla.Lower(g.G, g.Inputs, G.Nodes{g.Output}, "features")
	if err != nil {
		return nil, nil, fmt.Errorf("lowering the evaluation graph: %w", err)
	}
	sess, err := rt.Compile(prog)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", rt, err)
	}
	if err := sess.SetHost(); err != nil {
		sess.Close()
		return nil, nil, fmt.Errorf("%s: %w", rt, err)
	}
	shape := []int{batch, first.C, first.H, first.W}
	return func(x []float32) ([]float32, error) {
		if err := sess.Set(0, xla.Array{Shape: shape, Data: x}); err != nil {
			return nil, err
		}
		res, err := sess.Run(0)
		if err != nil {
			return nil, err
		}
		return res[0].Data.([]float32), nil
	}, func() { sess.Close() }, nil
}

// featureLineEvery is how often feature extraction prints a line when its
// progress is not shown on a terminal.
const featureLineEvery = 30 * time.Second

// featureProgress shows how far the extraction of one set's features (or
// the reading of its pixels) has got, as training shows its steps: a line
// redrawn in place on a terminal, otherwise a line every
// featureLineEvery.
type featureProgress struct {
	p            *progress.Progress // nil: nothing is shown
	name         string
	pixels       bool // the set's pixels are read, not its features
	total        int
	began, drawn time.Time
}

// update reports that done of the images are through at time now.
func (f *featureProgress) update(done int, now time.Time) {
	p := f.p
	if p == nil {
		return
	}
	since := f.drawn
	if since.IsZero() {
		since = f.began
	}
	switch {
	case p.Terminal() && done < f.total && now.Sub(since) < 200*time.Millisecond:
		return
	case !p.Terminal() && now.Sub(since) < featureLineEvery:
		return
	}
	f.drawn = now
	took := now.Sub(f.began)
	rate := float64(done) / took.Seconds()
	left := time.Duration(float64(f.total-done) / rate * float64(time.Second)).Round(time.Second)
	what := "features"
	if f.pixels {
		what = "pixels"
	}
	p.Show(fmt.Sprintf("%s of %q: %d/%d images  %.1f img/s  %s left", what, f.name, done, f.total, rate, left))
}

// Setup is the evaluation preprocessing and the batch shape it makes.
type Setup struct {
	Prep  []augment.Transform
	Shape model.Shape // (B, C, H, W), B the largest evaluation batch
}

// Prepare derives the evaluation preprocessing from the first view and
// sample, an image of the pretraining dataset.
func Prepare(views []pipeline.View, sample *imaging.Image) (*Setup, error) {
	prep, err := Transforms(views, sample)
	if err != nil {
		return nil, err
	}
	img := sample // Transforms left it as it was
	for _, s := range prep {
		img = s.Apply(img, nil)
	}
	return &Setup{Prep: prep, Shape: model.Shape{maxBatch, img.C, img.H, img.W}}, nil
}

// Protocol is one evaluate block: its key in the summary (the ID without
// "evaluate.", plus the block's name if any) and its evaluator.
type Protocol struct {
	Name string
	Eval evaluate.Evaluator
}

// Result is one protocol's scores, with the backbone at initialisation
// when its block asked for a baseline and the raw pixels when it asked for
// pixels.
type Result struct {
	evaluate.Result
	Baseline *evaluate.Result `json:"baseline,omitempty"`
	Pixels   *evaluate.Result `json:"pixels,omitempty"`
}

// Suite is a run's evaluations of one model: what they need and nothing
// of the run that trained it.
type Suite struct {
	Protocols []Protocol
	Model     *model.Model
	// Initial builds the backbone at its seeded initialisation, for the
	// protocols that ask for a baseline.
	Initial func() (*model.Model, error)
	// Dataset opens the dataset block called name.
	Dataset  func(ctx context.Context, name string) (dataset.Dataset, error)
	Setup    *Setup
	Batch    int                // images per run of the features graph
	Progress *progress.Progress // nil: nothing shown
	Log      zerolog.Logger     // an eval event per score
	// XLA extracts the features on that runtime; nil: the CPU engine.
	XLA xla.Runtime
}

// source is what a set's vectors are computed from.
type source int

const (
	trained source = iota // the backbone under evaluation
	initial               // the backbone at its seeded initialisation
	pixels                // the preprocessed images themselves, flattened
)

// sources are the sources protocol e scores, in the order it scores them.
func sources(e evaluate.Evaluator) []source {
	out := []source{trained}
	if e.Baseline() {
		out = append(out, initial)
	}
	if e.Pixels() {
		out = append(out, pixels)
	}
	return out
}

// Run scores every protocol on the model and, where asked, on the
// initial backbone and on the raw pixels. Each set's vectors are computed
// once per source and kept until the last protocol that reads them is
// done, so the pixels of a set, which do not depend on any weights, are
// read once for every protocol that asks for them.
func (s *Suite) Run(ctx context.Context) (map[string]Result, error) {
	if len(s.Protocols) == 0 {
		return nil, nil
	}
	type key struct {
		src  source
		name string
	}
	last := map[key]int{} // the index of the last protocol that reads a set
	for i, e := range s.Protocols {
		tr, te := e.Eval.Splits()
		for _, src := range sources(e.Eval) {
			last[key{src, tr}], last[key{src, te}] = i, i
		}
	}
	cache := map[key]evaluate.Features{}
	var initModel *model.Model
	vectors := func(src source, name string) (evaluate.Features, error) {
		if f, ok := cache[key{src, name}]; ok {
			return f, nil
		}
		d, err := s.Dataset(ctx, name)
		if err != nil {
			return evaluate.Features{}, err
		}
		var f evaluate.Features
		switch src {
		case pixels:
			s.Progress.Say("reading the pixels of %q (%d images)", name, d.Len())
			f, err = Pixels(ctx, d, name, s.Setup.Prep, s.Progress)
		default:
			m := s.Model
			if src == initial {
				if initModel == nil {
					if initModel, err = s.Initial(); err != nil {
						return evaluate.Features{}, err
					}
				}
				m = initModel
			}
			s.Progress.Say("extracting features of %q (%d images)%s", name, d.Len(), map[bool]string{true: " at initialisation"}[src == initial])
			f, err = Extract(ctx, m, d, name, s.Setup.Prep, s.Batch, s.Progress, s.XLA)
		}
		if err != nil {
			return f, err
		}
		cache[key{src, name}] = f
		return f, nil
	}
	out := map[string]Result{}
	for i, e := range s.Protocols {
		trName, teName := e.Eval.Splits()
		d, err := s.Dataset(ctx, trName)
		if err != nil {
			return nil, err
		}
		classes := len(d.Classes())
		score := func(src source) (*evaluate.Result, error) {
			tr, err := vectors(src, trName)
			if err != nil {
				return nil, err
			}
			te, err := vectors(src, teName)
			if err != nil {
				return nil, err
			}
			began := time.Now()
			res, err := e.Eval.Evaluate(ctx, tr, te, classes)
			if err != nil {
				return nil, fmt.Errorf("evaluate %s: %w", e.Name, err)
			}
			s.Log.Info().Str("event", "eval").Str("protocol", e.Name).Bool("baseline", src == initial).Bool("pixels", src == pixels).
				Float64("top1", res.Top1).Float64("top5", res.Top5).Float64("seconds", time.Since(began).Seconds()).Msg("")
			s.Progress.Say("%s%s: top-1 %.2f%%, top-5 %.2f%%", e.Name, [...]string{"", " (initialisation)", " (raw pixels)"}[src], 100*res.Top1, 100*res.Top5)
			return &res, nil
		}
		var r Result
		for _, src := range sources(e.Eval) {
			res, err := score(src)
			if err != nil {
				return nil, err
			}
			switch src {
			case trained:
				r.Result = *res
			case initial:
				r.Baseline = res
			case pixels:
				r.Pixels = res
			}
		}
		out[e.Name] = r
		for k, l := range last {
			if l == i {
				delete(cache, k)
			}
		}
	}
	return out, nil
}
