package runner

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	_ "github.com/sslrun/sslrun/components/all"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/pipeline"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/nn"
)

// trajectoryGolden is testdata/trajectory_golden.json, written by
// testdata/make_trajectory_golden.py from scripts/cifar_cpu_torch.py. The
// parameters after every step, in float64 rounded to float32, are in
// trajectory_golden.bin: case after case, step after step, parameter after
// parameter.
type trajectoryGolden struct {
	Cases []struct {
		Name          string
		Spec          string
		Views         []model.Shape
		StepsPerEpoch int `json:"steps_per_epoch"`
		Steps         int
		Shapes        [][]int
		LRs           []float64
		Losses        []float64 // PyTorch in float64
		Float32Losses []float64 `json:"float32_losses"`
		// Float32Deviation is, per step and parameter, how far PyTorch in
		// float32 ends from PyTorch in float64: ||p32 - p64|| / ||p64||.
		Float32Deviation [][]float64 `json:"float32_deviation"`
	}
}

// hashU is the golden script's u(i, k): splitmix64 of k*2^32 + i as a
// number in [-0.5, 0.5).
func hashU(i, k int) float64 {
	z := (uint64(k)<<32 + uint64(i)) * 0x9E3779B97F4A7C15
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	z ^= z >> 31
	return float64(z>>11)/(1<<53) - 0.5
}

// Tolerances of TestTrajectoryMatchesPyTorch, as multiples of how far
// PyTorch's own float32 run ends from its float64 run, plus a floor for
// steps where that is next to nothing.
const (
	trajectorySlack = 4
	lossFloor       = 1e-6
	paramFloor      = 1e-7
)

// TestTrajectoryMatchesPyTorch runs whole training steps through the
// trainer (forward, loss, backward, frozen prototypes, LARS, the schedule
// across an epoch boundary, SwAV's queue) from the parameters and inputs
// the golden script gives PyTorch, and checks after every step that the
// loss and every parameter are as close to PyTorch's float64 run as
// PyTorch's float32 run is, give or take trajectorySlack.
func TestTrajectoryMatchesPyTorch(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "trajectory_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gold trajectoryGolden
	if err := json.Unmarshal(b, &gold); err != nil {
		t.Fatal(err)
	}
	blob, err := os.ReadFile(filepath.Join("testdata", "trajectory_golden.bin"))
	if err != nil {
		t.Fatal(err)
	}
	next := func(n int) []float32 {
		if len(blob) < 4*n {
			t.Fatalf("trajectory_golden.bin ends early")
		}
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(blob[4*i:]))
		}
		blob = blob[4*n:]
		return out
	}
	for _, c := range gold.Cases {
		// The blob is read in case order, so every case reads its part
		// even when another has failed.
		want := make([][][]float32, c.Steps)
		for s := range want {
			for _, sh := range c.Shapes {
				n := 1
				for _, d := range sh {
					n *= d
				}
				want[s] = append(want[s], next(n))
			}
		}
		t.Run(c.Name, func(t *testing.T) {
			exp, err := spec.Load(filepath.Join(t.TempDir(), "trajectory.hcl"), []byte(c.Spec), spec.Options{})
			if err != nil {
				t.Fatal(err)
			}
			p, err := buildParts(exp)
			if err != nil {
				t.Fatal(err)
			}
			bs := c.Views[0][0]
			tr := &trainer{exp: exp, p: p, shapes: c.Views, graphs: map[int]*stepGraph{}, log: zerolog.Nop(),
				peak: p.optimizer.LR(bs), perEpoch: c.StepsPerEpoch, total: c.Steps}
			defer tr.close()
			if _, err := tr.graph(bs); err != nil {
				t.Fatal(err)
			}
			params := p.model.Params.List()
			var shapes [][]int
			for j, prm := range params {
				shapes = append(shapes, prm.Value.Shape().Clone())
				data := prm.Data()
				for i := range data {
					if len(shapes[j]) >= 2 {
						data[i] = float32(2 * hashU(i, j+1) / math.Sqrt(float64(len(data)/shapes[j][0])))
					} else {
						data[i] = float32(0.5 + hashU(i, j+1))
					}
				}
			}
			if diff := cmp.Diff(c.Shapes, shapes); diff != "" {
				t.Fatalf("parameter shapes in creation order (-PyTorch +sslrun):\n%s", diff)
			}
			for s := range c.Steps {
				if lr := p.schedule.LR(tr.peak, s, tr.perEpoch, tr.total); math.Abs(lr-c.LRs[s]) > 1e-12 {
					t.Errorf("step %d: lr %.9g, PyTorch %.9g", s, lr, c.LRs[s])
				}
				batch := &pipeline.Batch{Indices: make([]int, bs)}
				for v, sh := range c.Views {
					x := pipeline.Tensor{N: sh[0], C: sh[1], H: sh[2], W: sh[3], Data: make([]float32, sh[0]*sh[1]*sh[2]*sh[3])}
					for i := range x.Data {
						x.Data[i] = float32(2 * hashU(i, 1000+10*s+v))
					}
					batch.Views = append(batch.Views, x)
				}
				tr.pos.Epoch, tr.pos.EpochStep = s/tr.perEpoch, s%tr.perEpoch
				if err := tr.step(batch); err != nil {
					t.Fatal(err)
				}
				exact := c.Losses[s]
				tol := trajectorySlack*math.Abs(c.Float32Losses[s]-exact) + lossFloor*math.Abs(exact)
				if d := math.Abs(tr.lastLoss - exact); d > tol {
					t.Errorf("step %d: loss %.9g, PyTorch %.9g in float64 (%.9g in float32): off by %.2g, allowed %.2g",
						s, tr.lastLoss, exact, c.Float32Losses[s], d, tol)
				}
				compareParams(t, s, params, want[s], c.Float32Deviation[s])
			}
		})
	}
	if len(blob) != 0 {
		t.Errorf("trajectory_golden.bin has %d bytes more than the cases read", len(blob))
	}
}

// compareParams checks every parameter after step s against PyTorch's
// float64 values, relative to their norm.
func compareParams(t *testing.T, s int, params []*nn.Param, want [][]float32, float32Dev []float64) {
	t.Helper()
	for j, prm := range params {
		var diff, norm float64
		for i, x := range prm.Data() {
			d := float64(x) - float64(want[j][i])
			diff += d * d
			norm += float64(want[j][i]) * float64(want[j][i])
		}
		dev, tol := math.Sqrt(diff/norm), trajectorySlack*float32Dev[j]+paramFloor
		if dev > tol {
			t.Errorf("step %d: %s is %.2g from PyTorch in float64 (relative L2), allowed %.2g (PyTorch in float32: %.2g)",
				s, prm.Name, dev, tol, float32Dev[j])
		}
	}
}
