package dataset

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sslrun/sslrun/registry"
)

// splitParam is the split parameter shared by the fixed-split data sets.
var splitParam = registry.Param{
	Name:    "split",
	Type:    registry.String,
	Doc:     "which part of the set to read: train or test",
	Default: "train",
	Enum:    []string{"train", "test"},
}

// cifarPixels is the size of one CIFAR image: 3 planes (R, G, B) of 32x32
// bytes, row-major, which already is imaging's planar layout.
const cifarPixels = 3 * 32 * 32

func init() {
	registry.Register(registry.Component{
		ID:  "dataset.cifar10",
		Doc: "CIFAR-10, binary version: 50000 train and 10000 test 32x32 RGB images in 10 classes",
		Params: []registry.Param{
			{Name: "path", Type: registry.Path, Doc: "folder cifar-10-batches-bin (data_batch_1.bin ... test_batch.bin) or the folder holding it", MustExist: true},
			splitParam,
		},
		New: func(v registry.Values) (any, error) {
			return &cifar{format: &cifar10Format, path: v.String("path"), split: v.String("split")}, nil
		},
	})
	registry.Register(registry.Component{
		ID:  "dataset.cifar100",
		Doc: "CIFAR-100, binary version: 50000 train and 10000 test 32x32 RGB images in 100 fine or 20 coarse classes",
		Params: []registry.Param{
			{Name: "path", Type: registry.Path, Doc: "folder cifar-100-binary (train.bin, test.bin) or the folder holding it", MustExist: true},
			splitParam,
			{Name: "label", Type: registry.String, Doc: "which labels to use: fine (100 classes) or coarse (20 superclasses)", Default: "fine", Enum: []string{"fine", "coarse"}},
		},
		New: func(v registry.Values) (any, error) {
			format := &cifar100Fine
			if v.String("label") == "coarse" {
				format = &cifar100Coarse
			}
			return &cifar{format: format, path: v.String("path"), split: v.String("split")}, nil
		},
	})
}

// cifarFormat describes one binary CIFAR layout: records of labelBytes
// label bytes then cifarPixels pixel bytes.
type cifarFormat struct {
	folder     string              // the folder the archive unpacks to
	files      map[string][]string // split -> batch files
	labelBytes int
	labelAt    int    // which label byte is used
	classes    int    // labels are in [0, classes)
	names      string // class names, one a line
}

var (
	cifar10Format = cifarFormat{
		folder: "cifar-10-batches-bin",
		files: map[string][]string{
			"train": {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"},
			"test":  {"test_batch.bin"},
		},
		labelBytes: 1, labelAt: 0, classes: 10, names: "batches.meta.txt",
	}
	cifar100Files  = map[string][]string{"train": {"train.bin"}, "test": {"test.bin"}}
	cifar100Coarse = cifarFormat{
		folder: "cifar-100-binary", files: cifar100Files,
		labelBytes: 2, labelAt: 0, classes: 20, names: "coarse_label_names.txt",
	}
	cifar100Fine = cifarFormat{
		folder: "cifar-100-binary", files: cifar100Files,
		labelBytes: 2, labelAt: 1, classes: 100, names: "fine_label_names.txt",
	}
)

// cifar is the dataset.cifar10 and dataset.cifar100 source.
type cifar struct {
	format *cifarFormat
	path   string
	split  string
}

var _ Prober = (*cifar)(nil)

// Probe finds the batch files; CIFAR images are all 3x32x32.
func (s *cifar) Probe() (c, h, w int, err error) {
	if _, err := s.dir(); err != nil {
		return 0, 0, 0, err
	}
	return 3, 32, 32, nil
}

// Open reads the split's batch files whole; the images are slices of them.
func (s *cifar) Open(ctx context.Context) (Dataset, error) {
	dir, err := s.dir()
	if err != nil {
		return nil, err
	}
	record := s.format.labelBytes + cifarPixels
	set := &memorySet{c: 3, h: 32, w: 32}
	for _, name := range s.format.files[s.split] {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		file := filepath.Join(dir, name)
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		if len(data) == 0 || len(data)%record != 0 {
			return nil, fmt.Errorf("%s: %d bytes is not a whole number of %d-byte records (truncated, or not the binary version?)", file, len(data), record)
		}
		for k := 0; k < len(data); k += record {
			label := int(data[k+s.format.labelAt])
			if label >= s.format.classes {
				return nil, fmt.Errorf("%s: record %d has label %d, want 0 to %d", file, k/record, label, s.format.classes-1)
			}
			set.labels = append(set.labels, int32(label))
			set.pix = append(set.pix, data[k+s.format.labelBytes:k+record:k+record])
		}
	}
	if set.classes, err = readClassNames(filepath.Join(dir, s.format.names), s.format.classes); err != nil {
		return nil, err
	}
	return set, nil
}

// dir returns the folder holding the batch files: path itself or its
// subfolder named like the unpacked archive.
func (s *cifar) dir() (string, error) {
	probe := s.format.files[s.split][0]
	for _, dir := range []string{s.path, filepath.Join(s.path, s.format.folder)} {
		if _, err := os.Stat(filepath.Join(dir, probe)); err == nil {
			return dir, nil
		}
	}
	if _, err := os.Stat(s.path); err != nil {
		return "", fmt.Errorf("CIFAR folder: %w", err)
	}
	return "", fmt.Errorf("%s holds neither %s nor %s: want the binary version of CIFAR, unpacked", s.path, probe, filepath.Join(s.format.folder, probe))
}

// readClassNames reads n class names, one a line (blank lines ignored),
// or returns "0" ... n-1 when file does not exist.
func readClassNames(file string, n int) ([]string, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return numberedClasses(n), nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for line := range strings.Lines(string(data)) {
		if name := strings.TrimSpace(line); name != "" {
			names = append(names, name)
		}
	}
	if len(names) != n {
		return nil, fmt.Errorf("%s: %d class names, want %d", file, len(names), n)
	}
	return names, nil
}
