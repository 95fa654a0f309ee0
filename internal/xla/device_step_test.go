//go:build cgo

package xla

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/xla/internal/hloeval"
	"github.com/sslrun/sslrun/ops"
)

// arrayTensor is a host array as the comparisons take it.
func arrayTensor(a Array) *hloeval.Tensor {
	t := &hloeval.Tensor{}
	if len(a.Shape) > 0 {
		t.Shape = slices.Clone(a.Shape)
	}
	switch d := a.Data.(type) {
	case []float32:
		t.DType, t.F = "f32", floats64(d)
	case []float64:
		t.DType, t.F = "f64", slices.Clone(d)
	case []int64:
		t.DType = "i64"
		for _, v := range d {
			t.F = append(t.F, float64(v))
		}
	}
	return t
}

// TestDeviceStepMatchesEngine runs two consecutive whole training steps
// (LowerStep with LARS) on the PJRT device SSLRUN_PJRT_PLUGIN names and on
// the CPU engine with optimizer.Step, as the runner takes them, and
// compares the loss, embeddings, updated parameters, optimizer state and
// running statistics. Parameters and state stay on the device between the
// two steps (donated), so the second step checks that too. It is skipped
// when SSLRUN_PJRT_PLUGIN is unset: scripts/gpu_check.sh runs it on a GPU.
// Tolerances allow for the device's own order of sums and its default
// precision of products (TF32 on recent NVIDIA GPUs); every worst error
// is logged.
func TestDeviceStepMatchesEngine(t *testing.T) {
	path := PluginPath("")
	if path == "" {
		t.Skipf("%s is unset: no PJRT device to compare with", PluginEnv)
	}
	dev, err := OpenDevice(path)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	t.Logf("device: %s", dev)
	lars := map[string]any{"lr": 0.4, "weight_decay": 1e-4, "scale_lr": false}
	cases := []struct {
		name   string
		src    string
		shapes []model.Shape
		frozen bool
		// fwdTol bounds the loss, embeddings and running statistics,
		// paramTol the parameters, stateTol the optimizer buffers (which
		// carry the gradients' error whole; ResNet-18's ReLU flips are
		// explained at TestTrainingStepsMatchEngine), relative to scale.
		fwdTol, paramTol, stateTol float64
	}{
		{"simclr convnet", simclrSpec, []model.Shape{{4, 3, 16, 16}, {4, 3, 16, 16}}, false, 1e-2, 1e-3, 5e-2},
		{"swav multi-crop, prototypes frozen", swavSpec, []model.Shape{{4, 3, 16, 16}, {4, 3, 16, 16}, {4, 3, 8, 8}, {4, 3, 8, 8}}, true, 1e-2, 1e-3, 5e-2},
		{"simclr resnet18", resnetSpec, []model.Shape{{2, 3, 16, 16}, {2, 3, 16, 16}}, false, 1e-2, 1e-3, 0.3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStep(t, c.src, c.shapes)
			opt := buildOptimizer(t, "optimizer.lars", lars)
			freeze, heads := freezeGroups(s.m, s.g)
			p, err := LowerStep(s.g, opt, freeze, strings.ReplaceAll(c.name, " ", "_"))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			exe, err := dev.Compile(p)
			if err != nil {
				t.Fatal(err)
			}
			defer exe.Close()
			t.Logf("compiled %d arguments, %d results in %v", len(p.Inputs), len(p.Outputs), time.Since(start).Round(time.Millisecond))
			var fetch []int
			for r, o := range p.Outputs {
				if o.Role == Output {
					fetch = append(fetch, r)
				}
			}
			sw, queued := s.m.Objective.(*objective.Swav)
			for step, lr := range []float64{0.4, 0.2} {
				for _, h := range heads {
					h.Head.(renormalized).Normalize(s.m.Params, h.Name)
				}
				if queued && sw.Queues() {
					s.fillQueue(t, sw, c.shapes[0][0])
				}
				if err := setStep(exe, freeze, step, lr, c.frozen); err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				got, err := exe.Run(fetch...)
				if err != nil {
					t.Fatal(err)
				}
				elapsed := time.Since(start)
				cpuStep(t, s, opt, freeze, c.frozen, lr)
				st := opt.State()
				var worst [3]diff // forward, parameters, optimizer state
				check := func(name string, kind int, g *hloeval.Tensor, want *hloeval.Tensor, tol float64) {
					d, err := distance(name, g, want)
					if err != nil {
						t.Fatal(err)
					}
					if d.rel >= worst[kind].rel {
						worst[kind] = d
					}
					if d.rel > tol {
						t.Errorf("%s: %.3g from the CPU path's (%.3g relative)", name, d.abs, d.rel)
					}
				}
				for k, r := range fetch {
					want, err := tensorOf(p.Outputs[r].Node.Value())
					if err != nil {
						t.Fatal(err)
					}
					check(fmt.Sprintf("step %d: output %d", step, r), 0, arrayTensor(got[k]), want, c.fwdTol)
				}
				for i, in := range p.Inputs {
					if in.Alias < 0 {
						continue
					}
					a, err := exe.Get(i)
					if err != nil {
						t.Fatal(err)
					}
					name := fmt.Sprintf("step %d: %s %s", step, in.Role, in.Name)
					var want *hloeval.Tensor
					switch in.Role {
					case Parameter:
						want, err = tensorOf(in.Node.Value())
						check(name, 1, arrayTensor(a), want, c.paramTol)
					case OptState:
						if want, err = optTensor(opt, st, in); err == nil {
							check(name, 2, arrayTensor(a), want, c.stateTol)
						}
					case State:
						if want, err = stateTensor(in.Key, in.Shape); err == nil {
							check(name, 0, arrayTensor(a), want, c.fwdTol)
						}
					}
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
				}
				t.Logf("step %d on the device in %v; worst forward %s: %.2g relative; worst parameter %s: %.2g; worst optimizer state %s: %.2g",
					step, elapsed.Round(time.Microsecond), worst[0].name, worst[0].rel, worst[1].name, worst[1].rel, worst[2].name, worst[2].rel)
			}
		})
	}
}

// setStep sets one step's arguments: the batch (the graph's input
// values), lr and the freeze flags; at step 0 everything the host holds,
// later only what the host changes between steps: the renormalised
// parameters of freeze groups and the queue's scores.
func setStep(exe *Executable, freeze []int, step int, lr float64, frozen bool) error {
	p := exe.Program()
	param := 0
	for i, in := range p.Inputs {
		var err error
		switch in.Role {
		case Input:
			v := in.Node.Value()
			err = exe.Set(i, Array{Shape: slices.Clone([]int(v.Shape())), Data: v.Data()})
		case LR:
			err = exe.Set(i, Array{Data: []float64{lr}})
		case Freeze:
			err = exe.Set(i, Array{Data: []bool{frozen}})
		case Parameter:
			if step == 0 || freeze[param] >= 0 {
				err = setValue(exe, i)
			}
			param++
		case State:
			if _, queue := in.Key.Owner.(*ops.SinkhornQueue); step == 0 || queue {
				err = setValue(exe, i)
			}
		case OptState:
			if step == 0 {
				err = setValue(exe, i)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// setValue sets argument i from the host's value.
func setValue(exe *Executable, i int) error {
	a, err := Value(exe.Program().Inputs[i])
	if err != nil {
		return err
	}
	return exe.Set(i, a)
}

// TestHostValuesFitStepPrograms checks, without a device, what
// TestDeviceStepMatchesEngine and the XLA bench hand to one: every
// argument of a lowered step has a host value (Value, or the batch, lr and
// flags setStep builds) of the port's type and shape.
func TestHostValuesFitStepPrograms(t *testing.T) {
	lars := map[string]any{"lr": 0.4, "weight_decay": 1e-4, "scale_lr": false}
	cases := []struct {
		name   string
		src    string
		shapes []model.Shape
	}{
		{"simclr convnet", simclrSpec, []model.Shape{{4, 3, 16, 16}, {4, 3, 16, 16}}},
		{"swav multi-crop", swavSpec, []model.Shape{{4, 3, 16, 16}, {4, 3, 16, 16}, {4, 3, 8, 8}, {4, 3, 8, 8}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStep(t, c.src, c.shapes)
			opt := buildOptimizer(t, "optimizer.lars", lars)
			freeze, _ := freezeGroups(s.m, s.g)
			p, err := LowerStep(s.g, opt, freeze, "host_values")
			if err != nil {
				t.Fatal(err)
			}
			roles := map[Role]int{}
			for _, in := range p.Inputs {
				var a Array
				switch in.Role {
				case Input:
					v := in.Node.Value()
					a = Array{Shape: []int(v.Shape()), Data: v.Data()}
				case LR:
					a = Array{Data: []float64{0.1}}
				case Freeze:
					a = Array{Data: []bool{true}}
				default:
					if a, err = Value(in); err != nil {
						t.Fatal(err)
					}
				}
				if err := a.Check(in); err != nil {
					t.Error(err)
				}
				roles[in.Role]++
			}
			for _, r := range []Role{Input, LR, Parameter, OptState, State} {
				if roles[r] == 0 {
					t.Errorf("no %s argument checked", r)
				}
			}
		})
	}
}
