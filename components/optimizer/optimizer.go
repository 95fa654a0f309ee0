package optimizer

import "github.com/sslrun/sslrun/nn"

// Optimizer is what an optimizer component builds: it updates parameters in
// place from their gradients.
type Optimizer interface {
	// LR is the peak learning rate for batches of batchSize source images:
	// the spec's lr, scaled by batchSize/256 unless scale_lr = false.
	LR(batchSize int) float64
	// Step updates params from grads (same order, same lengths) with
	// learning rate lr. A nil gradient means the parameter has none this
	// step (PyTorch's p.grad is None): neither it nor its state changes.
	Step(params []*nn.Param, grads [][]float32, lr float64) error
	// State returns the optimizer's state for a checkpoint; SetState
	// restores it before the first Step of a resumed run.
	State() State
	SetState(State) error
}

// State is an optimizer's state between steps.
type State struct {
	// Buffers holds per-parameter buffers keyed "<slot>/<parameter name>",
	// e.g. "momentum/conv1.weight".
	Buffers map[string][]float32
	// Counters holds integer counters keyed by name, e.g. "step/conv1.weight".
	Counters map[string]int64
}
