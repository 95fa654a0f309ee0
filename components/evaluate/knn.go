package evaluate

import (
	"fmt"
	"math"
	"sort"
)

// Features are n feature vectors of width Dim, row-major, with a label each.
type Features struct {
	Dim    int
	Data   []float32 // (n, Dim)
	Labels []int
}

// KNN classifies every test vector by the weighted votes of its k most
// cosine-similar training vectors, each vote weighing exp(similarity / T)
// (InstDisc's rule, as solo-learn's WeightedKNNClassifier), and returns the
// top-1 and top-5 accuracy as fractions.
func KNN(train, test Features, classes, k int, temperature float64) (top1, top5 float64, err error) {
	if train.Dim != test.Dim || train.Dim == 0 {
		return 0, 0, fmt.Errorf("knn: feature widths %d and %d", train.Dim, test.Dim)
	}
	if k < 1 || temperature <= 0 || classes < 1 {
		return 0, 0, fmt.Errorf("knn: k %d, temperature %v, classes %d", k, temperature, classes)
	}
	tr, te := normalized(train), normalized(test)
	nTrain, nTest := len(train.Labels), len(test.Labels)
	if nTrain == 0 || nTest == 0 {
		return 0, 0, fmt.Errorf("knn: %d training and %d test vectors", nTrain, nTest)
	}
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
