package runner

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/components/optimizer"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/pipeline"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/internal/xla"
	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
)

// The engines a run can train on (Config.Engine).
const (
	EngineCPU = "cpu"
	EngineXLA = "xla"
)

// xlaEngine runs a trainer's steps on an XLA runtime: the whole step of
// each batch size and objective variant (objective.Method.Variant) lowered once
// (xla.LowerStep) and compiled, parameters, optimizer state and
// batch-norm statistics kept by the runtime between steps. The host's
// copies (the model's parameters, the optimizer's State, the statistics)
// are brought up to date by syncXLA, before a checkpoint and before
// another program takes over, which then gets them (upload); the data
// loader, schedule, freezing, the objective's hooks, logging and
// checkpoints stay the trainer's, as on the CPU engine. A program that handed over keeps its
// arguments until the run ends (on a device, its memory).
type xlaEngine struct {
	rt    xla.Runtime
	opt   optimizer.Lowerer
	steps map[xlaKey]*xlaStep
	// live is the program whose arguments hold the training state; nil
	// while the host's copies are the only ones.
	live *xlaStep
	// updated names the parameters the optimizer has updated: Step keeps
	// state for them only, while a program holds zero buffers (counter 0)
	// for the others.
	updated map[string]bool
}

// xlaKey tells the compiled steps apart: the batch size, and the
// objective's variant (what else its graph depends on, e.g. the shape of
// state the host feeds).
type xlaKey struct {
	batch   int
	variant string
}

// xlaStep is the compiled step for one batch size and variant.
type xlaStep struct {
	g      *model.Graph
	prog   *xla.Program
	sess   xla.Session
	shapes []model.Shape // per view
	loss   int           // the loss's result
	taps   []int         // the taps' results, in g.TapNodes order
	// tapped are the arguments of the parameters the objective reads on
	// the host before each step (g.TappedParams).
	tapped []int
	// normalized are the arguments of the parameters of heads that
	// renormalise their weights on the host before each step.
	normalized []int
}

// checkXLA refuses, before anything is written, what the XLA engine
// cannot train: an optimizer without a lowering.
func checkXLA(exp *spec.Experiment, p *parts) error {
	if _, ok := p.optimizer.(optimizer.Lowerer); !ok {
		return fmt.Errorf("--engine xla: optimizer %s does not lower its update to StableHLO; use --engine cpu", exp.Optimizer.ID)
	}
	return nil
}

// xlaStep returns the compiled step for batches of b images in variant
// (objective.Method.Variant), lowering and compiling it on first use (a
// short last batch without drop_last gets its own program, and so does
// each variant: the shape of the state it feeds is the program's).
// Building the graph creates the model's parameters.
func (t *trainer) xlaStep(b int, st objective.Step) (*xlaStep, error) {
	e := t.xla
	key := xlaKey{batch: b}
	if t.p.method != nil {
		key.variant = t.p.method.Variant(st)
	}
	if s, ok := e.steps[key]; ok {
		return s, nil
	}
	s := &xlaStep{}
	for _, v := range t.shapes {
		s.shapes = append(s.shapes, model.Shape{b, v[1], v[2], v[3]})
	}
	var err error
	if s.g, err = t.p.model.Train(s.shapes); err != nil {
		return nil, fmt.Errorf("building the training graph: %w", err)
	}
	// The lowering takes the shapes of the state the objective feeds from
	// what BeforeStep sets (on the host's parameters, which stepXLA brings
	// up to date before the step runs).
	if t.p.method != nil {
		if err := t.p.method.BeforeStep(st, s.g.TappedParams); err != nil {
			return nil, err
		}
	}
	frozen := frozenIndex(s.g.Params, t.p.frozen)
	if s.prog, err = xla.LowerStep(s.g, e.opt, frozen, fmt.Sprintf("train_step_b%d", b), xla.WithPrecision(xla.Precision(t.exp.Train.Precision))); err != nil {
		return nil, fmt.Errorf("lowering the training step: %w", err)
	}
	s.loss = -1
	taps := s.g.TapNodes()
	s.taps = make([]int, len(taps))
	for i := range s.taps {
		s.taps[i] = -1
	}
	for r, o := range s.prog.Outputs {
		if o.Role != xla.Output {
			continue
		}
		if o.Node == s.g.Output {
			s.loss = r
		}
		if i := slices.Index(taps, o.Node); i >= 0 {
			s.taps[i] = r
		}
	}
	if s.loss < 0 || slices.Contains(s.taps, -1) {
		return nil, fmt.Errorf("the lowered step of batch %d lacks the loss or a tap among its results", b)
	}
	tapped := slices.Collect(maps.Values(s.g.TappedParams))
	for a, in := range s.prog.Inputs {
		if in.Role != xla.Parameter {
			continue
		}
		prm := paramOf(in)
		if i := slices.Index(s.g.Params, prm); i >= 0 && frozen[i] >= 0 {
			s.normalized = append(s.normalized, a)
		}
		if slices.Contains(tapped, prm) {
			s.tapped = append(s.tapped, a)
		}
	}
	if len(s.tapped) != len(tapped) {
		return nil, fmt.Errorf("the lowered step of batch %d does not take every parameter the objective reads", b)
	}
	if s.sess, err = e.rt.Compile(s.prog); err != nil {
		return nil, fmt.Errorf("%s: %w", e.rt, err)
	}
	e.steps[key] = s
	return s, nil
}

// paramOf is the parameter a Parameter or OptState port belongs to, nil
// for none.
func paramOf(p xla.Port) *nn.Param {
	prm, _ := p.Key.Owner.(*nn.Param)
	return prm
}

// stepXLA runs one step on batch at learning rate lr on the runtime and
// returns its loss. As on the CPU engine, frozen heads' weights are
// renormalised on the host first (read back, Normalize, set), the
// objective's BeforeStep runs on the host on the parameters it reads
// (read back) and the state it feeds is set, a frozen group's flag keeps
// its parameters and optimizer state as they were, and the taps the step
// returns go to the objective's AfterStep. Unlike the CPU engine, the
// update is applied in the same program as the loss: a loss that is not
// finite is reported after it, and the checkpoint kept is the last one
// written, as there.
func (t *trainer) stepXLA(batch *pipeline.Batch, lr float64) (float64, error) {
	e := t.xla
	st := t.methodStep(len(batch.Indices))
	s, err := t.xlaStep(len(batch.Indices), st)
	if err != nil {
		return 0, err
	}
	if e.live != s {
		if err := t.syncXLA(); err != nil {
			return 0, err
		}
		if err := e.upload(s, t.p.optimizer.State()); err != nil {
			return 0, err
		}
		e.live = s
	}
	if err := t.normalizeXLA(s); err != nil {
		return 0, err
	}
	if err := t.beforeStepXLA(s, st); err != nil {
		return 0, err
	}
	v, group := 0, 0
	var flags []bool
	for a, in := range s.prog.Inputs {
		var err error
		switch in.Role {
		case xla.Input:
			err = s.sess.Set(a, xla.Array{Shape: s.shapes[v][:], Data: batch.Views[v].Data})
			v++
		case xla.LR:
			err = s.sess.Set(a, xla.Array{Data: []float64{lr}})
		case xla.Momentum:
			err = s.sess.Set(a, xla.Array{Data: []float64{momentum(t.p.method, st)}})
		case xla.Freeze:
			flags = append(flags, t.p.frozen[group].head.Frozen(t.pos.Step, t.pos.Epoch))
			err = s.sess.Set(a, xla.Array{Data: []bool{flags[group]}})
			group++
		}
		if err != nil {
			return 0, fmt.Errorf("step %d: %w", t.pos.Step+1, err)
		}
	}
	out, err := s.sess.Run(append([]int{s.loss}, s.taps...)...)
	if err != nil {
		return 0, fmt.Errorf("step %d: %w", t.pos.Step+1, err)
	}
	loss := float64(out[0].Data.([]float32)[0])
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return 0, &LossError{Step: t.pos.Step + 1, Epoch: t.pos.Epoch, Loss: loss, Kept: t.saved}
	}
	for i, f := range frozenIndex(s.g.Params, t.p.frozen) {
		if f < 0 || !flags[f] {
			e.updated[s.g.Params[i].Name] = true
		}
	}
	taps := make([][]float32, len(s.taps))
	for i := range taps {
		taps[i] = out[1+i].Data.([]float32)
	}
	return loss, t.afterStep(st, s.g, taps)
}

// beforeStepXLA runs the objective's BeforeStep on the host as the CPU
// engine does: the parameters it reads are read back first, and the state
// it feeds (the program's host-fed arguments) is set after.
func (t *trainer) beforeStepXLA(s *xlaStep, st objective.Step) error {
	if t.p.method == nil {
		return nil
	}
	for _, a := range s.tapped {
		if err := readParam(s, a); err != nil {
			return err
		}
	}
	if err := t.p.method.BeforeStep(st, s.g.TappedParams); err != nil {
		return fmt.Errorf("step %d: %w", t.pos.Step+1, err)
	}
	for _, a := range s.prog.HostFed() {
		v, err := xla.Value(s.prog.Inputs[a])
		if err != nil {
			return err
		}
		if err := s.sess.Set(a, v); err != nil {
			return err
		}
	}
	return nil
}

// normalizeXLA renormalises the weights of frozen heads on the host as
// the CPU engine does before each step: their parameters are read back,
// Normalize runs on the model's parameters, and the result is set again.
func (t *trainer) normalizeXLA(s *xlaStep) error {
	if len(s.normalized) == 0 {
		return nil
	}
	for _, a := range s.normalized {
		if err := readParam(s, a); err != nil {
			return err
		}
	}
	for _, f := range t.p.frozen {
		f.head.Normalize(t.p.model.Params, f.name)
	}
	for _, a := range s.normalized {
		v, err := xla.Value(s.prog.Inputs[a])
		if err != nil {
			return err
		}
		if err := s.sess.Set(a, v); err != nil {
			return err
		}
	}
	return nil
}

// readParam copies argument a of s, a parameter, into the model's.
func readParam(s *xlaStep, a int) error {
	in := s.prog.Inputs[a]
	got, err := s.sess.Get(a)
	if err != nil {
		return err
	}
	prm := paramOf(in)
	if prm == nil {
		return fmt.Errorf("argument %s is no model parameter", in.Name)
	}
	copy(prm.Data(), got.Data.([]float32))
	return nil
}

// upload sets every argument of s the host holds: parameters and
// batch-norm statistics from the model, optimizer state from st (zero
// for a parameter st has no state for, as Step creates it).
func (e *xlaEngine) upload(s *xlaStep, st optimizer.State) error {
	e.updated = map[string]bool{}
	for k := range maps.Keys(st.Buffers) {
		_, name, _ := strings.Cut(k, "/")
		e.updated[name] = true
	}
	for k := range maps.Keys(st.Counters) {
		_, name, _ := strings.Cut(k, "/")
		e.updated[name] = true
	}
	fed := s.prog.HostFed()
	for a, in := range s.prog.Inputs {
		var v xla.Array
		var err error
		if slices.Contains(fed, a) {
			continue // beforeStepXLA sets it each step
		}
		switch in.Role {
		case xla.Parameter, xla.Branch, xla.State:
			v, err = xla.Value(in)
		case xla.OptState:
			key := in.Key.Field + "/" + paramOf(in).Name
			if v, err = xla.Zeros(in); err != nil {
				break
			}
			if b, ok := st.Buffers[key]; ok {
				v.Data = b
			} else if c, ok := st.Counters[key]; ok {
				v.Data = []int64{c}
			}
		default:
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", s.prog.Name, err)
		}
		if err := s.sess.Set(a, v); err != nil {
			return fmt.Errorf("%s: %w", e.rt, err)
		}
	}
	return nil
}

// syncXLA brings the host's copies of the training state up to date from
// the live program: the model's parameters, the branches' (the
// objective's, which its State reads), the batch-norm statistics
// and the optimizer's state, converted to optimizer.State (entries of the
// parameters Step would have updated only).
func (t *trainer) syncXLA() error {
	if t.xla == nil || t.xla.live == nil {
		return nil
	}
	s := t.xla.live
	st := optimizer.State{Buffers: map[string][]float32{}, Counters: map[string]int64{}}
	fed := s.prog.HostFed()
	for a, in := range s.prog.Inputs {
		switch in.Role {
		case xla.Parameter, xla.Branch:
			if err := readParam(s, a); err != nil {
				return err
			}
		case xla.State:
			if slices.Contains(fed, a) {
				continue // the host feeds it; the host's copy is the state
			}
			got, err := s.sess.Get(a)
			if err != nil {
				return err
			}
			bn, ok := in.Key.Owner.(*ops.BNStats)
			if !ok {
				return fmt.Errorf("state %s: %T is not kept on the host by the XLA engine", in.Name, in.Key.Owner)
			}
			switch in.Key.Field {
			case "mean":
				copy(bn.Mean, got.Data.([]float32))
			case "var":
				copy(bn.Var, got.Data.([]float32))
			case "tracked":
				bn.Tracked = got.Data.([]int64)[0]
			}
		case xla.OptState:
			name := paramOf(in).Name
			if !t.xla.updated[name] {
				continue
			}
			got, err := s.sess.Get(a)
			if err != nil {
				return err
			}
			key := in.Key.Field + "/" + name
			switch d := got.Data.(type) {
			case []float32:
				st.Buffers[key] = d
			case []int64:
				st.Counters[key] = d[0]
			}
		}
	}
	if err := t.p.optimizer.SetState(st); err != nil {
		return fmt.Errorf("the optimizer state read back from %s: %w", t.xla.rt, err)
	}
	return nil
}

// closeXLA frees the compiled steps.
func (e *xlaEngine) close() {
	for _, s := range e.steps {
		_ = s.sess.Close()
	}
	e.steps, e.live = map[xlaKey]*xlaStep{}, nil
}
