package hloeval

import (
	"fmt"
	"math"
)

func init() {
	opTable["stablehlo.batch_norm_training"] = batchNormTrainingOp
	opTable["stablehlo.batch_norm_inference"] = batchNormInferenceOp
	opTable["stablehlo.batch_norm_grad"] = batchNormGradOp
}

// batchNormSetup reads epsilon and feature_index and checks that the
// per-feature operands are 1-D of the operand's feature dimension.
func batchNormSetup(st *statement, x *Tensor, perFeature []*Tensor) (eps float64, feature int, err error) {
	if eps, err = st.float("epsilon"); err != nil {
		return 0, 0, err
	}
	if feature, err = st.integer("feature_index", 0, false); err != nil {
		return 0, 0, err
	}
	if feature < 0 || feature >= len(x.Shape) {
		return 0, 0, fmt.Errorf("feature_index %d out of range for %s", feature, x)
	}
	for _, t := range perFeature {
		if t.DType != x.DType || len(t.Shape) != 1 || t.Shape[0] != x.Shape[feature] {
			return 0, 0, fmt.Errorf("%s is not a %s vector of the %d features of %s", t, x.DType, x.Shape[feature], x)
		}
	}
	return eps, feature, nil
}

// featureMeans returns, per feature, the mean of f(index, x) over every
// element of x of that feature, in float64.
func featureMeans(x *Tensor, feature int, f func(i int, c int) float64) []float64 {
	sums := make([]float64, x.Shape[feature])
	forEach(x.Shape, func(idx []int) {
		sums[idx[feature]] += f(flat(idx, x.Shape), idx[feature])
	})
	count := float64(len(x.F) / max(x.Shape[feature], 1))
	for c := range sums {
		sums[c] /= count
	}
	return sums
}

// featureOf returns, for each flat element of x, its feature index.
func featureOf(x *Tensor, feature int) []int {
	fs := make([]int, len(x.F))
	forEach(x.Shape, func(idx []int) {
		fs[flat(idx, x.Shape)] = idx[feature]
	})
	return fs
}

// batchNormTrainingOp is stablehlo.batch_norm_training: the per-feature
// mean and biased variance of the operand, and the operand normalized with
// them, scaled and offset. Computed in float64 and rounded once.
func batchNormTrainingOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if err := wantOperands(in, 3); err != nil {
		return nil, err
	}
	x, scale, offset := in[0], in[1], in[2]
	eps, feature, err := batchNormSetup(st, x, in[1:])
	if err != nil {
		return nil, err
	}
	mean := featureMeans(x, feature, func(i, _ int) float64 { return x.F[i] })
	variance := featureMeans(x, feature, func(i, c int) float64 { d := x.F[i] - mean[c]; return d * d })
	out := newTensor(x.DType, x.Shape)
	for i, c := range featureOf(x, feature) {
		norm := (x.F[i] - mean[c]) / math.Sqrt(variance[c]+eps)
		out.F[i] = roundTo(x.DType, scale.F[c]*norm+offset.F[c])
	}
	return []*Tensor{out, vector(x.DType, mean), vector(x.DType, variance)}, nil
}

// vector returns a rounded 1-D tensor of values.
func vector(dtype string, values []float64) *Tensor {
	t := newTensor(dtype, []int{len(values)})
	for i, v := range values {
		t.F[i] = roundTo(dtype, v)
	}
	return t
}

// batchNormInferenceOp is stablehlo.batch_norm_inference: the operand
// normalized with the given mean and variance, scaled and offset.
func batchNormInferenceOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if err := wantOperands(in, 5); err != nil {
		return nil, err
	}
	x, scale, offset, mean, variance := in[0], in[1], in[2], in[3], in[4]
	eps, feature, err := batchNormSetup(st, x, in[1:])
	if err != nil {
		return nil, err
	}
	out := newTensor(x.DType, x.Shape)
	for i, c := range featureOf(x, feature) {
		norm := (x.F[i] - mean.F[c]) / math.Sqrt(variance.F[c]+eps)
		out.F[i] = roundTo(x.DType, scale.F[c]*norm+offset.F[c])
	}
	return []*Tensor{out}, nil
}

// batchNormGradOp is stablehlo.batch_norm_grad(operand, scale, mean,
// variance, grad_output), following the spec's decomposition: with
// centered = x - mean, stddev = sqrt(variance + epsilon), m the elements
// per feature,
//
//	grad_operand = scale/stddev/m * (grad*m - sum(grad) - centered*sum(grad*centered)/(variance+epsilon))
//	grad_scale   = sum(grad * centered/stddev)
//	grad_offset  = sum(grad)
func batchNormGradOp(_ *evaluator, st *statement, in []*Tensor) ([]*Tensor, error) {
	if err := wantOperands(in, 5); err != nil {
		return nil, err
	}
	x, scale, mean, variance, grad := in[0], in[1], in[2], in[3], in[4]
	if err := sameType(x, grad); err != nil {
		return nil, err
	}
	eps, feature, err := batchNormSetup(st, x, in[1:4])
	if err != nil {
		return nil, err
	}
	nf := x.Shape[feature]
	m := float64(len(x.F) / max(nf, 1))
	features := featureOf(x, feature)
	sumGrad := make([]float64, nf)
	sumGradCentered := make([]float64, nf)
	for i, c := range features {
		sumGrad[c] += grad.F[i]
		sumGradCentered[c] += grad.F[i] * (x.F[i] - mean.F[c])
	}
	gradX := newTensor(x.DType, x.Shape)
	for i, c := range features {
		centered := x.F[i] - mean.F[c]
		stddev := math.Sqrt(variance.F[c] + eps)
		i6 := grad.F[i]*m - sumGrad[c] - centered*sumGradCentered[c]/(variance.F[c]+eps)
		gradX.F[i] = roundTo(x.DType, scale.F[c]/stddev/m*i6)
	}
	gradScale := make([]float64, nf)
	for c := range gradScale {
		gradScale[c] = sumGradCentered[c] / math.Sqrt(variance.F[c]+eps)
	}
	return []*Tensor{gradX, vector(x.DType, gradScale), vector(x.DType, sumGrad)}, nil
}
