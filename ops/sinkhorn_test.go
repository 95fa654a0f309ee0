package ops_test

import (
	"runtime"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/ops/opstest"
)

// TestSinkhornWorkers: the codes are bitwise the same for any GOMAXPROCS
// (rows are summed in fixed blocks), on enough rows for several blocks.
func TestSinkhornWorkers(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	const b, k = 1000, 70 // 16 blocks, enough work for 4 workers
	scores := opstest.Tensor(randn(5), b, k).Data().([]float32)
	var first []float32
	for _, procs := range []int{1, 2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		got := ops.Sinkhorn(scores, b, k, 3, 0.05)
		if first == nil {
			first = got
			continue
		}
		if !slices.Equal(got, first) {
			t.Errorf("GOMAXPROCS=%d: codes differ from GOMAXPROCS=1's", procs)
		}
	}
}

// TestSinkhornQueued: the queued op's codes are the batch rows of Sinkhorn
// over the queue's scores stacked above the batch's, bitwise.
func TestSinkhornQueued(t *testing.T) {
	const r, b, k = 130, 20, 40
	all := opstest.Tensor(randn(6), r+b, k).Data().([]float32)
	want := ops.Sinkhorn(all, r+b, k, 3, 0.05)[r*k:]
	g := G.NewGraph()
	x := G.NewMatrix(g, G.Float32, G.WithShape(b, k), G.WithName("scores"), G.WithValue(dense(slices.Clone(all[r*k:]), b, k)))
	codes, err := ops.SinkhornCodesQueued(x, 3, 0.05, &ops.SinkhornQueue{Scores: slices.Clone(all[:r*k]), Rows: r})
	if err != nil {
		t.Fatal(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	if got := codes.Value().Data().([]float32); !slices.Equal(got, want) {
		t.Error("queued codes differ from the stacked Sinkhorn's batch rows")
	}
}
