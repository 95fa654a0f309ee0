package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/internal/runfolder"
)

// tinySweep is tinyRun with its seed a variable, so a sweep can vary it.
func tinySweep(t *testing.T) string {
	t.Helper()
	const fixed = `experiment "tiny" { seed = 1 }`
	if !strings.Contains(tinyRun, fixed) {
		t.Fatalf("tinyRun no longer holds %s, which the sweep tests make a variable", fixed)
	}
	return strings.Replace(tinyRun, fixed, "variable \"seed\" { default = 1 }\nexperiment \"tiny\" { seed = var.seed }", 1)
}

func TestExpandGrid(t *testing.T) {
	tests := []struct {
		name string
		grid []gridVar
		want []point
	}{
		{"seeds", []gridVar{{"seed", []string{"0", "1", "2"}}}, []point{
			{0, []setting{{"seed", "0"}}, "0-seed=0"},
			{1, []setting{{"seed", "1"}}, "1-seed=1"},
			{2, []setting{{"seed", "2"}}, "2-seed=2"},
		}},
		{"the last --grid varies fastest", []gridVar{{"lr", []string{"0.1", "0.2"}}, {"seed", []string{"0", "1"}}}, []point{
			{0, []setting{{"lr", "0.1"}, {"seed", "0"}}, "0-lr=0.1,seed=0"},
			{1, []setting{{"lr", "0.1"}, {"seed", "1"}}, "1-lr=0.1,seed=1"},
			{2, []setting{{"lr", "0.2"}, {"seed", "0"}}, "2-lr=0.2,seed=0"},
			{3, []setting{{"lr", "0.2"}, {"seed", "1"}}, "3-lr=0.2,seed=1"},
		}},
		{"seed first", []gridVar{{"seed", []string{"0", "1"}}, {"t", []string{"a", "b", "c"}}}, []point{
			{0, []setting{{"seed", "0"}, {"t", "a"}}, "0-seed=0,t=a"},
			{1, []setting{{"seed", "0"}, {"t", "b"}}, "1-seed=0,t=b"},
			{2, []setting{{"seed", "0"}, {"t", "c"}}, "2-seed=0,t=c"},
			{3, []setting{{"seed", "1"}, {"t", "a"}}, "3-seed=1,t=a"},
			{4, []setting{{"seed", "1"}, {"t", "b"}}, "4-seed=1,t=b"},
			{5, []setting{{"seed", "1"}, {"t", "c"}}, "5-seed=1,t=c"},
		}},
		{"values a path would mind", []gridVar{{"data", []string{"../a b/c", strings.Repeat("x", 40)}}}, []point{
			{0, []setting{{"data", "../a b/c"}}, "0-data=.._a_b_c"},
			{1, []setting{{"data", strings.Repeat("x", 40)}}, "1-data=" + strings.Repeat("x", 32)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expandGrid(tt.grid)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
	// Eleven points: indices padded to two digits, so folders list in order.
	got, err := expandGrid([]gridVar{{"seed", strings.Split("0,1,2,3,4,5,6,7,8,9,10", ",")}})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Folder != "00-seed=0" || got[10].Folder != "10-seed=10" {
		t.Errorf("folders %q, %q", got[0].Folder, got[10].Folder)
	}
}

func TestMeanStdFormat(t *testing.T) {
	tests := []struct {
		name    string
		xs      []float64
		percent bool
		want    string
	}{
		// mean 85; deviations -5, 0, 5 points: (25+0+25)/2 = 25, std 5.
		{"three accuracies", []float64{0.80, 0.85, 0.90}, true, "85.00 ± 5.00"},
		// mean 25; deviations ±5, ±15: (25+25+225+225)/3 = 166.67, std 12.910.
		{"four accuracies", []float64{0.1, 0.2, 0.3, 0.4}, true, "25.00 ± 12.91"},
		// mean 2.25; deviations ±0.25: 0.125/1, std 0.353553.
		{"two losses", []float64{2.0, 2.5}, false, "2.2500 ± 0.3536"},
		{"equal values", []float64{0.5, 0.5}, true, "50.00 ± 0.00"},
		{"one run: no deviation", []float64{0.5}, true, "50.00"},
		{"no run", nil, true, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatStat(tt.xs, tt.percent); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if _, std := meanStd([]float64{3}); !math.IsNaN(std) {
		t.Errorf("the sample deviation of one value is %v, want NaN", std)
	}
}

func TestWriteTable(t *testing.T) {
	m := func(loss, knn, base float64) map[string]float64 {
		return map[string]float64{"final_loss": loss, "eval.knn.top1": knn, "eval.knn.baseline.top1": base}
	}
	rec := &sweepRecord{
		Experiment: "tiny",
		Grid:       []gridVar{{"lr", []string{"0.1", "0.2"}}, {"seed", []string{"0", "1"}}},
		Points: []pointRecord{
			{Index: 0, Variables: map[string]string{"lr": "0.1", "seed": "0"}, Status: statusFinished, Metrics: m(2.0, 0.80, 0.5)},
			{Index: 1, Variables: map[string]string{"lr": "0.1", "seed": "1"}, Status: statusFinished, Metrics: m(2.5, 0.90, 0.5)},
			{Index: 2, Variables: map[string]string{"lr": "0.2", "seed": "0"}, Status: statusFinished, Metrics: m(1.0, 0.70, 0.25)},
			{Index: 3, Variables: map[string]string{"lr": "0.2", "seed": "1"}, Status: statusInterrupted},
		},
	}
	var b bytes.Buffer
	writeTable(&b, rec)
	// lr 0.1: loss 2.25 ± 0.3536; knn 85 ± 7.07 (deviations ±5 points,
	// 50/1, sqrt 50); baseline 50 ± 0.
	want := `tiny: 3 of 4 points finished; mean ± sample standard deviation over seeds, accuracies in %

| lr  | n      | final_loss      | eval.knn.top1 (%) | eval.knn.baseline.top1 (%) |
| --- | ------ | --------------- | ----------------- | -------------------------- |
| 0.1 | 2      | 2.2500 ± 0.3536 | 85.00 ± 7.07      | 50.00 ± 0.00               |
| 0.2 | 1 of 2 | 1.0000          | 70.00             | 25.00                      |
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Error(diff)
	}
}

// sweepDirs lists the run folders under a sweep's folder.
func sweepDirs(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

func TestSweepBadInput(t *testing.T) {
	file := writeSpec(t, tinySweep(t))
	other := t.TempDir()
	if err := runfolder.WriteJSON(filepath.Join(other, sweepFile), &sweepRecord{Experiment: "tiny", SpecSHA256: "feed",
		Grid: []gridVar{{"seed", []string{"0", "1", "2"}}}}); err != nil {
		t.Fatal(err)
	}
	runDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(runDir, runfolder.ConfigFile), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"empty value", []string{"--grid", "seed=0,,2"}, 1, "--grid seed=0,,2: value 2 of 3 is empty"},
		{"no values", []string{"--grid", "seed="}, 1, "--grid seed=: no values"},
		{"no =", []string{"--grid", "seed"}, 1, "want name=value1,value2"},
		{"unknown variable", []string{"--grid", "sed=0,1"}, 1, `x.hcl declares no variable "sed"; declared: seed, temperature`},
		{"variable twice", []string{"--grid", "seed=0,1", "--grid", "seed=2"}, 1, `variable "seed" is already in the grid`},
		{"value twice", []string{"--grid", "seed=0,1,0"}, 1, `value "0" is given twice`},
		{"--var and --grid", []string{"--grid", "seed=0,1", "--var", "seed=3"}, 1, `"seed" is given both with --var and with --grid`},
		{"point out of range", []string{"--grid", "seed=0,1", "--point", "2"}, 1, "--point 2 is out of range: the sweep has 2 points, 0 to 1"},
		{"negative point", []string{"--grid", "seed=0,1", "--grid", "temperature=0.1,0.2", "--point", "-1"}, 1, "the sweep has 4 points"},
		{"value of the wrong type", []string{"--grid", "temperature=0.1,warm"}, 1, "--var temperature=warm"},
		{"another sweep", []string{"--grid", "seed=0,1", "--out", other}, 1, "holds another sweep (its spec is"},
		{"a run folder", []string{"--grid", "seed=0,1", "--out", runDir}, 1, "is a run folder, not a sweep's"},
		{"no --out", []string{"--grid", "seed=0,1", "--out", ""}, 2, "--out DIR is required"},
		{"no --grid", nil, 2, "want at least one --grid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sweep")
			args := append([]string{"sweep", file, "--out", dir, "--max-steps", "1"}, tt.args...)
			code, stdout, stderr := sslrun(t, args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, want %d with %q in stderr:\n%s%s", code, tt.code, tt.stderr, stdout, stderr)
			}
			for _, d := range []string{dir, other, runDir} {
				if got := sweepDirs(t, d); len(got) != 0 {
					t.Errorf("a run started in %s: %v", d, got)
				}
			}
		})
	}
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"--collect with a spec", []string{"sweep", file, "--collect", other}, 2, "--collect DIR takes no spec file"},
		{"--collect of no sweep", []string{"sweep", "--collect", t.TempDir()}, 1, "is not a sweep's folder"},
		{"no spec", []string{"sweep", "--grid", "seed=0"}, 2, "want one spec file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := sslrun(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, want %d with %q in stderr:\n%s%s", code, tt.code, tt.stderr, stdout, stderr)
			}
		})
	}
}

// readSweep reads a sweep's sweep.json.
func readSweep(t *testing.T, dir string) *sweepRecord {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, sweepFile))
	if err != nil {
		t.Fatal(err)
	}
	var rec sweepRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	return &rec
}

func statuses(rec *sweepRecord) []string {
	var s []string
	for _, p := range rec.Points {
		s = append(s, p.Folder+" "+p.Status)
	}
	return s
}

// TestSweepEndToEnd sweeps two seeds of a tiny run: one point alone (as
// one task of a job array), then the whole sweep, which runs only the
// other; then a resumed point, a restarted one, and --collect.
func TestSweepEndToEnd(t *testing.T) {
	file := writeSpec(t, tinySweep(t))
	dir := filepath.Join(t.TempDir(), "sweep")
	sweep := func(extra ...string) (int, string, string) {
		return sslrun(t, append([]string{"sweep", file, "--grid", "seed=0,1", "--out", dir, "--max-steps", "2"}, extra...)...)
	}

	code, stdout, stderr := sweep("--point", "0")
	if code != 0 {
		t.Fatalf("--point 0: exit %d: %s", code, stderr)
	}
	if diff := cmp.Diff([]string{"0-seed=0 finished", "1-seed=1 pending"}, statuses(readSweep(t, dir))); diff != "" {
		t.Errorf("after --point 0: %s", diff)
	}
	if !strings.Contains(stdout, "| tiny       | 1 of 2 |") {
		t.Errorf("table after --point 0:\n%s", stdout)
	}
	log0, err := os.ReadFile(filepath.Join(dir, "0-seed=0", runfolder.LogFile))
	if err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr = sweep()
	if code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"point 0 (seed=0), 1 of 2: finished in", "skipped", "point 1 (seed=1), 2 of 2: running in"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Count(stderr, "run folder ") != 1 {
		t.Errorf("want one run started:\n%s", stderr)
	}
	if again, _ := os.ReadFile(filepath.Join(dir, "0-seed=0", runfolder.LogFile)); !bytes.Equal(again, log0) {
		t.Error("the finished point 0 was run again")
	}
	rec := readSweep(t, dir)
	if diff := cmp.Diff([]string{"0-seed=0 finished", "1-seed=1 finished"}, statuses(rec)); diff != "" {
		t.Errorf("after the sweep: %s", diff)
	}
	if got, want := sweepDirs(t, dir), []string{"0-seed=0", "1-seed=1"}; !cmp.Equal(got, want) {
		t.Errorf("folders %v, want %v", got, want)
	}
	var cfg struct {
		Vars     map[string]string `json:"variables_given"`
		MaxSteps int               `json:"max_steps"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "1-seed=1", runfolder.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"seed": "1"}, cfg.Vars); diff != "" || cfg.MaxSteps != 2 {
		t.Errorf("point 1 is not `sslrun run --var seed=1 --max-steps 2`: max_steps %d, %s", cfg.MaxSteps, diff)
	}
	m0, m1 := rec.Points[0].Metrics, rec.Points[1].Metrics
	for _, k := range []string{"final_loss", "eval.knn.top1", "eval.knn.top5", "eval.knn.baseline.top1"} {
		if _, ok := m0[k]; !ok {
			t.Errorf("sweep.json lacks metric %s: %v", k, m0)
		}
	}
	if m0["final_loss"] == m1["final_loss"] {
		t.Errorf("seeds 0 and 1 ended at the same loss %v: the seed was not set", m0["final_loss"])
	}
	// With two runs the mean is their midpoint and the sample deviation
	// |a-b|/sqrt(2).
	loss := formatStat([]float64{(m0["final_loss"] + m1["final_loss"]) / 2}, false) + " ± " +
		formatStat([]float64{math.Abs(m0["final_loss"]-m1["final_loss"]) / math.Sqrt2}, false)
	if !strings.Contains(stdout, "| tiny       | 2 | "+loss+" |") {
		t.Errorf("table lacks the row | tiny | 2 | %s |:\n%s", loss, stdout)
	}
	table := stdout

	// Another process wrote a stale sweep.json; --collect rebuilds it from
	// the folders and prints the same table.
	stale := *rec
	stale.Points = newRecord([]point{{Folder: "0-seed=0"}, {Index: 1, Folder: "1-seed=1"}})
	if err := runfolder.WriteJSON(filepath.Join(dir, sweepFile), &stale); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = sslrun(t, "sweep", "--collect", dir)
	if code != 0 {
		t.Fatalf("--collect: exit %d: %s", code, stderr)
	}
	if diff := cmp.Diff(table, stdout); diff != "" {
		t.Errorf("--collect table: %s", diff)
	}
	if diff := cmp.Diff(rec, readSweep(t, dir)); diff != "" {
		t.Errorf("--collect sweep.json: %s", diff)
	}

	// Point 1 stopped after its checkpoint, before its summary: resumed
	// (here: evaluated again), to the same numbers.
	if err := os.Remove(filepath.Join(dir, "1-seed=1", runfolder.SummaryFile)); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr = sweep(); code != 0 || !strings.Contains(stderr, "point 1 (seed=1), 2 of 2: resuming") {
		t.Fatalf("sweep over an interrupted point: exit %d: %s", code, stderr)
	}
	if diff := cmp.Diff(table, stdout); diff != "" {
		t.Errorf("table after resuming: %s", diff)
	}
	// Point 1 stopped before its first checkpoint (its spec, config, log
	// and an empty checkpoints folder): started again.
	for _, f := range []string{runfolder.SummaryFile, runfolder.BackboneFile, filepath.Join(runfolder.Checkpoints, runfolder.LatestCheckpoint)} {
		if err := os.Remove(filepath.Join(dir, "1-seed=1", f)); err != nil {
			t.Fatal(err)
		}
	}
	if code, stdout, stderr = sweep(); code != 0 || !strings.Contains(stderr, "point 1 (seed=1), 2 of 2: running in") {
		t.Fatalf("sweep over a started point: exit %d: %s", code, stderr)
	}
	if diff := cmp.Diff(table, stdout); diff != "" {
		t.Errorf("table after starting again: %s", diff)
	}

	// The same folder with a third seed is another sweep.
	code, _, stderr = sslrun(t, "sweep", file, "--grid", "seed=0,1,2", "--out", dir, "--max-steps", "2")
	if code != 1 || !strings.Contains(stderr, "its grid is --grid seed=0,1, this one --grid seed=0,1,2") {
		t.Errorf("another grid: exit %d: %s", code, stderr)
	}
}

func TestSweepInterrupted(t *testing.T) {
	file := writeSpec(t, tinySweep(t))
	dir := filepath.Join(t.TempDir(), "sweep")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := Run(ctx, []string{"sweep", file, "--grid", "seed=0,1", "--out", dir}, &stdout, &stderr)
	if code != ExitInterrupted || !strings.Contains(stderr.String(), "interrupted before point 0 (seed=0)") {
		t.Errorf("exit %d, want %d:\n%s", code, ExitInterrupted, stderr.String())
	}
	if diff := cmp.Diff([]string{"0-seed=0 pending", "1-seed=1 pending"}, statuses(readSweep(t, dir))); diff != "" {
		t.Error(diff)
	}
}

// TestSweepFailedPoint: a point whose training diverges does not stop the
// others; the sweep ends with the failure's exit status.
func TestSweepFailedPoint(t *testing.T) {
	file := writeSpec(t, tinySweep(t))
	dir := filepath.Join(t.TempDir(), "sweep")
	code, stdout, stderr := sslrun(t, "sweep", file, "--grid", "temperature=1e-40,0.2", "--out", dir, "--max-steps", "2")
	if code != ExitNonFinite || !strings.Contains(stderr, "1 of 2 points failed (point 0,") {
		t.Errorf("exit %d, want %d:\n%s", code, ExitNonFinite, stderr)
	}
	rec := readSweep(t, dir)
	if diff := cmp.Diff([]string{"0-temperature=1e-40 failed", "1-temperature=0.2 finished"}, statuses(rec)); diff != "" {
		t.Error(diff)
	}
	if !strings.Contains(rec.Points[0].Error, "step 1") {
		t.Errorf("the failure is not recorded: %q", rec.Points[0].Error)
	}
	if !strings.Contains(stdout, "| 1e-40       | 0 of 1 | -") || !strings.Contains(stdout, "| 0.2         | 1      |") {
		t.Errorf("table:\n%s", stdout)
	}
}
