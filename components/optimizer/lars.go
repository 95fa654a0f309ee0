package optimizer

import (
	"fmt"
	"math"

	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types"
	"github.com/gomlx/go-xla/pkg/types/dtypes"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/registry"
)

// larsEps keeps the trust ratio's denominator positive (solo-learn's LARS
// eps default, which no solo-learn recipe changes).
const larsEps = 1e-8

func init() {
	registry.Register(registry.Component{
		ID:  "optimizer.lars",
		Doc: "solo-learn's LARS: SGD whose per-parameter update is scaled by the trust ratio eta*||w|| / (||g|| + λ||w||)",
		Params: []registry.Param{
			lrParam("solo-learn's CIFAR recipes: SimCLR 0.4, SwAV 0.6"),
			momentumParam,
			nesterovParam,
			{Name: "weight_decay", Type: registry.Float, Default: 0.0, Range: registry.AtLeast(0),
				Doc: "L2 penalty λ, added to the gradient of adapted parameters only (solo-learn LARS's default: 0; CIFAR recipes: SimCLR 1e-4, SwAV 1e-6)"},
			{Name: "eta", Type: registry.Float, Default: 0.02, Range: registry.Above(0),
				Doc: "trust coefficient η (solo-learn's CIFAR recipes: 0.02; its LARS default: 1e-3)"},
			{Name: "clip", Type: registry.Bool, Default: true,
				Doc: "clip the trust ratio to min(ratio/lr, 1), solo-learn's clip_lr (its CIFAR recipes: true; its LARS default: false)"},
			{Name: "exclude_bias_and_norm", Type: registry.Bool, Default: true,
				Doc: "biases and batch-norm scales and shifts (nn.Param.NoDecay) get neither weight decay nor the trust ratio, solo-learn's exclude_bias_n_norm (its CIFAR recipes: true; its LARS default: false)"},
			scaleLRParam,
		},
		New: func(v registry.Values) (any, error) {
			if err := checkNesterov(v); err != nil {
				return nil, err
			}
			l := &LARS{
				lr:          v.Float("lr"),
				momentum:    v.Float("momentum"),
				nesterov:    v.Bool("nesterov"),
				weightDecay: v.Float("weight_decay"),
				eta:         v.Float("eta"),
				clip:        v.Bool("clip"),
				exclude:     v.Bool("exclude_bias_and_norm"),
				scaleLR:     v.Bool("scale_lr"),
			}
			var slots []string
			if l.momentum != 0 {
				slots = []string{"momentum"}
			}
			l.st = newStore(slots, nil)
			return l, nil
		},
	})
}

var _ Lowerer = (*LARS)(nil)

// LARS is the optimizer.lars component, solo-learn's LARS
// (solo/utils/lars.py, from Lightning Bolts). For each parameter w with
// gradient g, in float32:
//
//	if the parameter is adapted (not NoDecay with exclude_bias_and_norm) and ||w|| ≠ 0 and ||g|| ≠ 0:
//	    r = η||w|| / (||g|| + λ||w|| + 1e-8)
//	    r = min(r/lr, 1) if clip
//	    d = (g + λw) * r
//	else:
//	    d = g                  (no weight decay either)
//	then SGD with momentum μ (dampening 0): v = μv + d; d = d + μv if nesterov, else d = v
//	w = w - lr*d
//
// solo-learn excludes one-dimensional parameters; sslrun excludes those
// marked NoDecay, which are the same ones (biases and batch-norm scales and
// shifts). Its state is one buffer per parameter, "momentum/<name>".
type LARS struct {
	lr, momentum, weightDecay, eta   float64
	nesterov, clip, exclude, scaleLR bool
	st                               *store
}

// LR is lr, times batchSize/256 when scale_lr.
func (l *LARS) LR(batchSize int) float64 { return peakLR(l.lr, l.scaleLR, batchSize) }

// Step updates params in place; see LARS. It checks every argument before
// changing anything.
func (l *LARS) Step(params []*nn.Param, grads [][]float32, lr float64) error {
	if err := l.st.check(params, grads); err != nil {
		return fmt.Errorf("optimizer.lars: %w", err)
	}
	lr32, mom, wd := float32(lr), float32(l.momentum), float32(l.weightDecay)
	for i, p := range params {
		g := grads[i]
		if g == nil {
			continue
		}
		w := p.Data()
		adapt, r := false, float32(1) // r: trust ratio
		if !p.NoDecay || !l.exclude {
			if pn, gn := norm(w), norm(g); pn != 0 && gn != 0 {
				adapt = true
				r = pn / (gn + pn*wd + larsEps) * float32(l.eta)
				if l.clip {
					r = min(r/lr32, 1) // lr 0 gives +Inf, clipped to 1
				}
			}
		}
		var v []float32
		if l.momentum != 0 {
			v = l.st.entry(p.Name, len(w)).bufs[0]
		}
		for j := range w {
			d := g[j]
			if adapt {
				d = (d + wd*w[j]) * r
			}
			if v != nil {
				v[j] = mom*v[j] + d
				if l.nesterov {
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
func (l *LARS) Slots() (buffers, counters []string) { return l.st.slots, l.st.counters }

// LowerUpdate is Step's update of one parameter in StableHLO; see Lowerer.
// Whether the trust ratio applies to an adapted parameter depends on its
// norms, so both directions are computed and selected.
func (l *LARS) LowerUpdate(lw *ops.Lowering, p *nn.Param, lr, g *stablehlo.Value, st Slotted) Slotted {
	d := g
	if !p.NoDecay || !l.exclude {
		wd := f32(lw, float32(l.weightDecay))
		pn, gn := lowerNorm(lw, st.W), lowerNorm(lw, g)
		r := lw.Mul(lw.Div(pn, lw.Add(lw.Add(gn, lw.Mul(pn, wd)), f32(lw, larsEps))), f32(lw, float32(l.eta)))
		if l.clip {
			r = lw.Min(lw.Div(r, lw.Convert(lr, dtypes.Float32)), f32(lw, 1))
		}
		adapted := scaled(lw, r, lw.Add(g, scaled(lw, wd, st.W)))
		zero := f32(lw, 0)
		d = lw.Select(lw.Compare(pn, types.CompareNE, zero),
			lw.Select(lw.Compare(gn, types.CompareNE, zero), adapted, g), g)
	}
	d, bufs := lowerMomentum(lw, l.momentum, l.nesterov, d, st.Buffers)
	return Slotted{W: lowerDescend(lw, lr, st.W, d), Buffers: bufs}
}

// StateBuffers is the number of float32 buffers, each as long as its
// parameter, that the state keeps per parameter.
func (l *LARS) StateBuffers() int { return l.st.buffers() }

// State returns a copy of the momentum buffers.
func (l *LARS) State() State { return l.st.state() }

// SetState restores momentum buffers saved by State; see Optimizer.
func (l *LARS) SetState(st State) error {
	if err := l.st.setState(st); err != nil {
		return fmt.Errorf("optimizer.lars: %w", err)
	}
	return nil
}

// norm is the L2 norm of x, accumulated in float64 and rounded to float32
// (torch.norm of a float32 tensor, to its last bit or so).
func norm(x []float32) float32 {
	var ss float64
	for _, v := range x {
		ss += float64(v) * float64(v)
	}
	return float32(math.Sqrt(ss))
}

// lowerNorm is norm in StableHLO: the sum of squares in float64, its root
// rounded to a float32 scalar.
func lowerNorm(l *ops.Lowering, x *stablehlo.Value) *stablehlo.Value {
	if l.Err() != nil || x == nil {
		return nil
	}
	x64 := l.Convert(x, dtypes.Float64)
	axes := make([]int, x.Shape().Rank())
	for i := range axes {
		axes[i] = i
	}
	return l.Convert(l.Sqrt(l.Sum(l.Mul(x64, x64), axes...)), dtypes.Float32)
}
