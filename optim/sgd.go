package optim

import (
	"fmt"

	"github.com/sslrun/sslrun/nn"
)

// SGD is torch.optim.SGD: g += wd*w (for parameters without NoDecay),
// v = momentum*v + g, w -= lr*v.
type SGD struct {
	LR, Momentum, WeightDecay float64
	velocity                  [][]float32
}

// Step updates params in place from grads (one slice per parameter, same
// order, same lengths).
func (s *SGD) Step(params []*nn.Param, grads [][]float32) error {
	if len(params) != len(grads) {
		return fmt.Errorf("sgd: %d parameters, %d gradients", len(params), len(grads))
	}
	if s.velocity == nil {
		s.velocity = make([][]float32, len(params))
	}
	lr, mom := float32(s.LR), float32(s.Momentum)
	for i, p := range params {
		w, g := p.Data(), grads[i]
		if len(w) != len(g) {
			return fmt.Errorf("sgd: %s has %d values, gradient %d", p.Name, len(w), len(g))
		}
		wd := float32(s.WeightDecay)
		if p.NoDecay {
			wd = 0
		}
		if s.velocity[i] == nil {
			s.velocity[i] = make([]float32, len(w))
		}
		v := s.velocity[i]
		for j := range w {
			d := g[j] + wd*w[j]
			v[j] = mom*v[j] + d
			w[j] -= lr * v[j]
		}
	}
	return nil
}
