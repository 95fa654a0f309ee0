package runner

import (
	"context"
	"errors"
	"os"
	"runtime/debug"

	"github.com/sslrun/sslrun/internal/evaluation"
	"github.com/sslrun/sslrun/internal/memplan"
	"github.com/sslrun/sslrun/internal/spec"
)

// MemoryOptions are the options that estimate a run of exp as Run makes it
// (memplan.Estimate), its evaluation graph at the images it runs at once.
func MemoryOptions(exp *spec.Experiment) memplan.Options {
	return memplan.Options{EvalBatch: evaluation.BatchSize(exp.Train.BatchSize)}
}

// checkMemory refuses, before anything large is allocated, a run of exp
// whose estimated memory exceeds what the machine can give it.
func checkMemory(ctx context.Context, exp *spec.Experiment) error {
	return checkPlan(ctx, exp, MemoryOptions(exp))
}

// checkBenchMemory is checkMemory for what Bench holds at batch b.
func checkBenchMemory(ctx context.Context, exp *spec.Experiment, b int) error {
	return checkPlan(ctx, exp, memplan.Options{Batch: b, Bench: true})
}

// checkPlan estimates with opts, stopping early once the estimate exceeds
// the machine's usable memory, and checks it. Where the machine's memory
// cannot be read (not Linux) nothing is checked, nor is a spec that lacks
// a block the run needs (the run refuses it itself).
//
// A run that fits gets the usable memory as the Go runtime's soft limit
// (unless GOMEMLIMIT sets one): the collector, which by default lets the
// heap grow to twice what is live before it collects, then collects more
// often near the limit rather than let the process be killed.
func checkPlan(ctx context.Context, exp *spec.Experiment, opts memplan.Options) error {
	m, err := memplan.ReadMachine()
	if err != nil {
		return nil
	}
	opts.Budget = m.Usable()
	p, err := memplan.Estimate(ctx, exp, opts)
	var incomplete *memplan.IncompleteError
	if errors.As(err, &incomplete) {
		return nil // the run's own checks say what is missing, with an example
	}
	if err != nil {
		return err
	}
	if err := memplan.Check(p, m); err != nil {
		return err
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(m.Usable())
	}
	return nil
}
