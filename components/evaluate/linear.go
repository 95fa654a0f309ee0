package evaluate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"

	"github.com/sslrun/sslrun/internal/gemm"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "evaluate.linear",
		Doc: "linear probe: softmax regression on frozen features standardised with the train split's mean and std, mean cross-entropy + l2/2 ||W||², fitted by L-BFGS",
		Params: append([]registry.Param{
			{Name: "l2", Type: registry.Float, Default: 1e-4, Range: registry.Above(0), Doc: "L2 strength on the weights (not the bias) in mean cross-entropy + l2/2 ||W||²; scikit-learn's C is 1/(l2 n). Sweep it on a validation split for headline numbers"},
			{Name: "max_iterations", Type: registry.Int, Default: 1000, Range: registry.AtLeast(1), Doc: "L-BFGS iteration cap (scikit-learn's default of 100 often stops short; CLIP's probe used 1000)"},
			{Name: "tolerance", Type: registry.Float, Default: 1e-5, Range: registry.Above(0), Doc: "the fit has converged when no entry of the objective's gradient exceeds this in absolute value (scikit-learn's tol)"},
		}, splitParams()...),
		New: func(v registry.Values) (any, error) {
			s, err := newSplits(v)
			if err != nil {
				return nil, err
			}
			return &Linear{splits: s, l2: v.Float("l2"), maxIterations: v.Int("max_iterations"), tolerance: v.Float("tolerance")}, nil
		},
	})
}

var (
	_ Evaluator              = (*Linear)(nil)
	_ registry.WiringChecker = (*Linear)(nil)
)

// Linear is the evaluate.linear component: a linear classifier (weights W
// of shape (classes, dim) and a bias b) fitted on the frozen features of the
// train split and scored on the test split.
//
// Every feature is first standardised with the train split's mean and
// (population) standard deviation, the test split with the same numbers; a
// feature that is constant on the train split is only centred. Standardising
// makes the problem well conditioned for L-BFGS (features of a ReLU backbone
// have widely different scales) and makes one l2 value mean the same for
// every feature; it is scikit-learn's StandardScaler before
// LogisticRegression, the usual L-BFGS probe.
//
// The fitted objective is
//
//	mean_i [logsumexp_c(s_ic) - s_i,y_i] + l2/2 ||W||²,  s_i = W x_i + b,
//
// scikit-learn's multinomial LogisticRegression divided by the number of
// rows n (so l2 = 1/(C n)). The penalty makes the objective strictly convex
// in W, so the fit has one optimum even on separable features; the bias is
// not penalised. The fit starts at zero and runs gonum's L-BFGS (10 stored
// corrections and a Moré-Thuente strong-Wolfe line search, as SciPy's
// L-BFGS-B) until no gradient entry exceeds tolerance, an iteration lowers
// the objective by less than 64 machine epsilons relative (SciPy's ftol as
// scikit-learn sets it), the line search can make no more progress in
// floating point, or max_iterations. Each way the fit keeps the best point
// found; running out of iterations is not an error (scikit-learn only
// warns), since a probe that stops a little short of the optimum still
// scores the features.
//
// The loss and gradient are computed in float64 with rows split into fixed
// chunks of 256 rows, run on GOMAXPROCS goroutines and summed in chunk
// order, so a fit is bit-identical whatever GOMAXPROCS is. Within a chunk
// the scores and the weights' gradient are float64 matrix products
// (internal/gemm's MulAdd64, with fused multiply-adds where the CPU has
// AVX2 and FMA), so two machines agree bitwise only when both have, or
// both lack, AVX2 and FMA.
type Linear struct {
	splits
	l2            float64
	maxIterations int
	tolerance     float64
}

// Evaluate fits the classifier on train and returns its top-1 and top-5
// accuracy on test (the label among the 5 highest scores, ties going to the
// lower class; 1 with fewer than 5 classes). A cancelled ctx stops the fit
// within one objective evaluation and returns ctx's error wrapped. Errors do
// not name the protocol: the caller does.
func (e *Linear) Evaluate(ctx context.Context, train, test Features, classes int) (Result, error) {
	if err := checkSplits(train, test, classes); err != nil {
		return Result{}, err
	}
	m, err := e.fit(ctx, train, classes)
	if err != nil {
		return Result{}, err
	}
	top1, top5 := m.accuracy(test)
	return Result{Top1: top1, Top5: top5}, nil
}

// ftol is SciPy's L-BFGS-B ftol as scikit-learn sets it: the fit stops when
// an iteration lowers the objective by at most ftol (|f| + 1).
const ftol = 64 * 0x1p-52

// linearModel is a fitted classifier.
type linearModel struct {
	classes, dim int
	mean, invStd []float64 // (dim), of the train split
	// params are W (classes, dim) row-major followed by b (classes).
	params    []float64
	objective float64 // at params
}

// fit minimises the objective on train, whose rows check passed.
func (e *Linear) fit(ctx context.Context, train Features, classes int) (*linearModel, error) {
	mean, invStd := standardization(train)
	obj := newSoftmaxObjective(train, classes, mean, invStd, e.l2, runtime.GOMAXPROCS(0))
	c := &cachedObjective{obj: obj}
	problem := optimize.Problem{
		Func: c.value,
		Grad: c.gradient,
		Status: func() (optimize.Status, error) {
			if err := ctx.Err(); err != nil {
				return optimize.Failure, err
			}
			return optimize.NotTerminated, nil
		},
	}
	settings := &optimize.Settings{
		MajorIterations: e.maxIterations,
		Converger:       &optimize.FunctionConverge{Absolute: ftol, Relative: ftol, Iterations: 1},
	}
	method := &optimize.LBFGS{
		Linesearcher:      &optimize.MoreThuente{DecreaseFactor: 1e-4, CurvatureFactor: 0.9},
		Store:             10,
		GradStopThreshold: e.tolerance,
	}
	res, err := optimize.Minimize(problem, make([]float64, obj.size()), settings, method)
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("fitting the linear classifier stopped: %w", ctx.Err())
	case err == nil, errors.Is(err, optimize.ErrNoProgress), errors.Is(err, optimize.ErrLinesearcherFailure), errors.Is(err, optimize.ErrNonDescentDirection):
		// Converged, stalled at floating-point precision, or started at the
		// optimum (a zero gradient, as with one class): keep the best point,
		// which Minimize returns.
	default:
		return nil, fmt.Errorf("fitting the linear classifier: L-BFGS: %w", err)
	}
	return &linearModel{classes: classes, dim: train.Dim, mean: mean, invStd: invStd, params: res.X, objective: res.F}, nil
}

// accuracy returns the top-1 and top-5 accuracy of m on f, whose rows check
// passed.
func (m *linearModel) accuracy(f Features) (top1, top5 float64) {
	d, k := m.dim, m.classes
	w, b := m.params[:k*d], m.params[k*d:]
	row := make([]float64, d)
	var hit1, hit5 int
	for i, y := range f.Labels {
		gemm.Standardize(row, f.Data[i*d:(i+1)*d], m.mean, m.invStd)
		sy := floats.Dot(row, w[y*d:(y+1)*d]) + b[y]
		rank := 0 // classes ranked above y
		for c := range k {
			s := floats.Dot(row, w[c*d:(c+1)*d]) + b[c]
			if s > sy || (s == sy && c < y) {
				rank++
			}
		}
		if rank == 0 {
			hit1++
		}
		if rank < 5 {
			hit5++
		}
	}
	n := float64(len(f.Labels))
	return float64(hit1) / n, float64(hit5) / n
}

// standardization returns each feature's mean over f and the inverse of its
// population standard deviation, or 1 for a feature whose deviation is
// rounding noise (at most 1e-12 |mean|, 0 for a constant zero feature).
func standardization(f Features) (mean, invStd []float64) {
	d := f.Dim
	n := len(f.Data) / d
	mean, invStd = make([]float64, d), make([]float64, d)
	for i := range n {
		for j, v := range f.Data[i*d : (i+1)*d] {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for i := range n {
		for j, v := range f.Data[i*d : (i+1)*d] {
			dv := float64(v) - mean[j]
			invStd[j] += dv * dv
		}
	}
	for j, ss := range invStd {
		std := math.Sqrt(ss / float64(n))
		if std <= 1e-12*math.Abs(mean[j]) {
			invStd[j] = 1
		} else {
			invStd[j] = 1 / std
		}
	}
	return mean, invStd
}

// chunkRows is the number of rows whose loss and gradient one goroutine sums
// before they are added to the total in chunk order. It is fixed so that the
// summation order, and so the result, does not depend on GOMAXPROCS.
const chunkRows = 256

// blockRows is the number of rows of a chunk that are standardised into
// float64 and multiplied at a time: few enough that a block of CIFAR-10's
// pixels (96 x 3,072 float64s, 2.25 MiB) is still in cache when the
// gradient's product reads it after the scores', enough that reading W and
// the gradient once per block costs little. Measured on 5,000 x 3,072 x
// 10, 48 to 256 rows took about the same time, 24 rows a third longer.
const blockRows = 96

// softmaxObjective evaluates the fitted objective (see Linear) and its
// gradient on standardised features.
type softmaxObjective struct {
	x               Features
	classes         int
	mean, invStd    []float64
	l2              float64
	partial         [][]float64 // per worker: gradient (size()) then loss
	block, scores   [][]float64 // per worker scratch: (blockRows, dim) and (blockRows, classes)
	chunks, workers int
}

func newSoftmaxObjective(x Features, classes int, mean, invStd []float64, l2 float64, workers int) *softmaxObjective {
	n := len(x.Labels)
	chunks := (n + chunkRows - 1) / chunkRows
	workers = max(1, min(workers, chunks))
	o := &softmaxObjective{x: x, classes: classes, mean: mean, invStd: invStd, l2: l2, chunks: chunks, workers: workers}
	rows := min(blockRows, n)
	for range workers {
		o.partial = append(o.partial, make([]float64, o.size()+1))
		o.block = append(o.block, make([]float64, rows*x.Dim))
		o.scores = append(o.scores, make([]float64, rows*classes))
	}
	return o
}

// size is the number of parameters: classes*dim weights and classes biases.
func (o *softmaxObjective) size() int { return o.classes * (o.x.Dim + 1) }

// eval returns the objective at params and writes its gradient to grad.
// Waves of workers chunks run concurrently, each into its own buffer; the
// buffers are then added to the total in chunk order.
func (o *softmaxObjective) eval(params, grad []float64) float64 {
	n, p := len(o.x.Labels), o.size()
	clear(grad)
	var loss float64
	for start := 0; start < o.chunks; start += o.workers {
		end := min(start+o.workers, o.chunks)
		var wg sync.WaitGroup
		for c := start; c < end; c++ {
			s := c - start
			wg.Go(func() {
				o.chunk(c*chunkRows, min((c+1)*chunkRows, n), params, o.partial[s], o.block[s], o.scores[s])
			})
		}
		wg.Wait()
		for s := range end - start {
			floats.Add(grad, o.partial[s][:p])
			loss += o.partial[s][p]
		}
	}
	inv := 1 / float64(n)
	floats.Scale(inv, grad)
	w := params[:o.classes*o.x.Dim]
	var ss float64
	for j, v := range w {
		ss += v * v
		grad[j] += o.l2 * v
	}
	return loss*inv + o.l2/2*ss
}

// chunk writes to out the gradient of the summed (not averaged) cross-entropy
// of rows [r0, r1) followed by that sum. block and scores are scratch.
//
// It takes blockRows rows at a time: standardised into block (rows, dim),
// their scores are one product, scores (rows, classes) = block · Wᵀ, each
// score is then overwritten by its derivative, and the weights' gradient
// gains one more product, Gᵀ · block. Both products run on this goroutine
// (the chunks are the parallel work) and sum each element's terms in an
// order fixed by the shapes and blockRows, so the result does not depend
// on GOMAXPROCS.
func (o *softmaxObjective) chunk(r0, r1 int, params, out, block, scores []float64) {
	d, k := o.x.Dim, o.classes
	w, b := gemm.Dense64(k, d, params[:k*d]), params[k*d:]
	clear(out)
	gw, gb := gemm.Dense64(k, d, out[:k*d]), out[k*d:k*d+k]
	var loss float64
	for i0 := r0; i0 < r1; i0 += blockRows {
		m := min(blockRows, r1-i0)
		for i := range m {
			gemm.Standardize(block[i*d:(i+1)*d], o.x.Data[(i0+i)*d:(i0+i+1)*d], o.mean, o.invStd)
		}
		x, s := gemm.Dense64(m, d, block[:m*d]), gemm.Dense64(m, k, scores[:m*k])
		clear(s.Data)
		gemm.MulAdd64(s, x, w.T(), 1) // s_ic - b_c
		for i := range m {
			loss += softmaxDerivative(s.Data[i*k:(i+1)*k], b, o.x.Labels[i0+i], gb)
		}
		gemm.MulAdd64(gw, s.T(), x, 1)
	}
	out[k*d+k] = loss
}

// softmaxDerivative takes one row's scores less the biases b, returns the
// row's cross-entropy with label y, overwrites each score with the
// derivative by it (softmax_c - [c == y]) and adds those to gb.
func softmaxDerivative(scores, b []float64, y int, gb []float64) float64 {
	top := math.Inf(-1)
	for c := range scores {
		scores[c] += b[c] // s_ic
		top = max(top, scores[c])
	}
	sy := scores[y]
	var sum float64
	for c, v := range scores {
		scores[c] = math.Exp(v - top)
		sum += scores[c]
	}
	for c, e := range scores {
		g := e / sum
		if c == y {
			g--
		}
		scores[c] = g
		gb[c] += g
	}
	return math.Log(sum) + top - sy
}

// cachedObjective serves optimize's separate Func and Grad calls at the same
// point from one evaluation.
type cachedObjective struct {
	obj     *softmaxObjective
	x, grad []float64
	f       float64
}

func (c *cachedObjective) value(x []float64) float64 {
	if c.x == nil || !floats.Equal(x, c.x) {
		if c.x == nil {
			c.x, c.grad = make([]float64, len(x)), make([]float64, len(x))
		}
		c.f = c.obj.eval(x, c.grad)
		copy(c.x, x)
	}
	return c.f
}

func (c *cachedObjective) gradient(grad, x []float64) {
	c.value(x)
	copy(grad, c.grad)
}
