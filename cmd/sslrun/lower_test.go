package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLower: `sslrun lower` writes the training and evaluation programs
// with signatures that list exactly the arguments of their main functions,
// in order and with their types.
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
			Arguments []struct{ Name, Type, Role string }
			Results   []struct{ Role string }
		}
		if err := json.Unmarshal(raw, &sig); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, a := range sig.Arguments {
			want = append(want, "%"+a.Name+": "+a.Type)
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
	if sig, err := os.ReadFile(filepath.Join(out, "train_step.json")); err != nil || !strings.Contains(string(sig), `"tensor<4x3x16x16xf32>"`) {
		t.Errorf("the training program's views are not at --batch 4 (%v)", err)
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
