package runner

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

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
// each batch size (and, for SwAV, of a full queue) lowered once
// (xla.LowerStep) and compiled, parameters, optimizer state and
// batch-norm statistics kept by the runtime between steps. The host's
// copies (the model's parameters, the optimizer's State, the statistics)
// are brought up to date by syncXLA, before a checkpoint and before
// another program takes over, which then gets them (upload); the data
// loader, schedule, freezing, queue, logging and checkpoints stay the
// trainer's, as on the CPU engine. A program that handed over keeps its
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

// xlaKey tells the compiled steps apart: the batch size, and whether the
// objective reads a full queue (its scores an argument of the step).
type xlaKey struct {
	batch int
	queue bool
}

// xlaStep is the compiled step for one batch size, with or without the
// queue.
type xlaStep struct {
	g      *model.Graph
	prog   *xla.Program
	sess   xla.Session
	shapes []model.Shape // per view
	loss   int           // the loss's result
	emb    []int         // the embeddings' results, in g.Embeddings order
	// head is the argument of the last head's weight, whose scores of the
	// queued embeddings the queue's argument holds; -1 without a queue.
	head int
	// protos are the arguments of the parameters of heads that renormalise
	// their prototypes on the host before each step.
	protos []int
}

// checkXLA refuses, before anything is written, what the XLA engine
// cannot train: an optimizer without a lowering.
func checkXLA(exp *spec.Experiment, p *parts) error {
	if _, ok := p.optimizer.(optimizer.Lowerer); !ok {
		return fmt.Errorf("--engine xla: optimizer %s does not lower its update to StableHLO; use --engine cpu", exp.Optimizer.ID)
	}
	return nil
}

// queueFull reports whether the next step reads the queue: the objective
// keeps one, this epoch uses it, and it is full (UseQueue leaves a queue
// that is filling out).
func (t *trainer) queueFull() bool {
	return t.p.queue != nil && t.queue != nil && t.p.queue.QueueStarts(t.pos.Epoch) && t.queue.Filled >= t.queue.Length
}

// xlaStep returns the compiled step for batches of b images, with the
// queue's scores as an argument when the queue is full, lowering and
// compiling it on first use (a short last batch without drop_last gets its
// own program, and so does the full queue: its scores' shape is the
// program's). Building the graph creates the model's parameters.
func (t *trainer) xlaStep(b int) (*xlaStep, error) {
	e := t.xla
	key := xlaKey{b, t.queueFull()}
	if s, ok := e.steps[key]; ok {
		return s, nil
	}
	// The lowering takes the queue's shape from what UseQueue set.
	if err := t.useQueue(); err != nil {
		return nil, err
	}
	s := &xlaStep{head: -1}
	for _, v := range t.shapes {
		s.shapes = append(s.shapes, model.Shape{b, v[1], v[2], v[3]})
	}
	var err error
	if s.g, err = t.p.model.Train(s.shapes); err != nil {
		return nil, fmt.Errorf("building the training graph: %w", err)
	}
	frozen := frozenIndex(s.g.Params, t.p.frozen)
	if s.prog, err = xla.LowerStep(s.g, e.opt, frozen, fmt.Sprintf("train_step_b%d", b), xla.WithPrecision(xla.Precision(t.exp.Train.Precision))); err != nil {
		return nil, fmt.Errorf("lowering the training step: %w", err)
	}
	s.loss = -1
	s.emb = make([]int, len(s.g.Embeddings))
	for v := range s.emb {
		s.emb[v] = -1
	}
	for r, o := range s.prog.Outputs {
		if o.Role != xla.Output {
			continue
		}
		if o.Node == s.g.Output {
			s.loss = r
		}
		if v := slices.Index(s.g.Embeddings, o.Node); v >= 0 {
			s.emb[v] = r
		}
	}
	if s.loss < 0 || slices.Contains(s.emb, -1) {
		return nil, fmt.Errorf("the lowered step of batch %d lacks the loss or an embedding among its results", b)
	}
	var last *nn.Param
	if key.queue {
		name := t.p.model.Heads[len(t.p.model.Heads)-1].Name + ".weight"
		var ok bool
		if last, ok = t.p.model.Params.Param(name); !ok {
			return nil, fmt.Errorf("the queue needs the weight %s, which the model lacks", name)
		}
	}
	for a, in := range s.prog.Inputs {
		if in.Role != xla.Parameter {
			continue
		}
		prm := paramOf(in)
		if i := slices.Index(s.g.Params, prm); i >= 0 && frozen[i] >= 0 {
			s.protos = append(s.protos, a)
		}
		if last != nil && prm == last {
			s.head = a
		}
	}
	if key.queue && s.head < 0 {
		return nil, fmt.Errorf("the lowered step with the queue does not take the prototypes %s", last.Name)
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
// returns its loss. As on the CPU engine, frozen heads' prototypes are
// renormalised on the host first (read back, Normalize, set), a frozen
// group's flag keeps its parameters and optimizer state as they were,
// a full queue's scores under the present prototypes are computed on the
// host (useQueue, the prototypes read back) and set, and the embeddings
// the step returns are pushed (pushQueue). Unlike the CPU engine, the update is applied in the same program
// as the loss: a loss that is not finite is reported after it, and the
// checkpoint kept is the last one written, as there.
func (t *trainer) stepXLA(batch *pipeline.Batch, lr float64) (float64, error) {
	e := t.xla
	s, err := t.xlaStep(len(batch.Indices))
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
	if err := t.scoresXLA(s); err != nil {
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
		case xla.Freeze:
			flags = append(flags, t.p.frozen[group].head.Frozen(t.pos.Step, t.pos.Epoch))
			err = s.sess.Set(a, xla.Array{Data: []bool{flags[group]}})
			group++
		}
		if err != nil {
			return 0, fmt.Errorf("step %d: %w", t.pos.Step+1, err)
		}
	}
	out, err := s.sess.Run(append([]int{s.loss}, s.emb...)...)
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
	emb := make([][]float32, len(s.emb))
	for v := range emb {
		emb[v] = out[1+v].Data.([]float32)
	}
	return loss, t.pushEmbeddings(emb, len(batch.Indices))
}

// scoresXLA sets the queue's scores when s reads the queue: the last
// head's weight read back, the scores computed on the host as the CPU
// engine computes them (useQueue), and set as the queue's arguments.
func (t *trainer) scoresXLA(s *xlaStep) error {
	if s.head < 0 {
		return nil
	}
	if err := readParam(s, s.head); err != nil {
		return err
	}
	if err := t.useQueue(); err != nil {
		return err
	}
	for a, in := range s.prog.Inputs {
		if _, ok := in.Key.Owner.(*ops.SinkhornQueue); !ok || in.Role != xla.State {
			continue
		}
		v, err := xla.Value(in)
		if err != nil {
			return err
		}
		if err := s.sess.Set(a, v); err != nil {
			return err
		}
	}
	return nil
}

// normalizeXLA renormalises the prototypes of frozen heads on the host as
// the CPU engine does before each step: their parameters are read back,
// Normalize runs on the model's parameters, and the result is set again.
func (t *trainer) normalizeXLA(s *xlaStep) error {
	if len(s.protos) == 0 {
		return nil
	}
	for _, a := range s.protos {
		if err := readParam(s, a); err != nil {
			return err
		}
	}
	for _, f := range t.p.frozen {
		f.head.Normalize(t.p.model.Params, f.name)
	}
	for _, a := range s.protos {
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
	for a, in := range s.prog.Inputs {
		var v xla.Array
		var err error
		if _, ok := in.Key.Owner.(*ops.SinkhornQueue); ok {
			continue // scoresXLA sets the queue's scores each step
		}
		switch in.Role {
		case xla.Parameter, xla.State:
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
// the live program: the model's parameters, the batch-norm statistics
// and the optimizer's state, converted to optimizer.State (entries of the
// parameters Step would have updated only).
func (t *trainer) syncXLA() error {
	if t.xla == nil || t.xla.live == nil {
		return nil
	}
	s := t.xla.live
	st := optimizer.State{Buffers: map[string][]float32{}, Counters: map[string]int64{}}
	for a, in := range s.prog.Inputs {
		switch in.Role {
		case xla.Parameter:
			if err := readParam(s, a); err != nil {
				return err
			}
		case xla.State:
			if _, ok := in.Key.Owner.(*ops.SinkhornQueue); ok {
				continue // the host computes the scores; the queue is the host's
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
