package spec

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	_ "github.com/sslrun/sslrun/components/all"
)

// TestShippedSpecsFarFromLimits checks that the limits leave real specs
// alone by a wide margin: every shipped experiment and test spec stays
// under a tenth of each limit (a quarter for nesting).
func TestShippedSpecsFarFromLimits(t *testing.T) {
	var files []string
	for _, pattern := range []string{"../../experiments/*.hcl", "testdata/*.hcl"} {
		found, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, found...)
	}
	if len(files) < 5 {
		t.Fatalf("found only %v", files)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			tokens, diags := hclsyntax.LexConfig(src, path, hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			c := &tokenChecker{reported: map[string]bool{}}
			c.run(tokens, false)
			b := newBudget()
			if _, err := load(path, src, Options{NoData: true}, b); err != nil {
				t.Fatal(err)
			}
			used := MaxEvalBytes - b.left
			t.Logf("%d bytes, nesting %d, longest expression %d tokens, %d bytes evaluated", len(src), c.deepest, c.longest, used)
			if len(src) > MaxSpecBytes/10 || c.deepest > MaxNesting/4 || c.longest > MaxExpressionTokens/10 || used > MaxEvalBytes/10 {
				t.Errorf("within a tenth of a limit: %d of %d bytes, nesting %d of %d, %d of %d tokens, %d of %d bytes evaluated",
					len(src), MaxSpecBytes, c.deepest, MaxNesting, c.longest, MaxExpressionTokens, used, MaxEvalBytes)
			}
		})
	}
}
