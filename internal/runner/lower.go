package runner

import (
	"context"
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/components/optimizer"
	"github.com/sslrun/sslrun/internal/evaluation"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/pipeline"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/internal/xla"
	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/registry"
)

// Lowered is an experiment's graphs as StableHLO programs, for XLA.
type Lowered struct {
	// Train is the whole training step at the batch asked for, in the
	// spec's train precision (xla.LowerStep, xla.WithPrecision):
	// the loss, the optimizer's update of every parameter and the
	// batch-norm statistics (and the taps the objective reads after each
	// step), with the learning rate and the freeze flags of the heads that
	// sit out some first steps as arguments. The objective's state is as
	// at its first step (objective.Method.BeforeStep of step 0): the
	// program is that of the first steps.
	Train *xla.Program
	// Features is the evaluation graph: the backbone's features of a batch
	// preprocessed as evaluation preprocesses it.
	Features *xla.Program
}

// Lower builds exp's training step for batches of batch source images (0:
// the spec's batch_size) and its evaluation graph, and lowers both to
// StableHLO. Shapes come from the training dataset's first image (probed,
// not decoded, for the built-in sources) and the views' steps; parameters
// are symbolic, so nothing is allocated in proportion to the model.
func Lower(ctx context.Context, exp *spec.Experiment, batch int) (*Lowered, error) {
	if batch == 0 {
		batch = exp.Train.BatchSize
	}
	views, err := pipeline.BuildViews(exp)
	if err != nil {
		return nil, err
	}
	if len(views) == 0 {
		return nil, fmt.Errorf("%s has no view blocks", exp.File)
	}
	c, h, w, err := pipeline.ImageShape(ctx, exp, exp.Train.Dataset)
	if err != nil {
		return nil, err
	}
	var in []model.Shape
	for _, v := range views {
		vc, vh, vw, err := pipeline.OutputShape(v, c, h, w)
		if err != nil {
			return nil, err
		}
		for range v.Count {
			in = append(in, model.Shape{batch, vc, vh, vw})
		}
	}
	m, err := model.FromSpec(exp, nn.NewSymbolicParams())
	if err != nil {
		return nil, err
	}
	g, err := m.Train(in)
	if err != nil {
		return nil, fmt.Errorf("building the training graph: %w", err)
	}
	if exp.Optimizer == nil {
		return nil, fmt.Errorf("%s has no optimizer block; add e.g. optimizer \"sgd\" { lr = 0.1 }", exp.File)
	}
	opt, err := registry.New[optimizer.Optimizer](exp.Optimizer.ID, exp.Optimizer.Params)
	if err != nil {
		return nil, fmt.Errorf("optimizer: %w", err)
	}
	lo, ok := opt.(optimizer.Lowerer)
	if !ok {
		return nil, fmt.Errorf("optimizer %s does not lower its update to StableHLO (optimizer.Lowerer)", exp.Optimizer.ID)
	}
	train, err := xla.LowerStep(g, lo, frozenIndex(g.Params, frozenHeads(m)), "train_step", xla.WithPrecision(xla.Precision(exp.Train.Precision)))
	if err != nil {
		return nil, fmt.Errorf("lowering the training step: %w", err)
	}
	ec, eh, ew, err := pipeline.OutputShape(views[0], c, h, w)
	if err != nil {
		return nil, err
	}
	fg, err := m.Features(model.Shape{evaluation.BatchSize(batch), ec, eh, ew})
	if err != nil {
		return nil, fmt.Errorf("building the evaluation graph: %w", err)
	}
	features, err := xla.Lower(fg.G, fg.Inputs, G.Nodes{fg.Output}, "features")
	if err != nil {
		return nil, fmt.Errorf("lowering the evaluation graph: %w", err)
	}
	return &Lowered{Train: train, Features: features}, nil
}
