package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// wholeSpec is synthSpec made a whole run: a model, an objective, an
// optimizer.
const wholeSpec = synthSpec + `
backbone "convnet" { channels = [8] }
objective "nt_xent" {}
optimizer "sgd" { lr = 0.1 }
`

func TestValidateMemory(t *testing.T) {
	whole, partial := writeSpec(t, wholeSpec), writeSpec(t, synthSpec)
	huge := writeSpec(t, strings.Replace(wholeSpec, "size  = 64", "size  = 1000000000", 1))
	tests := []struct {
		name   string
		args   []string
		stdout string
	}{
		{"estimated", []string{"validate", whole}, `ok (experiment "synth"), needs about `},
		{"not a whole run", []string{"validate", partial}, `ok (experiment "synth"), memory not estimated: ` + partial + " has no backbone block"},
		{"no data", []string{"validate", "--no-data", whole}, `ok (experiment "synth"), memory not estimated without the data`},
		{"too large here", []string{"validate", huge}, "this machine can give it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := sslrun(t, tt.args...)
			if code != 0 || !strings.Contains(stdout, tt.stdout) {
				t.Errorf("exit %d, stdout %q, want it to hold %q; stderr:\n%s", code, stdout, tt.stdout, stderr)
			}
		})
	}
	code, stdout, stderr := sslrun(t, "validate", "--print", whole)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Name   string
		Memory struct {
			Batch int
			Total int64 `json:"total_bytes"`
			Items []struct {
				Name  string
				Bytes int64
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("--print is not JSON: %v\n%s", err, stdout)
	}
	var sum int64
	for _, it := range got.Memory.Items {
		sum += it.Bytes
	}
	if got.Name != "synth" || got.Memory.Batch != 256 || got.Memory.Total <= 0 || sum != got.Memory.Total {
		t.Errorf("--print: %+v", got)
	}
}

// TestRunTooLarge: a run that cannot fit exits 1 with the estimate, not
// with Go's out-of-memory crash.
func TestRunTooLarge(t *testing.T) {
	huge := writeSpec(t, strings.Replace(wholeSpec, "size  = 64", "size  = 1000000000", 1))
	code, _, stderr := sslrun(t, "run", huge, "--out", t.TempDir()+"/run")
	if code != 1 || !strings.Contains(stderr, `experiment "synth" needs at least`) || !strings.Contains(stderr, "(1000000000 images)") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
