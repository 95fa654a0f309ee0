package evaluate

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"testing"

	"github.com/sslrun/sslrun/internal/gemm"
	"github.com/sslrun/sslrun/registry"
)

func TestKNN(t *testing.T) {
	// Two clusters on the unit circle; the test points sit near them.
	train := Features{Dim: 2, Data: []float32{1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9, -1, 0}, Labels: []int{0, 0, 1, 1, 2}}
	test := Features{Dim: 2, Data: []float32{2, 0.1, 0.2, 3, -5, 0.2}, Labels: []int{0, 1, 1}}
	tests := []struct {
		k          int
		top1, top5 float64
	}{
		{k: 1, top1: 2.0 / 3, top5: 1},
		{k: 2, top1: 2.0 / 3, top5: 1},
	}
	for _, tt := range tests {
		top1, top5, err := KNN(train, test, 3, tt.k, 0.1)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(top1-tt.top1) > 1e-9 || math.Abs(top5-tt.top5) > 1e-9 {
			t.Errorf("k=%d: top1 %v top5 %v, want %v %v", tt.k, top1, top5, tt.top1, tt.top5)
		}
	}
	// The weighting matters: one very close neighbour of class 2 outvotes
	// two distant ones of class 0 at a low temperature.
	train = Features{Dim: 2, Data: []float32{1, 0, 0, 1, 0.05, 1}, Labels: []int{0, 0, 2}}
	test = Features{Dim: 2, Data: []float32{0.05, 1}, Labels: []int{2}}
	if top1, _, _ := KNN(train, test, 3, 3, 0.05); top1 != 1 {
		t.Errorf("weighted vote lost to the count: top1 %v", top1)
	}
	if _, _, err := KNN(train, Features{Dim: 3}, 3, 1, 0.1); err == nil {
		t.Error("mismatched widths accepted")
	}
}

func TestWeightedKNN(t *testing.T) {
	train := Features{Dim: 2, Data: []float32{1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9, -1, 0}, Labels: []int{0, 0, 1, 1, 2}}
	test := Features{Dim: 2, Data: []float32{2, 0.1, 0.2, 3, -5, 0.2}, Labels: []int{0, 1, 1}}
	e, err := registry.Build[Evaluator]("evaluate.knn", map[string]any{"k": 2})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Evaluate(context.Background(), train, test, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Result{Top1: 2.0 / 3, Top5: 1}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Evaluate(ctx, train, test, 3); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v, want context.Canceled", err)
	}
}

// referenceKNN is the rule written plainly: the similarities of every test
// vector to every training vector in one product, every training vector
// sorted by similarity (ties by index), the first k voting.
//
// The similarities are float32 products, as knn's (and solo-learn's
// torch.mm), not float64 ones: cosines that are equal in exact arithmetic
// can come out equal in float32 and apart in float64, and then the tie
// rule picks other neighbours. In TestKNNMatchesReference, test vector 129,
// (0, 0, 1, 2) of class 2 at k 20, has training vectors (0, 1, 2, 2),
// (1, 0, 2, 2) and (0, 0, 0, 2) from rank 18 on, all at cosine 2/sqrt(5).
// In float32 they are all 0.89442718 (0x3f64f92e), so the lowest indices,
// 20 and 21 (both class 2), vote and class 2 wins (82,156 against class
// 4's 75,670); summed in float64, the first two are 0.894427207 and
// (0, 0, 0, 2) 0.894427180, so 21 (class 2) and 75 (class 0) vote and
// class 4 wins (75,670 against 74,493).
func referenceKNN(train, test Features, classes, k int, temperature float64) (top1, top5 float64) {
	tr, te := normalized(train), normalized(test)
	nTrain, nTest := len(train.Labels), len(test.Labels)
	sims := make([]float32, nTest*nTrain) // (nTest, nTrain)
	gemm.MulAdd(gemm.Dense(nTest, nTrain, sims), gemm.Dense(nTest, train.Dim, te), gemm.Dense(nTrain, train.Dim, tr).T(), 1)
	var h1, h5 int
	for i := range test.Labels {
		type nb struct {
			sim float64
			idx int
		}
		var all []nb
		for j := range train.Labels {
			all = append(all, nb{float64(sims[i*nTrain+j]), j})
		}
		sort.SliceStable(all, func(a, b int) bool { return all[a].sim > all[b].sim })
		votes := make([]float64, classes)
		for _, n := range all[:min(k, len(all))] {
			votes[train.Labels[n.idx]] += math.Exp(n.sim / temperature)
		}
		order := make([]int, classes)
		for c := range order {
			order[c] = c
		}
		sort.SliceStable(order, func(a, b int) bool { return votes[order[a]] > votes[order[b]] })
		if order[0] == test.Labels[i] {
			h1++
		}
		for _, c := range order[:min(5, classes)] {
			if c == test.Labels[i] {
				h5++
			}
		}
	}
	return float64(h1) / float64(len(test.Labels)), float64(h5) / float64(len(test.Labels))
}

// TestKNNMatchesReference checks the heap selection, the blocks of
// similarities and the parallel split against the plain rule, on coarse
// features full of ties, for several k and worker counts: splits inside one
// block and splits of more than one block each way, ties spanning blocks.
func TestKNNMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gen := func(n, dim, classes int) Features {
		f := Features{Dim: dim}
		for i := 0; i < n; i++ {
			c := rng.IntN(classes)
			f.Labels = append(f.Labels, c)
			for d := 0; d < dim; d++ {
				f.Data = append(f.Data, float32(rng.IntN(3)+c%2*(d%2))) // few distinct values: many ties
			}
		}
		return f
	}
	const classes = 7
	tests := []struct {
		train, test int
		ks          []int
	}{
		{train: 300, test: 150, ks: []int{1, 5, 20, 400}},
		{train: 2*knnTrainBlock + 300, test: knnTestBlock + 50, ks: []int{1, 200}},
	}
	for _, tt := range tests {
		train, test := gen(tt.train, 4, classes), gen(tt.test, 4, classes)
		for _, k := range tt.ks {
			want1, want5 := referenceKNN(train, test, classes, k, 0.1)
			for _, procs := range []int{1, 2, 3} {
				old := runtime.GOMAXPROCS(procs)
				got1, got5, err := KNN(train, test, classes, k, 0.1)
				runtime.GOMAXPROCS(old)
				if err != nil {
					t.Fatal(err)
				}
				if got1 != want1 || got5 != want5 {
					t.Errorf("%d x %d, k %d, GOMAXPROCS %d: top-1 %v top-5 %v, reference %v %v", tt.train, tt.test, k, procs, got1, got5, want1, want5)
				}
			}
		}
	}
}
