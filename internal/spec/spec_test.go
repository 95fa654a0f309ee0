package spec_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	_ "github.com/sslrun/sslrun/components/all"
	"github.com/sslrun/sslrun/internal/spec"
)

var update = flag.Bool("update", false, "rewrite golden files")

// issueExample is the spec from the spec issue, with the data folder
// supplied by the test.
const issueExample = `
variable "data_dir" { default = "../shared/datasets/cifar10" }
variable "seed"     { default = 0 }
experiment "simclr_cifar10" {
  seed        = var.seed
  description = "SimCLR, ResNet-18 with CIFAR stem (solo-learn recipe)"
}
dataset "image_folder" "train" { path = "${var.data_dir}/train" }
dataset "image_folder" "test"  { path = "${var.data_dir}/test" }
view "global" {
  count = 2
  augment "random_resized_crop" {
    size  = 32
    scale = [0.08, 1.0]
  }
  augment "color_jitter" {
    p          = 0.8
    brightness = 0.8
    contrast   = 0.8
    saturation = 0.8
    hue        = 0.2
  }
  augment "grayscale" { p = 0.2 }
  augment "gaussian_blur" {
    p     = 0.5
    sigma = [0.1, 2.0]
  }
  augment "horizontal_flip" { p = 0.5 }
  augment "normalize" {
    mean = [0.4914, 0.4822, 0.4465]
    std  = [0.2470, 0.2435, 0.2616]
  }
}
backbone "resnet18" { stem = "cifar" }
head "projection_mlp" "proj" {
  hidden_dim = 2048
  output_dim = 256
}
objective "nt_xent" { temperature = 0.2 }
optimizer "lars" {
  lr           = 0.4
  momentum     = 0.9
  weight_decay = 1e-4
  eta          = 0.02
}
schedule "warmup_cosine" { warmup_epochs = 10 }
train {
  epochs     = 1000
  batch_size = 256
}
evaluate "linear" {}
evaluate "knn" {
  k           = 200
  temperature = 0.1
}
`

// dataDir makes a folder with train/ and test/ inside and returns it.
func dataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, sub := range []string{"train", "test"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func specError(t *testing.T, err error) *spec.Error {
	t.Helper()
	var se *spec.Error
	if !errors.As(err, &se) {
		t.Fatalf("want a *spec.Error, got %T: %v", err, err)
	}
	return se
}

// TestIssueExample checks that the issue's spec loads, with every block
// resolved to its component and the optimizer's defaults filled.
func TestIssueExample(t *testing.T) {
	exp, err := spec.Load("simclr.hcl", []byte(issueExample), spec.Options{Vars: map[string]string{"data_dir": dataDir(t)}})
	if err != nil {
		t.Fatal(err)
	}
	var evals []string
	for _, e := range exp.Evaluate {
		evals = append(evals, e.ID)
	}
	got := []string{exp.Backbone.ID, exp.Objective.ID, exp.Optimizer.ID, exp.Schedule.ID}
	want := []string{"backbone.resnet18", "objective.nt_xent", "optimizer.lars", "schedule.warmup_cosine"}
	if diff := cmp.Diff(append(want, "evaluate.linear", "evaluate.knn"), append(got, evals...)); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}
	if v, ok := exp.Optimizer.Params.Get("exclude_bias_and_norm"); !ok || v != true {
		t.Errorf("lars default exclude_bias_and_norm not filled: %v", v)
	}
}

// TestPrintGolden resolves a spec and compares its JSON with a golden file;
// `go test ./spec -update` rewrites it.
func TestPrintGolden(t *testing.T) {
	path := filepath.Join("testdata", "data_and_views.hcl")
	exp, err := spec.LoadFile(path, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(exp, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	got = bytes.ReplaceAll(got, []byte(abs), []byte("$SPECDIR"))
	golden := filepath.Join("testdata", "data_and_views.json")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(strings.TrimSpace(string(want)), string(got)); diff != "" {
		t.Errorf("resolved experiment (-golden +got):\n%s", diff)
	}
}

func TestResolution(t *testing.T) {
	path := filepath.Join("testdata", "data_and_views.hcl")
	exp, err := spec.LoadFile(path, spec.Options{Vars: map[string]string{"crop": "64"}})
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(filepath.Join("testdata", "data", "train"))
	type summary struct {
		Name, Desc, Path string
		Seed, Views      int
		Sizes            []int
		Scale            []float64
		Train            spec.Train
	}
	got := summary{
		Name: exp.Name, Desc: exp.Description, Seed: exp.Seed, Views: exp.ViewCount(),
		Path:  exp.Datasets[0].Params.String("path"),
		Sizes: []int{exp.Views[0].Augment[0].Params.Int("size"), exp.Views[1].Augment[0].Params.Int("size")},
		Scale: exp.Views[0].Augment[0].Params.Floats("scale"),
		Train: exp.Train,
	}
	want := summary{
		Name: "demo", Desc: "crops of 64 and 36", Path: abs, Seed: 7, Views: 8,
		Sizes: []int{64, 36}, Scale: []float64{0.08, 1},
		Train: spec.Train{Epochs: 10, BatchSize: 64, DropLast: true, Workers: 0, Prefetch: 2, Dataset: "train", CheckpointEvery: spec.Interval{N: 1, Epochs: true}, LogEvery: 10, Precision: "fp32"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resolved (-want +got):\n%s", diff)
	}
	if got := string(exp.Variables["crop"]); got != "64" {
		t.Errorf("variable crop = %s, want 64", got)
	}
}

// base is a valid spec that the error cases below break one line at a time.
const base = `variable "dir" { default = "DATA" }
experiment "e" { seed = 1 }
dataset "image_folder" "train" { path = var.dir }
view "v" {
  count = 2
  augment "random_resized_crop" {
    size  = 32
    scale = [0.08, 1.0]
  }
  augment "color_jitter" {
    p   = 0.8
    hue = 0.2
  }
  augment "normalize" {
    mean = [0.5]
    std  = [0.25]
  }
}
`

func TestBaseIsValid(t *testing.T) {
	src := strings.ReplaceAll(base, "DATA", dataDir(t))
	if _, err := spec.Load("base.hcl", []byte(src), spec.Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		old     string // replaced in base by new; "" appends new
		new     string
		vars    map[string]string
		want    []string // each must appear in the rendered error
		nerrors int
	}{
		{name: "syntax", old: "seed = 1 }", new: "seed = 1 ", want: []string{"base.hcl:2,"}, nerrors: 1},
		{name: "unknown block kind", new: `datasets "image_folder" "x" {}`, want: []string{"base.hcl:19,1-9", `Unsupported block type`, `Did you mean "dataset"?`}, nerrors: 1},
		{name: "unknown component type", old: `"color_jitter"`, new: `"color_jiter"`, want: []string{"base.hcl:10,11-24", `Unknown augment type "color_jiter"`, `Did you mean "color_jitter"?`, "Registered augment types:", "random_resized_crop"}, nerrors: 1},
		{name: "unknown attribute", old: "hue = 0.2", new: "hue = 0.2\n    gamma = 1", want: []string{"base.hcl:13,5-10", `Unsupported argument`, `"gamma"`}, nerrors: 1},
		{name: "missing attribute", old: "std  = [0.25]", new: "", want: []string{"base.hcl:14,", `Missing required argument`, `"std"`}, nerrors: 1},
		{name: "mistyped attribute", old: "p   = 0.8", new: `p   = "often"`, want: []string{"base.hcl:11,11-18", "must be a number"}, nerrors: 1},
		{name: "probability above 1", old: "p   = 0.8", new: "p   = 1.5", want: []string{"base.hcl:11,11-14", "1.5 is outside [0, 1]"}, nerrors: 1},
		{name: "scale min above max", old: "[0.08, 1.0]", new: "[0.9, 0.1]", want: []string{"base.hcl:8,13-23", "min 0.9 is greater than max 0.1"}, nerrors: 1},
		{name: "size zero", old: "size  = 32", new: "size  = 0", want: []string{"base.hcl:7,13:", "0 is outside"}, nerrors: 1},
		{name: "negative std", old: "[0.25]", new: "[-0.25]", want: []string{"base.hcl:16,12-19", "element 0 (-0.25) is outside (0, inf)"}, nerrors: 1},
		{name: "hue above 0.5", old: "hue = 0.2", new: "hue = 0.6", want: []string{"base.hcl:12,11-14", "0.6 is outside [0, 0.5]"}, nerrors: 1},
		{name: "whole number", old: "size  = 32", new: "size  = 32.5", want: []string{"base.hcl:7,", "must be a whole number"}, nerrors: 1},
		{name: "duplicate dataset", new: `dataset "image_folder" "train" { path = var.dir }`, want: []string{"base.hcl:19,1-31", `Duplicate dataset "train"`, "already defined at base.hcl:3,1"}, nerrors: 1},
		{name: "duplicate view", new: "view \"v\" {\n  augment \"horizontal_flip\" {}\n}", want: []string{"base.hcl:19,", `Duplicate view "v"`}, nerrors: 1},
		{name: "undefined variable", old: "path = var.dir", new: "path = var.nope", want: []string{"base.hcl:3,", `Unsupported attribute`, `"nope"`}, nerrors: 1},
		{name: "undefined local", old: "path = var.dir", new: "path = local.nope", want: []string{"base.hcl:3,"}, nerrors: 1},
		{name: "empty view", new: "view \"empty\" {\n  count = 1\n}", want: []string{"base.hcl:19,1-13", `View "empty" has no augmentations`}, nerrors: 1},
		{name: "missing data path", old: `default = "DATA"`, new: `default = "DATA/nowhere"`, want: []string{"base.hcl:3,", "does not exist", "nowhere"}, nerrors: 1},
		{name: "undeclared --var", vars: map[string]string{"sed": "1"}, want: []string{`Undeclared variable "sed"`, "declared: dir"}, nerrors: 1},
		{name: "no value for variable", new: `variable "x" {}`, want: []string{"base.hcl:19,", `No value for variable "x"`, "--var x="}, nerrors: 1},
		{name: "bad --var number", new: "variable \"n\" { default = 1 }", vars: map[string]string{"n": "many"}, want: []string{`Invalid value for variable "n"`, `"many" is not one`}, nerrors: 1},
		{name: "missing experiment", old: `experiment "e" { seed = 1 }`, new: "", want: []string{"Missing experiment block"}, nerrors: 1},
		{name: "negative seed", old: "seed = 1", new: "seed = -1", want: []string{"base.hcl:2,25-27", "outside [0, inf)"}, nerrors: 1},
		{name: "view count zero", old: "count = 2", new: "count = 0", want: []string{"base.hcl:5,11:", "outside [1, inf)"}, nerrors: 1},
		{name: "cycle in locals", new: "locals {\n  a = local.b\n  b = local.a\n}", want: []string{"Cycle in locals"}, nerrors: 2},
		{
			name: "all errors together",
			old:  "hue = 0.2", new: "hue = 0.7\n    p2 = 1",
			vars:    map[string]string{"zzz": "1"},
			want:    []string{"base.hcl:12,", "base.hcl:13,", "zzz", "3 errors"},
			nerrors: 3,
		},
	}
	data := dataDir(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := base
			if tt.old != "" {
				if !strings.Contains(src, tt.old) {
					t.Fatalf("base has no %q", tt.old)
				}
				src = strings.Replace(src, tt.old, tt.new, 1)
			} else {
				src += tt.new + "\n"
			}
			src = strings.ReplaceAll(src, "DATA", data)
			_, err := spec.Load("base.hcl", []byte(src), spec.Options{Vars: tt.vars})
			if err == nil {
				t.Fatal("loaded without error")
			}
			se := specError(t, err)
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%s", w, msg)
				}
			}
			if n := len(se.Diags.Errs()); n != tt.nerrors {
				t.Errorf("%d errors, want %d:\n%s", n, tt.nerrors, msg)
			}
		})
	}
}

// TestNoData checks that --no-data lets a spec whose data is elsewhere pass.
func TestNoData(t *testing.T) {
	src := strings.ReplaceAll(base, "DATA", "/nonexistent/imagenet")
	if _, err := spec.Load("base.hcl", []byte(src), spec.Options{}); err == nil {
		t.Fatal("missing data passed without --no-data")
	}
	if _, err := spec.Load("base.hcl", []byte(src), spec.Options{NoData: true}); err != nil {
		t.Fatalf("--no-data: %v", err)
	}
}

// TestErrorRendering pins the format users read: position, source line and
// a caret under the offending range.
func TestErrorRendering(t *testing.T) {
	src := strings.ReplaceAll(strings.Replace(base, "hue = 0.2", "hue = 0.9", 1), "DATA", dataDir(t))
	_, err := spec.Load("base.hcl", []byte(src), spec.Options{})
	want := `base.hcl:12,11-14: error: Invalid value for "hue"
   12 |     hue = 0.9
      |           ^^^
  augment.color_jitter.hue: 0.9 is outside [0, 0.5].`
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("rendering (-want +got):\n%s", diff)
	}
}

func TestVarTypes(t *testing.T) {
	src := `
variable "n" { default = 1 }
variable "s" { default = "x" }
variable "b" { default = true }
variable "l" { default = [1, 2] }
variable "free" {}
experiment "e" {
  seed        = var.n
  description = format("%s %v %v %s", var.s, var.b, var.l[1], var.free)
}
`
	exp, err := spec.Load("v.hcl", []byte(src), spec.Options{Vars: map[string]string{
		"n": "3", "s": "42", "b": "false", "l": "[5, 6]", "free": "/some/path",
	}})
	if err != nil {
		t.Fatal(err)
	}
	if exp.Seed != 3 || exp.Description != "42 false 6 /some/path" {
		t.Errorf("seed %d description %q", exp.Seed, exp.Description)
	}
}

// FuzzLoad feeds arbitrary bytes to the loader: it may reject them, but must
// never panic, and every diagnostic must say where in the file it is.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte(issueExample))
	f.Add([]byte(`locals { a = local.a }`))
	f.Add([]byte(`experiment "x" { seed = 1e400 }`))
	f.Add([]byte("view \"v\" { count = 2\n augment \"normalize\" { mean = [1] \n std = [0] } }"))
	f.Add([]byte(`dataset "image_folder" "x" { path = null }`))
	f.Add([]byte("experiment \"\xff\" {}"))
	f.Add([]byte("experiment \"e\" { seed = " + strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100) + " }"))
	f.Add([]byte(`experiment "e" { description = "%{if true}%{for x in [1]}${x}%{endfor}%{endif}" }`))
	f.Add([]byte(`locals { a = [for x in range(3): x * 2] }`))
	f.Fuzz(func(t *testing.T, src []byte) {
		_, err := spec.Load("fuzz.hcl", src, spec.Options{NoData: true})
		if err == nil {
			return
		}
		se := specError(t, err)
		for _, d := range se.Diags {
			if d.Subject == nil {
				t.Errorf("diagnostic without position: %s: %s", d.Summary, d.Detail)
			}
		}
	})
}

// TestWiring checks diagnostics that span blocks, reported at the block of
// the component that needs the others.
func TestWiring(t *testing.T) {
	src := strings.ReplaceAll(strings.Replace(base, "count = 2", "count = 1", 1), "DATA", dataDir(t)) +
		"objective \"nt_xent\" { temperature = 0.2 }\n"
	_, err := spec.Load("base.hcl", []byte(src), spec.Options{})
	if err == nil {
		t.Fatal("nt_xent with one view loaded")
	}
	for _, want := range []string{"base.hcl:19,1-20", "Invalid wiring of objective.nt_xent", "at least two views", "makes 1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestSwAVWiring(t *testing.T) {
	data := dataDir(t)
	tests := []struct {
		name, extra string
		want        []string
	}{
		{"no prototypes head", "objective \"swav\" {}\n", []string{"base.hcl:19,1-17", "Invalid wiring of objective.swav", "head.prototypes"}},
		{"crops_for_assign beyond the views", "head \"prototypes\" \"p\" { count = 10 }\nobjective \"swav\" { crops_for_assign = [0, 5] }\n",
			[]string{"base.hcl:20,1-17", "crops_for_assign names view 5", "only 2 views"}},
		{"valid", "head \"prototypes\" \"p\" { count = 10 }\nobjective \"swav\" {}\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.ReplaceAll(base, "DATA", data) + tt.extra
			_, err := spec.Load("base.hcl", []byte(src), spec.Options{})
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("loaded without error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestTrainBlock checks the train block's own diagnostics: an interval that
// does not parse, a dataset that is not a dataset block, a precision that
// is neither fp32 (the default) nor bf16.
func TestTrainBlock(t *testing.T) {
	data := dataDir(t)
	tests := []struct {
		name, extra string
		want        []string
	}{
		{"bad interval", "train { checkpoint_every = \"5 minutes\" }\n", []string{"base.hcl:19,28-39", "Invalid checkpoint_every", `unit is "minutes"`}},
		{"no count", "train { checkpoint_every = \"epoch\" }\n", []string{"base.hcl:19,28-35", "not an interval"}},
		{"unknown dataset", "backbone \"convnet\" {}\ntrain { dataset = \"unlabeled\" }\n", []string{"base.hcl:20,19-30", "Unknown dataset", `"unlabeled"`, `blocks are "train"`}},
		{"default dataset missing", "backbone \"convnet\" {}\n", nil},
		{"steps", "train { checkpoint_every = \"500 steps\" }\n", nil},
		{"bad precision", "train { precision = \"fp16\" }\n", []string{"base.hcl:19,21-27", `"fp16" is not one of`, `"bf16"`}},
		{"bf16", "train { precision = \"bf16\" }\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.ReplaceAll(base, "DATA", data) + tt.extra
			exp, err := spec.Load("base.hcl", []byte(src), spec.Options{})
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if tt.name == "steps" && exp.Train.CheckpointEvery != (spec.Interval{N: 500}) {
					t.Errorf("checkpoint_every = %+v", exp.Train.CheckpointEvery)
				}
				precision := "fp32"
				if tt.name == "bf16" {
					precision = "bf16"
				}
				if exp.Train.Precision != precision {
					t.Errorf("precision = %q, want %q", exp.Train.Precision, precision)
				}
				return
			}
			if err == nil {
				t.Fatal("loaded without error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestInterval(t *testing.T) {
	for _, s := range []string{"1 epoch", "3 epochs", "1 step", "500 steps"} {
		v, err := spec.ParseInterval(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if v.String() != s {
			t.Errorf("%q round trips as %q", s, v)
		}
	}
	for _, s := range []string{"", "0 steps", "-1 epochs", "2", "2 steps extra", "2  steps", "two epochs"} {
		if _, err := spec.ParseInterval(s); err == nil {
			t.Errorf("%q parsed", s)
		}
	}
	every2 := spec.Interval{N: 2, Epochs: true}
	if every2.Due(10, false, 1) || !every2.Due(10, true, 1) || every2.Due(10, true, 0) {
		t.Error("epoch interval due at the wrong times")
	}
	if !(spec.Interval{N: 5}).Due(10, false, 0) || (spec.Interval{N: 5}).Due(11, true, 0) {
		t.Error("step interval due at the wrong times")
	}
}

// TestMethodWiring checks what the methods with a teacher need of the rest
// of the spec, each error at the block or, for a parameter, at its value.
func TestMethodWiring(t *testing.T) {
	data := dataDir(t)
	proj := "head \"projection_mlp\" \"proj\" {}\n"
	tests := []struct {
		name, extra string
		want        []string
	}{
		{"byol without a predictor", proj + "objective \"byol\" {}\n", []string{"base.hcl:20,1-17", "Invalid wiring of objective.byol", "a projector and a predictor"}},
		{"byol", proj + "head \"projection_mlp\" \"pred\" {}\nobjective \"byol\" {}\n", nil},
		{"mocov2plus queue not a multiple of the batch", proj + "objective \"mocov2plus\" {\n  queue_size = 1000\n}\n",
			[]string{"base.hcl:21,16-20", "Invalid wiring of objective.mocov2plus", "queue_size: 1000 is not a multiple of the batch size"}},
		{"mocov2plus", proj + "objective \"mocov2plus\" { queue_size = 1024 }\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.ReplaceAll(base, "DATA", data) + tt.extra
			_, err := spec.Load("base.hcl", []byte(src), spec.Options{})
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("loaded without error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}
