package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	_ "github.com/sslrun/sslrun/components/all"
	"github.com/sslrun/sslrun/internal/runner"
	"github.com/sslrun/sslrun/internal/safetensors"
	"github.com/sslrun/sslrun/internal/spec"
)

// tinySpec is a SimCLR run small enough for a test: 96 synthetic 16x16
// images, batches of 32 (3 steps an epoch), a one-layer convnet.
const tinySpec = `
variable "seed" { default = 1 }
variable "epochs" { default = 2 }
variable "lr" { default = 0.1 }
variable "temperature" { default = 0.2 }
experiment "tiny" { seed = var.seed }
dataset "synthetic" "train" {
  size       = 96
  classes    = 4
  image_size = 16
}
dataset "synthetic" "test" {
  size       = 48
  classes    = 4
  image_size = 16
  split      = "test"
}
view "global" {
  count = 2
  augment "random_resized_crop" {
    size  = 16
    scale = [0.3, 1.0]
  }
  augment "horizontal_flip" {}
  augment "normalize" {
    mean = [0.5]
    std  = [0.25]
  }
}
backbone "convnet" { channels = [8] }
head "projection_mlp" "proj" {
  hidden_dim = 16
  output_dim = 8
}
objective "nt_xent" { temperature = var.temperature }
optimizer "sgd" {
  lr           = var.lr
  weight_decay = 5e-4
}
schedule "warmup_cosine" { warmup_epochs = 1 }
train {
  epochs           = var.epochs
  batch_size       = 32
  checkpoint_every = "2 steps"
  keep_every       = 1
  log_every        = 1
}
evaluate "knn" {
  k        = 5
  baseline = true
}
evaluate "linear" { pixels = true }
`

// swavSpec is SwAV with a queue that starts in the second epoch and
// prototypes frozen for two steps.
const swavSpec = `
experiment "tiny_swav" { seed = 3 }
dataset "synthetic" "train" {
  size       = 96
  classes    = 4
  image_size = 16
}
view "global" {
  count = 2
  augment "random_resized_crop" {
    size  = 16
    scale = [0.3, 1.0]
  }
}
view "local" {
  count = 2
  augment "random_resized_crop" {
    size  = 8
    scale = [0.1, 0.5]
  }
}
backbone "convnet" { channels = [8] }
head "projection_mlp" "proj" {
  hidden_dim = 16
  output_dim = 8
}
head "prototypes" "prototypes" {
  count        = 10
  freeze_steps = 2
}
objective "swav" {
  queue_length      = 64
  queue_start_epoch = 1
}
optimizer "lars" { lr = 0.3 }
train {
  epochs           = 3
  batch_size       = 32
  checkpoint_every = "1 step"
  keep_every       = 1
  log_every        = 1
}
`

// load resolves src as if read from experiments/tiny.hcl under the test's
// folder: runs of one test see the same spec path, as repeated runs of a
// spec file do.
func load(t *testing.T, src string, vars map[string]string) (*spec.Experiment, []byte) {
	t.Helper()
	exp, err := spec.Load(filepath.Join(os.TempDir(), "sslrun-"+strings.ReplaceAll(t.Name(), "/", "_"), "tiny.hcl"), []byte(src), spec.Options{Vars: vars})
	if err != nil {
		t.Fatal(err)
	}
	return exp, []byte(src)
}

func run(t *testing.T, src string, vars map[string]string, opts runner.Options) *runner.Result {
	t.Helper()
	exp, b := load(t, src, vars)
	if opts.Out == "" {
		opts.Out = filepath.Join(t.TempDir(), "run")
	}
	opts.Vars = vars
	res, err := runner.Run(context.Background(), exp, b, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// events parses log.jsonl.
func events(t *testing.T, dir string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for i, line := range bytes.Split(bytes.TrimSpace(read(t, filepath.Join(dir, runner.LogFile))), []byte("\n")) {
		var e map[string]any
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("log.jsonl:%d: %v", i+1, err)
		}
		out = append(out, e)
	}
	return out
}

// timeless is log.jsonl without timestamps and durations.
func timeless(t *testing.T, dir string) string {
	t.Helper()
	re := regexp.MustCompile(`"(time|seconds|images_per_s)":("[^"]*"|[-0-9.e+]+),?`)
	return re.ReplaceAllString(string(read(t, filepath.Join(dir, runner.LogFile))), "")
}

func TestRunFolder(t *testing.T) {
	res := run(t, tinySpec, map[string]string{"seed": "1"}, runner.Options{})
	dir := res.Dir
	if got := string(read(t, filepath.Join(dir, runner.SpecFile))); got != tinySpec {
		t.Error("spec.hcl is not the spec as given")
	}
	var cfg runner.Config
	if err := json.Unmarshal(read(t, filepath.Join(dir, runner.ConfigFile)), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Vars["seed"] != "1" || cfg.MaxProcs < 1 || cfg.GoVersion == "" || len(cfg.Datasets["train"]) != 64 || len(cfg.Datasets["test"]) != 64 {
		t.Errorf("config.json lacks a field: vars %v, gomaxprocs %d, go %q, datasets %v", cfg.Vars, cfg.MaxProcs, cfg.GoVersion, cfg.Datasets)
	}
	count := map[string]int{}
	for _, e := range events(t, dir) {
		count[e["event"].(string)]++
		if e["event"] == "step" {
			for _, k := range []string{"step", "epoch", "loss", "lr"} {
				if _, ok := e[k]; !ok {
					t.Errorf("step event without %s: %v", k, e)
				}
			}
		}
	}
	want := map[string]int{"start": 1, "step": 6, "epoch": 2, "checkpoint": 4, "pretrained": 1, "eval": 4, "end": 1}
	if diff := cmp.Diff(want, count); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	for _, f := range []string{"latest.safetensors", "step-00000000.safetensors", "step-00000002.safetensors", "step-00000004.safetensors", "step-00000006.safetensors"} {
		if _, err := os.Stat(filepath.Join(dir, "checkpoints", f)); err != nil {
			t.Error(err)
		}
	}
	bb, err := safetensors.Read(read(t, filepath.Join(dir, runner.BackboneFile)))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"conv0.weight", "bn0.running_mean", "bn0.num_batches_tracked"} {
		if _, ok := bb.Get(name); !ok {
			var names []string
			for _, t := range bb.Tensors {
				names = append(names, t.Name)
			}
			t.Errorf("backbone.safetensors lacks %s; has %v", name, names)
		}
	}
	var sum map[string]any
	if err := json.Unmarshal(read(t, filepath.Join(dir, runner.SummaryFile)), &sum); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"experiment", "seed", "steps", "final_loss", "wall_seconds", "images_per_s", "eval"} {
		if _, ok := sum[k]; !ok {
			t.Errorf("summary.json lacks %s", k)
		}
	}
	s := res.Summary
	if s.Steps != 6 || s.Experiment != "tiny" {
		t.Errorf("summary %+v", s)
	}
	knn, ok := s.Eval["knn"]
	if !ok || knn.Baseline == nil {
		t.Fatalf("no knn result with baseline: %+v", s.Eval)
	}
	for name, e := range s.Eval {
		if e.Top1 < 0 || e.Top1 > 1 || e.Top5 < e.Top1 || e.Top5 > 1 {
			t.Errorf("%s: accuracies %+v out of [0, 1]", name, e.Result)
		}
	}
	if s.Eval["linear"].Baseline != nil {
		t.Error("linear has a baseline it did not ask for")
	}
	if s.Eval["linear"].Pixels == nil || s.Eval["knn"].Pixels != nil {
		t.Errorf("raw pixels scored for linear %+v and knn %+v; want linear only, which asked", s.Eval["linear"].Pixels, s.Eval["knn"].Pixels)
	}
	// summary.json nests them as eval.<protocol>.pixels.top1 and top5.
	pixels, _ := sum["eval"].(map[string]any)["linear"].(map[string]any)["pixels"].(map[string]any)
	for _, k := range []string{"top1", "top5"} {
		if v, ok := pixels[k].(float64); !ok || v < 0 || v > 1 {
			t.Errorf("summary.json eval.linear.pixels.%s is %v, want a fraction in [0, 1]", k, pixels[k])
		}
	}
}

// TestReproducible: the same spec, variables and seed give the same log
// (apart from times), checkpoints and backbone; another seed does not.
func TestReproducible(t *testing.T) {
	a := run(t, tinySpec, nil, runner.Options{}).Dir
	b := run(t, tinySpec, nil, runner.Options{}).Dir
	c := run(t, tinySpec, map[string]string{"seed": "2"}, runner.Options{}).Dir
	if diff := cmp.Diff(timeless(t, a), timeless(t, b)); diff != "" {
		t.Errorf("logs differ apart from times (-a +b):\n%s", diff)
	}
	for _, f := range []string{runner.BackboneFile, "checkpoints/latest.safetensors", "checkpoints/step-00000002.safetensors"} {
		if !bytes.Equal(read(t, filepath.Join(a, f)), read(t, filepath.Join(b, f))) {
			t.Errorf("%s differs between two runs of the same seed", f)
		}
	}
	if bytes.Equal(read(t, filepath.Join(a, runner.BackboneFile)), read(t, filepath.Join(c, runner.BackboneFile))) {
		t.Error("seeds 1 and 2 give the same backbone")
	}
}

// byolSpec is tinySpec's run as BYOL: a predictor head after the
// projector, and a momentum teacher that rises to 1 over the run.
var byolSpec = strings.Replace(tinySpec, `objective "nt_xent" { temperature = var.temperature }`, `head "projection_mlp" "pred" {
  hidden_dim = 16
  output_dim = 8
}
objective "byol" { momentum = 0.9 }`, 1)

// mocoSpec is tinySpec's run as MoCo v2+: a momentum teacher and a queue
// of two batches of its keys.
var mocoSpec = strings.Replace(tinySpec, `objective "nt_xent" { temperature = var.temperature }`, `objective "mocov2plus" {
  queue_size = 64
  momentum   = 0.9
}`, 1)

// TestTeacherIsReadByTheGraph runs BYOL and MoCo v2+ with a teacher frozen
// at the initial weights (momentum 1) and with one that copies the online
// network after each step (momentum 0): both start as the online network,
// so the first step's losses agree, and from the second step the teacher
// differs, so must the losses. A teacher whose parameters the graph does
// not read (gorgonia merged its nodes with the online network's of the
// same names, before nn.Builder.Scope) gave equal losses throughout.
func TestTeacherIsReadByTheGraph(t *testing.T) {
	for _, c := range []struct {
		name, src, objective string
		with                 func(tau string) string
	}{
		{"byol", byolSpec, `objective "byol" { momentum = 0.9 }`, func(tau string) string {
			return "objective \"byol\" {\n  momentum = " + tau + "\n  final_momentum = " + tau + "\n}"
		}},
		{"mocov2plus", mocoSpec, "objective \"mocov2plus\" {\n  queue_size = 64\n  momentum   = 0.9\n}", func(tau string) string {
			return "objective \"mocov2plus\" {\n  queue_size = 64\n  momentum = " + tau + "\n  final_momentum = " + tau + "\n}"
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(c.src, c.objective) {
				t.Fatalf("the spec lacks %q", c.objective)
			}
			losses := map[string][]float64{}
			for _, tau := range []string{"0", "1"} {
				src := strings.Replace(c.src, c.objective, c.with(tau), 1)
				dir := run(t, src, nil, runner.Options{MaxSteps: 3}).Dir
				for _, e := range events(t, dir) {
					if e["event"] == "step" {
						losses[tau] = append(losses[tau], e["loss"].(float64))
					}
				}
			}
			a, b := losses["0"], losses["1"]
			if len(a) != 3 || len(b) != 3 {
				t.Fatalf("step losses %v and %v, want 3 each", a, b)
			}
			if a[0] != b[0] {
				t.Errorf("first step: loss %v with momentum 0, %v with 1; the teacher starts as the online network", a[0], b[0])
			}
			if a[1] == b[1] || a[2] == b[2] {
				t.Errorf("losses %v with momentum 0 and %v with 1: the graph does not read the teacher", a, b)
			}
		})
	}
}

// resumeCases are the specs the resume tests stop and continue: SimCLR,
// SwAV with the state beyond parameters (queue, frozen prototypes), BYOL
// with its teacher, MoCo v2+ with its teacher and queue, and Barlow Twins
// and VICReg, whose losses keep no state.
var resumeCases = []struct {
	name, src string
}{
	{"simclr", tinySpec},
	{"swav with queue and frozen prototypes", swavSpec},
	{"byol with its teacher", byolSpec},
	{"mocov2plus with its teacher and queue", mocoSpec},
	{"barlow twins", strings.Replace(tinySpec, `objective "nt_xent" { temperature = var.temperature }`, `objective "barlow_twins" {}`, 1)},
	{"vicreg", strings.Replace(tinySpec, `objective "nt_xent" { temperature = var.temperature }`, `objective "vicreg" {}`, 1)},
}

// TestResumeExact interrupts runs at several steps (mid-epoch, at an epoch's
// end, before any periodic checkpoint) and resumes them: each ends with the
// bytes of an uninterrupted run.
func TestResumeExact(t *testing.T) {
	for _, tc := range resumeCases {
		t.Run(tc.name, func(t *testing.T) {
			whole := run(t, tc.src, nil, runner.Options{}).Dir
			for _, stop := range []int{1, 3, 5} {
				dir := run(t, tc.src, nil, runner.Options{MaxSteps: stop}).Dir
				if _, err := runner.Resume(context.Background(), dir, runner.Options{ToEnd: true}); err != nil {
					t.Fatal(err)
				}
				for _, f := range []string{runner.BackboneFile, "checkpoints/latest.safetensors"} {
					if !bytes.Equal(read(t, filepath.Join(whole, f)), read(t, filepath.Join(dir, f))) {
						t.Errorf("stopped after step %d and resumed: %s differs from the uninterrupted run's", stop, f)
					}
				}
			}
		})
	}
}

// TestInitialCheckpoint: with keep_every, step-00000000.safetensors is the
// state before the first step. A run resumed from it ends with the bytes of
// an uninterrupted run, so it is the seeded initialisation and nothing else.
func TestInitialCheckpoint(t *testing.T) {
	for _, tc := range resumeCases {
		t.Run(tc.name, func(t *testing.T) {
			whole := run(t, tc.src, nil, runner.Options{}).Dir
			dir := run(t, tc.src, nil, runner.Options{MaxSteps: 1}).Dir
			initial := read(t, filepath.Join(dir, "checkpoints", "step-00000000.safetensors"))
			f, err := safetensors.Read(initial)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Metadata["sslrun.step"]; got != "0" {
				t.Fatalf("step-00000000.safetensors is at step %s", got)
			}
			if err := os.WriteFile(filepath.Join(dir, "checkpoints", runner.LatestCheckpoint), initial, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := runner.Resume(context.Background(), dir, runner.Options{ToEnd: true}); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{runner.BackboneFile, "checkpoints/latest.safetensors"} {
				if !bytes.Equal(read(t, filepath.Join(whole, f)), read(t, filepath.Join(dir, f))) {
					t.Errorf("resumed from the initial checkpoint: %s differs from the uninterrupted run's", f)
				}
			}
		})
	}
}

// TestInterrupt cancels the context as SIGINT does: the run finishes its
// step, checkpoints and returns ErrInterrupted; resuming ends like an
// uninterrupted run.
func TestInterrupt(t *testing.T) {
	whole := run(t, tinySpec, nil, runner.Options{}).Dir
	exp, src := load(t, tinySpec, nil)
	dir := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Progress shows every step (log_every 1): cancel at the first, as a
	// SIGINT during step 2 would.
	stop := writerFunc(func(p []byte) (int, error) {
		if bytes.Contains(p, []byte("step 1/")) {
			cancel()
		}
		return len(p), nil
	})
	if _, err := runner.Run(ctx, exp, src, runner.Options{Out: dir, Progress: stop}); !errors.Is(err, runner.ErrInterrupted) {
		t.Fatalf("cancelled run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, runner.SummaryFile)); err == nil {
		t.Error("an interrupted run wrote its summary")
	}
	if _, err := runner.Resume(context.Background(), dir, runner.Options{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, filepath.Join(whole, runner.BackboneFile)), read(t, filepath.Join(dir, runner.BackboneFile))) {
		t.Error("interrupted and resumed run differs from the uninterrupted one")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestPrototypesFrozen reads the per-step checkpoints of the SwAV run: the
// prototypes stay as first normalised for the two frozen steps, then move.
func TestPrototypesFrozen(t *testing.T) {
	dir := run(t, swavSpec, nil, runner.Options{MaxSteps: 4}).Dir
	protos := func(step int) []float32 {
		f, err := safetensors.Read(read(t, filepath.Join(dir, "checkpoints", fmt.Sprintf("step-%08d.safetensors", step))))
		if err != nil {
			t.Fatal(err)
		}
		p, ok := f.Get("param/prototypes.weight")
		if !ok {
			t.Fatal("no prototypes in the checkpoint")
		}
		v, err := p.Float32s()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if !cmp.Equal(protos(1), protos(2)) {
		t.Error("prototypes changed during the frozen steps")
	}
	if cmp.Equal(protos(2), protos(3)) {
		t.Error("prototypes did not change after the frozen steps")
	}
}

// TestNaNStops makes the loss infinite (1/temperature overflows float32):
// the run stops with a LossError naming the step, and keeps the last good
// checkpoint.
func TestNaNStops(t *testing.T) {
	exp, src := load(t, tinySpec, map[string]string{"temperature": "1e-40"})
	dir := filepath.Join(t.TempDir(), "run")
	_, err := runner.Run(context.Background(), exp, src, runner.Options{Out: dir})
	var le *runner.LossError
	if !errors.As(err, &le) {
		t.Fatalf("temperature 1e-40: %v", err)
	}
	if !strings.Contains(err.Error(), "step") {
		t.Errorf("error does not name the step: %v", err)
	}
	latest := filepath.Join(dir, "checkpoints", runner.LatestCheckpoint)
	if _, err := os.Stat(latest); err == nil {
		f, err := safetensors.Read(read(t, latest))
		if err != nil {
			t.Fatalf("the last good checkpoint is unreadable: %v", err)
		}
		if got, err := strconv.Atoi(f.Metadata["sslrun.step"]); err != nil || got >= le.Step {
			t.Errorf("latest checkpoint at step %q, the loss failed at %d", f.Metadata["sslrun.step"], le.Step)
		}
	}
	var logged bool
	for _, e := range events(t, dir) {
		logged = logged || e["event"] == "nan" && e["step"] == float64(le.Step)
	}
	if !logged {
		t.Error("log.jsonl has no nan event naming the step")
	}
}

func TestRunFolderErrors(t *testing.T) {
	done := run(t, tinySpec, nil, runner.Options{MaxSteps: 2}).Dir
	other := run(t, swavSpec, nil, runner.Options{MaxSteps: 1}).Dir
	exp, src := load(t, tinySpec, nil)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	corrupt := run(t, tinySpec, nil, runner.Options{MaxSteps: 2}).Dir
	latest := filepath.Join(corrupt, "checkpoints", runner.LatestCheckpoint)
	b := read(t, latest)
	if err := os.WriteFile(latest, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	missing := run(t, tinySpec, nil, runner.Options{MaxSteps: 2}).Dir
	if err := os.Remove(filepath.Join(missing, "checkpoints", runner.LatestCheckpoint)); err != nil {
		t.Fatal(err)
	}
	foreign := run(t, tinySpec, nil, runner.Options{MaxSteps: 2}).Dir
	if err := os.WriteFile(filepath.Join(foreign, "checkpoints", runner.LatestCheckpoint), read(t, filepath.Join(other, "checkpoints", runner.LatestCheckpoint)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		do   func() error
		want string
	}{
		{"run into a run folder", func() error {
			_, err := runner.Run(context.Background(), exp, src, runner.Options{Out: done})
			return err
		}, "already holds a run"},
		{"unwritable out", func() error {
			_, err := runner.Run(context.Background(), exp, src, runner.Options{Out: filepath.Join(file, "run")})
			return err
		}, "cannot create the run folder"},
		{"resume a folder that is no run", func() error {
			_, err := runner.Resume(context.Background(), t.TempDir(), runner.Options{})
			return err
		}, "is not a run folder"},
		{"missing checkpoint", func() error {
			_, err := runner.Resume(context.Background(), missing, runner.Options{})
			return err
		}, "no checkpoint to resume from"},
		{"corrupt checkpoint", func() error {
			_, err := runner.Resume(context.Background(), corrupt, runner.Options{})
			return err
		}, "corrupt"},
		{"checkpoint of another experiment", func() error {
			_, err := runner.Resume(context.Background(), foreign, runner.Options{})
			return err
		}, "prototypes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	// The failed resumes left their folders as they were.
	if got := read(t, latest); !bytes.Equal(got, b[:len(b)/2]) {
		t.Error("a failed resume rewrote the checkpoint")
	}
}

// TestFinalCheckpoint: a run whose last step falls between periodic
// checkpoints still ends with the latest checkpoint at its last step, and
// only periodic checkpoints (and the initial one) are kept as numbered copies.
func TestFinalCheckpoint(t *testing.T) {
	dir := run(t, strings.Replace(tinySpec, `"2 steps"`, `"4 steps"`, 1), nil, runner.Options{}).Dir
	f, err := safetensors.Read(read(t, filepath.Join(dir, "checkpoints", runner.LatestCheckpoint)))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Metadata["sslrun.step"]; got != "6" {
		t.Errorf("latest checkpoint at step %s, the run ended at 6", got)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "checkpoints"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{"latest.safetensors", "step-00000000.safetensors", "step-00000004.safetensors"}, names); diff != "" {
		t.Errorf("checkpoints (-want +got):\n%s", diff)
	}
}

// TestByolTeacher reads the per-step checkpoints of a BYOL run: the
// teacher (the objective's state) follows the online network as solo-learn's
// moving average, t_k = tau_{k-1} t_{k-1} + (1 - tau_{k-1}) w_k in float32,
// tau rising from momentum to 1 over the run, and it copies the projector
// but not the predictor.
func TestByolTeacher(t *testing.T) {
	src := strings.Replace(byolSpec, `checkpoint_every = "2 steps"`, `checkpoint_every = "1 step"`, 1)
	dir := run(t, src, nil, runner.Options{}).Dir
	read := func(step int) *safetensors.File {
		f, err := safetensors.Read(read(t, filepath.Join(dir, "checkpoints", fmt.Sprintf("step-%08d.safetensors", step))))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	floats := func(f *safetensors.File, name string) []float32 {
		tn, ok := f.Get(name)
		if !ok {
			t.Fatalf("the checkpoint lacks %s", name)
		}
		v, err := tn.Float32s()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	first := read(1)
	if _, ok := first.Get("method/teacher/pred.0.weight"); ok {
		t.Error("the teacher copies the predictor")
	}
	const total, base = 6, 0.9 // 96 images in batches of 32 for 2 epochs
	for k := 2; k <= total; k++ {
		prev, cur := read(k-1), read(k)
		tau := 1 - (1-base)*(math.Cos(math.Pi*float64(k-1)/total)+1)/2
		for _, name := range []string{"proj.0.weight", "conv0.weight"} {
			tp, tc, w := floats(prev, "method/teacher/"+name), floats(cur, "method/teacher/"+name), floats(cur, "param/"+name)
			for i := range tc {
				if want := float32(float32(tau)*tp[i]) + float32(float32(1-tau)*w[i]); tc[i] != want {
					t.Fatalf("step %d: teacher %s[%d] = %v, want %v (tau %v)", k, name, i, tc[i], want, tau)
				}
			}
		}
	}
}
