package dataset

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/registry"
)

// TestRegistered checks the set of dataset components, their schemas, and
// that building one touches no file: every path here is missing.
func TestRegistered(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	required := map[string]map[string]any{
		"dataset.image_folder": {"path": missing},
		"dataset.cifar10":      {"path": missing},
		"dataset.cifar100":     {"path": missing},
		"dataset.mnist":        {},
		"dataset.synthetic":    {},
	}
	var want []string
	for id := range required {
		want = append(want, strings.TrimPrefix(id, "dataset."))
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, registry.Types(registry.Dataset)); diff != "" {
		t.Errorf("registered dataset types (-want +got):\n%s", diff)
	}
	for id, params := range required {
		t.Run(id, func(t *testing.T) {
			c, _ := registry.Lookup(id)
			if c.Doc == "" {
				t.Error("no doc")
			}
			for _, p := range c.Params {
				if p.Type == registry.Path && !p.MustExist {
					t.Errorf("path parameter %s is not marked MustExist", p.Name)
				}
			}
			source(t, id, params)
		})
	}
}

// TestParamErrors checks the problems between parameters that
// constructors report against one attribute.
func TestParamErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		id     string
		params map[string]any
		param  string
	}{
		{"dataset.image_folder", map[string]any{"path": dir, "preload": false, "cache": true}, "cache"},
		{"dataset.mnist", map[string]any{"labels": filepath.Join(dir, "l")}, "labels"},
		{"dataset.mnist", map[string]any{"path": dir, "images": filepath.Join(dir, "i")}, "images"},
	}
	for _, tt := range tests {
		t.Run(tt.id+"/"+tt.param, func(t *testing.T) {
			_, err := registry.Build[Source](tt.id, tt.params)
			var pe *registry.ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want a *registry.ParamError", err)
			}
			if pe.Param != tt.param {
				t.Errorf("error names parameter %q, want %q", pe.Param, tt.param)
			}
		})
	}
}
