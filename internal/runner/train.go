package runner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/rs/zerolog"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/internal/checkpoint"
	"github.com/sslrun/sslrun/internal/engine"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/pipeline"
	"github.com/sslrun/sslrun/internal/progress"
	"github.com/sslrun/sslrun/internal/spec"
)

// ErrInterrupted is returned when the context was cancelled (SIGINT or
// SIGTERM): the step under way finished and a checkpoint was written.
var ErrInterrupted = errors.New("interrupted")

// LossError reports that training diverged: a loss that is not a finite
// number (the run stops before the optimizer applies the step), or state
// that is not finite when a checkpoint is due (nothing is written). The
// last checkpoint written stays as it was.
type LossError struct {
	Step, Epoch int     // the 1-based step that produced it, its 0-based epoch
	Loss        float64 // the step's loss
	// Tensor names the state that is not finite when the loss is.
	Tensor string
	// Kept is the step of the checkpoint kept, -1 when the run has written
	// none.
	Kept int
}

func (e *LossError) Error() string {
	what := fmt.Sprintf("loss is %v", e.Loss)
	if e.Tensor != "" {
		what = e.Tensor + " holds a NaN or an infinity"
	}
	return fmt.Sprintf("%s at step %d (epoch %d); %s. Lower the learning rate or check the data", what, e.Step, e.Epoch, keptNote(e.Kept))
}

// keptNote says which checkpoint a stopped run keeps: the one of step
// saved, or none when saved is -1.
func keptNote(saved int) string {
	if saved < 0 {
		return "no checkpoint was written"
	}
	return fmt.Sprintf("the checkpoint of step %d is kept", saved)
}

// stepGraph is a compiled training graph for one batch size.
type stepGraph struct {
	g      *model.Graph
	vm     G.VM
	inputs [][]float32 // bound to g.Inputs, filled before every run
	frozen []int       // per parameter: index into parts.frozen, or -1
	grads  [][]float32 // per parameter: its gradient this step, nil while frozen
	taps   G.Nodes     // g.TapNodes(), read after every run
}

// trainer runs the optimisation loop and keeps its position.
type trainer struct {
	exp      *spec.Experiment
	p        *parts
	loader   *pipeline.Loader
	shapes   []model.Shape // per view, for a full batch
	graphs   map[int]*stepGraph
	pos      checkpoint.Position
	log      zerolog.Logger
	logErr   func() error // the log's first failed write
	progress *progress.Progress
	// checkpoint writes the latest checkpoint and, when periodic (due by
	// checkpoint_every), every keep_every-th numbered copy.
	checkpoint func(periodic bool) error
	saved      int // the step of the last checkpoint written (-1: none)
	maxSteps   int // 0: no limit
	peak       float64
	perEpoch   int
	total      int
	lastLoss   float64
	images     int           // source images trained on by this process
	busy       time.Duration // time spent in steps by this process
	// xla runs the steps on an XLA runtime; nil: the CPU engine does.
	xla *xlaEngine
}

// graph returns the compiled graph for batches of b images, building it on
// first use (the last batch of an epoch may be short without drop_last).
func (t *trainer) graph(b int) (*stepGraph, error) {
	if sg, ok := t.graphs[b]; ok {
		return sg, nil
	}
	shapes := make([]model.Shape, len(t.shapes))
	for i, s := range t.shapes {
		shapes[i] = model.Shape{b, s[1], s[2], s[3]}
	}
	g, err := t.p.model.Train(shapes)
	if err != nil {
		return nil, fmt.Errorf("building the training graph: %w", err)
	}
	sg := &stepGraph{g: g, grads: make([][]float32, len(g.Grads))}
	for i, in := range g.Inputs {
		s := shapes[i]
		sg.inputs = append(sg.inputs, make([]float32, s[0]*s[1]*s[2]*s[3]))
		if err := G.Let(in, tensor.New(tensor.WithShape(s[:]...), tensor.WithBacking(sg.inputs[i]))); err != nil {
			return nil, err
		}
	}
	sg.frozen = frozenIndex(g.Params, t.p.frozen)
	sg.taps = g.TapNodes()
	keep := append(append(G.Nodes{g.Output}, g.Grads...), sg.taps...)
	if sg.vm, err = engine.New(g.G, keep...); err != nil {
		return nil, fmt.Errorf("training graph: %w", err)
	}
	t.graphs[b] = sg
	return sg, nil
}

func (t *trainer) close() {
	for _, sg := range t.graphs {
		sg.vm.Close()
	}
	if t.xla != nil {
		t.xla.close()
	}
}

// run trains from t.pos to the end of the last epoch, or to maxSteps, or
// until ctx is cancelled (then it checkpoints and returns ErrInterrupted).
func (t *trainer) run(ctx context.Context) error {
	for t.pos.Epoch < t.exp.Train.Epochs {
		if t.maxSteps > 0 && t.pos.Step >= t.maxSteps {
			return nil
		}
		start, images := time.Now(), 0
		// The loader keeps going when ctx is cancelled: the step under way
		// finishes and the loop below stops between steps.
		for batch, err := range t.loader.Epoch(context.WithoutCancel(ctx), t.pos.Epoch, t.pos.EpochStep) {
			if err != nil {
				return err
			}
			if err := t.step(batch); err != nil {
				return err
			}
			if err := t.logErr(); err != nil {
				return fmt.Errorf("%w; %s", err, keptNote(t.saved))
			}
			images += len(batch.Indices)
			epoch := t.pos.Epoch
			ended := t.pos.EpochStep == t.perEpoch
			if ended {
				secs := time.Since(start).Seconds()
				t.log.Info().Str("event", "epoch").Int("epoch", epoch).Int("steps", t.perEpoch).
					Float64("loss", t.pos.EpochLoss/float64(t.perEpoch)).
					Float64("images_per_s", float64(images)/secs).Float64("seconds", secs).Msg("")
				t.pos = checkpoint.Position{Step: t.pos.Step, Epoch: epoch + 1}
			}
			written := false
			if t.exp.Train.CheckpointEvery.Due(t.pos.Step, ended, epoch) {
				if err := t.checkpoint(true); err != nil {
					return err
				}
				written = true
			}
			stop := t.maxSteps > 0 && t.pos.Step >= t.maxSteps
			if ctx.Err() != nil || stop {
				if !written {
					if err := t.checkpoint(false); err != nil {
						return err
					}
				}
				if ctx.Err() != nil {
					t.log.Info().Str("event", "interrupt").Int("step", t.pos.Step).Msg("checkpoint written")
					return ErrInterrupted
				}
				return nil
			}
			if ended {
				break
			}
		}
	}
	if t.saved != t.pos.Step { // the last step fell between periodic checkpoints
		return t.checkpoint(false)
	}
	return nil
}

// step trains on one batch.
func (t *trainer) step(batch *pipeline.Batch) error {
	began := time.Now()
	lr := t.p.schedule.LR(t.peak, t.pos.Step, t.perEpoch, t.total)
	run := t.stepCPU
	if t.xla != nil {
		run = t.stepXLA
	}
	loss, err := run(batch, lr)
	if err != nil {
		return err
	}
	t.pos.Step++
	t.pos.EpochStep++
	t.pos.EpochLoss += loss
	t.lastLoss = loss
	t.images += len(batch.Indices)
	t.busy += time.Since(began)
	if t.pos.Step%t.exp.Train.LogEvery == 0 {
		t.log.Info().Str("event", "step").Int("epoch", t.pos.Epoch).Int("step", t.pos.Step).
			Float64("loss", loss).Float64("lr", lr).Msg("")
	}
	t.progress.Step(progress.TrainStep{
		Epoch: t.pos.Epoch, Epochs: t.exp.Train.Epochs, Step: t.pos.Step, End: t.end(),
		LogEvery: t.exp.Train.LogEvery, Loss: t.lastLoss, LR: lr, Images: t.images, Busy: t.busy,
	})
	return nil
}

// stepCPU runs one step on batch at learning rate lr on the CPU engine and
// returns its loss: the graph's forward and backward passes, the
// optimizer's Step, the branches' moving average (Graph.Follow), the
// objective's hooks before and after.
func (t *trainer) stepCPU(batch *pipeline.Batch, lr float64) (float64, error) {
	sg, err := t.graph(len(batch.Indices))
	if err != nil {
		return 0, err
	}
	for _, f := range t.p.frozen {
		f.head.Normalize(t.p.model.Params, f.name)
	}
	st := t.methodStep(len(batch.Indices))
	if m := t.p.method; m != nil {
		if err := m.BeforeStep(st, sg.g.TappedParams); err != nil {
			return 0, fmt.Errorf("step %d: %w", t.pos.Step+1, err)
		}
	}
	for v, x := range batch.Views {
		copy(sg.inputs[v], x.Data)
	}
	sg.vm.Reset()
	if err := sg.vm.RunAll(); err != nil {
		return 0, fmt.Errorf("step %d: %w", t.pos.Step+1, err)
	}
	loss := float64(sg.g.Output.Value().Data().(float32))
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return 0, &LossError{Step: t.pos.Step + 1, Epoch: t.pos.Epoch, Loss: loss, Kept: t.saved}
	}
	for i, gn := range sg.g.Grads {
		sg.grads[i] = gn.Value().Data().([]float32)
		if f := sg.frozen[i]; f >= 0 && t.p.frozen[f].head.Frozen(t.pos.Step, t.pos.Epoch) {
			sg.grads[i] = nil // no gradient while frozen: PyTorch's p.grad = None
		}
	}
	if err := t.p.optimizer.Step(sg.g.Params, sg.grads, lr); err != nil {
		return 0, fmt.Errorf("step %d: %w", t.pos.Step+1, err)
	}
	if t.p.method == nil {
		return loss, nil
	}
	if err := sg.g.Follow(momentum(t.p.method, st)); err != nil {
		return 0, fmt.Errorf("step %d: %w", t.pos.Step+1, err)
	}
	taps := make([][]float32, 0, len(sg.taps))
	for _, n := range sg.taps {
		taps = append(taps, n.Value().Data().([]float32))
	}
	return loss, t.afterStep(st, sg.g, taps)
}

// momentum is the momentum the branches of m (objective.Brancher) follow
// the trained parameters with after step st; 1, for none, moves nothing.
func momentum(m objective.Method, st objective.Step) float64 {
	if br, ok := m.(objective.Brancher); ok {
		return br.Momentum(st)
	}
	return 1
}

// methodStep is the step about to run, for the objective's hooks.
func (t *trainer) methodStep(batch int) objective.Step {
	return objective.Step{Step: t.pos.Step, Epoch: t.pos.Epoch, Batch: batch, Total: t.total}
}

// afterStep hands the step's tapped values (g.TapNodes order) to the
// objective, by key and view.
func (t *trainer) afterStep(st objective.Step, g *model.Graph, values [][]float32) error {
	m := t.p.method
	if m == nil {
		return nil
	}
	taps := map[string][][]float32{}
	i := 0
	for _, k := range g.TapKeys {
		n := len(g.Taps[k])
		taps[k] = values[i : i+n]
		i += n
	}
	if err := m.AfterStep(st, taps); err != nil {
		return fmt.Errorf("step %d: %w", t.pos.Step+1, err)
	}
	return nil
}

// end is the step pretraining stops after.
func (t *trainer) end() int {
	if t.maxSteps > 0 {
		return min(t.maxSteps, t.total)
	}
	return t.total
}
