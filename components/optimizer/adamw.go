package optimizer

import (
	"fmt"
	"math"

	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types/dtypes"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "optimizer.adamw",
		Doc: "torch.optim.AdamW: Adam with decoupled weight decay, bias-corrected moments, a step count per parameter",
		Params: []registry.Param{
			lrParam("torch.optim.AdamW's default: 1e-3; solo-learn's CIFAR MAE recipe: 2e-4"),
			{Name: "betas", Type: registry.Floats, Len: 2, Default: []float64{0.9, 0.999}, Range: unitRange,
				Doc: "[β1, β2], decay rates of the first and second moment averages (torch's and solo-learn's default: [0.9, 0.999]; solo-learn's MAE recipe: [0.9, 0.95])"},
			{Name: "eps", Type: registry.Float, Default: 1e-8, Range: registry.Above(0),
				Doc: "ε added to the bias-corrected root of the second moment (torch's default: 1e-8)"},
			{Name: "weight_decay", Type: registry.Float, Default: 0.01, Range: registry.AtLeast(0),
				Doc: "decoupled weight decay λ: w is multiplied by 1 - lr*λ before the Adam step (torch.optim.AdamW's default: 0.01; solo-learn's MAE recipe: 0.05)"},
			scaleLRParam,
			{Name: "decay_bias_and_norm", Type: registry.Bool, Default: false,
				Doc: "also decay biases and batch-norm scales and shifts (nn.Param.NoDecay); false puts them in a weight_decay 0 group, as solo-learn's exclude_bias_n_norm_wd = true does (torch's and solo-learn's default decays them)"},
		},
		New: func(v registry.Values) (any, error) {
			betas := v.Floats("betas")
			return &AdamW{
				lr:               v.Float("lr"),
				beta1:            betas[0],
				beta2:            betas[1],
				eps:              v.Float("eps"),
				weightDecay:      v.Float("weight_decay"),
				scaleLR:          v.Bool("scale_lr"),
				decayBiasAndNorm: v.Bool("decay_bias_and_norm"),
				st:               newStore([]string{"exp_avg", "exp_avg_sq"}, []string{"step"}),
			}, nil
		},
	})
}

var _ Lowerer = (*AdamW)(nil)

// AdamW is the optimizer.adamw component, torch.optim.AdamW without amsgrad.
// For each parameter w with gradient g, after incrementing its step count t
// (float32 arithmetic, scalars in float64 rounded to float32 as torch does):
//
//	w = w * (1 - lr*λ)     (λ = weight_decay, 0 for NoDecay parameters unless decay_bias_and_norm)
//	m = β1*m + (1-β1)*g
//	v = β2*v + (1-β2)*g*g
//	w = w - (lr / (1-β1^t)) * m / (sqrt(v) / sqrt(1-β2^t) + ε)
//
// Its state is, per parameter, the buffers "exp_avg/<name>" (m) and
// "exp_avg_sq/<name>" (v) and the counter "step/<name>" (t): a parameter
// without gradient in some steps has fewer steps than the others.
type AdamW struct {
	lr, beta1, beta2, eps, weightDecay float64
	scaleLR, decayBiasAndNorm          bool
	st                                 *store
}

// LR is lr, times batchSize/256 when scale_lr.
func (a *AdamW) LR(batchSize int) float64 { return peakLR(a.lr, a.scaleLR, batchSize) }

// Step updates params in place; see AdamW. It checks every argument before
// changing anything.
func (a *AdamW) Step(params []*nn.Param, grads [][]float32, lr float64) error {
	if err := a.st.check(params, grads); err != nil {
		return fmt.Errorf("optimizer.adamw: %w", err)
	}
	b1, b2 := float32(a.beta1), float32(a.beta2)
	c1, c2 := float32(1-a.beta1), float32(1-a.beta2)
	eps := float32(a.eps)
	for i, p := range params {
		g := grads[i]
		if g == nil {
			continue
		}
		w := p.Data()
		e := a.st.entry(p.Name, len(w))
		e.counts[0]++
		t := float64(e.counts[0])
		if a.weightDecay != 0 && (!p.NoDecay || a.decayBiasAndNorm) {
			f := float32(1 - lr*a.weightDecay)
			for j := range w {
				w[j] *= f
			}
		}
		m, v := e.bufs[0], e.bufs[1]
		negStep := float32(-lr / (1 - math.Pow(a.beta1, t)))
		bc2 := float32(math.Sqrt(1 - math.Pow(a.beta2, t)))
		for j := range w {
			m[j] = b1*m[j] + c1*g[j]
			v[j] = b2*v[j] + c2*g[j]*g[j]
			denom := float32(math.Sqrt(float64(v[j])))/bc2 + eps
			w[j] += negStep * m[j] / denom
		}
	}
	return nil
}

// Slots is exp_avg and exp_avg_sq, and the counter step; see Lowerer.
func (a *AdamW) Slots() (buffers, counters []string) { return a.st.slots, a.st.counters }

// LowerUpdate is Step's update of one parameter in StableHLO; see Lowerer.
// Its scalars are computed in float64 from the float64 lr and step count
// and rounded to float32, as Step's are.
func (a *AdamW) LowerUpdate(l *ops.Lowering, p *nn.Param, lr, g *stablehlo.Value, st Slotted) Slotted {
	f64 := func(v float64) *stablehlo.Value { return l.Const(v, dtypes.Float64) }
	step := l.Add(st.Counters[0], l.Const(1, dtypes.Int64))
	t := l.Convert(step, dtypes.Float64)
	w := st.W
	if a.weightDecay != 0 && (!p.NoDecay || a.decayBiasAndNorm) {
		f := l.Convert(l.Sub(f64(1), l.Mul(lr, f64(a.weightDecay))), dtypes.Float32)
		w = scaled(l, f, w)
	}
	m := l.Add(scaled(l, f32(l, float32(a.beta1)), st.Buffers[0]), scaled(l, f32(l, float32(1-a.beta1)), g))
	v := l.Add(scaled(l, f32(l, float32(a.beta2)), st.Buffers[1]), l.Mul(scaled(l, f32(l, float32(1-a.beta2)), g), g))
	negStep := l.Convert(l.Div(l.Neg(lr), l.Sub(f64(1), l.Pow(f64(a.beta1), t))), dtypes.Float32)
	bc2 := l.Convert(l.Sqrt(l.Sub(f64(1), l.Pow(f64(a.beta2), t))), dtypes.Float32)
	sh := st.W.Shape()
	denom := l.Add(l.Div(l.Sqrt(v), l.Broadcast(bc2, sh)), l.Full(a.eps, sh))
	w = l.Add(w, l.Div(scaled(l, negStep, m), denom))
	return Slotted{W: w, Buffers: []*stablehlo.Value{m, v}, Counters: []*stablehlo.Value{step}}
}

// StateBuffers is the number of float32 buffers, each as long as its
// parameter, that the state keeps per parameter.
func (a *AdamW) StateBuffers() int { return a.st.buffers() }

// State returns a copy of the moment buffers and step counts.
func (a *AdamW) State() State { return a.st.state() }

// SetState restores moment buffers and step counts saved by State; see
// Optimizer.
func (a *AdamW) SetState(st State) error {
	if err := a.st.setState(st); err != nil {
		return fmt.Errorf("optimizer.adamw: %w", err)
	}
	return nil
}
