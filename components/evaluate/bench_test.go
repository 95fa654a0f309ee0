package evaluate

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/sslrun/sslrun/registry"
)

// benchFeatures draws n labelled vectors of width dim with normal values and
// a uniform label among classes.
func benchFeatures(r *rand.Rand, n, dim, classes int) Features {
	f := Features{Dim: dim, Data: make([]float32, n*dim), Labels: make([]int, n)}
	for i := range f.Data {
		f.Data[i] = float32(r.NormFloat64())
	}
	for i := range f.Labels {
		f.Labels[i] = r.IntN(classes)
	}
	return f
}

// BenchmarkKNN scores the test vectors against the train vectors with k 200
// and temperature 0.1 (the CIFAR recipes' block) on all cores, at a
// scaled-down shape of CIFAR-10's raw pixels (5,000 x 500 of the 50,000 x
// 10,000 images of 3,072 values) and at the shape of its features from a
// 64-wide backbone. It reports test vectors scored per second and the
// similarities' GFLOP/s (2 * train * test * dim per run); a run's time
// grows as train * test * dim.
func BenchmarkKNN(b *testing.B) {
	for _, s := range []struct {
		name             string
		train, test, dim int
	}{
		{"pixels_5000x500x3072", 5000, 500, 3072},
		{"features_50000x1000x64", 50000, 1000, 64},
	} {
		b.Run(s.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			train, test := benchFeatures(r, s.train, s.dim, 10), benchFeatures(r, s.test, s.dim, 10)
			for b.Loop() {
				if _, _, err := KNN(train, test, 10, 200, 0.1); err != nil {
					b.Fatal(err)
				}
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(float64(s.test*b.N)/sec, "queries/s")
			b.ReportMetric(2*float64(s.train)*float64(s.test)*float64(s.dim)*float64(b.N)/sec/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkSoftmaxObjective is one evaluation of the linear probe's
// objective and gradient, the unit of an L-BFGS fit, on all cores at the
// shape of CIFAR-10's raw pixels (50,000 images of 3,072 values, 10
// classes) and scaled down to 5,000 images. It reports evaluations per
// second and GFLOP/s (4 * n * dim * classes per evaluation: the scores and
// the gradient); an evaluation's time grows as n * dim * classes.
func BenchmarkSoftmaxObjective(b *testing.B) {
	for _, s := range []struct {
		name            string
		n, dim, classes int
	}{
		{"pixels_5000x3072x10", 5000, 3072, 10},
		{"pixels_50000x3072x10", 50000, 3072, 10},
	} {
		b.Run(s.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(2, 2))
			x := benchFeatures(r, s.n, s.dim, s.classes)
			mean, invStd := standardization(x)
			o := newSoftmaxObjective(x, s.classes, mean, invStd, 1e-4, runtime.GOMAXPROCS(0))
			params, grad := make([]float64, o.size()), make([]float64, o.size())
			for i := range params {
				params[i] = 0.01 * r.NormFloat64()
			}
			for b.Loop() {
				o.eval(params, grad)
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(float64(b.N)/sec, "evals/s")
			b.ReportMetric(4*float64(s.n*s.dim*s.classes)*float64(b.N)/sec/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkLinear is a whole linear-probe fit and scoring at the defaults
// (l2 1e-4, tolerance 1e-5, up to 1,000 iterations) on Gaussian blobs of
// 10 classes at the scaled-down pixel shape of BenchmarkSoftmaxObjective
// (5,000 train and 1,000 test vectors of 3,072 values).
func BenchmarkLinear(b *testing.B) {
	const n, dim, classes = 5000, 3072, 10
	r := rand.New(rand.NewPCG(3, 3))
	centers := randomCenters(r, classes, dim, 0.05)
	train, test := blobs(r, n, centers, 1), blobs(r, 1000, centers, 1)
	e, err := registry.Build[Evaluator]("evaluate.linear", nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := e.Evaluate(context.Background(), train, test, classes); err != nil {
			b.Fatal(err)
		}
	}
}
