package cli

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sslrun/sslrun/internal/spec"
)

var updateDocs = flag.Bool("update", false, "rewrite the component list of docs/components.md")

// TestBlockReference checks that `sslrun components BLOCK` documents the
// blocks that are not components as components are documented: an example
// block, and each parameter with its doc.
func TestBlockReference(t *testing.T) {
	tests := []struct {
		block string
		want  []string
	}{
		{"train", []string{"train: the training loop's settings", "  train {\n    epochs           = 100\n", "PARAMETER", "[1, inf)"}},
		{"view", []string{`  view "NAME" {`, "    count = 1\n", `augment "TYPE" { ... }`, "ALSO IN THE BODY"}},
		{"experiment", []string{`  experiment "NAME" {`, "    seed        = 0\n", "at most 100 bytes"}},
		{"variable", []string{"  variable \"NAME\" {\n    description = \"\"\n    default     = VALUE\n  }", "--var NAME=VALUE"}},
		{"locals", []string{"  locals {\n    NAME = EXPRESSION\n  }", "at most 1000 locals"}},
	}
	for _, tt := range tests {
		t.Run(tt.block, func(t *testing.T) {
			code, stdout, stderr := sslrun(t, "components", tt.block)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			b, _ := spec.LookupBlock(tt.block)
			for _, p := range b.Params {
				tt.want = append(tt.want, p.Name, p.Doc)
			}
			for _, item := range b.Body {
				tt.want = append(tt.want, item.Doc)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("reference lacks %q:\n%s", w, stdout)
				}
			}
		})
	}
}

// TestComponentsListsBlocks checks that the full listing names the blocks
// too, and that an unknown name points there.
func TestComponentsListsBlocks(t *testing.T) {
	code, stdout, stderr := sslrun(t, "components")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, b := range spec.Blocks() {
		if !strings.Contains(stdout, "\n"+b.Type+" ") {
			t.Errorf("listing lacks block %s:\n%s", b.Type, stdout)
		}
	}
	code, _, stderr = sslrun(t, "components", "trian")
	if code != 2 || !strings.Contains(stderr, `no component or kind "trian", nor a block of that name`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestComponentsDoc checks that every line of docs/components.md's list
// is a line `sslrun components` prints, so no entry is stale, and in the
// same order; a component added without a line there passes (a new file
// alone passes the tests). -update rewrites the list from the registry.
func TestComponentsDoc(t *testing.T) {
	code, stdout, stderr := sslrun(t, "components")
	if code != 0 {
		t.Fatalf("components: exit %d: %s", code, stderr)
	}
	list, _, ok := strings.Cut(stdout, "\n\n")
	if !ok {
		t.Fatalf("components printed no blank line before the other blocks:\n%s", stdout)
	}
	path := filepath.Join("..", "docs", "components.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok := strings.Cut(string(doc), "```\n")
	if !ok {
		t.Fatalf("%s has no code block", path)
	}
	got, after, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatalf("%s: its code block is not closed", path)
	}
	if *updateDocs {
		if err := os.WriteFile(path, []byte(before+"```\n"+list+"\n```"+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	printed := strings.Split(list, "\n")
	i := 0
	for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		for i < len(printed) && printed[i] != line {
			i++
		}
		if i == len(printed) {
			t.Errorf("%s lists %q, which `sslrun components` does not print (in that order); run go test ./cli -run TestComponentsDoc -update", path, line)
			return
		}
	}
}
