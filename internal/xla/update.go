package xla

import (
	"fmt"

	"github.com/gomlx/go-xla/pkg/stablehlo"

	"github.com/sslrun/sslrun/components/optimizer"
	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
)

// lowerUpdates emits opt's update of every parameter of params from its
// gradient in grads and its old value and state in old, with learning
// rate lr (a float64 scalar), and returns the new values and state: where
// frozen[i] (a boolean scalar; nil: never) holds, parameter i and its
// state keep their old values.
func lowerUpdates(l *ops.Lowering, opt optimizer.Lowerer, params []*nn.Param, lr *stablehlo.Value, grads []*stablehlo.Value, old []optimizer.Slotted, frozen []*stablehlo.Value) ([]optimizer.Slotted, error) {
	bufSlots, countSlots := opt.Slots()
	out := make([]optimizer.Slotted, len(params))
	for i, p := range params {
		o := old[i]
		if len(o.Buffers) != len(bufSlots) || len(o.Counters) != len(countSlots) {
			return nil, fmt.Errorf("parameter %s has %d buffers and %d counters, the optimizer keeps %d and %d", p.Name, len(o.Buffers), len(o.Counters), len(bufSlots), len(countSlots))
		}
		u := opt.LowerUpdate(l, p, lr, grads[i], o)
		if err := l.Err(); err != nil {
			return nil, fmt.Errorf("updating %s: %w", p.Name, err)
		}
		if len(u.Buffers) != len(o.Buffers) || len(u.Counters) != len(o.Counters) {
			return nil, fmt.Errorf("updating %s: %d buffers and %d counters came out of %d and %d", p.Name, len(u.Buffers), len(u.Counters), len(o.Buffers), len(o.Counters))
		}
		if f := frozen[i]; f != nil {
			u.W = l.Select(f, o.W, u.W)
			for k := range u.Buffers {
				u.Buffers[k] = l.Select(f, o.Buffers[k], u.Buffers[k])
			}
			for k := range u.Counters {
				u.Counters[k] = l.Select(f, o.Counters[k], u.Counters[k])
			}
		}
		if err := l.Err(); err != nil {
			return nil, fmt.Errorf("freezing %s: %w", p.Name, err)
		}
		out[i] = u
	}
	return out, nil
}
