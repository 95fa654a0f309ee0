package schedule

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sslrun/sslrun/registry"
)

func build(t *testing.T, id string, params map[string]any) Schedule {
	t.Helper()
	s, err := registry.Build[Schedule](id, params)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// lrs returns the learning rate of every step 0..total.
func lrs(s Schedule, peak float64, stepsPerEpoch, total int) []float64 {
	out := make([]float64, total+1)
	for k := range out {
		out[k] = s.LR(peak, k, stepsPerEpoch, total)
	}
	return out
}

// TestRegistered checks that the built-in schedules are registered and
// that every registered schedule, built-in or added beside them, is
// documented and builds from its defaults.
func TestRegistered(t *testing.T) {
	for _, id := range []string{"schedule.constant", "schedule.warmup_cosine"} {
		if _, ok := registry.Lookup(id); !ok {
			t.Errorf("%s is not registered", id)
		}
	}
	for _, c := range registry.List(registry.Schedule) {
		if c.Doc == "" {
			t.Errorf("%s: no doc", c.ID)
		}
		build(t, c.ID, nil)
	}
}

// TestGolden compares warmup_cosine with testdata/golden.json, solo-learn's
// LinearWarmupCosineAnnealingLR stepped by PyTorch (make_golden.py). The
// scheduler's chainable form accumulates float64 rounding, hence the
// tolerance: 1e-12 relatively, 1e-15 absolutely (for values near 0).
func TestGolden(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []struct {
			Name          string
			Peak          float64
			StartLR       float64 `json:"start_lr"`
			FinalLR       float64 `json:"final_lr"`
			WarmupEpochs  int     `json:"warmup_epochs"`
			StepsPerEpoch int     `json:"steps_per_epoch"`
			TotalSteps    int     `json:"total_steps"`
			LRs           []float64
		}
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) == 0 {
		t.Fatal("golden.json has no cases")
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			s := build(t, "schedule.warmup_cosine", map[string]any{"warmup_epochs": c.WarmupEpochs, "start_lr": c.StartLR, "final_lr": c.FinalLR})
			got := lrs(s, c.Peak, c.StepsPerEpoch, c.TotalSteps)
			if diff := cmp.Diff(c.LRs, got, cmpopts.EquateApprox(1e-12, 1e-15)); diff != "" {
				t.Errorf("(-solo-learn +got):\n%s", diff)
			}
		})
	}
}

// TestWarmupCosineEdges checks single steps exactly: the warmup's ends, a
// run without warmup, the last step, warmups as long as and longer than the
// run, steps past the end.
func TestWarmupCosineEdges(t *testing.T) {
	const peak, start, final = 0.8, 0.02, 0.004
	tests := []struct {
		name                       string
		warmupEpochs               int
		step, stepsPerEpoch, total int
		want                       float64
	}{
		{"step 0 is start_lr", 2, 0, 5, 50, start},
		{"second warmup step", 2, 1, 5, 50, start + (peak-start)/9},
		{"last warmup step is the peak", 2, 9, 5, 50, peak},
		{"step after the warmup is the peak", 2, 10, 5, 50, peak},
		{"middle of the cosine", 2, 30, 5, 50, (peak + final) / 2},
		{"step after the last is final_lr", 2, 50, 5, 50, final},
		{"last step is one cosine step above final_lr", 2, 49, 5, 50, final + (peak-final)*(1+cos(39, 40))/2},
		{"past the end stays at final_lr", 2, 70, 5, 50, final},
		{"no warmup: step 0 is the peak", 0, 0, 5, 50, peak},
		{"no warmup: cosine from step 0", 0, 25, 5, 50, (peak + final) / 2},
		{"no warmup: step after the last is final_lr", 0, 50, 5, 50, final},
		{"one warmup step: step 0 is start_lr", 1, 0, 1, 10, start},
		{"one warmup step: step 1 is the peak", 1, 1, 1, 10, peak},
		{"warmup as long as the run: last step at the peak", 4, 7, 2, 8, peak},
		{"warmup as long as the run: end at the peak", 4, 8, 2, 8, peak},
		{"warmup longer than the run: still warming up", 4, 5, 2, 6, start + 5*(peak-start)/7},
		{"warmup longer than the run: past the end", 4, 9, 2, 6, start + 6*(peak-start)/7},
	}
	for _, tt := range tests {
		s := build(t, "schedule.warmup_cosine", map[string]any{"warmup_epochs": tt.warmupEpochs, "start_lr": start, "final_lr": final})
		got := s.LR(peak, tt.step, tt.stepsPerEpoch, tt.total)
		if !cmp.Equal(got, tt.want, cmpopts.EquateApprox(1e-15, 0)) {
			t.Errorf("%s: LR(step %d of %d, %d per epoch, %d warmup epochs) = %v, want %v", tt.name, tt.step, tt.total, tt.stepsPerEpoch, tt.warmupEpochs, got, tt.want)
		}
	}
}

// cos is cos(π num/den).
func cos(num, den float64) float64 { return math.Cos(math.Pi * num / den) }

// TestWarmupCosineDefaults checks solo-learn's defaults: 10 warmup epochs
// from 3e-5, cosine to 0.
func TestWarmupCosineDefaults(t *testing.T) {
	s := build(t, "schedule.warmup_cosine", nil)
	for _, tt := range []struct {
		step int
		want float64
	}{{0, 3e-5}, {50, 3e-5 + 50*(1-3e-5)/99}, {99, 1}, {100, 1}, {550, 0.5}, {1000, 0}} {
		if got := s.LR(1, tt.step, 10, 1000); !cmp.Equal(got, tt.want, cmpopts.EquateApprox(1e-15, 0)) {
			t.Errorf("LR(step %d) = %v, want %v", tt.step, got, tt.want)
		}
	}
}

func TestConstant(t *testing.T) {
	s := build(t, "schedule.constant", nil)
	for _, step := range []int{0, 1, 99, 100, 1000} {
		if got := s.LR(0.3, step, 10, 100); got != 0.3 {
			t.Errorf("LR(step %d) = %v, want 0.3", step, got)
		}
	}
}
