package evaluate

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/sslrun/sslrun/internal/gemm"
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

// Evaluate runs KNN; a cancelled ctx stops it between blocks of
// similarities and its error is returned wrapped.
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

// The similarities are computed a block at a time: knnTestBlock test
// vectors against knnTrainBlock training vectors, a float32 matrix of at
// most 4 MiB per worker, whatever the sizes of the splits.
const (
	knnTestBlock  = 256
	knnTrainBlock = 4096
)

// knn is KNN that checks ctx before each block of similarities. Its errors
// do not name the protocol: Evaluate's caller does.
//
// The cosine similarities are the float32 products of the normalised
// vectors, as solo-learn's torch.mm of float32 features, computed by gemm
// a block at a time; each similarity is the same whatever block it falls
// in (gemm sums each element's products in an order of its own), so the
// blocks change no result.
func knn(ctx context.Context, train, test Features, classes, k int, temperature float64) (top1, top5 float64, err error) {
	if k < 1 || temperature <= 0 {
		return 0, 0, fmt.Errorf("k %d, temperature %v", k, temperature)
	}
	if err := checkSplits(train, test, classes); err != nil {
		return 0, 0, err
	}
	dim := train.Dim
	tr, te := normalized(train), normalized(test) // (nTrain, dim), (nTest, dim)
	nTrain, nTest := len(train.Labels), len(test.Labels)
	k = min(k, nTrain)
	// Test vectors are independent: workers take fixed blocks of them and
	// each records its own hits, so the result does not depend on how many
	// workers ran. Where there are fewer blocks than cores, each product
	// spreads over the spare ones.
	hits := make([]uint8, nTest) // 1: top-1 hit, 2: top-5 hit, 3: both
	blocks := (nTest + knnTestBlock - 1) / knnTestBlock
	workers := max(1, min(runtime.GOMAXPROCS(0), blocks))
	gemmWorkers := max(1, runtime.GOMAXPROCS(0)/workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			sims := make([]float32, min(knnTestBlock, nTest)*min(knnTrainBlock, nTrain))
			nbs := make([]*neighbours, min(knnTestBlock, nTest))
			for r := range nbs {
				nbs[r] = newNeighbours(k)
			}
			votes := make([]float64, classes)
			order := make([]int, classes)
			for {
				b := int(next.Add(1)) - 1
				if b >= blocks || ctx.Err() != nil {
					return
				}
				lo, hi := b*knnTestBlock, min((b+1)*knnTestBlock, nTest)
				rows := hi - lo
				q := gemm.Dense(rows, dim, te[lo*dim:hi*dim]) // (rows, dim)
				for _, nb := range nbs[:rows] {
					nb.reset()
				}
				for j0 := 0; j0 < nTrain; j0 += knnTrainBlock {
					if ctx.Err() != nil {
						return
					}
					cols := min(knnTrainBlock, nTrain-j0)
					s := sims[:rows*cols] // (rows, cols)
					clear(s)
					gemm.MulAdd(gemm.Dense(rows, cols, s), q, gemm.Dense(cols, dim, tr[j0*dim:(j0+cols)*dim]).T(), gemmWorkers)
					for r, nb := range nbs[:rows] {
						nb.offerAll(s[r*cols:(r+1)*cols], j0)
					}
				}
				for r, nb := range nbs[:rows] {
					for c := range votes {
						votes[c], order[c] = 0, c
					}
					for _, n := range nb.sorted() {
						votes[train.Labels[n.idx]] += math.Exp(n.sim / temperature)
					}
					sort.SliceStable(order, func(a, b int) bool { return votes[order[a]] > votes[order[b]] })
					want := test.Labels[lo+r]
					if order[0] == want {
						hits[lo+r] |= 1
					}
					if slices.Contains(order[:min(5, classes)], want) {
						hits[lo+r] |= 2
					}
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return 0, 0, fmt.Errorf("stopped: %w", err)
	}
	var hit1, hit5 int
	for _, h := range hits {
		hit1 += int(h & 1)
		hit5 += int(h >> 1)
	}
	return float64(hit1) / float64(nTest), float64(hit5) / float64(nTest), nil
}

// neighbour is a training vector's similarity to the query.
type neighbour struct {
	sim float64
	idx int
}

// closer orders neighbours: higher similarity first, lower index on ties.
func closer(a, b neighbour) bool {
	if a.sim != b.sim {
		return a.sim > b.sim
	}
	return a.idx < b.idx
}

// neighbours keeps the k closest neighbours offered, in a heap whose root is
// the farthest of them.
type neighbours struct {
	k    int
	heap []neighbour
}

func newNeighbours(k int) *neighbours { return &neighbours{k: k, heap: make([]neighbour, 0, k)} }

func (h *neighbours) reset() { h.heap = h.heap[:0] }

// offerAll offers sims[j] as the similarity of training vector first+j,
// for every j. Indices must grow from one call to the next (since reset),
// as they do when blocks of training vectors are offered in order; then a
// vector no closer than the farthest kept one is passed over without a
// call to offer, since on a tie the kept one has the lower index.
func (h *neighbours) offerAll(sims []float32, first int) {
	for j, s := range sims {
		if sim := float64(s); len(h.heap) < h.k || sim > h.heap[0].sim {
			h.offer(sim, first+j)
		}
	}
}

func (h *neighbours) offer(sim float64, idx int) {
	n := neighbour{sim, idx}
	if len(h.heap) < h.k {
		h.heap = append(h.heap, n)
		for i := len(h.heap) - 1; i > 0; {
			p := (i - 1) / 2
			if !closer(h.heap[p], h.heap[i]) {
				break
			}
			h.heap[p], h.heap[i] = h.heap[i], h.heap[p]
			i = p
		}
		return
	}
	if !closer(n, h.heap[0]) {
		return
	}
	h.heap[0] = n
	for i := 0; ; {
		far, l, r := i, 2*i+1, 2*i+2
		if l < len(h.heap) && closer(h.heap[far], h.heap[l]) {
			far = l
		}
		if r < len(h.heap) && closer(h.heap[far], h.heap[r]) {
			far = r
		}
		if far == i {
			return
		}
		h.heap[i], h.heap[far] = h.heap[far], h.heap[i]
		i = far
	}
}

// sorted returns the kept neighbours, closest first (the heap is consumed
// in place; reset before reuse).
func (h *neighbours) sorted() []neighbour {
	slices.SortFunc(h.heap, func(a, b neighbour) int {
		if closer(a, b) {
			return -1
		}
		if closer(b, a) {
			return 1
		}
		return 0
	})
	return h.heap
}

// normalized returns f's vectors divided by their L2 norms (at least
// 1e-12, like torch.nn.functional.normalize), spreading the vectors over
// the cores (each is computed alone, so the spread changes no value).
func normalized(f Features) []float32 {
	d := f.Dim
	n := len(f.Data) / d
	out := make([]float32, n*d) // (n, d)
	workers := max(1, min(runtime.GOMAXPROCS(0), n/64))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w * n / workers; i < (w+1)*n/workers; i++ {
				src, dst := f.Data[i*d:(i+1)*d], out[i*d:(i+1)*d]
				var ss float64
				for _, v := range src {
					ss += float64(v) * float64(v)
				}
				inv := 1 / max(math.Sqrt(ss), 1e-12)
				for j, v := range src {
					dst[j] = float32(float64(v) * inv)
				}
			}
		})
	}
	wg.Wait()
	return out
}
