package runner

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/rs/zerolog"

	"github.com/sslrun/sslrun/components/dataset"
	"github.com/sslrun/sslrun/components/optimizer"
	"github.com/sslrun/sslrun/internal/atomicfile"
	"github.com/sslrun/sslrun/internal/buildinfo"
	"github.com/sslrun/sslrun/internal/checkpoint"
	"github.com/sslrun/sslrun/internal/evaluation"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/pipeline"
	"github.com/sslrun/sslrun/internal/progress"
	"github.com/sslrun/sslrun/internal/runfolder"
	"github.com/sslrun/sslrun/internal/safetensors"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/internal/xla"
)

// Files of a run folder (see package runfolder).
const (
	SpecFile         = runfolder.SpecFile
	ConfigFile       = runfolder.ConfigFile
	LogFile          = runfolder.LogFile
	SummaryFile      = runfolder.SummaryFile
	BackboneFile     = runfolder.BackboneFile
	LatestCheckpoint = runfolder.LatestCheckpoint
)

// Options control a run.
type Options struct {
	// Out is the run folder; empty means runs/<experiment>-<time>.
	Out string
	// Vars are the --var values given on the command line, recorded in
	// config.json (the spec was loaded with them).
	Vars map[string]string
	// MaxSteps stops pretraining after this many steps in all (0: no limit
	// for Run, the run's own limit for Resume); the evaluations still run.
	MaxSteps int
	// ToEnd makes Resume train to the end of the spec's epochs, dropping the
	// step limit the run was started with.
	ToEnd bool
	// Progress receives progress for people (nil: none); Terminal redraws
	// one line in place.
	Progress io.Writer
	Terminal bool
	// XLA trains on an XLA runtime (the XLA engine: each step one lowered
	// program, the state kept by the runtime between steps) instead of the
	// CPU engine when set. Evaluation extracts its features there too, on
	// the weights read back from the training programs (one lowered
	// features program per set and backbone); the probes themselves (kNN,
	// linear) run on the host. Run, Resume and Evaluate do not close it.
	XLA xla.Runtime
}

// Config is config.json: the resolved experiment and what else decides the
// run's results.
type Config struct {
	Experiment json.RawMessage `json:"experiment"`
	// SpecPath is the absolute path the spec was loaded from: relative paths
	// in it resolve from its folder when the run is resumed.
	SpecPath  string            `json:"spec_path"`
	Version   string            `json:"sslrun_version"`
	GoVersion string            `json:"go_version"`
	MaxProcs  int               `json:"gomaxprocs"`
	Vars      map[string]string `json:"variables_given"`
	// MaxSteps is the run's step limit (0: none), which resuming keeps.
	MaxSteps int `json:"max_steps,omitempty"`
	// Datasets holds a sha256 of the decoded content (labels and pixels) of
	// every dataset block the run reads.
	Datasets map[string]string `json:"dataset_sha256"`
	// Engine is the engine that trains (EngineCPU or EngineXLA), Device
	// what it runs on; resuming on another engine rewrites both. Neither
	// is part of the experiment's hash, so checkpoints move between
	// engines.
	Engine string `json:"engine"`
	Device string `json:"device"`
}

// Summary is summary.json.
type Summary struct {
	Experiment  string  `json:"experiment"`
	Seed        int     `json:"seed"`
	Steps       int     `json:"steps"`
	FinalLoss   float64 `json:"final_loss"`
	WallSeconds float64 `json:"wall_seconds"`
	// ImagesPerS is the training speed of the process that finished the
	// run, absent when it trained no step (it only evaluated).
	ImagesPerS float64               `json:"images_per_s,omitempty"`
	Eval       map[string]EvalResult `json:"eval,omitempty"`
}

// EvalResult is one protocol's scores, with the backbone at initialisation
// when its block asked for a baseline and the raw pixels when it asked for
// pixels.
type EvalResult = evaluation.Result

// Result is what Run, Resume and Evaluate leave.
type Result struct {
	Dir     string
	Summary *Summary
	// Finished is set by Resume on a run that had already ended: nothing
	// was done and Summary is the run's summary.json.
	Finished bool
}

// run is one invocation on a run folder.
type run struct {
	dir      string
	exp      *spec.Experiment
	cfg      *Config
	hash     string // sha256 of cfg.Experiment
	p        *parts
	opts     Options
	log      zerolog.Logger
	logw     *runfolder.Log
	datasets map[string]dataset.Dataset
	progress *progress.Progress
	began    time.Time
	// limitChanged says that Resume was given a new step limit, to record
	// in config.json.
	limitChanged bool
	// started is set once training begins: a run that fails before keeps
	// nothing.
	started bool
}

// Run pretrains and evaluates exp (loaded from src with opts.Vars) in a new
// run folder. What can be checked (the components, the data) is checked
// before the folder is made, and a start that fails before training
// removes what it wrote.
func Run(ctx context.Context, exp *spec.Experiment, src []byte, opts Options) (res *Result, err error) {
	if opts.XLA == nil {
		if err := checkCPUPrecision(exp); err != nil {
			return nil, err
		}
	}
	if err := checkMemory(ctx, exp); err != nil {
		return nil, err
	}
	if opts.Out != "" {
		if _, err := os.Stat(opts.Out); err == nil {
			if err := runfolder.CheckEmpty(opts.Out); err != nil {
				return nil, err
			}
		}
	}
	expJSON, err := json.Marshal(exp)
	if err != nil {
		return nil, err
	}
	specPath, err := filepath.Abs(exp.File)
	if err != nil {
		return nil, err
	}
	cfg := &Config{Experiment: expJSON, SpecPath: specPath, Version: buildinfo.Version(), GoVersion: buildinfo.GoVersion(),
		MaxProcs: runtime.GOMAXPROCS(0), Vars: opts.Vars, MaxSteps: opts.MaxSteps, Datasets: map[string]string{}}
	cfg.Engine, cfg.Device = engineOf(opts)
	if cfg.Vars == nil {
		cfg.Vars = map[string]string{}
	}
	r, err := newRun(exp, cfg, opts)
	if err != nil {
		return nil, err
	}
	if opts.XLA != nil {
		if err := checkXLA(exp, r.p); err != nil {
			return nil, err
		}
	}
	for _, name := range r.datasetNames() {
		d, err := r.dataset(ctx, name)
		if err != nil {
			return nil, r.interrupted(ctx, err)
		}
		if cfg.Datasets[name], err = contentHash(d); err != nil {
			return nil, fmt.Errorf("dataset %q: %w", name, err)
		}
	}
	if err := r.checkSplits(ctx); err != nil {
		return nil, err
	}
	dir, lock, created, err := runfolder.Create(opts.Out, exp.Name)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	defer func() {
		if err != nil && !r.started {
			r.close()
			runfolder.Clear(dir, created)
		}
	}()
	if err := r.open(dir); err != nil {
		return nil, err
	}
	defer r.close()
	if err := atomicfile.Write(filepath.Join(dir, SpecFile), func(w io.Writer) error { _, err := w.Write(src); return err }); err != nil {
		return nil, err
	}
	if err := runfolder.WriteJSON(filepath.Join(dir, ConfigFile), cfg); err != nil {
		return nil, err
	}
	r.log.Info().Str("event", "start").RawJSON("config", mustJSON(cfg)).Msg("run started")
	r.progress.Say("run folder %s", dir)
	return r.train(ctx, nil)
}

// Resume continues the run in dir from its latest checkpoint, up to the
// end of its epochs or the step limit it was started with; opts.MaxSteps
// or opts.ToEnd set another limit, which the run then keeps. A finished run
// is left as it is: the Result says so.
func Resume(ctx context.Context, dir string, opts Options) (*Result, error) {
	r, lock, err := openRun(ctx, dir, opts, "resume")
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	defer r.close()
	if opts.XLA == nil {
		if err := checkCPUPrecision(r.exp); err != nil {
			return nil, err
		}
	}
	if opts.ToEnd || opts.MaxSteps > 0 {
		limit := opts.MaxSteps
		if opts.ToEnd {
			limit = 0
		}
		r.limitChanged = limit != r.cfg.MaxSteps
		r.cfg.MaxSteps = limit
	}
	path := filepath.Join(dir, "checkpoints", LatestCheckpoint)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%s has no checkpoint to resume from: %w", dir, err)
	}
	if opts.XLA != nil {
		if err := checkXLA(r.exp, r.p); err != nil {
			return nil, err
		}
	}
	return r.train(ctx, &path)
}

// Evaluate runs the experiment's evaluations on the backbone a finished run
// exported (and at initialisation where asked) and rewrites summary.json.
func Evaluate(ctx context.Context, dir string, opts Options) (*Result, error) {
	r, lock, err := openRun(ctx, dir, opts, "eval")
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	defer r.close()
	path := filepath.Join(dir, BackboneFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s has no exported backbone (pretraining did not finish; resume it first): %w", dir, err)
	}
	if err := checkBackbone(path, data); err != nil {
		return nil, err
	}
	sum, err := readSummary(filepath.Join(dir, SummaryFile))
	if err != nil {
		return nil, err
	}
	if sum.Experiment == "" {
		// Pretraining ended but its evaluation did not: the steps and the
		// final loss are the latest checkpoint's, the time this process's.
		pos, loss, err := checkpoint.ReadPosition(filepath.Join(dir, "checkpoints", LatestCheckpoint))
		if err != nil {
			return nil, err
		}
		sum.Experiment, sum.Seed, sum.Steps, sum.FinalLoss = r.exp.Name, r.exp.Seed, pos.Step, loss
	}
	prep, err := r.evalPrep(ctx)
	if err != nil {
		return nil, r.interrupted(ctx, err)
	}
	g, err := r.p.model.Features(prep.Shape)
	if err != nil {
		return nil, err
	}
	if err := model.LoadBackbone(data, g, r.p.model.Params); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if sum.Eval, err = r.evaluate(ctx, prep); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w during evaluation; %s is as it was", ErrInterrupted, SummaryFile)
		}
		return nil, err
	}
	if sum.WallSeconds == 0 {
		sum.WallSeconds = time.Since(r.began).Seconds()
	}
	if err := runfolder.WriteJSON(filepath.Join(dir, SummaryFile), sum); err != nil {
		return nil, err
	}
	return &Result{Dir: dir, Summary: sum}, nil
}

// openRun reopens an existing run folder for cmd: it takes the folder's
// lock, reads the config, resolves the run's copy of the spec again with
// the recorded variables (relative paths from the original spec's folder),
// checks that it and the data resolve as they did, and opens the log for
// appending.
func openRun(ctx context.Context, dir string, opts Options, cmd string) (r *run, lock *runfolder.Lock, err error) {
	raw, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, nil, fmt.Errorf("%s is not a run folder: %w", dir, err)
	}
	if lock, err = runfolder.LockDir(dir, cmd); err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			lock.Release()
		}
	}()
	var cfg Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, nil, fmt.Errorf("%s is corrupt: %w", filepath.Join(dir, ConfigFile), err)
	}
	specFile := filepath.Join(dir, SpecFile)
	src, err := os.ReadFile(specFile)
	if err != nil {
		return nil, nil, fmt.Errorf("%s is not a run folder: %w", dir, err)
	}
	var recorded struct {
		File string `json:"file"`
	}
	if err := json.Unmarshal(cfg.Experiment, &recorded); err != nil {
		return nil, nil, fmt.Errorf("%s is corrupt: %w", filepath.Join(dir, ConfigFile), err)
	}
	exp, err := spec.Load(cfg.SpecPath, src, spec.Options{Vars: cfg.Vars})
	if err != nil {
		return nil, nil, fmt.Errorf("the run's spec no longer resolves: %w", renameSpec(err, cfg.SpecPath, specFile))
	}
	exp.File = recorded.File
	now, err := json.Marshal(exp)
	if err != nil {
		return nil, nil, err
	}
	var then bytes.Buffer
	if err := json.Compact(&then, cfg.Experiment); err != nil {
		return nil, nil, fmt.Errorf("%s is corrupt: %w", filepath.Join(dir, ConfigFile), err)
	}
	if !bytes.Equal(now, then.Bytes()) {
		return nil, nil, fmt.Errorf("%s resolves differently now than when the run started (a data path moved or a default changed); start a new run", specFile)
	}
	opts.Vars = cfg.Vars
	if err := checkMemory(ctx, exp); err != nil {
		return nil, nil, err
	}
	if r, err = newRun(exp, &cfg, opts); err != nil {
		return nil, nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Datasets)) {
		d, err := r.dataset(ctx, name)
		if err != nil {
			return nil, nil, r.interrupted(ctx, err)
		}
		sum, err := contentHash(d)
		if err != nil {
			return nil, nil, fmt.Errorf("dataset %q: %w", name, err)
		}
		if sum != cfg.Datasets[name] {
			return nil, nil, fmt.Errorf("dataset %q has changed since the run started (content sha256 %s, now %s): a run continues only on the data it began with; start a new run", name, cfg.Datasets[name], sum)
		}
	}
	if err := runfolder.RemoveStale(dir); err != nil {
		return nil, nil, err
	}
	if err := r.open(dir); err != nil {
		return nil, nil, err
	}
	return r, lock, nil
}

// checkBackbone refuses an exported backbone whose tensor data no longer
// matches the checksum written with it.
func checkBackbone(path string, data []byte) error {
	f, err := safetensors.Read(data)
	if err != nil {
		return fmt.Errorf("%s is corrupt: %w", path, err)
	}
	if sum, ok := f.Metadata[checkpoint.MetaData]; ok && sum != f.DataSHA256() {
		return fmt.Errorf("%s is corrupt: its tensor data does not match the checksum written with it; resume the run from its checkpoint to export it again", path)
	}
	return nil
}

// renameSpec makes the diagnostics of a spec loaded under the original
// spec's path name the run folder's copy, the file that was parsed.
func renameSpec(err error, from, to string) error {
	var se *spec.Error
	if !errors.As(err, &se) {
		return err
	}
	for _, d := range se.Diags {
		for _, r := range []*hcl.Range{d.Subject, d.Context} {
			if r != nil && r.Filename == from {
				r.Filename = to
			}
		}
	}
	if f, ok := se.Files[from]; ok {
		delete(se.Files, from)
		se.Files[to] = f
	}
	return err
}

// newRun builds the experiment's parts.
func newRun(exp *spec.Experiment, cfg *Config, opts Options) (*run, error) {
	p, err := buildParts(exp)
	if err != nil {
		return nil, err
	}
	hash, err := experimentHash(exp)
	if err != nil {
		return nil, err
	}
	r := &run{exp: exp, cfg: cfg, hash: hash, p: p, opts: opts, datasets: map[string]dataset.Dataset{}, began: time.Now()}
	if opts.Progress != nil {
		r.progress = progress.New(opts.Progress, opts.Terminal)
	}
	return r, nil
}

// open starts writing the run folder dir: its log, for appending.
func (r *run) open(dir string) error {
	w, err := runfolder.OpenLog(filepath.Join(dir, LogFile))
	if err != nil {
		return err
	}
	r.dir, r.logw = dir, w
	r.log = zerolog.New(w).With().Timestamp().Logger()
	return nil
}

// interrupted turns an error that the cancelled ctx caused before training
// began into ErrInterrupted.
func (r *run) interrupted(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	return fmt.Errorf("%w before training started; nothing was changed", ErrInterrupted)
}

// close ends the progress display and the log; it returns the log's first
// failed write.
func (r *run) close() error {
	r.progress.Done()
	if r.logw == nil {
		return nil
	}
	return r.logw.Close()
}

// datasetNames are the dataset blocks the run reads: pretraining's, then
// every evaluation's, without repeats.
func (r *run) datasetNames() []string {
	names := []string{r.exp.Train.Dataset}
	for _, e := range r.p.evaluators {
		tr, te := e.Eval.Splits()
		for _, n := range []string{tr, te} {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// checkSplits refuses, before pretraining, an evaluation whose splits do
// not share their classes: a test label would then mean another class, or
// none, of the train split's, found only after the whole pretraining.
func (r *run) checkSplits(ctx context.Context) error {
	for _, e := range r.p.evaluators {
		trName, teName := e.Eval.Splits()
		tr, err := r.dataset(ctx, trName)
		if err != nil {
			return err
		}
		te, err := r.dataset(ctx, teName)
		if err != nil {
			return err
		}
		trc, tec := tr.Classes(), te.Classes()
		if tec != nil && !slices.Equal(trc, tec) {
			return fmt.Errorf("evaluate %s: dataset %q has the classes %s, dataset %q %s; the splits must share their classes in the same order",
				e.Name, teName, classList(tec), trName, classList(trc))
		}
		for i := range te.Len() {
			if l := te.Label(i); l >= len(trc) {
				return fmt.Errorf("evaluate %s: image %d of dataset %q has label %d, but dataset %q has %d classes", e.Name, i, teName, l, trName, len(trc))
			}
		}
	}
	return nil
}

// classList shows class names, the first few of many.
func classList(c []string) string {
	if len(c) > 6 {
		return fmt.Sprintf("[%s ... %s] (%d)", strings.Join(c[:3], " "), c[len(c)-1], len(c))
	}
	return fmt.Sprintf("%v", c)
}

// dataset opens the dataset block name once.
func (r *run) dataset(ctx context.Context, name string) (dataset.Dataset, error) {
	if d, ok := r.datasets[name]; ok {
		return d, nil
	}
	d, err := pipeline.OpenDataset(ctx, r.exp, name)
	if err != nil {
		return nil, err
	}
	r.datasets[name] = d
	return d, nil
}

// train pretrains from scratch or from the checkpoint at resume, exports
// the backbone, evaluates and writes the summary.
func (r *run) train(ctx context.Context, resume *string) (*Result, error) {
	exp := r.exp
	data, err := r.dataset(ctx, exp.Train.Dataset)
	if err != nil {
		return nil, err
	}
	sample, err := data.Image(0)
	if err != nil {
		return nil, fmt.Errorf("dataset %q: %w", exp.Train.Dataset, err)
	}
	if err := pipeline.CheckChannels(r.p.views, sample.C); err != nil {
		return nil, err
	}
	loader := &pipeline.Loader{Data: data, Views: r.p.views, Seed: uint64(exp.Seed), BatchSize: exp.Train.BatchSize,
		DropLast: exp.Train.DropLast, Workers: exp.Train.Workers, Prefetch: exp.Train.Prefetch}
	perEpoch := loader.Steps()
	if perEpoch == 0 {
		return nil, fmt.Errorf("dataset %q has %d images, fewer than one batch of %d with drop_last", exp.Train.Dataset, data.Len(), exp.Train.BatchSize)
	}
	t := &trainer{exp: exp, p: r.p, loader: loader, graphs: map[int]*stepGraph{}, log: r.log, progress: r.progress,
		logErr: r.logw.Err, maxSteps: r.cfg.MaxSteps, peak: r.p.optimizer.LR(exp.Train.BatchSize), perEpoch: perEpoch, total: perEpoch * exp.Train.Epochs}
	defer t.close()
	for _, v := range pipeline.Apply(r.p.views, sample, uint64(exp.Seed), 0, 0) {
		t.shapes = append(t.shapes, model.Shape{exp.Train.BatchSize, v.C, v.H, v.W})
	}
	// Building the full-batch graph creates every parameter from the seed,
	// so a checkpoint has somewhere to go.
	if r.opts.XLA != nil {
		t.xla = &xlaEngine{rt: r.opts.XLA, opt: r.p.optimizer.(optimizer.Lowerer), steps: map[xlaKey]*xlaStep{}}
		if _, err := t.xlaStep(exp.Train.BatchSize, t.methodStep(exp.Train.BatchSize)); err != nil {
			return nil, err
		}
	} else if _, err := t.graph(exp.Train.BatchSize); err != nil {
		return nil, err
	}
	if resume != nil {
		c, err := checkpoint.Read(*resume, r.p.model.Params)
		if err != nil {
			return nil, err
		}
		if c.Experiment != exp.Name || c.Config != r.hash {
			return nil, fmt.Errorf("checkpoint %s belongs to experiment %q with another configuration, not to this run of %q", *resume, c.Experiment, exp.Name)
		}
		if err := c.Pos.Check(perEpoch, exp.Train.Epochs); err != nil {
			return nil, fmt.Errorf("checkpoint %s %w, which this run's spec and data (%d steps an epoch) cannot reach; it is not this run's", *resume, err, perEpoch)
		}
		if err := r.p.optimizer.SetState(c.Optimizer); err != nil {
			return nil, fmt.Errorf("checkpoint %s: %w", *resume, err)
		}
		if r.p.method != nil {
			if err := r.p.method.SetState(c.Method); err != nil {
				return nil, fmt.Errorf("checkpoint %s: %w", *resume, err)
			}
		} else if len(c.Method.Buffers)+len(c.Method.Counters) > 0 {
			return nil, fmt.Errorf("checkpoint %s holds an objective's state, and objective %s keeps none", *resume, exp.Objective.ID)
		}
		t.pos, t.lastLoss = c.Pos, c.LastLoss
		if t.pos.Step >= t.end() {
			if sum, err := readSummary(filepath.Join(r.dir, SummaryFile)); err == nil && sum.Experiment != "" {
				return &Result{Dir: r.dir, Summary: sum, Finished: true}, nil
			}
		}
		rewrite := r.limitChanged
		if engine, device := engineOf(r.opts); engine != r.cfg.Engine || device != r.cfg.Device {
			if r.cfg.Engine != "" && engine != r.cfg.Engine {
				r.log.Info().Str("event", "engine").Str("from", r.cfg.Engine).Str("engine", engine).Str("device", device).Msg("resumed on another engine")
			}
			r.cfg.Engine, r.cfg.Device = engine, device
			rewrite = true
		}
		if rewrite {
			if err := runfolder.WriteJSON(filepath.Join(r.dir, ConfigFile), r.cfg); err != nil {
				return nil, err
			}
		}
		r.log.Info().Str("event", "resume").Int("step", t.pos.Step).Int("epoch", t.pos.Epoch).Int("max_steps", r.cfg.MaxSteps).Msg("resumed from the latest checkpoint")
		if t.pos.Step < t.end() {
			r.progress.Say("resuming %s at step %d of %d (epoch %d)", r.dir, t.pos.Step, t.end(), t.pos.Epoch+1)
		} else {
			r.progress.Say("%s: pretraining finished at step %d; evaluating", r.dir, t.pos.Step)
		}
	}
	t.saved = -1
	if resume != nil {
		t.saved = t.pos.Step
	}
	t.checkpoint = func(periodic bool) error {
		if err := t.syncXLA(); err != nil {
			return err
		}
		if err := r.checkpoint(t, periodic); err != nil {
			return err
		}
		t.saved = t.pos.Step
		return nil
	}
	r.started = true
	// With keep_every, the numbered series starts at step 0: the seeded
	// initialisation, which a run elsewhere can start from to compare.
	if resume == nil && exp.Train.KeepEvery > 0 {
		if err := t.checkpoint(true); err != nil {
			return nil, err
		}
	}
	trainErr := t.run(ctx)
	r.progress.Done()
	if trainErr != nil {
		var le *LossError
		if errors.As(trainErr, &le) {
			r.log.Error().Str("event", "nan").Int("step", le.Step).Int("epoch", le.Epoch).Str("loss", fmt.Sprint(le.Loss)).Str("tensor", le.Tensor).Msg(le.Error())
		}
		if errors.Is(trainErr, ErrInterrupted) {
			return nil, fmt.Errorf("%w at step %d; the checkpoint is written: continue with `sslrun resume %s`", trainErr, t.pos.Step, r.dir)
		}
		return nil, trainErr
	}
	evalInterrupted := func(err error) error {
		if ctx.Err() == nil {
			return err
		}
		return fmt.Errorf("%w during evaluation; pretraining finished and %s is written: `sslrun eval %s` runs the evaluations",
			ErrInterrupted, BackboneFile, r.dir)
	}
	// The training graphs go before evaluation, which would otherwise hold
	// their buffers beside its own (evaluation.Extract hands them back).
	t.close()
	t.graphs = nil
	prep, err := r.evalPrep(ctx)
	if err != nil {
		return nil, evalInterrupted(err)
	}
	g, err := r.p.model.Features(prep.Shape)
	if err != nil {
		return nil, err
	}
	sha, err := model.BackboneSHA256(g, r.p.model.Params)
	if err != nil {
		return nil, err
	}
	meta := map[string]string{"sslrun.experiment": exp.Name, "sslrun.backbone": exp.Backbone.ID, "sslrun.step": fmt.Sprint(t.pos.Step), checkpoint.MetaData: sha}
	if err := atomicfile.Write(filepath.Join(r.dir, BackboneFile), func(w io.Writer) error {
		return model.ExportBackbone(w, g, r.p.model.Params, meta)
	}); err != nil {
		return nil, err
	}
	trainSecs := t.busy.Seconds()
	sum := &Summary{Experiment: exp.Name, Seed: exp.Seed, Steps: t.pos.Step, FinalLoss: t.lastLoss}
	if trainSecs > 0 {
		sum.ImagesPerS = float64(t.images) / trainSecs
	}
	r.log.Info().Str("event", "pretrained").Int("steps", t.pos.Step).Float64("loss", t.lastLoss).
		Float64("images_per_s", sum.ImagesPerS).Float64("seconds", time.Since(r.began).Seconds()).Msg("pretraining done")
	if sum.Eval, err = r.evaluate(ctx, prep); err != nil {
		return nil, evalInterrupted(err)
	}
	sum.WallSeconds = time.Since(r.began).Seconds()
	r.log.Info().Str("event", "end").Int("steps", t.pos.Step).Float64("seconds", sum.WallSeconds).Msg("run finished")
	if err := r.logw.Err(); err != nil {
		return nil, err
	}
	if err := runfolder.WriteJSON(filepath.Join(r.dir, SummaryFile), sum); err != nil {
		return nil, err
	}
	return &Result{Dir: r.dir, Summary: sum}, nil
}

// checkpoint writes checkpoints/latest.safetensors and, for every
// keep_every-th periodic checkpoint, a numbered copy; checkpoints written on
// interruption or at --max-steps are only the latest.
func (r *run) checkpoint(t *trainer, periodic bool) error {
	c := &checkpoint.Checkpoint{Experiment: r.exp.Name, Config: r.hash, Pos: t.pos, Params: r.p.model.Params,
		Optimizer: r.p.optimizer.State(), LastLoss: t.lastLoss}
	if r.p.method != nil {
		c.Method = r.p.method.State()
	}
	if bad := c.NonFinite(); bad != "" {
		epoch := t.pos.Epoch
		if t.pos.EpochStep == 0 && epoch > 0 {
			epoch-- // the step ended an epoch
		}
		return &LossError{Step: t.pos.Step, Epoch: epoch, Loss: t.lastLoss, Tensor: bad, Kept: t.saved}
	}
	latest := filepath.Join(r.dir, "checkpoints", LatestCheckpoint)
	if err := c.Write(latest); err != nil {
		return err
	}
	if k := r.exp.Train.KeepEvery; k > 0 && periodic {
		n := checkpointNumber(r.exp.Train.CheckpointEvery, t.pos, t.perEpoch)
		if n%k == 0 {
			if err := c.Write(filepath.Join(r.dir, "checkpoints", fmt.Sprintf("step-%08d.safetensors", t.pos.Step))); err != nil {
				return err
			}
		}
	}
	r.log.Info().Str("event", "checkpoint").Int("step", t.pos.Step).Int("epoch", t.pos.Epoch).Msg("")
	return nil
}

// checkpointNumber is how many periodic checkpoints fall at or before pos.
func checkpointNumber(every spec.Interval, pos checkpoint.Position, perEpoch int) int {
	if every.Epochs {
		return pos.Step / perEpoch / every.N
	}
	return pos.Step / every.N
}

// evalPrep derives the evaluation preprocessing from the first view and an
// image of the pretraining dataset.
func (r *run) evalPrep(ctx context.Context) (*evaluation.Setup, error) {
	data, err := r.dataset(ctx, r.exp.Train.Dataset)
	if err != nil {
		return nil, err
	}
	sample, err := data.Image(0)
	if err != nil {
		return nil, err
	}
	return evaluation.Prepare(r.p.views, sample)
}

// evaluate runs every evaluate block on the current weights and, where
// asked, on the same backbone at its seeded initialisation.
func (r *run) evaluate(ctx context.Context, setup *evaluation.Setup) (map[string]EvalResult, error) {
	s := &evaluation.Suite{
		Protocols: r.p.evaluators,
		Model:     r.p.model,
		Initial:   func() (*model.Model, error) { return newModel(r.exp) },
		Dataset:   r.dataset,
		Setup:     setup,
		Batch:     evaluation.BatchSize(r.exp.Train.BatchSize),
		Progress:  r.progress,
		Log:       r.log,
		XLA:       r.opts.XLA,
	}
	return s.Run(ctx)
}

// experimentHash is a sha256 of the resolved experiment apart from the
// path its spec was given by, which checkpoints carry to be matched with
// their run.
func experimentHash(exp *spec.Experiment) (string, error) {
	e := *exp
	e.File = ""
	b, err := json.Marshal(&e)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// contentHash is a sha256 over a dataset's length, classes, labels and
// decoded pixels: it changes when any image or label does, whatever the
// files' format.
func contentHash(d dataset.Dataset) (string, error) {
	h := sha256.New()
	var buf [8]byte
	put := func(v uint64) {
		binary.LittleEndian.PutUint64(buf[:], v)
		h.Write(buf[:])
	}
	put(uint64(d.Len()))
	classes := append([]string(nil), d.Classes()...)
	for _, c := range classes {
		put(uint64(len(c)))
		h.Write([]byte(c))
	}
	pix := make([]byte, 0, 4096)
	for i := range d.Len() {
		img, err := d.Image(i)
		if err != nil {
			return "", err
		}
		put(uint64(int64(d.Label(i))))
		put(uint64(img.C)<<40 | uint64(img.H)<<20 | uint64(img.W))
		pix = pix[:0]
		for _, v := range img.Pix {
			pix = binary.LittleEndian.AppendUint32(pix, math.Float32bits(v))
		}
		h.Write(pix)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// readSummary reads summary.json, or starts one when a run has none yet.
func readSummary(path string) (*Summary, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Summary{}, nil
	}
	if err != nil {
		return nil, err
	}
	var s Summary
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("%s is corrupt: %w", path, err)
	}
	return &s, nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// engineOf is the engine opts train on and its device, for config.json.
func engineOf(opts Options) (engine, device string) {
	if opts.XLA != nil {
		return EngineXLA, opts.XLA.String()
	}
	return EngineCPU, fmt.Sprintf("host CPU (%s/%s)", runtime.GOOS, runtime.GOARCH)
}
