//go:build cgo

package xla

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenDeviceErrors checks that every way of not having a plugin is an
// error that says what is wrong, not a panic: no path, no file, a folder,
// a file that is no library, a library that is no PJRT plugin.
func TestOpenDeviceErrors(t *testing.T) {
	t.Setenv("GOPJRT_CUDA_CHECKS", "0")
	dir := t.TempDir()
	text := filepath.Join(dir, "plugin.so")
	if err := os.WriteFile(text, []byte("not a shared library\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path string
		want       []string // substrings of the error
	}{
		{"no path", "", []string{"--pjrt-plugin PATH", PluginEnv, "jax_plugins/xla_cuda12/xla_cuda_plugin.so"}},
		{"missing file", filepath.Join(dir, "missing.so"), []string{"missing.so", "no such file"}},
		{"folder", dir, []string{"is a directory"}},
		{"not a library", text, []string{"loading PJRT plugin", "plugin.so"}},
		{"libm", "/lib/x86_64-linux-gnu/libm.so.6", []string{"loading PJRT plugin", "GetPjrtApi"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "libm" {
				if _, err := os.Stat(c.path); err != nil {
					t.Skipf("no %s here: %v", c.path, err)
				}
			}
			d, err := OpenDevice(c.path)
			if err == nil {
				d.Close()
				t.Fatalf("OpenDevice(%q) opened %s", c.path, d)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("OpenDevice(%q): %v; want it to say %q", c.path, err, w)
				}
			}
		})
	}
}
