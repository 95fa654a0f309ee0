package runner

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/components/optimizer"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/internal/xla"
)

// benchStepsXLA is benchSteps on an XLA device: the training step of p's
// model and optimizer lowered to one program (xla.LowerStep) in the
// spec's train precision (xla.WithPrecision), compiled for dev, its
// parameters, optimizer and batch-norm state put on the device once;
// then one untimed step and steps timed ones, each copying the batch,
// the peak learning rate and the freeze flags in and the loss out, as a
// run would. The batch is filled from the seed as benchSteps
// fills it; frozen heads are renormalised once and frozen as at the start
// of a run, and the objective's state is as at its first step (epoch 0),
// as in benchSteps.
func benchStepsXLA(ctx context.Context, exp *spec.Experiment, p *parts, shapes []model.Shape, steps int, dev *xla.Device) (float64, error) {
	lw, ok := p.optimizer.(optimizer.Lowerer)
	if !ok {
		return 0, fmt.Errorf("bench: optimizer %s does not lower to StableHLO", exp.Optimizer.ID)
	}
	for _, f := range p.frozen {
		f.head.Normalize(p.model.Params, f.name)
	}
	g, err := p.model.Train(shapes)
	if err != nil {
		return 0, fmt.Errorf("building the training graph: %w", err)
	}
	if p.method != nil {
		if err := p.method.BeforeStep(objective.Step{Batch: shapes[0][0]}, g.TappedParams); err != nil {
			return 0, fmt.Errorf("bench: %w", err)
		}
	}
	prog, err := xla.LowerStep(g, lw, frozenIndex(g.Params, p.frozen), "train_step", xla.WithPrecision(xla.Precision(exp.Train.Precision)))
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	exe, err := dev.Compile(prog)
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	defer exe.Close()
	if err := exe.SetHost(); err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}

	b := shapes[0][0]
	lr := xla.Array{Data: []float64{p.optimizer.LR(b)}}
	tau := xla.Array{Data: []float64{momentum(p.method, objective.Step{Batch: b, Total: 1})}}
	rng := rand.New(rand.NewPCG(uint64(exp.Seed), benchStream))
	var views []xla.Array
	for _, s := range shapes {
		x := make([]float32, s[0]*s[1]*s[2]*s[3])
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		views = append(views, xla.Array{Shape: s[:], Data: x})
	}
	loss := -1
	for r, o := range prog.Outputs {
		if o.Role == xla.Output && o.Node == g.Output {
			loss = r
		}
	}
	if loss < 0 {
		return 0, fmt.Errorf("bench: the lowered step has no loss result")
	}
	var start time.Time
	for i := range steps + 1 {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if i == 1 { // the first step warmed up the device
			start = time.Now()
		}
		v, group := 0, 0
		for a, in := range prog.Inputs {
			var err error
			switch in.Role {
			case xla.Input:
				err = exe.Set(a, views[v])
				v++
			case xla.LR:
				err = exe.Set(a, lr)
			case xla.Momentum:
				err = exe.Set(a, tau)
			case xla.Freeze:
				err = exe.Set(a, xla.Array{Data: []bool{p.frozen[group].head.Frozen(0, 0)}})
				group++
			}
			if err != nil {
				return 0, fmt.Errorf("bench: %w", err)
			}
		}
		out, err := exe.Run(loss)
		if err != nil {
			return 0, fmt.Errorf("bench: step %d: %w", i, err)
		}
		if l := float64(out[0].Data.([]float32)[0]); math.IsNaN(l) || math.IsInf(l, 0) {
			return 0, fmt.Errorf("bench: step %d: loss %v", i, l)
		}
	}
	return time.Since(start).Seconds(), nil
}
