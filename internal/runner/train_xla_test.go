package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/internal/runner"
	"github.com/sslrun/sslrun/internal/safetensors"
	"github.com/sslrun/sslrun/internal/xla"
	"github.com/sslrun/sslrun/internal/xla/xlatest"
	"github.com/sslrun/sslrun/nn"
)

// losses are the step events' losses of the run in dir.
func losses(t *testing.T, dir string) []float64 {
	t.Helper()
	var out []float64
	for _, e := range events(t, dir) {
		if e["event"] == "step" {
			out = append(out, e["loss"].(float64))
		}
	}
	return out
}

// checkpointTensors are the float tensors of dir's latest checkpoint,
// integers converted.
func checkpointTensors(t *testing.T, dir string) map[string][]float64 {
	t.Helper()
	f, err := safetensors.Read(read(t, filepath.Join(dir, "checkpoints", runner.LatestCheckpoint)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]float64{}
	for _, tn := range f.Tensors {
		var v []float64
		switch tn.DType {
		case safetensors.Float32:
			x, err := tn.Float32s()
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range x {
				v = append(v, float64(e))
			}
		case safetensors.Int64:
			x, err := tn.Int64s()
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range x {
				v = append(v, float64(e))
			}
		default:
			continue
		}
		out[tn.Name] = v
	}
	return out
}

// compareRuns checks that the runs in a and b logged the same losses and
// wrote the same latest checkpoint within tol (relative to each tensor's
// largest magnitude), and returns the largest differences seen.
func compareRuns(t *testing.T, a, b string, tol float64) (lossDiff, paramDiff float64) {
	t.Helper()
	la, lb := losses(t, a), losses(t, b)
	if len(la) != len(lb) {
		t.Fatalf("%d losses against %d", len(la), len(lb))
	}
	for i := range la {
		d := math.Abs(la[i] - lb[i])
		lossDiff = max(lossDiff, d)
		if d > tol*math.Max(1, math.Abs(la[i])) {
			t.Errorf("step %d: loss %v against %v", i+1, la[i], lb[i])
		}
	}
	ta, tb := checkpointTensors(t, a), checkpointTensors(t, b)
	if len(ta) != len(tb) {
		t.Errorf("%d checkpoint tensors against %d", len(ta), len(tb))
	}
	for name, x := range ta {
		y, ok := tb[name]
		if !ok || len(x) != len(y) {
			t.Errorf("%s: %d values against %d", name, len(x), len(y))
			continue
		}
		scale := 1.0
		for _, v := range x {
			scale = math.Max(scale, math.Abs(v))
		}
		for i := range x {
			d := math.Abs(x[i]-y[i]) / scale
			paramDiff = max(paramDiff, d)
			if d > tol || math.IsNaN(d) {
				t.Errorf("%s[%d]: %v against %v", name, i, x[i], y[i])
				break
			}
		}
	}
	return lossDiff, paramDiff
}

// replace is src with every old replaced by new, failing the test when
// old is not in src.
func replace(t *testing.T, src string, oldNew ...string) string {
	t.Helper()
	for i := 0; i < len(oldNew); i += 2 {
		if !strings.Contains(src, oldNew[i]) {
			t.Fatalf("the spec lacks %q", oldNew[i])
		}
		src = strings.ReplaceAll(src, oldNew[i], oldNew[i+1])
	}
	return src
}

// tinySGD is tinySpec's optimizer block.
const tinySGD = "optimizer \"sgd\" {\n  lr           = var.lr\n  weight_decay = 5e-4\n}"

// TestXLAEngineMatchesCPU trains on the XLA engine (its programs run by
// the StableHLO evaluator) and on the CPU engine: losses, parameters,
// optimizer state and batch-norm statistics agree within float32
// tolerance, one program is compiled per batch size, and config.json
// records the engine and device. Evaluation extracts its features on the
// runtime too (one program per set and backbone), and scores as the CPU
// engine's features do.
func TestXLAEngineMatchesCPU(t *testing.T) {
	cases := []struct {
		name     string
		spec     func(t *testing.T) string
		vars     map[string]string
		programs int
		tol      float64
	}{
		{"sgd momentum", func(t *testing.T) string {
			return replace(t, tinySpec, tinySGD, "optimizer \"sgd\" {\n  lr       = var.lr\n  momentum = 0.9\n}")
		}, nil, 1, 1e-4},
		{"lars", func(t *testing.T) string {
			return replace(t, tinySpec, tinySGD, "optimizer \"lars\" { lr = var.lr }")
		}, nil, 1, 1e-4},
		// 96 images in batches of 40: 40, 40 and a short 16.
		{"short last batch", func(t *testing.T) string {
			return replace(t, tinySpec, "batch_size       = 32", "batch_size       = 40\n  drop_last        = false")
		}, nil, 2, 1e-4},
		// Multi-crop, prototypes renormalised on the host and frozen for
		// the first two steps, no queue.
		{"swav frozen prototypes", func(t *testing.T) string {
			return replace(t, swavSpec, "queue_length      = 64\n  queue_start_epoch = 1\n", "", "epochs           = 3", "epochs           = 2")
		}, nil, 1, 1e-4},
		// The queue fills in the second epoch's first two steps; from the
		// third its scores are an argument, of a program of its own. The
		// Sinkhorn over the queue amplifies the engines' rounding
		// differences in the state over nine LARS steps (losses stay
		// within 4e-5; scores off by a factor of 2 move them by 0.19).
		{"swav queue", func(t *testing.T) string { return swavSpec }, nil, 2, 5e-4},
		// A momentum teacher followed in the program, its parameters and
		// statistics checkpointed; MoCo's queue of the teacher's keys
		// filled from the step's taps.
		{"byol teacher", func(t *testing.T) string { return byolSpec }, nil, 1, 1e-4},
		{"mocov2plus teacher and queue", func(t *testing.T) string { return mocoSpec }, nil, 1, 1e-4},
		// The teacher handed from one program to the next and back (40,
		// 40, 16 images a step).
		{"byol short last batch", func(t *testing.T) string {
			return replace(t, byolSpec, "batch_size       = 32", "batch_size       = 40\n  drop_last        = false")
		}, nil, 2, 1e-4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := c.spec(t)
			cpuRes := run(t, src, c.vars, runner.Options{})
			rt := &xlatest.Runtime{}
			devRes := run(t, src, c.vars, runner.Options{XLA: rt})
			cpu, dev := cpuRes.Dir, devRes.Dir
			ld, pd := compareRuns(t, cpu, dev, c.tol)
			t.Logf("largest differences: loss %.3g, checkpoint %.3g (relative)", ld, pd)
			var cfg runner.Config
			if err := json.Unmarshal(read(t, filepath.Join(dev, runner.ConfigFile)), &cfg); err != nil {
				t.Fatal(err)
			}
			if cfg.Engine != runner.EngineXLA || cfg.Device != rt.String() {
				t.Errorf("config.json: engine %q, device %q", cfg.Engine, cfg.Device)
			}
			// Features of each split (train and test) on the trained
			// backbone, and on the initial one where a baseline is asked
			// (the SwAV specs evaluate nothing).
			evals := 0
			for _, e := range devRes.Summary.Eval {
				evals = max(evals, 2)
				if e.Baseline != nil {
					evals = 4
				}
			}
			if rt.Compiled != c.programs+evals {
				t.Errorf("%d programs compiled, want %d for training and %d for evaluation", rt.Compiled, c.programs, evals)
			}
			if diff := cmp.Diff(cpuRes.Summary.Eval, devRes.Summary.Eval); diff != "" {
				t.Errorf("evaluation on the XLA engine differs from the CPU engine's (-cpu +xla):\n%s", diff)
			}
		})
	}
}

// TestXLAResume interrupts a run after its first step and resumes it, on
// the same engine and on the other: a checkpoint written by either engine
// continues on either, the log says when the engine changed, config.json
// records the last, and the whole run agrees with an uninterrupted CPU
// run within float32 tolerance.
func TestXLAResume(t *testing.T) {
	cases := []struct {
		name        string
		spec        string
		stop        string  // the progress that interrupts the first run
		first, then bool    // on XLA
		tol         float64 // as in TestXLAEngineMatchesCPU
	}{
		{"xla then xla", tinySpec, "step 1/", true, true, 1e-4},
		{"cpu then xla", tinySpec, "step 1/", false, true, 1e-4},
		{"xla then cpu", tinySpec, "step 1/", true, false, 1e-4},
		// Interrupted after step 6, the queue full: the checkpoint's queue
		// goes on into the XLA engine's program that reads it.
		{"swav queue cpu then xla", swavSpec, "step 5/", false, true, 5e-4},
		// The teacher and MoCo's queue of keys go from checkpoints into
		// the program and back out of it.
		{"byol xla then cpu", byolSpec, "step 1/", true, false, 1e-4},
		{"mocov2plus cpu then xla", mocoSpec, "step 2/", false, true, 1e-4},
		{"mocov2plus xla then xla", mocoSpec, "step 2/", true, true, 1e-4},
	}
	whole := map[string]string{} // the uninterrupted CPU run of each spec
	for _, c := range cases {
		if whole[c.spec] == "" {
			whole[c.spec] = run(t, c.spec, nil, runner.Options{}).Dir
		}
	}
	engine := func(x bool) runner.Options {
		if x {
			return runner.Options{XLA: &xlatest.Runtime{}}
		}
		return runner.Options{}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			exp, src := load(t, c.spec, nil)
			dir := filepath.Join(t.TempDir(), "run")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			opts := engine(c.first)
			opts.Out = dir
			opts.Progress = writerFunc(func(p []byte) (int, error) {
				if strings.Contains(string(p), c.stop) {
					cancel()
				}
				return len(p), nil
			})
			if _, err := runner.Run(ctx, exp, src, opts); !errors.Is(err, runner.ErrInterrupted) {
				t.Fatalf("cancelled run: %v", err)
			}
			if _, err := runner.Resume(context.Background(), dir, engine(c.then)); err != nil {
				t.Fatal(err)
			}
			ld, pd := compareRuns(t, whole[c.spec], dir, c.tol)
			t.Logf("largest differences: loss %.3g, checkpoint %.3g (relative)", ld, pd)
			changes := 0
			for _, e := range events(t, dir) {
				if e["event"] == "engine" {
					changes++
				}
			}
			if want := map[bool]int{false: 1, true: 0}[c.first == c.then]; changes != want {
				t.Errorf("%d engine events, want %d", changes, want)
			}
			var cfg runner.Config
			if err := json.Unmarshal(read(t, filepath.Join(dir, runner.ConfigFile)), &cfg); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]string{false: runner.EngineCPU, true: runner.EngineXLA}[c.then]; cfg.Engine != want {
				t.Errorf("config.json: engine %q, want %q", cfg.Engine, want)
			}
		})
	}
}

// TestXLANaNStops: a loss that is not finite stops the XLA engine at the
// step the CPU engine stops at, with the same error, and the checkpoint
// kept is one written before it.
func TestXLANaNStops(t *testing.T) {
	vars := map[string]string{"temperature": "1e-40"}
	stop := func(opts runner.Options) *runner.LossError {
		exp, src := load(t, tinySpec, vars)
		opts.Out = filepath.Join(t.TempDir(), "run")
		_, err := runner.Run(context.Background(), exp, src, opts)
		var le *runner.LossError
		if !errors.As(err, &le) {
			t.Fatalf("temperature 1e-40: %v", err)
		}
		f, err := safetensors.Read(read(t, filepath.Join(opts.Out, "checkpoints", runner.LatestCheckpoint)))
		if err != nil {
			t.Fatalf("the last good checkpoint is unreadable: %v", err)
		}
		if f.Metadata["sslrun.step"] != strconv.Itoa(le.Kept) || le.Kept >= le.Step {
			t.Errorf("latest checkpoint at step %q, kept %d, the loss failed at %d", f.Metadata["sslrun.step"], le.Kept, le.Step)
		}
		return le
	}
	cpu, dev := stop(runner.Options{}), stop(runner.Options{XLA: &xlatest.Runtime{}})
	if cpu.Step != dev.Step || cpu.Kept != dev.Kept {
		t.Errorf("the XLA engine stopped at step %d keeping %d, the CPU engine at %d keeping %d", dev.Step, dev.Kept, cpu.Step, cpu.Kept)
	}
}

// TestXLABranchProgram: Lower writes the step of a method with a
// momentum teacher, which takes the momentum as an argument and a donated
// argument per teacher parameter, replaced by its followed value: one
// for each trained parameter of the backbone and the heads the teacher
// copies (BYOL's: not the predictor).
func TestXLABranchProgram(t *testing.T) {
	for _, c := range []struct {
		name, spec, notCopied string
	}{
		{"byol", byolSpec, "pred."},
		{"mocov2plus", mocoSpec, "none"},
	} {
		t.Run(c.name, func(t *testing.T) {
			exp, _ := load(t, c.spec, nil)
			progs, err := runner.Lower(context.Background(), exp, 0)
			if err != nil {
				t.Fatal(err)
			}
			var momentum int
			var trained, teacher []string
			for a, in := range progs.Train.Inputs {
				switch in.Role {
				case xla.Momentum:
					momentum++
				case xla.Parameter:
					if name := in.Key.Owner.(*nn.Param).Name; !strings.HasPrefix(name, c.notCopied) {
						trained = append(trained, name)
					}
				case xla.Branch:
					teacher = append(teacher, in.Key.Owner.(*nn.Param).Name)
					if in.Alias < 0 || progs.Train.Outputs[in.Alias].Role != xla.Branch || progs.Train.Outputs[in.Alias].Key != in.Key {
						t.Errorf("argument %d (%s) is not donated to its followed value", a, in.Name)
					}
				}
			}
			if momentum != 1 {
				t.Errorf("%d momentum arguments, want 1", momentum)
			}
			slices.Sort(trained)
			slices.Sort(teacher)
			if diff := cmp.Diff(trained, teacher); diff != "" {
				t.Errorf("the teacher's parameters (-trained +teacher):\n%s", diff)
			}
		})
	}
}
