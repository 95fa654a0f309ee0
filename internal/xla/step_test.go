package xla

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/components/optimizer"
	"github.com/sslrun/sslrun/internal/engine"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/xla/internal/hloeval"
	"github.com/sslrun/sslrun/nn"
)

// renormalized is a head that drops its gradient for some first steps
// and renormalises its weights before every step, as the runner finds
// it.
type renormalized interface {
	Frozen(step, epoch int) bool
	Normalize(ps *nn.Params, name string)
}

// freezeGroups is, per parameter of g, the index of the head among m's
// renormalised heads whose parameter it is, -1 for none: the runner's
// freeze groups.
func freezeGroups(m *model.Model, g *model.Graph) (freeze []int, heads []model.NamedHead) {
	for _, h := range m.Heads {
		if _, ok := h.Head.(renormalized); ok {
			heads = append(heads, h)
		}
	}
	for _, p := range g.Params {
		idx := -1
		for j, h := range heads {
			if strings.HasPrefix(p.Name, h.Name+".") {
				idx = j
			}
		}
		freeze = append(freeze, idx)
	}
	return freeze, heads
}

// cpuStep is one training step as the runner takes it on the CPU engine:
// the engine's forward and backward, the gradients of frozen parameters
// dropped, optimizer.Step.
func cpuStep(t *testing.T, s *step, opt optimizer.Optimizer, freeze []int, frozen bool, lr float64) {
	t.Helper()
	m, err := engine.New(s.g.G, s.out...)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	grads := make([][]float32, len(s.g.Grads))
	for i, gn := range s.g.Grads {
		if freeze[i] < 0 || !frozen {
			grads[i] = gn.Value().Data().([]float32)
		}
	}
	if err := opt.Step(s.g.Params, grads, lr); err != nil {
		t.Fatal(err)
	}
}

// stepFeed is the program's arguments for the state s, opt and the
// objects behind the graph's state are in now.
func stepFeed(t *testing.T, p *Program, opt optimizer.Lowerer, lr float64, frozen bool) []*hloeval.Tensor {
	t.Helper()
	st := opt.State()
	feed := make([]*hloeval.Tensor, len(p.Inputs))
	for i, in := range p.Inputs {
		var err error
		switch in.Role {
		case Input, Parameter:
			feed[i], err = tensorOf(in.Node.Value())
		case LR:
			feed[i] = &hloeval.Tensor{DType: "f64", F: []float64{lr}}
		case Freeze:
			feed[i] = boolTensor(frozen)
		case OptState:
			feed[i], err = optTensor(opt, st, in)
		case State:
			feed[i], err = stateTensor(in.Key, in.Shape)
		}
		if err != nil {
			t.Fatalf("argument %s: %v", in.Name, err)
		}
	}
	return feed
}

// optTensor is the optimizer state port carries, from st: zeros where st
// has none, as Step creates it.
func optTensor(opt optimizer.Lowerer, st optimizer.State, port Port) (*hloeval.Tensor, error) {
	p, ok := port.Key.Owner.(*nn.Param)
	if !ok {
		return nil, fmt.Errorf("optimizer state of %T", port.Key.Owner)
	}
	bufs, _ := opt.Slots()
	all := optStateTensors(opt, st, p)
	for k, s := range bufs {
		if s == port.Key.Field {
			return all[k], nil
		}
	}
	_, counts := opt.Slots()
	for k, s := range counts {
		if s == port.Key.Field {
			return all[len(bufs)+k], nil
		}
	}
	return nil, fmt.Errorf("no slot %s", port.Key.Field)
}

// stepCase is one training step to compare.
type stepCase struct {
	name   string
	src    string
	shapes []model.Shape
	opt    string
	config map[string]any
	frozen bool // the freeze groups' flag at both steps
	// noise names the parameters whose gradient is rounding noise (a
	// bias feeding a batch norm, mathematically 0: proj.0.bias's is below
	// 7e-6 here). AdamW divides the gradient by its own magnitude, so it
	// moves such a parameter by about lr whatever the noise's size, and a
	// noise of the other sign moves it the other way: for AdamW these
	// parameters are bounded by 2*lr absolute instead (measured 4.0e-3
	// at lr 2e-3).
	noise []string
}

// stepParamTol bounds updated parameters and optimizer buffers relative
// to their scale (diff.rel): they carry the gradients' error, bounded by
// TestTrainingStepsMatchEngine's gradTol for these convnets (sums of
// products in another order than the engine's), times the learning rate
// or the momentum (largest measured: 7.0e-5, a LARS momentum buffer).
const stepParamTol = 2e-4

// TestStepMatchesEngine lowers whole training steps (LowerStep: forward,
// backward, the optimizer's update, the running statistics) and runs two
// consecutive steps on the evaluator and on the CPU engine with
// optimizer.Step as the runner does, each step's program fed the state the
// CPU path had before it (prototypes renormalised and the full queue
// scored on the host, as the runner does). The loss, embeddings and
// running statistics agree within graphTol, parameters and optimizer
// buffers within the case's paramTol, counters exactly; a frozen group's
// parameters and optimizer state come out bit-identical to what went in.
func TestStepMatchesEngine(t *testing.T) {
	simclr := []model.Shape{{4, 3, 16, 16}, {4, 3, 16, 16}}
	swav := []model.Shape{{4, 3, 16, 16}, {4, 3, 16, 16}, {4, 3, 8, 8}, {4, 3, 8, 8}}
	sgd := map[string]any{"lr": 0.3, "weight_decay": 1e-4, "scale_lr": false}
	lars := map[string]any{"lr": 0.4, "weight_decay": 1e-4, "scale_lr": false}
	adamw := map[string]any{"lr": 2e-3, "weight_decay": 0.05, "scale_lr": false}
	cases := []stepCase{
		{"simclr sgd", simclrSpec, simclr, "optimizer.sgd", sgd, false, nil},
		{"simclr lars", simclrSpec, simclr, "optimizer.lars", lars, false, nil},
		{"simclr adamw", simclrSpec, simclr, "optimizer.adamw", adamw, false, []string{"proj.0.bias"}},
		{"swav lars, prototypes frozen", swavSpec, swav, "optimizer.lars", lars, true, nil},
		{"swav adamw, prototypes frozen", swavSpec, swav, "optimizer.adamw", adamw, true, []string{"proj.0.bias"}},
		{"swav lars, prototypes trained", swavSpec, swav, "optimizer.lars", lars, false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			s := newStep(t, c.src, c.shapes)
			opt := buildOptimizer(t, c.opt, c.config)
			freeze, heads := freezeGroups(s.m, s.g)
			p, err := LowerStep(s.g, opt, freeze, strings.ReplaceAll(c.name, " ", "_"))
			if err != nil {
				t.Fatal(err)
			}
			mod, err := hloeval.Parse(p.Text())
			if err != nil {
				t.Fatal(err)
			}
			checkAliases(t, p)
			sw, queued := s.m.Objective.(*objective.Swav)
			for step, lr := range []float64{c.config["lr"].(float64), c.config["lr"].(float64) / 2} {
				for _, h := range heads {
					h.Head.(renormalized).Normalize(s.m.Params, h.Name)
				}
				if queued && sw.Queues() {
					s.fillQueue(t, sw, c.shapes[0][0]) // scored under the renormalised prototypes
				}
				feed := stepFeed(t, p, opt, lr, c.frozen)
				got, err := mod.Run(feed...)
				if err != nil {
					t.Fatal(err)
				}
				cpuStep(t, s, opt, freeze, c.frozen, lr)
				st := opt.State()
				var worstFwd, worstParam diff
				identical := 0
				for i, o := range p.Outputs {
					var want *hloeval.Tensor
					switch o.Role {
					case Output:
						want, err = tensorOf(o.Node.Value())
					case Parameter:
						want, err = tensorOf(o.Node.Value())
					case OptState:
						want, err = optTensor(opt, st, o)
					case State:
						want, err = stateTensor(o.Key, o.Shape)
					}
					if err != nil {
						t.Fatalf("result %s: %v", o.Name, err)
					}
					name := fmt.Sprintf("step %d: %s %s", step, o.Role, o.Name)
					if o.Role == Output {
						name = fmt.Sprintf("step %d: output %d", step, i)
					}
					d, err := distance(name, got[i], want)
					if err != nil {
						t.Fatal(err)
					}
					tol := graphTol
					switch {
					case o.Role == OptState && o.DType.IsInt() && d.abs != 0:
						t.Errorf("%s: %v, want %v", name, got[i].F, want.F)
					case isNoise(o, c.noise) && c.opt == "optimizer.adamw":
						if d.abs > 2*lr {
							t.Errorf("%s: %.3g from the CPU path's, more than 2*lr", name, d.abs)
						}
						continue
					case o.Role == Parameter || o.Role == OptState:
						tol = stepParamTol
						if d.rel >= worstParam.rel {
							worstParam = d
						}
					default:
						if d.rel >= worstFwd.rel {
							worstFwd = d
						}
					}
					if d.rel > tol {
						t.Errorf("%s: %.3g from the CPU path's (%.3g relative)", name, d.abs, d.rel)
					}
					if a := aliasOf(p, i); c.frozen && a >= 0 && frozenArg(p, freeze, a) {
						if err := sameBits(name+" (frozen)", got[i], feed[a].F); err != nil {
							t.Error(err)
						}
						identical++
					}
				}
				if c.frozen && identical == 0 {
					t.Error("no frozen parameter or state checked")
				}
				t.Logf("step %d: %d frozen results bit-identical; worst of the loss, embeddings and statistics %s: %.2g relative; worst parameter or optimizer state %s: %.2g relative",
					step, identical, worstFwd.name, worstFwd.rel, worstParam.name, worstParam.rel)
			}
			t.Logf("%d arguments, %d results, two steps in %v", len(p.Inputs), len(p.Outputs), time.Since(start).Round(time.Millisecond))
		})
	}
}

// isNoise reports whether port is one of the parameters named, or their
// optimizer state.
func isNoise(port Port, names []string) bool {
	p, ok := port.Key.Owner.(*nn.Param)
	return ok && slices.Contains(names, p.Name)
}

// aliasOf is the argument donated to result r, -1 if none.
func aliasOf(p *Program, r int) int {
	for a, in := range p.Inputs {
		if in.Alias == r {
			return a
		}
	}
	return -1
}

// frozenArg reports whether argument a is a parameter in a freeze group,
// or its optimizer state.
func frozenArg(p *Program, freeze []int, a int) bool {
	in := p.Inputs[a]
	if in.Role != Parameter && in.Role != OptState {
		return false
	}
	for i, n := range freezeParams(p) {
		if n == in.Key.Owner {
			return freeze[i] >= 0
		}
	}
	return false
}

// freezeParams is the program's parameters in argument order.
func freezeParams(p *Program) []any {
	var out []any
	for _, in := range p.Inputs {
		if in.Role == Parameter {
			out = append(out, in.Key.Owner)
		}
	}
	return out
}

// checkAliases checks the donations: every parameter, optimizer state and
// updated state argument donated to the one result of its name and role,
// of its shape; nothing else donated; each result taken once; and the
// program text carrying tf.aliasing_output for each.
func checkAliases(t *testing.T, p *Program) {
	t.Helper()
	taken := map[int]bool{}
	for _, in := range p.Inputs {
		r := in.Alias
		switch {
		case r < 0 && (in.Role == Parameter || in.Role == OptState):
			t.Errorf("argument %s (%s) is not donated", in.Name, in.Role)
		case r < 0:
		case in.Role != Parameter && in.Role != OptState && in.Role != State:
			t.Errorf("argument %s (%s) is donated", in.Name, in.Role)
		case taken[r]:
			t.Errorf("result %d taken twice", r)
		default:
			taken[r] = true
			o := p.Outputs[r]
			if o.Role != in.Role || o.Name != in.Name || o.DType != in.DType || fmt.Sprint(o.Shape) != fmt.Sprint(in.Shape) {
				t.Errorf("argument %s (%s %s%v) donated to result %d, %s (%s %s%v)", in.Name, in.Role, in.DType, in.Shape, r, o.Name, o.Role, o.DType, o.Shape)
			}
			if want := fmt.Sprintf("%%%s: %s { tf.aliasing_output = %d : i32 }", in.Name, typeText(in), r); !strings.Contains(p.Text(), want) {
				t.Errorf("the program text lacks %q", want)
			}
		}
	}
	if len(taken) == 0 {
		t.Error("nothing donated")
	}
}

// typeText is port's type as StableHLO prints it.
func typeText(port Port) string {
	var b strings.Builder
	b.WriteString("tensor<")
	for _, d := range port.Shape {
		fmt.Fprintf(&b, "%dx", d)
	}
	switch port.DType.String() {
	case "Float32":
		b.WriteString("f32")
	case "Int64":
		b.WriteString("i64")
	default:
		b.WriteString(strings.ToLower(port.DType.String()))
	}
	b.WriteString(">")
	return b.String()
}
