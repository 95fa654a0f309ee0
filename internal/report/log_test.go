package report

import (
	"bytes"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestReadLog(t *testing.T) {
	tests := []struct {
		name string
		log  string
		want *Log
	}{
		{
			name: "empty",
			log:  "",
			want: &Log{},
		},
		{
			name: "steps, epochs and evals",
			log: `{"level":"info","event":"start","config":{"experiment":{"name":"simclr_cifar10","seed":3,"views":[]},"train":{}},"time":"2026-03-01T10:00:00Z"}
{"level":"info","event":"step","epoch":0,"step":10,"loss":5.83,"lr":0.12,"message":"step"}
{"level":"info","event":"step","epoch":0,"step":20,"loss":5.7,"lr":0.24}
{"level":"info","event":"epoch","epoch":0,"steps":20,"loss":5.9,"images_per_s":812.5,"seconds":61.2}
{"event":"eval","protocol":"knn","top1":0.3,"top5":0.7,"baseline":true}
{"event":"eval","protocol":"knn","top1":0.61,"top5":0.95,"baseline":false}
{"event":"eval","protocol":"linear","top1":0.7,"top5":0.9}
{"event":"eval","protocol":"linear","top1":0.89,"top5":0.99,"baseline":false,"pixels":true}
{"event":"end"}
`,
			want: &Log{
				Experiment: "simclr_cifar10",
				Seed:       new(int64(3)),
				Steps:      []Step{{Epoch: 0, Step: 10, Loss: 5.83, LR: 0.12}, {Epoch: 0, Step: 20, Loss: 5.7, LR: 0.24}},
				Epochs:     []Epoch{{Epoch: 0, Steps: 20, Loss: 5.9, ImagesPerS: 812.5, Seconds: 61.2}},
				Evals: []Eval{
					{Protocol: "knn", Top1: 0.3, Top5: 0.7, Baseline: true},
					{Protocol: "knn", Top1: 0.61, Top5: 0.95},
					{Protocol: "linear", Top1: 0.7, Top5: 0.9},
					{Protocol: "linear", Top1: 0.89, Top5: 0.99, Pixels: true},
				},
			},
		},
		{
			name: "a resume redoes steps and epochs, the last line wins",
			log: `{"event":"step","epoch":0,"step":1,"loss":6,"lr":0.1}
{"event":"step","epoch":0,"step":2,"loss":5,"lr":0.2}
{"event":"epoch","epoch":0,"steps":2,"loss":5.5}
{"event":"checkpoint","step":2}
{"event":"step","epoch":1,"step":3,"loss":4,"lr":0.3}
{"event":"step","epoch":1,"step":4,"loss":3,"lr":0.4}
{"event":"epoch","epoch":1,"steps":2,"loss":3.5}
{"event":"interrupt"}
{"event":"resume","step":2}
{"event":"step","epoch":1,"step":3,"loss":4.5,"lr":0.3}
{"event":"step","epoch":1,"step":4,"loss":3.5,"lr":0.4}
{"event":"epoch","epoch":1,"steps":2,"loss":4}
`,
			want: &Log{
				Steps: []Step{
					{Epoch: 0, Step: 1, Loss: 6, LR: 0.1},
					{Epoch: 0, Step: 2, Loss: 5, LR: 0.2},
					{Epoch: 1, Step: 3, Loss: 4.5, LR: 0.3},
					{Epoch: 1, Step: 4, Loss: 3.5, LR: 0.4},
				},
				Epochs: []Epoch{{Epoch: 0, Steps: 2, Loss: 5.5}, {Epoch: 1, Steps: 2, Loss: 4}},
			},
		},
		{
			name: "the last start event wins",
			log: `{"event":"start","config":{"experiment":{"name":"a","seed":1}}}
{"event":"start","config":{"experiment":{"name":"b"}}}
`,
			want: &Log{Experiment: "b"},
		},
		{
			name: "a start event without a config, or with an unexpected one, leaves the experiment unknown",
			log: `{"event":"start","config":{"experiment":{"name":"a","seed":1}}}
{"event":"start","config":{"experiment":{"name":"b","seed":"one"}}}
{"event":"start","config":{"experiment":{"name":"c","seed":2}}}
{"event":"start"}
`,
			want: &Log{},
		},
		{
			name: "unknown events, unknown fields and lines without an event are skipped",
			log: `{"level":"debug","message":"no event field"}
{"event":"telemetry","step":"not a number","loss":{}}
{"event":"","step":-1}
{"event":"step","epoch":0,"step":1,"loss":6,"lr":0.1,"grad_norm":3.5,"extra":{"a":[1,2]}}
{"event":"eval","protocol":"knn","top1":0.5,"top5":0.9,"k":200,"baseline":null}
`,
			want: &Log{
				Steps: []Step{{Epoch: 0, Step: 1, Loss: 6, LR: 0.1}},
				Evals: []Eval{{Protocol: "knn", Top1: 0.5, Top5: 0.9}},
			},
		},
		{
			name: "blank lines, CRLF and no final newline",
			log:  "\n  \n{\"event\":\"step\",\"epoch\":0,\"step\":2,\"loss\":5,\"lr\":0.2}\r\n\r\n\t\n{\"event\":\"step\",\"epoch\":0,\"step\":1,\"loss\":6,\"lr\":0.1}",
			want: &Log{Steps: []Step{{Epoch: 0, Step: 1, Loss: 6, LR: 0.1}, {Epoch: 0, Step: 2, Loss: 5, LR: 0.2}}},
		},
		{
			name: "a torn last line, a write cut short, is skipped",
			log:  "{\"event\":\"step\",\"epoch\":0,\"step\":1,\"loss\":6,\"lr\":0.1}\n{\"event\":\"step\",\"epo",
			want: &Log{Steps: []Step{{Epoch: 0, Step: 1, Loss: 6, LR: 0.1}}},
		},
		{
			name: "steps and epochs are sorted",
			log: `{"event":"epoch","epoch":1,"steps":3,"loss":4}
{"event":"step","epoch":1,"step":30,"loss":3,"lr":0.3}
{"event":"epoch","epoch":0,"steps":3,"loss":5}
{"event":"step","epoch":0,"step":3,"loss":5,"lr":0.1}
{"event":"step","epoch":0,"step":12,"loss":4,"lr":0.2}
`,
			want: &Log{
				Steps: []Step{
					{Epoch: 0, Step: 3, Loss: 5, LR: 0.1},
					{Epoch: 0, Step: 12, Loss: 4, LR: 0.2},
					{Epoch: 1, Step: 30, Loss: 3, LR: 0.3},
				},
				Epochs: []Epoch{{Epoch: 0, Steps: 3, Loss: 5}, {Epoch: 1, Steps: 3, Loss: 4}},
			},
		},
		{
			name: "non-finite numbers as zerolog writes them",
			log: `{"event":"step","epoch":0,"step":1,"loss":"NaN","lr":0.1}
{"event":"step","epoch":0,"step":2,"loss":"+Inf","lr":0.1}
{"event":"epoch","epoch":0,"steps":2,"loss":"-Inf","seconds":"NaN"}
`,
			want: &Log{
				Steps: []Step{
					{Epoch: 0, Step: 1, Loss: math.NaN(), LR: 0.1},
					{Epoch: 0, Step: 2, Loss: math.Inf(1), LR: 0.1},
				},
				Epochs: []Epoch{{Epoch: 0, Steps: 2, Loss: math.Inf(-1), Seconds: math.NaN()}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadLog(strings.NewReader(tt.log), "log.jsonl")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateNaNs(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ReadLog mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadLogFixture(t *testing.T) {
	f, err := os.Open("testdata/run/log.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := ReadLog(f, f.Name())
	if err != nil {
		t.Fatal(err)
	}
	// 120 steps logged every 4th; steps 84 and 88 were logged before the
	// interrupt and again, 0.01 higher, after the resume.
	if len(l.Steps) != 30 || l.Steps[0].Step != 4 || l.Steps[29].Step != 120 {
		t.Errorf("steps: got %d from %d to %d, want 30 from 4 to 120", len(l.Steps), l.Steps[0].Step, l.Steps[len(l.Steps)-1].Step)
	}
	if s := l.Steps[20]; s.Step != 84 || s.Loss != 5.2929 {
		t.Errorf("step 84 after the resume: got %+v, want loss 5.2929", s)
	}
	if l.Experiment != "fixture" || l.Seed == nil || *l.Seed != 7 {
		t.Errorf("got experiment %q and seed %v, want fixture and 7", l.Experiment, l.Seed)
	}
	if len(l.Epochs) != 3 || len(l.Evals) != 2 {
		t.Errorf("got %d epochs and %d evals, want 3 and 2", len(l.Epochs), len(l.Evals))
	}
}

func TestReadLogErrors(t *testing.T) {
	const name = "runs/a/log.jsonl"
	step := `{"event":"step","epoch":0,"step":1,"loss":6,"lr":0.1}` + "\n"
	tests := []struct {
		name string
		log  string
		want string
	}{
		{"truncated JSON", step + `{"event":"step","epoch":0,` + "\n" + step, name + ":2: invalid JSON: "},
		{"not JSON", "step 1 loss 6\n", name + ":1: invalid JSON: "},
		{"JSON array", "[1,2]\n", name + ":1: invalid JSON: "},
		{"JSON null", "null\n", name + ":1: not a JSON object"},
		{"line numbers count blank lines", "\n\n" + step + "\n{]\n", name + ":5: invalid JSON: "},
		{"event not a string", `{"event":3}`, name + `:1: field "event": `},
		{"step without lr", `{"event":"step","epoch":0,"step":1,"loss":6}`, name + `:1: step event: no "lr" field`},
		{"step without step", `{"event":"step","epoch":0,"loss":6,"lr":0.1}`, name + `:1: step event: no "step" field`},
		{"null loss", `{"event":"step","epoch":0,"step":1,"loss":null,"lr":0.1}`, name + `:1: step event: no "loss" field`},
		{"step 0", `{"event":"step","epoch":0,"step":0,"loss":6,"lr":0.1}`, name + ":1: step event: step 0 of epoch 0: want step ≥ 1 and epoch ≥ 0"},
		{"negative epoch", `{"event":"step","epoch":-1,"step":1,"loss":6,"lr":0.1}`, name + ":1: step event: step 1 of epoch -1: want"},
		{"fractional step", `{"event":"step","epoch":0,"step":1.5,"loss":6,"lr":0.1}`, name + `:1: step event: field "step": `},
		{"loss a word", `{"event":"step","epoch":0,"step":1,"loss":"high","lr":0.1}`, name + `:1: step event: field "loss": "high" is not a number`},
		{"loss a bool", `{"event":"step","epoch":0,"step":1,"loss":true,"lr":0.1}`, name + `:1: step event: field "loss": `},
		{"epoch without steps", `{"event":"epoch","epoch":0,"loss":5}`, name + `:1: epoch event: no "steps" field`},
		{"epoch with bad seconds", `{"event":"epoch","epoch":0,"steps":2,"loss":5,"seconds":"1m"}`, name + `:1: epoch event: field "seconds": "1m" is not a number`},
		{"negative steps", `{"event":"epoch","epoch":0,"steps":-2,"loss":5}`, name + ":1: epoch event: epoch 0 with -2 steps: want both ≥ 0"},
		{"eval without top5", `{"event":"eval","protocol":"knn","top1":0.5}`, name + `:1: eval event: no "top5" field`},
		{"eval with bad baseline", `{"event":"eval","protocol":"knn","top1":0.5,"top5":0.9,"baseline":"yes"}`, name + `:1: eval event: field "baseline": `},
		{"eval with bad pixels", `{"event":"eval","protocol":"knn","top1":0.5,"top5":0.9,"pixels":1}`, name + `:1: eval event: field "pixels": `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ReadLog(strings.NewReader(tt.log), name)
			if err == nil {
				t.Fatalf("ReadLog = %+v, want an error starting %q", l, tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("ReadLog error:\n got %q\nwant %q...", err, tt.want)
			}
		})
	}
}

func TestReadLogReadError(t *testing.T) {
	boom := errors.New("boom")
	_, err := ReadLog(iotest.ErrReader(boom), "x/log.jsonl")
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "reading x/log.jsonl: ") {
		t.Errorf("got %v, want the read error wrapped with the name", err)
	}
}

func FuzzReadLog(f *testing.F) {
	fixture, err := os.ReadFile("testdata/run/log.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	for _, seed := range []string{
		"",
		"\n\r\n",
		`{"event":"step","epoch":0,"step":1,"loss":"NaN","lr":0.1}`,
		`{"event":"epoch","epoch":0,"steps":2,"loss":5,"images_per_s":1e309}`,
		`{"event":"eval","protocol":"knn","top1":0.5,"top5":0.9,"baseline":true}`,
		`{"event":"step","epoch":0,"step":9223372036854775808,"loss":1,"lr":1}`,
		"null\n[]\n{}\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ReadLog(bytes.NewReader(data), "fuzz.jsonl")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.jsonl:") {
				t.Fatalf("error without the log name and line: %v", err)
			}
			return
		}
		for i, s := range l.Steps {
			if s.Step < 1 || s.Epoch < 0 || i > 0 && l.Steps[i-1].Step >= s.Step {
				t.Fatalf("steps not increasing from 1: %+v", l.Steps)
			}
		}
		for i, e := range l.Epochs {
			if e.Epoch < 0 || e.Steps < 0 || i > 0 && l.Epochs[i-1].Epoch >= e.Epoch {
				t.Fatalf("epochs not increasing from 0: %+v", l.Epochs)
			}
		}
	})
}
