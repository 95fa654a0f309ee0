package xla

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// pluginFile checks the PJRT plugin path OpenDevice is given and makes it
// absolute: no path (say what to set), no such file, or a folder.
func pluginFile(path string) (string, error) {
	if path == "" {
		return "", errors.New(noPluginMessage)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("PJRT plugin %s: %w", path, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("PJRT plugin: %w", err)
	}
	if info.IsDir() {
		return "", fmt.Errorf("PJRT plugin %s is a directory, want the plugin's .so file (e.g. jax_plugins/xla_cuda12/xla_cuda_plugin.so)", abs)
	}
	return abs, nil
}
