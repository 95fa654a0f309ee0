package optimizer

import (
	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types/dtypes"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
)

// Lowerer is implemented by optimizers whose Step lowers to StableHLO, so
// that package xla can put the update into the training step's program
// (issue 16). Each optimizer lowers its update in its own file, beside its
// Step, with the same operations in the same order and precision, so the
// lowered update computes what Step computes.
type Lowerer interface {
	Optimizer
	// Slots names the per-parameter state as State keys it: the float32
	// buffers, each of its parameter's shape, then the int64 scalar
	// counters, in the order Slotted holds them.
	Slots() (buffers, counters []string)
	// LowerUpdate emits into l the update of parameter p from its gradient
	// g with learning rate lr (a float64 scalar: AdamW computes its scalars
	// from the lr in float64, as Step does) and returns the new parameter
	// and state. The program's state of a parameter Step has not updated
	// yet holds zeros (counters 0), as Step's does when it creates it.
	// Failures are l's sticky error.
	LowerUpdate(l *ops.Lowering, p *nn.Param, lr, g *stablehlo.Value, s Slotted) Slotted
}

// Slotted is one parameter of a lowered step with its optimizer state, as
// StableHLO values.
type Slotted struct {
	W        *stablehlo.Value   // the parameter, float32
	Buffers  []*stablehlo.Value // in Slots order, float32, each of W's shape
	Counters []*stablehlo.Value // in Slots order, int64 scalars
}

// scaled is the float32 scalar s times every element of x.
func scaled(l *ops.Lowering, s, x *stablehlo.Value) *stablehlo.Value {
	if l.Err() != nil || x == nil {
		return nil
	}
	return l.Mul(l.Broadcast(s, x.Shape()), x)
}

// f32 is v as a float32 scalar constant.
func f32(l *ops.Lowering, v float32) *stablehlo.Value {
	return l.Const(float64(v), dtypes.Float32)
}

// lowerMomentum is the momentum part SGD and LARS share, on the direction
// d: with buffer v (absent when momentum is 0), v = μv + d, then d + μv
// with nesterov, else v; it returns the direction and the new buffers.
func lowerMomentum(l *ops.Lowering, momentum float64, nesterov bool, d *stablehlo.Value, bufs []*stablehlo.Value) (*stablehlo.Value, []*stablehlo.Value) {
	if momentum == 0 {
		return d, nil
	}
	mom := f32(l, float32(momentum))
	v := l.Add(scaled(l, mom, bufs[0]), d)
	if nesterov {
		return l.Add(d, scaled(l, mom, v)), []*stablehlo.Value{v}
	}
	return v, []*stablehlo.Value{v}
}

// lowerDescend is w - lr*d with lr rounded to float32, as Step's lr32.
func lowerDescend(l *ops.Lowering, lr, w, d *stablehlo.Value) *stablehlo.Value {
	return l.Sub(w, scaled(l, l.Convert(lr, dtypes.Float32), d))
}
