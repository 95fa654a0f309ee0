package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sslrun/sslrun/internal/spec"
)

// fashionMNIST is where Debian's dataset-fashion-mnist package installs
// Fashion-MNIST's four IDX files; SSLRUN_FASHION_MNIST names another folder.
const fashionMNIST = "/usr/share/datasets/fashion-mnist"

// TestQuickstartOtherIDXFolder checks the quickstart's promise (issue 19)
// that the same recipe runs on another data set of 28x28 gray images in
// MNIST's IDX format given only a different folder, --var mnist_dir=DIR:
// with Fashion-MNIST where it is installed, both splits read that folder
// and `sslrun validate` finds and probes its files (a validation only; the
// measured run is in experiments/quickstart.hcl's header). Without the
// variable both splits keep the embedded MNIST (an empty path).
func TestQuickstartOtherIDXFolder(t *testing.T) {
	quickstart := filepath.Join("..", "experiments", "quickstart.hcl")
	exp, err := spec.LoadFile(quickstart, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range exp.Datasets {
		if p := d.Params.String("path"); d.ID != "dataset.mnist" || p != "" {
			t.Errorf("dataset %q: %s with path %q, want dataset.mnist with an empty path (the embedded MNIST)", d.Name, d.ID, p)
		}
	}

	dir := os.Getenv("SSLRUN_FASHION_MNIST")
	if dir == "" {
		dir = fashionMNIST
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("Fashion-MNIST is not at %s (apt-get install dataset-fashion-mnist, or set SSLRUN_FASHION_MNIST to a folder of IDX files): %v", dir, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	exp, err = spec.LoadFile(quickstart, spec.Options{Vars: map[string]string{"mnist_dir": abs}})
	if err != nil {
		t.Fatal(err)
	}
	if len(exp.Datasets) != 2 {
		t.Fatalf("%d datasets, want train and test", len(exp.Datasets))
	}
	for _, d := range exp.Datasets {
		if p := d.Params.String("path"); p != abs {
			t.Errorf("dataset %q reads %q, want %s", d.Name, p, abs)
		}
	}
	code, stdout, stderr := sslrun(t, "validate", quickstart, "--var", "mnist_dir="+abs)
	if code != 0 || !strings.Contains(stdout, `ok (experiment "quickstart")`) {
		t.Errorf("validate --var mnist_dir=%s: exit %d\n%s%s", abs, code, stdout, stderr)
	}
}
