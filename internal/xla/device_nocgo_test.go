//go:build !cgo

package xla

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenDeviceWithoutCgo: a build without cgo checks the path as the cgo
// build does, then says that loading a plugin needs cgo.
func TestOpenDeviceWithoutCgo(t *testing.T) {
	if _, err := OpenDevice(""); err == nil || !strings.Contains(err.Error(), "--pjrt-plugin PATH") {
		t.Errorf("no path: %v", err)
	}
	plugin := filepath.Join(t.TempDir(), "plugin.so")
	if _, err := OpenDevice(plugin); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	self, err := filepath.Abs("device_nocgo_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDevice(self); err == nil || !strings.Contains(err.Error(), "built without cgo") {
		t.Errorf("a file: %v", err)
	}
}
