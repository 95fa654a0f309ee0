package evaluate

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "evaluate.knn",
		Doc: "weighted kNN on L2-normalised frozen features, votes weighing exp(cosine similarity / temperature) (InstDisc, solo-learn, lightly)",
		Params: append([]registry.Param{
			{Name: "k", Type: registry.Int, Default: 200, Range: registry.AtLeast(1), Doc: "neighbours that vote (solo-learn and lightly: 200); capped at the train split's size"},
			{Name: "temperature", Type: registry.Float, Default: 0.1, Range: registry.Above(0), Doc: "T in a vote's weight exp(similarity / T) (solo-learn and lightly: 0.1)"},
		}, splitParams()...),
		New: func(v registry.Values) (any, error) {
			s, err := newSplits(v)
			if err != nil {
				return nil, err
			}
			return &WeightedKNN{splits: s, k: v.Int("k"), temperature: v.Float("temperature")}, nil
		},
	})
}

var (
	_ Evaluator              = (*WeightedKNN)(nil)
	_ registry.WiringChecker = (*WeightedKNN)(nil)
)

// WeightedKNN is the evaluate.knn component: KNN on the test split with the
// train split as neighbours.
type WeightedKNN struct {
	splits
	k           int
	temperature float64
}

// Evaluate runs KNN; a cancelled ctx stops it between test vectors and its
// error is returned wrapped.
func (e *WeightedKNN) Evaluate(ctx context.Context, train, test Features, classes int) (Result, error) {
	top1, top5, err := knn(ctx, train, test, classes, e.k, e.temperature)
	if err != nil {
		return Result{}, err
	}
	return Result{Top1: top1, Top5: top5}, nil
}

// Features are n feature vectors of width Dim, row-major, with a label each.
type Features struct {
	Dim    int
	Data   []float32 // (n, Dim)
	Labels []int
}

// check reports what makes f unusable as the split called name of a
// problem with classes labels: no vectors, a Data length that is not
// len(Labels)*Dim, a label outside [0, classes) or a value that is not
// finite.
func (f Features) check(name string, classes int) error {
	n := len(f.Labels)
	switch {
	case f.Dim < 1:
		return fmt.Errorf("%s split: feature width %d", name, f.Dim)
	case n == 0:
		return fmt.Errorf("%s split has no vectors", name)
	case len(f.Data) != n*f.Dim:
		return fmt.Errorf("%s split: %d values for %d labels of width %d (want %d)", name, len(f.Data), n, f.Dim, n*f.Dim)
	}
	for i, y := range f.Labels {
		if y < 0 || y >= classes {
			return fmt.Errorf("%s split: label %d of vector %d is outside [0, %d)", name, y, i, classes)
		}
	}
	for i, v := range f.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("%s split: vector %d holds %v", name, i/f.Dim, v)
		}
	}
	return nil
}

// checkSplits checks both splits (see Features.check) and that they have the
// same width.
func checkSplits(train, test Features, classes int) error {
	if classes < 1 {
		return fmt.Errorf("%d classes", classes)
	}
	if train.Dim != test.Dim {
		return fmt.Errorf("feature widths %d (train) and %d (test) differ", train.Dim, test.Dim)
	}
	if err := train.check("train", classes); err != nil {
		return err
	}
	return test.check("test", classes)
}

// KNN classifies every test vector by the weighted votes of its k most
// cosine-similar training vectors, each vote weighing exp(similarity / T)
// (InstDisc's rule, as solo-learn's WeightedKNNClassifier), and returns the
// top-1 and top-5 accuracy as fractions.
func KNN(train, test Features, classes, k int, temperature float64) (top1, top5 float64, err error) {
	top1, top5, err = knn(context.Background(), train, test, classes, k, temperature)
	if err != nil {
		return 0, 0, fmt.Errorf("knn: %w", err)
	}
	return top1, top5, nil
}

// knn is KNN that checks ctx before each test vector. Its errors do not
// name the protocol: Evaluate's caller does.
func knn(ctx context.Context, train, test Features, classes, k int, temperature float64) (top1, top5 float64, err error) {
	if k < 1 || temperature <= 0 {
		return 0, 0, fmt.Errorf("k %d, temperature %v", k, temperature)
	}
	if err := checkSplits(train, test, classes); err != nil {
		return 0, 0, err
	}
	tr, te := normalized(train), normalized(test)
	nTrain, nTest := len(train.Labels), len(test.Labels)
	k = min(k, nTrain)
	type neighbour struct {
		sim float64
		idx int
	}
	sims := make([]neighbour, nTrain)
	votes := make([]float64, classes)
	order := make([]int, classes)
	var hit1, hit5 int
	for i := 0; i < nTest; i++ {
		if err := ctx.Err(); err != nil {
			return 0, 0, fmt.Errorf("stopped after %d of %d test vectors: %w", i, nTest, err)
		}
		q := te[i*train.Dim : (i+1)*train.Dim]
		for j := 0; j < nTrain; j++ {
			var dot float64
			for d, v := range tr[j*train.Dim : (j+1)*train.Dim] {
				dot += float64(v) * float64(q[d])
			}
			sims[j] = neighbour{dot, j}
		}
		sort.Slice(sims, func(a, b int) bool {
			if sims[a].sim != sims[b].sim {
				return sims[a].sim > sims[b].sim
			}
			return sims[a].idx < sims[b].idx
		})
		for c := range votes {
			votes[c], order[c] = 0, c
		}
		for _, n := range sims[:k] {
			votes[train.Labels[n.idx]] += math.Exp(n.sim / temperature)
		}
		sort.SliceStable(order, func(a, b int) bool { return votes[order[a]] > votes[order[b]] })
		want := test.Labels[i]
		if order[0] == want {
			hit1++
		}
		for _, c := range order[:min(5, classes)] {
			if c == want {
				hit5++
				break
			}
		}
	}
	return float64(hit1) / float64(nTest), float64(hit5) / float64(nTest), nil
}

// normalized returns f's vectors divided by their L2 norms (at least
// 1e-12, like torch.nn.functional.normalize).
func normalized(f Features) []float32 {
	out := make([]float32, len(f.Data))
	for i := 0; i+f.Dim <= len(f.Data); i += f.Dim {
		var ss float64
		for _, v := range f.Data[i : i+f.Dim] {
			ss += float64(v) * float64(v)
		}
		inv := 1 / max(math.Sqrt(ss), 1e-12)
		for d, v := range f.Data[i : i+f.Dim] {
			out[i+d] = float32(float64(v) * inv)
		}
	}
	return out
}
