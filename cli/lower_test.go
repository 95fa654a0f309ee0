package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLower: `sslrun lower` writes the training step and evaluation
// programs with signatures that list exactly the arguments of their main
// functions, in order, with their types and the results donated ones
// alias.
func TestLower(t *testing.T) {
	spec := writeSpec(t, tinyRun)
	out := filepath.Join(t.TempDir(), "programs")
	code, stdout, stderr := sslrun(t, "lower", spec, "--batch", "4", "--out", out)
	if code != 0 {
		t.Fatalf("lower: exit %d: %s", code, stderr)
	}
	for _, name := range []string{"train_step", "features"} {
		if !strings.Contains(stdout, filepath.Join(out, name+".mlir")) {
			t.Errorf("output does not name %s.mlir:\n%s", name, stdout)
		}
		text, err := os.ReadFile(filepath.Join(out, name+".mlir"))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join(out, name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var sig struct {
			Arguments []struct {
				Name, Type, Role string
				DonatedTo        *int `json:"donated_to"`
			}
			Results []struct{ Role string }
		}
		if err := json.Unmarshal(raw, &sig); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, a := range sig.Arguments {
			arg := "%" + a.Name + ": " + a.Type
			if a.DonatedTo != nil {
				arg += fmt.Sprintf(" { tf.aliasing_output = %d : i32 }", *a.DonatedTo)
			}
			want = append(want, arg)
		}
		head, _, _ := strings.Cut(string(text), ") -> ")
		_, args, _ := strings.Cut(head, "@main(")
		if got := strings.Split(args, ", "); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: main takes %q, the signature lists %q", name, got, want)
		}
		if len(sig.Results) == 0 || sig.Results[0].Role != "output" {
			t.Errorf("%s: results %+v", name, sig.Results)
		}
	}
	sig, err := os.ReadFile(filepath.Join(out, "train_step.json"))
	for _, want := range []string{`"tensor<4x3x16x16xf32>"`, `"role": "lr"`, `"donated_to": 1`} {
		if err != nil || !strings.Contains(string(sig), want) {
			t.Errorf("train_step.json lacks %s (%v)", want, err)
		}
	}

	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no --out", []string{"lower", spec}, 2, "--out DIR is required"},
		{"negative batch", []string{"lower", spec, "--batch", "-1", "--out", out}, 2, "--batch"},
		{"no spec", []string{"lower", "--out", out}, 2, "want one spec file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := sslrun(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, want %d with %q:\n%s", code, tt.code, tt.stderr, stderr)
			}
		})
	}
}
