package objective

import (
	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/nn"
)

// Branch is a copy of the network that a method reads beside the one
// trained (a momentum teacher): the backbone and the heads named, in
// order, run in training mode on the views listed, over parameters of
// its own that take no gradient. The method owns them (creates them,
// sets them before the first step, keeps them in its State); the engine
// moves them after every optimizer step as a moving average of the
// trained ones (Brancher.Momentum).
type Branch struct {
	Heads  []string   // head block names, in the order they run
	Views  []int      // the views it runs on
	Params *nn.Params // its parameters and batch-norm statistics
	// Tap, when set, publishes the branch's outputs under that key, one
	// per view, for the method's AfterStep (list it in Taps); the branch
	// must then run on every view.
	Tap string
}

// Brancher is a Method whose loss also reads branches of the network.
type Brancher interface {
	Method
	// Branches returns the method's branches given the trained network's
	// parameters and its heads' block names in spec order. It is asked for
	// every graph built and returns the same Params each time.
	Branches(online *nn.Params, heads []string) ([]Branch, error)
	// BranchLoss is the loss of the trained network's projections z (one
	// (B, D) per view, as Loss takes them) and of the branches' outputs:
	// out[b][v] is branch b's output for view v (B, D), nil for a view it
	// does not run on; no gradient flows into them.
	BranchLoss(z []*G.Node, out [][]*G.Node) (*G.Node, error)
	// Momentum is tau after step s (the step just taken, s.Step 0-based
	// of s.Total): after the optimizer's update the engine sets every
	// parameter t of the branches to tau t + (1 - tau) p, p the trained
	// parameter of the same name (nn.Follow), on the host or in the
	// step's program. 1 keeps a branch as it is.
	Momentum(s Step) float64
}
