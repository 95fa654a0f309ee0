package objective

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/ops"
)

// BenchmarkNTXent runs NT-Xent's loss and gradient on 2 views of 256
// embeddings of 256 (SimCLR's CIFAR recipe). GFLOP/s counts the
// similarity matmul, 2·(2B)²·D flops, three times (forward, and the two
// products of its gradient); the row-wise ops are not counted.
func BenchmarkNTXent(b *testing.B) {
	const views, batch, dim = 2, 256, 256
	r := rand.New(rand.NewPCG(1, 2))
	z := make([]float32, views*batch*dim)
	for i := range z {
		z[i] = float32(r.NormFloat64())
	}
	g := G.NewGraph()
	zs := viewNodes(g, z, views, batch, dim)
	loss, err := newNTXent(b, 0.2).Loss(zs)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := G.Grad(loss, zs...); err != nil {
		b.Fatal(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	for b.Loop() {
		m.Reset()
		if err := m.RunAll(); err != nil {
			b.Fatal(err)
		}
	}
	n := float64(views * batch)
	b.ReportMetric(3*2*n*n*dim*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkSinkhorn computes SwAV's codes for a batch of 256 against 3000
// prototypes with 3 iterations, with and without a queue of 3840 rows.
// GFLOP/s counts an exp and a division per element, then per iteration
// two sums and two divisions per element.
func BenchmarkSinkhorn(b *testing.B) {
	for _, c := range []struct {
		name string
		rows int
	}{{"batch256", 256}, {"queue3840", 256 + 3840}} {
		b.Run(c.name, func(b *testing.B) {
			const k, iters = 3000, 3
			r := rand.New(rand.NewPCG(3, 4))
			scores := make([]float32, c.rows*k)
			for i := range scores {
				scores[i] = float32(r.Float64()*2 - 1)
			}
			for b.Loop() {
				ops.Sinkhorn(scores, c.rows, k, iters, 0.05)
			}
			flops := float64(c.rows*k) * (2 + 4*iters)
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
