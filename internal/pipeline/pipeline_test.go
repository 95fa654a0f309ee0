package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/components/augment"
	"github.com/sslrun/sslrun/imaging"
)

// memData is an in-memory dataset of n 3x4x5 images whose pixels encode
// their index.
type memData struct{ n int }

func (d memData) Len() int { return d.n }
func (d memData) Image(i int) (*imaging.Image, error) {
	if i < 0 || i >= d.n {
		return nil, fmt.Errorf("memData: no sample %d", i)
	}
	m := imaging.New(3, 4, 5)
	for k := range m.Pix {
		m.Pix[k] = float32(i*1000+k) / 1e6
	}
	return m, nil
}
func (d memData) Label(i int) int   { return i % 3 }
func (d memData) Classes() []string { return []string{"a", "b", "c"} }

// shift adds one random number to every pixel: enough to see which
// generator a view used.
type shift struct{}

func (shift) Apply(m *imaging.Image, rng *rand.Rand) *imaging.Image {
	d := rng.Float32()
	for i := range m.Pix {
		m.Pix[i] += d
	}
	return m
}

// randomWidth crops to a random width, so views of a batch differ in size.
type randomWidth struct{}

func (randomWidth) Apply(m *imaging.Image, rng *rand.Rand) *imaging.Image {
	w := 1 + rng.IntN(m.W)
	out := imaging.New(m.C, m.H, w)
	for c := 0; c < m.C; c++ {
		for y := 0; y < m.H; y++ {
			copy(out.Pix[(c*m.H+y)*w:(c*m.H+y+1)*w], m.Pix[(c*m.H+y)*m.W:])
		}
	}
	return out
}

func testViews() []View {
	return []View{{Name: "a", Count: 2, Steps: []augment.Transform{shift{}}}, {Name: "b", Count: 1, Steps: []augment.Transform{shift{}, shift{}}}}
}

func collect(t *testing.T, l *Loader, epoch, start int) []*Batch {
	t.Helper()
	var out []*Batch
	for b, err := range l.Epoch(context.Background(), epoch, start) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestWorkersDoNotChangeBatches is the reproducibility guarantee: batches are
// the same bytes whatever the number of workers and prefetch depth.
func TestWorkersDoNotChangeBatches(t *testing.T) {
	base := &Loader{Data: memData{23}, Views: testViews(), Seed: 5, BatchSize: 4, Workers: 1, Prefetch: 1}
	want := collect(t, base, 3, 0)
	for _, workers := range []int{2, 3, 8} {
		l := *base
		l.Workers, l.Prefetch = workers, 4
		if diff := cmp.Diff(want, collect(t, &l, 3, 0)); diff != "" {
			t.Errorf("workers %d changed the batches (-1 worker +%d):\n%s", workers, workers, diff)
		}
	}
}

// TestViewsArePureFunctions checks that a sample's views depend only on
// (seed, epoch, index, view): the same call twice agrees, and the batch holds
// exactly what Apply gives for that sample alone.
func TestViewsArePureFunctions(t *testing.T) {
	l := &Loader{Data: memData{10}, Views: testViews(), Seed: 9, BatchSize: 5}
	batches := collect(t, l, 1, 0)
	for _, b := range batches {
		for j, i := range b.Indices {
			img, _ := l.Data.Image(i)
			views := Apply(l.Views, img, 9, 1, i)
			for k, v := range views {
				n := len(v.Pix)
				got := b.Views[k].Data[j*n : (j+1)*n]
				if diff := cmp.Diff(v.Pix, got); diff != "" {
					t.Fatalf("sample %d view %d differs from Apply alone:\n%s", i, k, diff)
				}
			}
		}
	}
	img, _ := l.Data.Image(0)
	a, b := Apply(l.Views, img, 9, 1, 0), Apply(l.Views, img, 9, 1, 0)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("Apply is not deterministic:\n%s", diff)
	}
	for _, other := range []struct {
		name               string
		seed               uint64
		epoch, index, view int
	}{{"seed", 10, 1, 0, 0}, {"epoch", 9, 2, 0, 0}, {"index", 9, 1, 1, 0}, {"view", 9, 1, 0, 1}} {
		x := SampleRNG(other.seed, other.epoch, other.index, other.view).Uint64()
		if x == SampleRNG(9, 1, 0, 0).Uint64() {
			t.Errorf("changing the %s did not change the generator", other.name)
		}
	}
}

func TestEpochCoversDataOnce(t *testing.T) {
	tests := []struct {
		n, batch  int
		dropLast  bool
		wantSteps int
		wantSeen  int
	}{
		{n: 10, batch: 3, dropLast: true, wantSteps: 3, wantSeen: 9},
		{n: 10, batch: 3, dropLast: false, wantSteps: 4, wantSeen: 10},
		{n: 9, batch: 3, dropLast: true, wantSteps: 3, wantSeen: 9},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("n%d_b%d_drop%v", tt.n, tt.batch, tt.dropLast), func(t *testing.T) {
			l := &Loader{Data: memData{tt.n}, Views: testViews(), Seed: 1, BatchSize: tt.batch, DropLast: tt.dropLast}
			batches := collect(t, l, 0, 0)
			if len(batches) != tt.wantSteps || l.Steps() != tt.wantSteps {
				t.Fatalf("%d batches, Steps() %d, want %d", len(batches), l.Steps(), tt.wantSteps)
			}
			var seen []int
			for s, b := range batches {
				if b.Step != s {
					t.Errorf("batch %d has Step %d", s, b.Step)
				}
				for j, i := range b.Indices {
					if b.Labels[j] != i%3 {
						t.Errorf("label of %d = %d", i, b.Labels[j])
					}
				}
				if got := b.Views[0]; got.N != len(b.Indices) || got.C != 3 || got.H != 4 || got.W != 5 {
					t.Errorf("view tensor %dx%dx%dx%d", got.N, got.C, got.H, got.W)
				}
				seen = append(seen, b.Indices...)
			}
			slices.Sort(seen)
			if len(slices.Compact(seen)) != tt.wantSeen {
				t.Errorf("saw %d distinct samples, want %d", len(seen), tt.wantSeen)
			}
		})
	}
}

// TestResumeMidEpoch checks that starting at step k yields exactly the
// batches k.. of an uninterrupted epoch.
func TestResumeMidEpoch(t *testing.T) {
	l := &Loader{Data: memData{20}, Views: testViews(), Seed: 3, BatchSize: 4}
	full := collect(t, l, 2, 0)
	if diff := cmp.Diff(full[2:], collect(t, l, 2, 2)); diff != "" {
		t.Errorf("resumed epoch differs:\n%s", diff)
	}
	if diff := cmp.Diff(full, collect(t, l, 3, 0)); diff == "" {
		t.Error("epochs 2 and 3 are identical")
	}
}

func TestBreakAndCancel(t *testing.T) {
	l := &Loader{Data: memData{100}, Views: testViews(), Seed: 3, BatchSize: 2, Prefetch: 3}
	n := 0
	for _, err := range l.Epoch(context.Background(), 0, 0) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 2 {
			break
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var last error
	for _, err := range l.Epoch(ctx, 0, 0) {
		last = err
	}
	if !errors.Is(last, context.Canceled) {
		t.Errorf("cancelled epoch ended with %v, want context.Canceled", last)
	}
}

func TestMismatchedViewSizes(t *testing.T) {
	l := &Loader{Data: memData{16}, Views: []View{{Name: "w", Count: 1, Steps: []augment.Transform{randomWidth{}}}}, Seed: 1, BatchSize: 16}
	var last error
	for _, err := range l.Epoch(context.Background(), 0, 0) {
		last = err
	}
	if last == nil {
		t.Fatal("views of different sizes were stacked without error")
	}
	t.Log(last)
}

func TestOrderIsPermutation(t *testing.T) {
	o := Order(1, 0, 50)
	s := slices.Clone(o)
	slices.Sort(s)
	for i, v := range s {
		if v != i {
			t.Fatalf("order %v is not a permutation", o)
		}
	}
	if slices.Equal(o, Order(1, 1, 50)) || slices.Equal(o, Order(2, 0, 50)) {
		t.Error("order does not change with epoch or seed")
	}
}
