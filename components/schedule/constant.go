package schedule

import "github.com/sslrun/sslrun/registry"

func init() {
	registry.Register(registry.Component{
		ID:  "schedule.constant",
		Doc: "the optimizer's peak learning rate at every step",
		New: func(registry.Values) (any, error) { return Constant{}, nil },
	})
}

var _ Schedule = Constant{}

// Constant is the schedule.constant component: no warmup, no decay.
type Constant struct{}

// LR is peak.
func (Constant) LR(peak float64, _, _, _ int) float64 { return peak }
