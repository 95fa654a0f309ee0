package spec_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/internal/spec"
)

// TestBlocksDocumented checks that every block a spec may hold that is not
// a component has a reference, with a doc for each parameter.
func TestBlocksDocumented(t *testing.T) {
	var got []string
	for _, b := range spec.Blocks() {
		got = append(got, b.Type)
		if b.Doc == "" {
			t.Errorf("%s has no doc", b.Type)
		}
		for _, p := range b.Params {
			if p.Doc == "" {
				t.Errorf("%s.%s has no doc", b.Type, p.Name)
			}
		}
		if _, ok := spec.LookupBlock(b.Type); !ok {
			t.Errorf("LookupBlock(%q) finds nothing", b.Type)
		}
	}
	if diff := cmp.Diff([]string{"variable", "locals", "experiment", "view", "train"}, got); diff != "" {
		t.Errorf("blocks (-want +got):\n%s", diff)
	}
	if _, ok := spec.LookupBlock("dataset"); ok {
		t.Error("LookupBlock finds a component kind")
	}
}
