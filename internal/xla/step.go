package xla

import (
	"fmt"

	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types/dtypes"
	"github.com/gomlx/go-xla/pkg/types/shapes"
	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/components/optimizer"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
)

// Precision is what a lowered training step computes in, named as a
// spec's train block names it.
type Precision string

const (
	// FP32 computes the whole step in float32.
	FP32 Precision = "fp32"
	// BF16 is mixed precision: the matrix products and convolutions,
	// forward and backward, take bf16 operands (the float32 activations,
	// parameters and gradients converted at their inputs) and give
	// float32 results; batch-norm statistics, softmax and log-sum-exp,
	// the loss, Sinkhorn, reductions, the gradients' accumulation and the
	// optimizer's update stay float32 on float32 master weights. The
	// program's arguments and results are those of FP32, float32, so the
	// host and checkpoints do not change.
	BF16 Precision = "bf16"
)

// StepOption changes how LowerStep lowers a step.
type StepOption func(*stepOptions)

// stepOptions are LowerStep's options, zero for its defaults.
type stepOptions struct {
	precision Precision
}

// WithPrecision lowers the step to compute in p (FP32 or BF16).
func WithPrecision(p Precision) StepOption {
	return func(o *stepOptions) { o.precision = p }
}

// LowerStep lowers one whole training step of g, a graph of Model.Train,
// into one program named name: the forward and backward passes, the
// optimizer's update of every parameter (opt.LowerUpdate) and the
// batch-norm running statistics, what one step of the runner does between
// its objective's BeforeStep and AfterStep.
//
// Its arguments are, in order:
//   - the batch, one Input per view (g.Inputs);
//   - the learning rate, an LR float64 scalar, so that the schedule stays
//     on the host;
//   - one Freeze boolean scalar per freeze group: freeze gives each of
//     g.Params the index of its group, -1 (or a nil freeze) for none; a
//     group whose argument is true keeps its parameters and their
//     optimizer state as they were, bit for bit, as the CPU engine does
//     when the runner drops their gradients (a head frozen for some first
//     steps). Freezing is a value, not a program: one compiled
//     program serves frozen and unfrozen steps;
//   - where g has branches (g.Followers), their moving average's
//     momentum, a Momentum float64 scalar;
//   - every parameter, in g.Params order (Parameter: Node is its node, Key
//     its *nn.Param), then every branch parameter in g.Followers order
//     (Branch, likewise);
//   - any other leaf of g, a buffer the objective keeps and the graph
//     reads (a queue of past keys): State the host feeds before every
//     step, Key.Owner the *G.Node, whose value it is;
//   - the optimizer state of every parameter, in g.Params order, its
//     buffers then its counters in opt.Slots order (OptState: Key.Owner is
//     the *nn.Param, Key.Field the slot; State keys it Field/name). A
//     parameter the optimizer has not updated yet has zero buffers and
//     counters, as Step creates them;
//   - the state ops read (State, in order of first use): batch-norm
//     running statistics, and state the host feeds before every step
//     (an argument no result updates, e.g. the scores of a queue the
//     objective keeps).
//
// Its results are the loss, then the taps g holds (Output, g.TapNodes:
// what the objective reads after the step), then the new parameters (Parameter), optimizer state
// (OptState), branch parameters (Branch: each t becomes tau t + (1 - tau)
// p, p the updated parameter it follows, as Graph.Follow does on the
// host) and running statistics (State), each group in its arguments'
// order.
// Each of these arguments is donated to its result (Port.Alias,
// tf.aliasing_output), so that parameters, optimizer state and
// statistics stay on the device from step to step and only the batch,
// the learning rate, the freeze flags, the momentum and what the host
// feeds go in.
//
// Renormalising a head's weights before the step (its Normalize) stays on
// the host, before the program runs, as does the objective's BeforeStep
// that may read them: one implementation of both, so that a frozen
// group's parameters come out bit-identical to what went in and to the
// CPU engine's. The host reads those parameters back, normalises them and
// passes them in (a K×D matrix per step, small beside the batch).
//
// WithPrecision(BF16) among opts lowers the step in mixed precision: see
// BF16. Without it the step computes in float32.
func LowerStep(g *model.Graph, opt optimizer.Lowerer, freeze []int, name string, opts ...StepOption) (*Program, error) {
	if g.Output == nil || len(g.Grads) != len(g.Params) || len(g.Nodes) != len(g.Params) {
		return nil, fmt.Errorf("xla: %s: not a training graph (%d parameters, %d nodes, %d gradients)", name, len(g.Params), len(g.Nodes), len(g.Grads))
	}
	if freeze != nil && len(freeze) != len(g.Params) {
		return nil, fmt.Errorf("xla: %s: %d freeze groups given for %d parameters", name, len(freeze), len(g.Params))
	}
	var o stepOptions
	for _, f := range opts {
		f(&o)
	}
	pb, err := newBuilder(g.G, name)
	if err != nil {
		return nil, err
	}
	switch o.precision {
	case "", FP32:
	case BF16:
		if err := pb.ctx.SetProducts(dtypes.BFloat16); err != nil {
			return nil, fmt.Errorf("xla: %s: %w", name, err)
		}
	default:
		return nil, fmt.Errorf("xla: %s: precision %q: want %q or %q", name, o.precision, FP32, BF16)
	}
	if err := pb.inputs(g.Inputs); err != nil {
		return nil, err
	}
	lr, err := pb.arg("lr", shapes.Make(dtypes.Float64), Port{Role: LR})
	if err != nil {
		return nil, err
	}
	groups := 0
	for _, f := range freeze {
		groups = max(groups, f+1)
	}
	flags := make([]*stablehlo.Value, groups)
	for j := range flags {
		if flags[j], err = pb.arg(fmt.Sprintf("freeze%d", j), shapes.Make(dtypes.Bool), Port{Role: Freeze}); err != nil {
			return nil, err
		}
	}

	var tau *stablehlo.Value
	if len(g.Followers) > 0 {
		if tau, err = pb.arg("momentum", shapes.Make(dtypes.Float64), Port{Role: Momentum}); err != nil {
			return nil, err
		}
	}

	isParam := make(map[*G.Node]bool, len(g.Nodes))
	paramArg := make([]int, len(g.Params))
	for i, n := range g.Nodes {
		isParam[n] = true
		paramArg[i] = len(pb.p.Inputs)
		if err := pb.nodeArg(n, Parameter); err != nil {
			return nil, err
		}
		pb.p.Inputs[paramArg[i]].Key = ops.StateKey{Owner: g.Params[i]}
	}
	followerArg := make([]int, len(g.Followers))
	for i, n := range g.FollowerNodes {
		followerArg[i] = len(pb.p.Inputs)
		if err := pb.nodeArg(n, Branch); err != nil {
			return nil, err
		}
		pb.p.Inputs[followerArg[i]].Key = ops.StateKey{Owner: g.Followers[i]}
	}
	for _, n := range pb.sorted {
		if n.Op() == nil && pb.vals[n] == nil { // a buffer of the objective's (MoCo's queue of keys)
			if err := pb.nodeArg(n, State); err != nil {
				return nil, err
			}
			pb.p.Inputs[len(pb.p.Inputs)-1].Key = ops.StateKey{Owner: n, Field: "value"}
		}
	}
	bufSlots, countSlots := opt.Slots()
	old := make([]optimizer.Slotted, len(g.Params))
	var stateArgs []int
	for i, p := range g.Params {
		old[i].W = pb.vals[g.Nodes[i]]
		for _, slot := range bufSlots {
			v, err := pb.optArg(p, slot, old[i].W.Shape())
			if err != nil {
				return nil, err
			}
			old[i].Buffers = append(old[i].Buffers, v)
			stateArgs = append(stateArgs, len(pb.p.Inputs)-1)
		}
		for _, slot := range countSlots {
			v, err := pb.optArg(p, slot, shapes.Make(dtypes.Int64))
			if err != nil {
				return nil, err
			}
			old[i].Counters = append(old[i].Counters, v)
			stateArgs = append(stateArgs, len(pb.p.Inputs)-1)
		}
	}

	if err := pb.lowerNodes(); err != nil {
		return nil, err
	}
	if err := pb.outputs(append([]*G.Node{g.Output}, g.TapNodes()...)); err != nil {
		return nil, err
	}
	grads := make([]*stablehlo.Value, len(g.Grads))
	for i, n := range g.Grads {
		if grads[i] = pb.vals[n]; grads[i] == nil {
			return nil, fmt.Errorf("xla: %s: the gradient of %s is not in the graph", name, g.Params[i].Name)
		}
	}
	frozen := make([]*stablehlo.Value, len(g.Params))
	for i, f := range freeze {
		if f >= 0 {
			frozen[i] = flags[f]
		}
	}
	updated, err := lowerUpdates(pb.ctx.Op(nil, shapes.Shape{}), opt, g.Params, lr, grads, old, frozen)
	if err != nil {
		return nil, fmt.Errorf("xla: %s: %w", name, err)
	}
	for i, u := range updated {
		pb.donate(paramArg[i], len(pb.results))
		in := pb.p.Inputs[paramArg[i]]
		pb.result(u.W, Port{Role: Parameter, Name: in.Name, Node: in.Node, Key: in.Key})
	}
	k := 0
	for _, u := range updated {
		for _, v := range append(append([]*stablehlo.Value(nil), u.Buffers...), u.Counters...) {
			a := stateArgs[k]
			k++
			pb.donate(a, len(pb.results))
			in := pb.p.Inputs[a]
			pb.result(v, Port{Role: OptState, Name: in.Name, Key: in.Key})
		}
	}
	l := pb.ctx.Op(nil, shapes.Shape{})
	followed, err := lowerFollow(l, g, tau, pb.vals, updated)
	if err != nil {
		return nil, fmt.Errorf("xla: %s: %w", name, err)
	}
	for i, v := range followed {
		pb.donate(followerArg[i], len(pb.results))
		in := pb.p.Inputs[followerArg[i]]
		pb.result(v, Port{Role: Branch, Name: in.Name, Node: in.Node, Key: in.Key})
	}
	pb.stateResults(true)
	return pb.build()
}

// lowerFollow emits the moving average of g's branch parameters (the
// values vals holds for g.FollowerNodes) towards the updated trained
// parameters they follow, with momentum tau (a float64 scalar), in
// float32 as nn.Follow computes it: keep = tau and take = 1 - tau
// rounded to float32, each product rounded before the sum.
func lowerFollow(l *ops.Lowering, g *model.Graph, tau *stablehlo.Value, vals map[*G.Node]*stablehlo.Value, updated []optimizer.Slotted) ([]*stablehlo.Value, error) {
	if len(g.Followers) == 0 {
		return nil, nil
	}
	keep := l.Convert(tau, dtypes.Float32)
	take := l.Convert(l.Sub(l.Const(1, dtypes.Float64), tau), dtypes.Float32)
	out := make([]*stablehlo.Value, len(g.Followers))
	for i, n := range g.FollowerNodes {
		t, p := vals[n], updated[g.Follows[i]].W
		if t == nil || p == nil {
			return nil, fmt.Errorf("the branch's %s has no value to follow", g.Followers[i].Name)
		}
		out[i] = l.Add(l.Mul(l.Broadcast(keep, t.Shape()), t), l.Mul(l.Broadcast(take, p.Shape()), p))
		if err := l.Err(); err != nil {
			return nil, fmt.Errorf("following %s: %w", g.Followers[i].Name, err)
		}
	}
	return out, nil
}

// optArg adds the argument of parameter p's optimizer state slot, of
// shape s.
func (pb *builder) optArg(p *nn.Param, slot string, s shapes.Shape) (*stablehlo.Value, error) {
	key := ops.StateKey{Owner: p, Field: slot}
	return pb.arg(slot+"/"+p.Name, s, Port{Role: OptState, Key: key})
}
