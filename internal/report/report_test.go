package report

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/png"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
)

var update = flag.Bool("update", false, "rewrite testdata/run.png from testdata/run")

// Width and height of the PNG in pixels.
const wantW, wantH = 1000, 600

// decode decodes b as a PNG of the expected size.
func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decoding the PNG: %v", err)
	}
	if got := img.Bounds(); got != image.Rect(0, 0, wantW, wantH) {
		t.Fatalf("PNG bounds %v, want %dx%d", got, wantW, wantH)
	}
	return img
}

// plotBytes runs Plot on dir and returns the PNG.
func plotBytes(t *testing.T, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Plot(dir, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeRun creates a run folder with the given log.jsonl and, unless it is
// empty, summary.json.
func writeRun(t *testing.T, log, summary string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "log.jsonl"), []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	if summary != "" {
		if err := os.WriteFile(filepath.Join(dir, "summary.json"), []byte(summary), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPlotDeterministic(t *testing.T) {
	first := plotBytes(t, "testdata/run")
	decode(t, first)
	if second := plotBytes(t, "testdata/run"); !bytes.Equal(first, second) {
		t.Error("two renderings of the same run differ")
	}

	// Other code may change gonum/plot's defaults; the PNG must not change.
	defaultFont, defaultHandler := plot.DefaultFont, plot.DefaultTextHandler
	t.Cleanup(func() { plot.DefaultFont, plot.DefaultTextHandler = defaultFont, defaultHandler })
	plot.DefaultFont = font.Font{Typeface: "Liberation", Variant: "Mono"}
	plot.DefaultTextHandler = text.Latex{Fonts: font.DefaultCache}
	if third := plotBytes(t, "testdata/run"); !bytes.Equal(first, third) {
		t.Error("changing plot.DefaultFont and plot.DefaultTextHandler changes the PNG")
	}
}

// TestPlotGolden compares the rendering of testdata/run with
// testdata/run.png; go test ./report -run Golden -update rewrites it. The
// PNG bytes match on the platform that wrote the file. Elsewhere, as where
// the compiler fuses multiplications and additions, the antialiasing of a
// few pixels may differ, so the pixels are compared with a small tolerance.
func TestPlotGolden(t *testing.T) {
	const golden = "testdata/run.png"
	got := plotBytes(t, "testdata/run")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gi, wi := decode(t, got), decode(t, want)
	const maxDiff = 0x2000 // of 0xffff per channel
	differ := 0
	for y := range wantH {
		for x := range wantW {
			r1, g1, b1, _ := gi.At(x, y).RGBA()
			r2, g2, b2, _ := wi.At(x, y).RGBA()
			if absDiff(r1, r2) > maxDiff || absDiff(g1, g2) > maxDiff || absDiff(b1, b2) > maxDiff {
				differ++
			}
		}
	}
	if differ > wantW*wantH/1000 {
		t.Errorf("%d pixels differ from %s; if the change is intended, run go test ./report -run Golden -update", differ, golden)
	}
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

func TestPlotRuns(t *testing.T) {
	step := func(epoch, step int, loss, lr string) string {
		return `{"event":"step","epoch":` + strconv.Itoa(epoch) + `,"step":` + strconv.Itoa(step) + `,"loss":` + loss + `,"lr":` + lr + "}\n"
	}
	var long strings.Builder
	for i := 1; i <= 600; i++ {
		long.WriteString(step(i/200, i, strconv.FormatFloat(5+math.Sin(float64(i)), 'g', -1, 64), "0.1"))
	}
	tests := []struct {
		name, log, summary string
	}{
		{"one step, no summary", step(0, 1, "5.8", "0.1"), ""},
		{"a curve of several pieces", long.String(), ""},
		{"constant values", step(0, 1, "5", "0") + step(0, 2, "5", "0"), `{"experiment":"x"}`},
		{"non-finite losses", step(0, 1, `"NaN"`, "0.1") + step(0, 2, `"+Inf"`, "0.2") + `{"event":"epoch","epoch":0,"steps":2,"loss":"NaN"}`, ""},
		{"huge and tiny values", step(0, 1, "1e308", "5e-324") + step(0, 9223372036854775807, "-1e307", "0"), ""},
		{"single huge value", step(0, 9223372036854775807, "1.7976931348623157e308", "-1.7976931348623157e308"), ""},
		{"epoch without logged steps", step(0, 1, "6", "0.1") + `{"event":"epoch","epoch":0,"steps":1000,"loss":5}` + "\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			decode(t, plotBytes(t, writeRun(t, tt.log, tt.summary)))
		})
	}
}

func TestPlotErrors(t *testing.T) {
	step := `{"event":"step","epoch":0,"step":1,"loss":6,"lr":0.1}` + "\n"
	tests := []struct {
		name  string
		setup func(t *testing.T) string // returns the run folder
		want  string                    // the error, with {dir} for the folder
		is    error                     // an error the error wraps, if not nil
	}{
		{
			name:  "missing folder",
			setup: func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope") },
			want:  "run folder: stat {dir}: no such file or directory",
			is:    fs.ErrNotExist,
		},
		{
			name: "folder is a file",
			setup: func(t *testing.T) string {
				return filepath.Join(writeRun(t, step, ""), "log.jsonl")
			},
			want: "run folder {dir} is not a directory",
		},
		{
			name:  "missing log",
			setup: func(t *testing.T) string { return t.TempDir() },
			want:  "run log: open {dir}/log.jsonl: no such file or directory",
			is:    fs.ErrNotExist,
		},
		{
			name:  "malformed log line",
			setup: func(t *testing.T) string { return writeRun(t, step+"{oops\n", "") },
			want:  "{dir}/log.jsonl:2: invalid JSON: invalid character 'o' looking for beginning of object key string",
		},
		{
			name:  "no step events",
			setup: func(t *testing.T) string { return writeRun(t, `{"event":"start"}`+"\n", "") },
			want:  "{dir}/log.jsonl: no step events",
			is:    ErrNoSteps,
		},
		{
			name:  "malformed summary",
			setup: func(t *testing.T) string { return writeRun(t, step, `{"seed":"zero"}`) },
			want:  "{dir}/summary.json: json: cannot unmarshal string into Go struct field summary.seed of type int64",
		},
		{
			name: "summary is a folder",
			setup: func(t *testing.T) string {
				dir := writeRun(t, step, "")
				if err := os.Mkdir(filepath.Join(dir, "summary.json"), 0o755); err != nil {
					t.Fatal(err)
				}
				return dir
			},
			want: "run summary: read {dir}/summary.json: is a directory",
		},
		{
			name: "losses beyond float64",
			setup: func(t *testing.T) string {
				return writeRun(t, step+`{"event":"step","epoch":0,"step":2,"loss":1e308,"lr":0.1}`+"\n"+
					`{"event":"step","epoch":0,"step":3,"loss":-1e308,"lr":0.1}`+"\n", "")
			},
			want: "losses from -1e+308 to 1e+308 span too wide a range to plot",
		},
		{
			name: "learning rates beyond float64",
			setup: func(t *testing.T) string {
				return writeRun(t, step+`{"event":"step","epoch":0,"step":2,"loss":6,"lr":-1.7e308}`+"\n"+
					`{"event":"step","epoch":0,"step":3,"loss":6,"lr":1.7e308}`+"\n", "")
			},
			want: "learning rates from -1.7e+308 to 1.7e+308 span too wide a range to plot",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.setup(t)
			var buf bytes.Buffer
			err := Plot(dir, &buf)
			want := strings.ReplaceAll(tt.want, "{dir}", dir)
			if err == nil || err.Error() != want {
				t.Errorf("Plot error:\n got %v\nwant %s", err, want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Plot error %v does not wrap %v", err, tt.is)
			}
			if buf.Len() != 0 {
				t.Errorf("Plot wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}

func TestPlotWriteError(t *testing.T) {
	boom := errors.New("boom")
	err := Plot("testdata/run", failingWriter{boom})
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "writing PNG: ") {
		t.Errorf("got %v, want the write error wrapped", err)
	}
}

// failingWriter fails every write with err.
type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestTitle(t *testing.T) {
	steps := []Step{{Step: 10}, {Step: 250}}
	withBaseline := func(top1, init float64) score {
		return score{Top1: top1, Baseline: &score{Top1: init}}
	}
	tests := []struct {
		name string
		dir  string
		log  *Log
		sum  *summary
		want string
	}{
		{
			name: "no summary",
			dir:  "runs/simclr-0",
			log:  &Log{Experiment: "simclr_cifar10", Seed: new(int64(0)), Steps: steps},
			want: "simclr_cifar10 · seed 0 · step 250 (no summary.json yet)",
		},
		{
			name: "no summary, no start event",
			dir:  "runs/simclr-0/",
			log:  &Log{Steps: steps},
			want: "simclr-0 · step 250 (no summary.json yet)",
		},
		{
			name: "no evaluations",
			dir:  "runs/simclr-0",
			sum:  &summary{Experiment: "simclr_cifar10", Seed: 3, Steps: 1000},
			want: "simclr_cifar10 · seed 3 · 1000 steps",
		},
		{
			name: "no experiment name",
			dir:  "runs/simclr-0",
			sum:  &summary{Steps: 1000},
			want: "simclr-0 · seed 0 · 1000 steps",
		},
		{
			name: "evaluations sorted, baseline optional",
			dir:  "runs/simclr-0",
			sum: &summary{Experiment: "simclr_cifar10", Steps: 1000, Eval: map[string]score{
				"linear": withBaseline(0.7021, 0.351),
				"knn":    withBaseline(0.61, 0.3),
				"probe":  {Top1: 0.5},
			}},
			want: "simclr_cifar10 · seed 0 · 1000 steps\nknn top-1 61.0% (init 30.0%) · linear top-1 70.2% (init 35.1%) · probe top-1 50.0%",
		},
		{
			name: "raw pixels beside the initialisation, or alone",
			dir:  "runs/quickstart",
			sum: &summary{Experiment: "quickstart", Steps: 186, Eval: map[string]score{
				"knn":    {Top1: 0.9512, Baseline: &score{Top1: 0.5468}, Pixels: &score{Top1: 0.945}},
				"linear": {Top1: 0.9297, Pixels: &score{Top1: 0.8904}},
			}},
			want: "quickstart · seed 0 · 186 steps\nknn top-1 95.1% (init 54.7%, pixels 94.5%) · linear top-1 93.0% (pixels 89.0%)",
		},
		{
			name: "too many evaluations for one line",
			dir:  "r",
			sum: &summary{Experiment: "e", Steps: 1, Eval: map[string]score{
				"knn_k20_cosine":      withBaseline(0.1, 0.01),
				"knn_k200_cosine":     withBaseline(0.2, 0.02),
				"linear_frozen_bn":    withBaseline(0.3, 0.03),
				"linear_finetune_all": withBaseline(0.4, 0.04),
			}},
			want: "e · seed 0 · 1 steps\n" +
				"knn_k200_cosine top-1 20.0% (init 2.0%) · knn_k20_cosine top-1 10.0% (init 1.0%)\n" +
				"linear_finetune_all top-1 40.0% (init 4.0%) · linear_frozen_bn top-1 30.0% (init 3.0%)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.log
			if l == nil {
				l = &Log{Experiment: "from the log", Steps: steps}
			}
			if got := title(tt.dir, tt.sum, l); got != tt.want {
				t.Errorf("title:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestStepTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   []string // the labels
	}{
		{10, 234, []string{"25", "125", "225"}},
		{0.9, 1.1, []string{"0.9", "1.0", "1.1"}},
		{1, 9.2e18, []string{"1e+18", "5e+18", "9e+18"}},
	}
	for _, tt := range tests {
		var got []string
		for _, tick := range (stepTicks{}).Ticks(tt.lo, tt.hi) {
			if tick.Label != "" {
				got = append(got, tick.Label)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("labels of [%g, %g]: got %q, want %q", tt.lo, tt.hi, got, tt.want)
		}
	}
}

// TestDistinctTicks: a loss that moves by a thousandth gets labels that
// tell its ticks apart, with one number of decimals; ticks that already
// differ keep gonum's labels.
func TestDistinctTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   []string
	}{
		{5, 5.3, []string{"5.0", "5.1", "5.2", "5.3"}},
		{8.006, 8.0071, []string{"8.0060", "8.0065", "8.0070"}},
		{2.29, 2.31, []string{"2.29", "2.30", "2.31"}},
		{8.0064, 8.00641, []string{"8.006400", "8.006405", "8.006410"}},
	}
	for _, tt := range tests {
		var got []string
		for _, tick := range (distinctTicks{}).Ticks(tt.lo, tt.hi) {
			if tick.Label != "" {
				got = append(got, tick.Label)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("labels of [%g, %g]: got %q, want %q", tt.lo, tt.hi, got, tt.want)
		}
	}
}

// TestLegendClear: the legend sits above every point of the loss curve,
// for a flat loss (the case it used to cover) and a falling one.
func TestLegendClear(t *testing.T) {
	for name, loss := range map[string]func(i int) float64{
		"flat":    func(i int) float64 { return 8.0064 + 1e-5*float64(i%3) },
		"falling": func(i int) float64 { return 6 - 0.01*float64(i) },
		"rising":  func(i int) float64 { return 1 + 0.01*float64(i) },
	} {
		l := &Log{Epochs: []Epoch{{Epoch: 0, Steps: 100, Loss: loss(50)}}}
		for i := range 100 {
			l.Steps = append(l.Steps, Step{Step: i + 1, Loss: loss(i), LR: 0.1})
		}
		_, top, c, err := layout(l, "test")
		if err != nil {
			t.Fatal(err)
		}
		data := top.DataCanvas(c)
		legendBottom := data.Max.Y - top.Legend.Rectangle(data).Size().Y
		_, y := top.Transforms(&data)
		for _, s := range l.Steps {
			if y(s.Loss) >= legendBottom {
				t.Errorf("%s loss: the point of step %d is under the legend", name, s.Step)
				break
			}
		}
	}
}
