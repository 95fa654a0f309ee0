package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readmeComponent is the first Go block of the README: the worked
// example of "Adding a component", a whole augmentation file.
func readmeComponent(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```go\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("README.md has no Go block")
	}
	return string(m[1])
}

// TestCustomBuild builds sslrun as a plugin author outside this
// repository does: a module of its own holding the README's augmentation
// and a main package that blank-imports it beside the built-ins and calls
// Main (the custom build of docs/extending.md), with a replace directive pointing at
// this checkout. The binary lists the plugin, validates a spec that uses
// it and trains two steps with it.
func TestCustomBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary (-short)")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"go.mod":           "module example.com/myplugins\n\ngo 1.26\n\nrequire github.com/sslrun/sslrun v0.0.0\n\nreplace github.com/sslrun/sslrun => " + root + "\n",
		"go.sum":           string(sum),
		"invert/invert.go": readmeComponent(t),
		"main.go": `package main

import (
	"github.com/sslrun/sslrun/cli"
	_ "github.com/sslrun/sslrun/components/all"
	_ "example.com/myplugins/invert"
)

func main() { cli.Main() }
`,
	}
	for name, text := range files {
		path := filepath.Join(mod, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(mod, "sslrun-custom")
	build := exec.Command(goBin, "build", "-mod=mod", "-o", bin, ".")
	build.Dir = mod
	// The module cache holds every dependency (go mod download); nothing
	// is fetched.
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=", "GOPROXY=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	sslrunCustom := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = mod
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("sslrun-custom %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if out := sslrunCustom("components", "augment.invert"); !strings.Contains(out, "replaces every value x by 1-x") {
		t.Errorf("components augment.invert does not document the plugin:\n%s", out)
	}
	src := strings.Replace(tinyRun, "    scale = [0.3, 1.0]\n  }\n", "    scale = [0.3, 1.0]\n  }\n  augment \"invert\" { p = 0.3 }\n", 1)
	if src == tinyRun {
		t.Fatal("tinyRun's view changed; the test cannot add the plugin to it")
	}
	spec := filepath.Join(mod, "invert.hcl")
	if err := os.WriteFile(spec, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := sslrunCustom("validate", "--print", spec); !strings.Contains(out, `"augment.invert"`) {
		t.Errorf("validate --print lacks the plugin:\n%s", out)
	}
	dir := filepath.Join(mod, "run")
	sslrunCustom("run", spec, "--out", dir, "--max-steps", "2")
	if _, err := os.Stat(filepath.Join(dir, "summary.json")); err != nil {
		t.Errorf("the run with the plugin wrote no summary: %v", err)
	}
	// The stock binary does not know the plugin: the spec is refused at
	// its block.
	code, _, stderr := sslrun(t, "validate", spec)
	if code != ExitError || !strings.Contains(stderr, `"invert"`) {
		t.Errorf("stock sslrun on the plugin's spec: exit %d, %s", code, stderr)
	}
}

// TestReadmeComponentInTree adds the README's augmentation and its test to
// components/augment as the README says (through go test's -overlay, so
// the checkout is untouched) and runs that package's tests and the
// command-line reference test, which enumerate the registered components:
// adding the file as it is must pass them.
func TestReadmeComponentInTree(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test (-short)")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllSubmatch(b, 2)
	if len(blocks) < 2 || !strings.HasPrefix(string(blocks[1][1]), "func TestInvert(") {
		t.Fatal("README.md's second Go block is not the augmentation's test, func TestInvert")
	}
	dir := t.TempDir()
	component := filepath.Join(dir, "invert.go")
	test := filepath.Join(dir, "invert_test.go")
	testFile := "package augment\n\nimport (\n\t\"math/rand/v2\"\n\t\"testing\"\n\n\t\"github.com/google/go-cmp/cmp\"\n\n\t\"github.com/sslrun/sslrun/imaging\"\n\t\"github.com/sslrun/sslrun/registry\"\n)\n\n" + string(blocks[1][1])
	if err := os.WriteFile(component, blocks[0][1], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(test, []byte(testFile), 0o644); err != nil {
		t.Fatal(err)
	}
	overlay := filepath.Join(dir, "overlay.json")
	js := fmt.Sprintf(`{"Replace": {%q: %q, %q: %q}}`,
		filepath.Join(root, "components", "augment", "invert.go"), component,
		filepath.Join(root, "components", "augment", "invert_test.go"), test)
	if err := os.WriteFile(overlay, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		ran  string // in the verbose output: the added file took part
	}{
		{[]string{"./components/augment"}, "--- PASS: TestInvert"},
		{[]string{"-run", "^(TestComponentReference|TestComponents)", "./cli"}, "--- PASS: TestComponentReference"},
	} {
		cmd := exec.Command(goBin, append([]string{"test", "-count=1", "-short", "-v", "-overlay", overlay}, c.args...)...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("go test %s with the README's invert.go added: %v\n%s", strings.Join(c.args, " "), err, out)
			continue
		}
		if !strings.Contains(string(out), c.ran) {
			t.Errorf("go test %s: no %q in its output", strings.Join(c.args, " "), c.ran)
		}
	}

}

// TestReadmeMethodIsTheFile: the README's worked method is BYOL's file as
// it is in the tree, byte for byte, so the README cannot drift from the
// code that the tests check against PyTorch.
func TestReadmeMethodIsTheFile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var shown []byte
	for _, m := range regexp.MustCompile("(?s)```go\n(.*?)```").FindAllSubmatch(b, -1) {
		if regexp.MustCompile(`ID:\s+"objective.byol"`).Match(m[1]) {
			shown = m[1]
		}
	}
	if shown == nil {
		t.Fatal("README.md shows no Go block registering objective.byol")
	}
	file, err := os.ReadFile(filepath.Join("..", "components", "objective", "byol.go"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(file), string(shown)); diff != "" {
		t.Errorf("README.md's BYOL differs from components/objective/byol.go (-file +README):\n%s", diff)
	}
}
