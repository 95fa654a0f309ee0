package spec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDeclaredVariables(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      []string
		ok        bool
	}{
		{"none", `experiment "x" {}`, nil, true},
		{"sorted and once", "variable \"seed\" { default = 0 }\nvariable \"lr\" {}\nvariable \"seed\" {}\n", []string{"lr", "seed"}, true},
		{"nested blocks are not variables", "view \"v\" {\n  variable \"x\" {}\n}\n", nil, true},
		{"syntax error", `variable "seed" {`, nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := DeclaredVariables("x.hcl", []byte(c.src))
			if ok != c.ok {
				t.Fatalf("ok = %v, want %v", ok, c.ok)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
}
