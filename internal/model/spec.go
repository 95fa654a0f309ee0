package model

import (
	"fmt"

	"github.com/sslrun/sslrun/components/backbone"
	"github.com/sslrun/sslrun/components/head"
	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/registry"
)

// FromSpec builds exp's backbone, heads and objective over params:
// nn.NewParams(seed) for a run (the same seed gives the same initial
// weights), nn.NewSymbolicParams() to measure one.
func FromSpec(exp *spec.Experiment, params *nn.Params) (*Model, error) {
	if exp.Backbone == nil {
		return nil, fmt.Errorf("%s has no backbone block; add e.g. backbone \"resnet18\" { stem = \"cifar\" }", exp.File)
	}
	if exp.Objective == nil {
		return nil, fmt.Errorf("%s has no objective block; add e.g. objective \"nt_xent\" {}", exp.File)
	}
	bb, err := registry.New[backbone.Backbone](exp.Backbone.ID, exp.Backbone.Params)
	if err != nil {
		return nil, fmt.Errorf("backbone: %w", err)
	}
	m := &Model{Params: params, Backbone: bb}
	for _, h := range exp.Heads {
		hh, err := registry.New[head.Head](h.ID, h.Params)
		if err != nil {
			return nil, fmt.Errorf("head %q: %w", h.Name, err)
		}
		m.Heads = append(m.Heads, NamedHead{Name: h.Name, Head: hh})
	}
	if m.Objective, err = registry.New[objective.Objective](exp.Objective.ID, exp.Objective.Params); err != nil {
		return nil, fmt.Errorf("objective: %w", err)
	}
	return m, nil
}
