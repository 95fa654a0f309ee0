package cli

import (
	"strings"
	"testing"
)

// TestBenchEngineFlags checks --engine, --pjrt-plugin and --precision:
// without a plugin the XLA engine exits 1 saying what to set, a file that
// is no PJRT plugin is named, bf16 (the flag's or the spec's) on the CPU
// engine says it needs the XLA engine, and bad values are usage errors.
func TestBenchEngineFlags(t *testing.T) {
	t.Setenv("SSLRUN_PJRT_PLUGIN", "")
	t.Setenv("GOPJRT_CUDA_CHECKS", "0")
	good := writeSpec(t, benchSpec)
	bf16 := writeSpec(t, strings.Replace(benchSpec, "train { batch_size = 8 }", "train {\n  batch_size = 8\n  precision  = \"bf16\"\n}", 1))
	tests := []struct {
		name       string
		args       []string
		code       int
		stderrHave []string
	}{
		{"bad engine", []string{"bench", good, "--engine", "gpu"}, 2, []string{"--engine must be cpu or xla"}},
		{"bad precision", []string{"bench", good, "--precision", "fp16"}, 2, []string{"--precision must be fp32 or bf16"}},
		{"plugin without xla", []string{"bench", good, "--pjrt-plugin", "/x.so"}, 2, []string{"--pjrt-plugin needs --engine xla"}},
		{"bf16 on cpu", []string{"bench", good, "--precision", "bf16"}, 1, []string{`train { precision = "bf16" } needs the XLA engine`, "fp32 only"}},
		{"the spec's bf16 on cpu", []string{"bench", bf16}, 1, []string{`train { precision = "bf16" } needs the XLA engine`}},
		{"bf16 without a plugin", []string{"bench", bf16, "--engine", "xla"}, 1, []string{"--pjrt-plugin PATH", "SSLRUN_PJRT_PLUGIN"}},
		{"no plugin", []string{"bench", good, "--engine", "xla"}, 1, []string{"--pjrt-plugin PATH", "SSLRUN_PJRT_PLUGIN", "xla_cuda_plugin.so"}},
		{"missing plugin", []string{"bench", good, "--engine", "xla", "--pjrt-plugin", "/no/such/plugin.so"}, 1, []string{"/no/such/plugin.so"}},
		{"not a plugin", []string{"bench", good, "--engine", "xla", "--pjrt-plugin", good}, 1, []string{"loading PJRT plugin"}},
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
		})
	}
}
