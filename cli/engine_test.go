package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEngineFlags checks --engine and --pjrt-plugin of run, resume and
// eval: without a plugin --engine xla exits 1 with the runtime's message
// before any run folder is made, and bad values are usage errors.
func TestEngineFlags(t *testing.T) {
	t.Setenv("SSLRUN_PJRT_PLUGIN", "")
	t.Setenv("GOPJRT_CUDA_CHECKS", "0")
	spec := writeSpec(t, tinyRun)
	out := filepath.Join(t.TempDir(), "run")
	folder := t.TempDir() // stands for a run folder: it is never read
	tests := []struct {
		name       string
		args       []string
		code       int
		stderrHave []string
	}{
		{"run bad engine", []string{"run", spec, "--out", out, "--engine", "gpu"}, 2, []string{"--engine must be cpu or xla"}},
		{"run plugin without xla", []string{"run", spec, "--out", out, "--pjrt-plugin", "/x.so"}, 2, []string{"--pjrt-plugin needs --engine xla"}},
		{"run no plugin", []string{"run", spec, "--out", out, "--engine", "xla"}, 1, []string{"--engine xla", "--pjrt-plugin PATH", "SSLRUN_PJRT_PLUGIN"}},
		{"run missing plugin", []string{"run", spec, "--out", out, "--engine", "xla", "--pjrt-plugin", "/no/such/plugin.so"}, 1, []string{"/no/such/plugin.so"}},
		{"run not a plugin", []string{"run", spec, "--out", out, "--engine", "xla", "--pjrt-plugin", spec}, 1, []string{"PJRT plugin"}},
		{"resume no plugin", []string{"resume", folder, "--engine", "xla"}, 1, []string{"--pjrt-plugin PATH"}},
		{"eval no plugin", []string{"eval", folder, "--engine", "xla"}, 1, []string{"--pjrt-plugin PATH"}},
		{"eval bad engine", []string{"eval", folder, "--engine", "tpu"}, 2, []string{"--engine must be cpu or xla"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := sslrun(t, tt.args...)
			if code != tt.code || stdout != "" {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			for _, w := range tt.stderrHave {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was created", out)
			}
			if entries, _ := os.ReadDir(folder); len(entries) != 0 {
				t.Errorf("%s was written to", folder)
			}
		})
	}
}
