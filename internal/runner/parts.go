package runner

import (
	"fmt"
	"strings"

	"github.com/sslrun/sslrun/components/evaluate"
	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/components/optimizer"
	"github.com/sslrun/sslrun/components/schedule"
	"github.com/sslrun/sslrun/internal/evaluation"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/pipeline"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/registry"
)

// parts are an experiment's components, built from its resolved spec.
type parts struct {
	model      *model.Model
	optimizer  optimizer.Optimizer
	schedule   schedule.Schedule
	evaluators []evaluation.Protocol
	views      []pipeline.View
	// frozen are the heads whose parameters sit out some first steps,
	// with their names.
	frozen []frozenHead
	// method is the objective when it has state and hooks around each
	// step (objective.Method), else nil.
	method objective.Method
}

// frozenHead is a head that drops its gradient for a while and renormalises
// its weights before every step.
type frozenHead struct {
	name string
	head interface {
		Frozen(step, epoch int) bool
		Normalize(ps *nn.Params, name string)
	}
}

// frozenHeads are m's heads whose parameters sit out some first steps.
func frozenHeads(m *model.Model) []frozenHead {
	var out []frozenHead
	for _, h := range m.Heads {
		if f, ok := h.Head.(interface {
			Frozen(step, epoch int) bool
			Normalize(ps *nn.Params, name string)
		}); ok {
			out = append(out, frozenHead{name: h.Name, head: f})
		}
	}
	return out
}

// frozenIndex gives each of params the index in frozen of the head it
// belongs to, or -1.
func frozenIndex(params []*nn.Param, frozen []frozenHead) []int {
	out := make([]int, len(params))
	for i, prm := range params {
		out[i] = -1
		for j, f := range frozen {
			if strings.HasPrefix(prm.Name, f.name+".") {
				out[i] = j
			}
		}
	}
	return out
}

// newModel builds the backbone, heads and objective with fresh parameters
// from the experiment's seed: the same seed gives the same initial weights.
func newModel(exp *spec.Experiment) (*model.Model, error) {
	return model.FromSpec(exp, nn.NewParams(uint64(exp.Seed)))
}

// buildParts builds every component the run needs.
func buildParts(exp *spec.Experiment) (*parts, error) {
	m, err := newModel(exp)
	if err != nil {
		return nil, err
	}
	p := &parts{model: m}
	if exp.Optimizer == nil {
		return nil, fmt.Errorf("%s has no optimizer block; add e.g. optimizer \"sgd\" { lr = 0.1 }", exp.File)
	}
	if p.optimizer, err = registry.New[optimizer.Optimizer](exp.Optimizer.ID, exp.Optimizer.Params); err != nil {
		return nil, fmt.Errorf("optimizer: %w", err)
	}
	if exp.Schedule == nil {
		p.schedule, err = registry.Build[schedule.Schedule]("schedule.constant", nil)
	} else {
		p.schedule, err = registry.New[schedule.Schedule](exp.Schedule.ID, exp.Schedule.Params)
	}
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	for _, c := range exp.Evaluate {
		e, err := registry.New[evaluate.Evaluator](c.ID, c.Params)
		if err != nil {
			return nil, fmt.Errorf("evaluate %s: %w", c.ID, err)
		}
		protocol := strings.TrimPrefix(c.ID, "evaluate.")
		if c.Name != "" {
			protocol += "." + c.Name
		}
		p.evaluators = append(p.evaluators, evaluation.Protocol{Name: protocol, Eval: e})
	}
	if p.views, err = pipeline.BuildViews(exp); err != nil {
		return nil, err
	}
	p.frozen = frozenHeads(m)
	if meth, ok := m.Objective.(objective.Method); ok {
		p.method = meth
	}
	return p, nil
}
