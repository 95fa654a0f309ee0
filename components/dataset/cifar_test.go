package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cifarRecord is one binary CIFAR record: the label bytes, then the R, G
// and B planes filled with r, g and b except pixel (x, y) = (k, 0) of each
// plane, which holds k.
func cifarRecord(labels []byte, r, g, b byte) []byte {
	rec := append([]byte(nil), labels...)
	for _, v := range []byte{r, g, b} {
		plane := make([]byte, 1024)
		for k := range plane {
			plane[k] = v
		}
		for k := range 32 {
			plane[k] = byte(k)
		}
		rec = append(rec, plane...)
	}
	return rec
}

// cifarFile writes records to file.
func cifarFile(t *testing.T, file string, records ...[]byte) {
	t.Helper()
	var data []byte
	for _, r := range records {
		data = append(data, r...)
	}
	writeFile(t, file, data)
}

// cifar10Names are CIFAR-10's class names as batches.meta.txt lists them.
var cifar10Names = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

// makeCIFAR10 writes a small CIFAR-10 in root/cifar-10-batches-bin: batch b
// holds records with labels b and b+5, pixels (100+b, 150+b, 200+b); the
// test batch one record of label 9.
func makeCIFAR10(t *testing.T, root string, names bool) string {
	dir := filepath.Join(root, "cifar-10-batches-bin")
	for b := 1; b <= 5; b++ {
		cifarFile(t, filepath.Join(dir, fmt.Sprintf("data_batch_%d.bin", b)),
			cifarRecord([]byte{byte(b)}, byte(100+b), byte(150+b), byte(200+b)),
			cifarRecord([]byte{byte(b + 4)}, 1, 2, 3))
	}
	cifarFile(t, filepath.Join(dir, "test_batch.bin"), cifarRecord([]byte{9}, 7, 8, 9))
	if names {
		writeFile(t, filepath.Join(dir, "batches.meta.txt"), []byte(strings.Join(cifar10Names, "\n")+"\n\n\n"))
	}
	return dir
}

func TestCIFAR10(t *testing.T) {
	root := t.TempDir()
	dir := makeCIFAR10(t, root, true)
	bare := makeCIFAR10(t, t.TempDir(), false)
	tests := []struct {
		name, path, split string
		labels            []int
		classes           []string
		rgb               [3]byte // the fill of image 0
	}{
		{"train", dir, "train", []int{1, 5, 2, 6, 3, 7, 4, 8, 5, 9}, cifar10Names, [3]byte{101, 151, 201}},
		{"test", dir, "test", []int{9}, cifar10Names, [3]byte{7, 8, 9}},
		{"parent folder", root, "test", []int{9}, cifar10Names, [3]byte{7, 8, 9}},
		{"no class names", bare, "test", []int{9}, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, [3]byte{7, 8, 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := openSet(t, "dataset.cifar10", map[string]any{"path": tt.path, "split": tt.split})
			var labels []int
			for i := range d.Len() {
				labels = append(labels, d.Label(i))
			}
			if diff := cmp.Diff(tt.labels, labels); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.classes, d.Classes()); diff != "" {
				t.Errorf("classes (-want +got):\n%s", diff)
			}
			checkCIFARImage(t, d, tt.rgb)
		})
	}
}

// checkCIFARImage checks image 0 of d against a cifarRecord filled with rgb.
func checkCIFARImage(t *testing.T, d Dataset, rgb [3]byte) {
	t.Helper()
	img, err := d.Image(0)
	if err != nil {
		t.Fatal(err)
	}
	if img.C != 3 || img.H != 32 || img.W != 32 {
		t.Fatalf("image 0 is %dx%dx%d, want 3x32x32", img.C, img.H, img.W)
	}
	for c := range 3 {
		plane := img.Plane(c)
		// (5, 0) holds 5 and (31, 31) the fill, in every plane; R comes first.
		got := [2]float32{plane[5], plane[32*32-1]}
		want := [2]float32{5.0 / 255, float32(rgb[c]) / 255}
		if got != want {
			t.Errorf("channel %d: pixels (5, 0) and (31, 31) = %v, want %v", c, got, want)
		}
	}
}

func TestCIFAR100(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "cifar-100-binary")
	cifarFile(t, filepath.Join(dir, "train.bin"),
		cifarRecord([]byte{19, 99}, 10, 20, 30),
		cifarRecord([]byte{0, 1}, 1, 2, 3))
	cifarFile(t, filepath.Join(dir, "test.bin"), cifarRecord([]byte{3, 42}, 40, 50, 60))
	var coarse []string
	for i := range 20 {
		coarse = append(coarse, fmt.Sprintf("super%d", i))
	}
	writeFile(t, filepath.Join(dir, "coarse_label_names.txt"), []byte(strings.Join(coarse, "\n")+"\n"))
	tests := []struct {
		name   string
		params map[string]any
		labels []int
		nclass int
		first  string // the first class name
		rgb    [3]byte
	}{
		{"fine", map[string]any{"path": dir}, []int{99, 1}, 100, "0", [3]byte{10, 20, 30}},
		{"coarse", map[string]any{"path": dir, "label": "coarse"}, []int{19, 0}, 20, "super0", [3]byte{10, 20, 30}},
		{"test from parent", map[string]any{"path": root, "split": "test"}, []int{42}, 100, "0", [3]byte{40, 50, 60}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := openSet(t, "dataset.cifar100", tt.params)
			var labels []int
			for i := range d.Len() {
				labels = append(labels, d.Label(i))
			}
			if diff := cmp.Diff(tt.labels, labels); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if len(d.Classes()) != tt.nclass || d.Classes()[0] != tt.first {
				t.Errorf("%d classes starting with %q, want %d starting with %q", len(d.Classes()), d.Classes()[0], tt.nclass, tt.first)
			}
			checkCIFARImage(t, d, tt.rgb)
		})
	}
}

func TestCIFARErrors(t *testing.T) {
	tests := []struct {
		name  string
		id    string
		setup func(t *testing.T, dir string) (params map[string]any, parts []string)
	}{
		{
			name: "truncated",
			id:   "dataset.cifar10",
			setup: func(t *testing.T, dir string) (map[string]any, []string) {
				makeCIFAR10(t, dir, false)
				file := filepath.Join(dir, "cifar-10-batches-bin", "data_batch_3.bin")
				data, _ := os.ReadFile(file)
				writeFile(t, file, data[:len(data)-100])
				return nil, []string{file, "3073-byte records"}
			},
		},
		{
			name: "label out of range",
			id:   "dataset.cifar10",
			setup: func(t *testing.T, dir string) (map[string]any, []string) {
				cifarFile(t, filepath.Join(dir, "test_batch.bin"), cifarRecord([]byte{1}, 0, 0, 0), cifarRecord([]byte{10}, 0, 0, 0))
				return map[string]any{"split": "test"}, []string{filepath.Join(dir, "test_batch.bin"), "record 1 has label 10"}
			},
		},
		{
			name: "fine label out of range",
			id:   "dataset.cifar100",
			setup: func(t *testing.T, dir string) (map[string]any, []string) {
				cifarFile(t, filepath.Join(dir, "train.bin"), cifarRecord([]byte{1, 100}, 0, 0, 0))
				return nil, []string{filepath.Join(dir, "train.bin"), "label 100"}
			},
		},
		{
			name: "coarse label out of range",
			id:   "dataset.cifar100",
			setup: func(t *testing.T, dir string) (map[string]any, []string) {
				cifarFile(t, filepath.Join(dir, "train.bin"), cifarRecord([]byte{20, 1}, 0, 0, 0))
				return map[string]any{"label": "coarse"}, []string{filepath.Join(dir, "train.bin"), "label 20"}
			},
		},
		{
			name: "CIFAR-10 record size in CIFAR-100",
			id:   "dataset.cifar100",
			setup: func(t *testing.T, dir string) (map[string]any, []string) {
				cifarFile(t, filepath.Join(dir, "train.bin"), cifarRecord([]byte{1}, 0, 0, 0))
				return nil, []string{filepath.Join(dir, "train.bin"), "3074-byte records"}
			},
		},
		{
			name: "missing batch",
			id:   "dataset.cifar10",
			setup: func(t *testing.T, dir string) (map[string]any, []string) {
				makeCIFAR10(t, dir, false)
				os.Remove(filepath.Join(dir, "cifar-10-batches-bin", "data_batch_4.bin"))
				return nil, []string{filepath.Join(dir, "cifar-10-batches-bin", "data_batch_4.bin")}
			},
		},
		{
			name: "no CIFAR here",
			id:   "dataset.cifar10",
			setup: func(t *testing.T, dir string) (map[string]any, []string) {
				return nil, []string{dir, "data_batch_1.bin", "binary version"}
			},
		},
		{
			name: "missing path",
			id:   "dataset.cifar100",
			setup: func(t *testing.T, dir string) (map[string]any, []string) {
				return map[string]any{"path": filepath.Join(dir, "nowhere")}, []string{filepath.Join(dir, "nowhere")}
			},
		},
		{
			name: "wrong number of class names",
			id:   "dataset.cifar10",
			setup: func(t *testing.T, dir string) (map[string]any, []string) {
				cifarFile(t, filepath.Join(dir, "test_batch.bin"), cifarRecord([]byte{1}, 0, 0, 0))
				writeFile(t, filepath.Join(dir, "batches.meta.txt"), []byte("cat\ndog\n"))
				return map[string]any{"split": "test"}, []string{filepath.Join(dir, "batches.meta.txt"), "2 class names, want 10"}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			params, parts := tt.setup(t, dir)
			if params == nil {
				params = map[string]any{}
			}
			if _, ok := params["path"]; !ok {
				params["path"] = dir
			}
			_, err := openErr(t, tt.id, params)
			wantErr(t, err, parts...)
		})
	}
}
