package schedule

import (
	"math"

	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "schedule.warmup_cosine",
		Doc: "solo-learn's LinearWarmupCosineAnnealingLR, stepped every optimizer step: linear warmup from start_lr to the peak, then cosine down to final_lr",
		Params: []registry.Param{
			{Name: "warmup_epochs", Type: registry.Int, Default: 10, Range: registry.AtLeast(0),
				Doc: "epochs of linear warmup, stepped per optimizer step: the peak is reached on step warmup_epochs * steps_per_epoch - 1 (solo-learn's default: 10); a warmup as long as the run or longer is not shortened, the run then ends before the cosine"},
			{Name: "start_lr", Type: registry.Float, Default: 3e-5, Range: registry.AtLeast(0),
				Doc: "learning rate of step 0, absolute: not scaled with the batch size (solo-learn's warmup_start_lr default: 3e-5); unused when warmup_epochs = 0"},
			{Name: "final_lr", Type: registry.Float, Default: 0.0, Range: registry.AtLeast(0),
				Doc: "learning rate the cosine reaches at the end of the run, just after the last optimizer step; absolute: not scaled with the batch size (solo-learn's min_lr default: 0)"},
		},
		New: func(v registry.Values) (any, error) {
			return &WarmupCosine{warmupEpochs: v.Int("warmup_epochs"), startLR: v.Float("start_lr"), finalLR: v.Float("final_lr")}, nil
		},
	})
}

var _ Schedule = (*WarmupCosine)(nil)

// WarmupCosine is the schedule.warmup_cosine component: solo-learn's
// LinearWarmupCosineAnnealingLR in closed form, as solo-learn's pretraining
// drives it (scheduler interval "step", warmup and length counted in
// steps). With W = warmup_epochs * stepsPerEpoch warmup steps, T =
// totalSteps and k the step:
//
//	k < W:  start + k (peak - start) / (W - 1)   (step 0 is start_lr, step W-1 the peak)
//	k = W:  peak                                 (so the peak lasts two steps)
//	k > W:  final + (peak - final) (1 + cos(π (k - W) / (T - W))) / 2
//
// The cosine reaches final_lr at k = T, the value after the last optimizer
// step (T - 1 is one step above it), and without warmup it starts at the
// peak on step 0. When W ≥ T there is no cosine: the last step is the
// warmup's last, at the peak, when W = T, and below the peak when W > T (the
// warmup is not shortened, as in solo-learn). Steps past T keep the value at
// T. start_lr and final_lr are absolute learning rates; only the peak comes
// from the optimizer, scaled with the batch size.
type WarmupCosine struct {
	warmupEpochs     int
	startLR, finalLR float64
}

// LR is the learning rate of step; see WarmupCosine.
func (s *WarmupCosine) LR(peak float64, step, stepsPerEpoch, totalSteps int) float64 {
	w, k := s.warmupEpochs*stepsPerEpoch, min(step, totalSteps)
	switch {
	case k == w:
		return peak
	case k == 0: // 0 < W: the first warmup step
		return s.startLR
	case k < w:
		return s.startLR + float64(k)*(peak-s.startLR)/float64(w-1)
	}
	return s.finalLR + 0.5*(peak-s.finalLR)*(1+math.Cos(math.Pi*float64(k-w)/float64(totalSteps-w)))
}
