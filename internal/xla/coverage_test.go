package xla

import (
	"testing"

	"github.com/sslrun/sslrun/ops"
)

// TestEveryKindLowers fails for an op kind in ops.Allowed with no
// lowering: neither a built-in of the table nor an own op implementing
// ops.Lowerer.
func TestEveryKindLowers(t *testing.T) {
	for _, kind := range ops.Allowed() {
		if _, ok := builtins[kind]; ok {
			continue
		}
		op, own := ops.Own(kind)
		if !own {
			t.Errorf("%s: a gorgonia kind without an entry in builtins", kind)
			continue
		}
		if _, ok := op.(ops.Lowerer); !ok {
			t.Errorf("%s: an own kind whose op does not implement ops.Lowerer", kind)
		}
	}
}

// TestNoStrayBuiltins fails for a table entry that ops.Allowed does not
// list: a lowering no graph can reach.
func TestNoStrayBuiltins(t *testing.T) {
	allowed := map[string]bool{}
	for _, k := range ops.Allowed() {
		allowed[k] = true
	}
	for kind := range builtins {
		if !allowed[kind] {
			t.Errorf("builtins lowers %s, which ops.Allowed does not list", kind)
		}
	}
}
