package optimizer

import "github.com/sslrun/sslrun/registry"

// Parameters shared by the optimizers. Their Doc fields cite the reference
// defaults.
var (
	// unitRange is [0, 1), for momentum and Adam's betas.
	unitRange = registry.Range{Min: 0, Max: 1, HasMin: true, HasMax: true, MaxOpen: true}

	scaleLRParam = registry.Param{
		Name: "scale_lr", Type: registry.Bool, Default: true,
		Doc: "linear scaling rule: the peak learning rate is lr * batch_size / 256 (solo-learn scales every optimizer's lr this way); false uses lr as is",
	}
	momentumParam = registry.Param{
		Name: "momentum", Type: registry.Float, Default: 0.9, Range: unitRange,
		Doc: "momentum factor μ, dampening 0 (solo-learn's default for sgd and lars: 0.9; torch.optim.SGD's: 0)",
	}
	nesterovParam = registry.Param{
		Name: "nesterov", Type: registry.Bool, Default: false,
		Doc: "Nesterov momentum as torch.optim.SGD computes it: the step is d + μ*v instead of v; needs momentum > 0",
	}
)

// lrParam is the required base learning rate; ref names reference recipes.
func lrParam(ref string) registry.Param {
	return registry.Param{
		Name: "lr", Type: registry.Float, Range: registry.Above(0),
		Doc: "base learning rate, for a batch of 256 images when scale_lr (required: no default suits every method; " + ref + ")",
	}
}

// peakLR applies the linear scaling rule when scale is set.
func peakLR(lr float64, scale bool, batchSize int) float64 {
	if !scale {
		return lr
	}
	return lr * float64(batchSize) / 256
}

// checkNesterov rejects Nesterov momentum without momentum, as torch does.
func checkNesterov(v registry.Values) error {
	if v.Bool("nesterov") && v.Float("momentum") == 0 {
		return &registry.ParamError{Param: "nesterov", Msg: "Nesterov momentum needs momentum > 0"}
	}
	return nil
}
