package objective

import (
	"testing"

	"github.com/sslrun/sslrun/registry"
)

// TestMethodDocs: an objective documents its part in training
// (registry.Component.Method, which `sslrun components` prints) exactly
// when what it builds is a Method, read from the registry so that a new
// objective file is checked too.
func TestMethodDocs(t *testing.T) {
	list := registry.List(registry.Objective)
	if len(list) == 0 {
		t.Fatal("no objective registered")
	}
	for _, c := range list {
		t.Run(c.ID, func(t *testing.T) {
			o, err := registry.Build[Objective](c.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, isMethod := o.(Method)
			if documented := c.Method != ""; documented != isMethod {
				t.Errorf("implements objective.Method: %v; documents a method (Component.Method): %v", isMethod, documented)
			}
		})
	}
}
