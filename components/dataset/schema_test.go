package dataset

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/sslrun/sslrun/registry"
)

// TestRegistered checks that the built-in datasets are registered, and
// every registered one's schema, and that building one touches no file:
// every path here is missing.
func TestRegistered(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	required := map[string]map[string]any{
		"dataset.image_folder": {"path": missing},
		"dataset.cifar10":      {"path": missing},
		"dataset.cifar100":     {"path": missing},
		"dataset.mnist":        {},
		"dataset.synthetic":    {},
	}
	for id := range required {
		if _, ok := registry.Lookup(id); !ok {
			t.Errorf("%s is not registered", id)
		}
	}
	for _, c := range registry.List(registry.Dataset) {
		t.Run(c.ID, func(t *testing.T) {
			if c.Doc == "" {
				t.Error("no doc")
			}
			params := required[c.ID]
			for _, p := range c.Params {
				if p.Type == registry.Path && !p.MustExist {
					t.Errorf("path parameter %s is not marked MustExist", p.Name)
				}
				if _, ok := params[p.Name]; p.Required() && !ok {
					t.Fatalf("required parameter %s has no value in this test's required table", p.Name)
				}
			}
			source(t, c.ID, params)
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
