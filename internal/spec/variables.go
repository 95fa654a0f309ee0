package spec

import (
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// DeclaredVariables lists the variable blocks of the spec src, sorted;
// ok is false when src does not parse (Load then says why), without evaluating anything: the names a --var may set.
func DeclaredVariables(file string, src []byte) (names []string, ok bool) {
	f, diags := hclsyntax.ParseConfig(src, file, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, false
	}
	body, isBody := f.Body.(*hclsyntax.Body)
	if !isBody {
		return nil, false
	}
	for _, b := range body.Blocks {
		if b.Type == "variable" && len(b.Labels) == 1 {
			names = append(names, b.Labels[0])
		}
	}
	slices.Sort(names)
	return slices.Compact(names), true
}
