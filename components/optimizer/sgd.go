package optimizer

import (
	"fmt"

	"github.com/gomlx/go-xla/pkg/stablehlo"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "optimizer.sgd",
		Doc: "torch.optim.SGD: weight decay added to the gradient, momentum (dampening 0), optionally Nesterov",
		Params: []registry.Param{
			lrParam("solo-learn's CIFAR SGD recipes: MoCo v2+ 0.3, SimSiam 0.5"),
			momentumParam,
			nesterovParam,
			{Name: "weight_decay", Type: registry.Float, Default: 0.0, Range: registry.AtLeast(0),
				Doc: "L2 penalty λ added to the gradient, d = g + λw (torch.optim.SGD's default: 0; solo-learn's CIFAR recipes: MoCo v2+ 1e-4, SimSiam 1e-5)"},
			scaleLRParam,
			{Name: "decay_bias_and_norm", Type: registry.Bool, Default: false,
				Doc: "also decay biases and batch-norm scales and shifts (nn.Param.NoDecay); false puts them in a weight_decay 0 group, as solo-learn's exclude_bias_n_norm_wd = true does (torch's and solo-learn's default decays them)"},
		},
		New: func(v registry.Values) (any, error) {
			if err := checkNesterov(v); err != nil {
				return nil, err
			}
			s := &SGD{
				lr:               v.Float("lr"),
				momentum:         v.Float("momentum"),
				nesterov:         v.Bool("nesterov"),
				weightDecay:      v.Float("weight_decay"),
				scaleLR:          v.Bool("scale_lr"),
				decayBiasAndNorm: v.Bool("decay_bias_and_norm"),
			}
			var slots []string
			if s.momentum != 0 { // torch keeps no buffer without momentum
				slots = []string{"momentum"}
			}
			s.st = newStore(slots, nil)
			return s, nil
		},
	})
}

var _ Lowerer = (*SGD)(nil)

// SGD is the optimizer.sgd component, torch.optim.SGD with dampening 0. For
// each parameter w with gradient g, in float32:
//
//	d = g + λw             (λ = weight_decay, 0 for NoDecay parameters unless decay_bias_and_norm)
//	v = μv + d             (v starts at 0; no buffer when μ = 0, then v = d)
//	d = d + μv if nesterov, else d = v
//	w = w - lr*d
//
// Its state is one buffer per parameter, "momentum/<name>" (torch's
// momentum_buffer).
type SGD struct {
	lr, momentum, weightDecay           float64
	nesterov, scaleLR, decayBiasAndNorm bool
	st                                  *store
}

// LR is lr, times batchSize/256 when scale_lr.
func (s *SGD) LR(batchSize int) float64 { return peakLR(s.lr, s.scaleLR, batchSize) }

// Step updates params in place; see SGD. It checks every argument before
// changing anything.
func (s *SGD) Step(params []*nn.Param, grads [][]float32, lr float64) error {
	if err := s.st.check(params, grads); err != nil {
		return fmt.Errorf("optimizer.sgd: %w", err)
	}
	lr32, mom := float32(lr), float32(s.momentum)
	for i, p := range params {
		g := grads[i]
		if g == nil {
			continue
		}
		w := p.Data()
		wd := float32(s.weightDecay)
		if p.NoDecay && !s.decayBiasAndNorm {
			wd = 0
		}
		var v []float32
		if s.momentum != 0 {
			v = s.st.entry(p.Name, len(w)).bufs[0]
		}
		for j := range w {
			d := g[j]
			if wd != 0 {
				d += wd * w[j]
			}
			if v != nil {
				v[j] = mom*v[j] + d
				if s.nesterov {
					d += mom * v[j]
				} else {
					d = v[j]
				}
			}
			w[j] -= lr32 * d
		}
	}
	return nil
}

// Slots is momentum, or nothing without momentum; see Lowerer.
func (s *SGD) Slots() (buffers, counters []string) { return s.st.slots, s.st.counters }

// LowerUpdate is Step's update of one parameter in StableHLO; see Lowerer.
func (s *SGD) LowerUpdate(l *ops.Lowering, p *nn.Param, lr, g *stablehlo.Value, st Slotted) Slotted {
	d := g
	if wd := float32(s.weightDecay); wd != 0 && (!p.NoDecay || s.decayBiasAndNorm) {
		d = l.Add(d, scaled(l, f32(l, wd), st.W))
	}
	d, bufs := lowerMomentum(l, s.momentum, s.nesterov, d, st.Buffers)
	return Slotted{W: lowerDescend(l, lr, st.W, d), Buffers: bufs}
}

// StateBuffers is the number of float32 buffers, each as long as its
// parameter, that the state keeps per parameter.
func (s *SGD) StateBuffers() int { return s.st.buffers() }

// State returns a copy of the momentum buffers.
func (s *SGD) State() State { return s.st.state() }

// SetState restores momentum buffers saved by State; see Optimizer.
func (s *SGD) SetState(st State) error {
	if err := s.st.setState(st); err != nil {
		return fmt.Errorf("optimizer.sgd: %w", err)
	}
	return nil
}
