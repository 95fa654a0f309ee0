package spec_test

import (
	"strings"
	"testing"

	"github.com/sslrun/sslrun/internal/spec"
)

// loadErrors loads src as x.hcl without data checks and returns its
// rendered error and the number of errors in it ("" and 0 when it loads).
func loadErrors(t *testing.T, src string, vars map[string]string) (string, int) {
	t.Helper()
	_, err := spec.Load("x.hcl", []byte(src), spec.Options{NoData: true, Vars: vars})
	if err == nil {
		return "", 0
	}
	se := specError(t, err)
	for _, d := range se.Diags {
		if d.Subject == nil {
			t.Errorf("diagnostic without position: %s: %s", d.Summary, d.Detail)
		}
	}
	return err.Error(), len(se.Diags.Errs())
}

// checkErrors compares a load's errors with the substrings they must hold
// and their number.
func checkErrors(t *testing.T, msg string, n int, want []string, wantN int) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q:\n%s", w, msg)
		}
	}
	if n != wantN {
		t.Errorf("%d errors, want %d:\n%s", n, wantN, msg)
	}
}

// TestExperimentNames checks that a name that could not name a run folder
// under runs/ as is is refused at its label.
func TestExperimentNames(t *testing.T) {
	tests := []struct {
		name  string
		label string // as written between the quotes
		ok    bool
	}{
		{"recipe", "simclr_cifar10", true},
		{"dots and dashes", "swav-multicrop.v2", true},
		{"leading digit", "2024_run", true},
		{"100 bytes", strings.Repeat("a", 100), true},
		{"climbs out", "../../escaped", false},
		{"slash", "a/b", false},
		{"hidden", ".hidden", false},
		{"empty", "", false},
		{"NUL", `a\u0000b`, false},
		{"space", "a b", false},
		{"non-ASCII", "réseau", false},
		{"101 bytes", strings.Repeat("a", 101), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, n := loadErrors(t, `experiment "`+tt.label+`" {}`, nil)
			if tt.ok {
				checkErrors(t, msg, n, nil, 0)
				return
			}
			checkErrors(t, msg, n, []string{"x.hcl:1,12-", "Invalid experiment name",
				`may use ASCII letters, digits, "_", "-" and "." (not first), at most 100 bytes`}, 1)
		})
	}
}

// TestVarDiagnostics checks --var problems: each is one diagnostic with a
// position, and none brings a second error where the variable is used.
func TestVarDiagnostics(t *testing.T) {
	const two = "variable \"seed\" { default = 0 }\nvariable \"dir\" { default = \"d\" }\nexperiment \"e\" {\n  seed        = var.seed + 1\n  description = \"${var.dir}/x\"\n}\n"
	tests := []struct {
		name  string
		src   string
		vars  map[string]string
		want  []string
		wantN int
	}{
		{"undeclared, close to one", two, map[string]string{"sed": "1"},
			[]string{"x.hcl:1,1-16: error: Undeclared variable \"sed\" given with --var", `--var sed: no variable "sed" is declared in x.hcl; declared: dir, seed. Did you mean "seed"?`}, 1},
		{"undeclared, close to none", two, map[string]string{"zzz": "1"},
			[]string{"x.hcl:1,1-16:", `--var zzz: no variable "zzz" is declared in x.hcl; declared: dir, seed.`}, 1},
		{"undeclared, none declared", `experiment "e" {}`, map[string]string{"zzz": "1"},
			[]string{"x.hcl:1,1: error: Undeclared variable", "it declares no variables"}, 1},
		{"wrong type, used", two, map[string]string{"seed": "abc"},
			[]string{"x.hcl:1,1-16: error: Invalid value for variable \"seed\"", `--var seed=abc: the variable is a number and "abc" is not one.`}, 1},
		{"no value, used", "variable \"seed\" {}\nexperiment \"e\" { seed = var.seed * 2 }", nil,
			[]string{"x.hcl:1,1-16: error: No value for variable \"seed\""}, 1},
		{"local of a bad variable, used", "variable \"seed\" { default = 0 }\nlocals { s = var.seed + 1 }\nexperiment \"e\" { seed = local.s }", map[string]string{"seed": "x"},
			[]string{"Invalid value for variable \"seed\""}, 1},
		{"not UTF-8", two, map[string]string{"dir": "a\xffb"},
			[]string{"x.hcl:2,1-15: error: Invalid value for variable \"dir\"", `--var dir="a\xffb": the value is not valid UTF-8 text`}, 1},
		{"not UTF-8, untyped", "variable \"dir\" {}\nexperiment \"e\" { description = var.dir }", map[string]string{"dir": "\xff"},
			[]string{"x.hcl:1,1-15:", "not valid UTF-8"}, 1},
		{"infinite default", "variable \"lr\" { default = 1/0 }\nexperiment \"e\" {}", nil,
			[]string{"x.hcl:1,27-30: error: Invalid value for variable \"lr\"", "This computes +Inf"}, 1},
		{"valid", two, map[string]string{"seed": "3", "dir": "é"}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, n := loadErrors(t, tt.src, tt.vars)
			checkErrors(t, msg, n, tt.want, tt.wantN)
		})
	}
}

// TestNonFiniteNumbers checks that infinities and numbers a float64 cannot
// hold are refused at their attribute, in a component and in the blocks
// that are not components, instead of failing at run without a position.
func TestNonFiniteNumbers(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"lr = 1/0", "optimizer \"sgd\" { lr = 1/0 }", []string{"x.hcl:2,24-27: error: Invalid value for \"lr\"", "optimizer.sgd.lr: got +Inf; a number must be finite."}},
		{"lr = -1/0", "optimizer \"sgd\" { lr = -1/0 }", []string{"x.hcl:2,24-28:", "optimizer.sgd.lr: got -Inf; a number must be finite."}},
		{"lr = 1e400", "optimizer \"sgd\" { lr = 1e400 }", []string{"x.hcl:2,24-29: error: Number out of range"}},
		{"lr = 1e308 * 10", "optimizer \"sgd\" { lr = 1e308 * 10 }", []string{"x.hcl:2,24-34:", "1e+309 is beyond the range of a 64-bit float"}},
		{"tonumber(Inf)", "optimizer \"sgd\" { lr = tonumber(\"Inf\") }", []string{"x.hcl:2,24-33: error: Number out of range", "This computes +Inf"}},
		{"list element", "view \"v\" {\n  augment \"normalize\" {\n    mean = [0.5]\n    std  = [1/0]\n  }\n}", []string{"x.hcl:5,12-17:", "augment.normalize.std: element 0: got +Inf"}},
		{"train", "train { epochs = 1/0 }", []string{"x.hcl:2,18-21:", "train.epochs: got +Inf"}},
		{"view count", "view \"v\" {\n  count = 1e300\n  augment \"grayscale\" {}\n}", []string{"x.hcl:3,11-16:", "view.count must be a whole number from -2147483648 to 2147483647, got 1e+300"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, n := loadErrors(t, "experiment \"e\" {}\n"+tt.src, nil)
			checkErrors(t, msg, n, tt.want, 1)
		})
	}
}

// TestUnsupportedAttributesListValidOnes checks that an unknown attribute or
// block in a block that is not a component says what the block takes.
func TestUnsupportedAttributesListValidOnes(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"train", `train { epoch = 3 }`, []string{"x.hcl:2,9-14: error: Unsupported argument", `Did you mean "epochs"? train takes: batch_size, checkpoint_every, dataset, drop_last, epochs, keep_every, log_every, precision, prefetch, workers.`}},
		{"experiment", `experiment "f" { sed = 1 }`, []string{"x.hcl:1,18-21:", "experiment takes: description, seed."}},
		{"variable", `variable "v" { value = 1 }`, []string{"x.hcl:2,16-21:", "variable takes: default, description."}},
		{"view attribute", "view \"v\" {\n  counts = 2\n  augment \"grayscale\" {}\n}", []string{"x.hcl:3,3-9:", "view takes: count, and augment blocks."}},
		{"view block", "view \"v\" {\n  augments \"grayscale\" {}\n  augment \"grayscale\" {}\n}", []string{"x.hcl:3,3-11: error: Unsupported block type", "view takes: count, and augment blocks."}},
		{"component", `optimizer "sgd" { rate = 0.1 }`, []string{"x.hcl:2,19-23:", "optimizer.sgd takes: ", "lr, momentum"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			if !strings.HasPrefix(src, "experiment") {
				src = "experiment \"e\" {}\n" + src
			}
			msg, _ := loadErrors(t, src, nil)
			checkErrors(t, msg, 0, tt.want, 0)
		})
	}
}
