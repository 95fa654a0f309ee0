package objective

import (
	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/nn"
)

// Objective is what an objective component builds.
type Objective interface {
	// Loss adds the loss to the graph of z: one (B, D) projection per view,
	// in spec order, row i of every view coming from the same source image.
	Loss(z []*G.Node) (*G.Node, error)
}

// Method is an objective with state of its own and a part in every
// optimizer step: what makes a loss a self-supervised method (SwAV's queue
// of past embeddings). The training loop, on either engine, calls
// BeforeStep before each step's graph runs and AfterStep after the
// optimizer's update, and keeps State in every checkpoint; it knows
// nothing else of the method.
type Method interface {
	Objective
	// Taps names what the method reads of the training graph: nodes a
	// component published with nn.Builder.Tap, whose values AfterStep gets
	// per view, and parameters published with nn.Builder.TapParam, which
	// BeforeStep gets current.
	Taps() (nodes, params []string)
	// Variant names what the graph of step s depends on besides its input
	// shapes (e.g. whether a queue is read), "" for nothing: an engine
	// that compiles a program per graph keys it by the variant too.
	Variant(s Step) string
	// BeforeStep prepares the state the graph reads in step s (the values
	// of ops.State it owns), given the tapped parameters by key.
	BeforeStep(s Step, params map[string]*nn.Param) error
	// AfterStep takes the step's values of the tapped nodes, by key and
	// view ((B, D) each, row-major), after the optimizer's update.
	AfterStep(s Step, taps map[string][][]float32) error
	// State is what a checkpoint keeps of the method; SetState restores
	// it (an empty State: none yet). Buffers are not copied.
	State() State
	SetState(State) error
	// StateBytes is the memory the method's state holds at epoch (every
	// epoch when epoch < 0) for batches of batch images, given the shapes
	// of its taps by key (per view for nodes).
	StateBytes(batch int, taps map[string][]int, epoch int) int64
}

// Step is where training stands when a Method's hook runs: the optimizer
// step (0-based) and its epoch, the batch's source images, and the run's
// optimizer steps in all (for schedules such as a teacher's momentum).
type Step struct {
	Step, Epoch, Batch, Total int
}

// State is a method's checkpointed state: float32 buffers and integer
// counters, by key.
type State struct {
	Buffers  map[string][]float32
	Counters map[string]int64
}

var _ Method = (*Swav)(nil)
