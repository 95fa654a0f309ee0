package engine_test

import (
	"math"
	"testing"

	"github.com/sslrun/sslrun/internal/engine"
	"github.com/sslrun/sslrun/nn"
)

// TestMeasure checks the replayed pool against the one a Machine makes on a
// real run, and that a graph built on symbolic parameters measures the same
// as one built on real ones.
func TestMeasure(t *testing.T) {
	for _, r := range recipes {
		t.Run(r.name, func(t *testing.T) {
			_, g := r.graph(t)
			f, err := engine.Measure(g.G, keep(g)...)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(f)
			m, err := engine.New(g.G, keep(g)...)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if err := m.RunAll(); err != nil {
				t.Fatal(err)
			}
			if got := m.PooledBytes(); f.Pooled != got {
				t.Errorf("measured %d pooled bytes, the run made %d", f.Pooled, got)
			}
			var grads int64
			for _, n := range g.Grads {
				grads += int64(n.Value().MemSize())
			}
			if f.Kept < grads {
				t.Errorf("kept %d bytes, the gradients alone take %d", f.Kept, grads)
			}
			if f.Transient == 0 || f.Scratch == 0 || f.Churn < f.Transient {
				t.Errorf("no transient values or scratch, or less churn than transient values: %v", f)
			}

			sm := r.model(t)
			sm.Params = nn.NewSymbolicParams()
			sg, err := sm.Train(r.shapes)
			if err != nil {
				t.Fatal(err)
			}
			sf, err := engine.Measure(sg.G, keep(sg)...)
			if err != nil {
				t.Fatal(err)
			}
			if sf != f {
				t.Errorf("symbolic graph: %v, real one: %v", sf, f)
			}
		})
	}
}

func TestMulSat(t *testing.T) {
	tests := []struct{ a, b, want int64 }{
		{0, math.MaxInt64, 0},
		{3, 4, 12},
		{1 << 32, 1 << 31, 1<<63 - 1},
		{math.MaxInt64, 2, math.MaxInt64},
		{1 << 31, 1 << 31, 1 << 62},
	}
	for _, tt := range tests {
		if got := engine.MulSat(tt.a, tt.b); got != tt.want {
			t.Errorf("MulSat(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
