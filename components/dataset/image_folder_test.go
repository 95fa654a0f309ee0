package dataset

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/imaging"
)

// folderFixture is a labelled image folder: class folders in unsorted
// creation order, mixed PNG and JPEG with extensions in any case, a gray
// image among colour ones, a nested folder, and files to skip.
type folderFixture struct {
	root    string
	files   []string // relative, in the expected order
	labels  []int
	classes []string
}

func newFolderFixture(t testing.TB) *folderFixture {
	t.Helper()
	root := t.TempDir()
	f := &folderFixture{root: root, classes: []string{"bird", "cat", "dog"}}
	add := func(rel string, img image.Image, label int) {
		writeImage(t, filepath.Join(root, rel), img)
		f.files = append(f.files, rel)
		f.labels = append(f.labels, label)
	}
	add(filepath.Join("bird", "e.png"), pattern(8, 6, 10, false), 0)
	add(filepath.Join("cat", "a.PNG"), pattern(8, 6, 20, false), 1)
	add(filepath.Join("cat", "b.JPG"), pattern(8, 6, 30, false), 1)
	add(filepath.Join("dog", "c.jpeg"), pattern(8, 6, 40, false), 2)
	add(filepath.Join("dog", "sub", "d.png"), pattern(8, 6, 50, true), 2)
	writeImage(t, filepath.Join(root, ".hidden", "x.png"), pattern(8, 6, 60, false))
	writeImage(t, filepath.Join(root, "dog", ".y.png"), pattern(8, 6, 70, false))
	writeFile(t, filepath.Join(root, "cat", "notes.txt"), []byte("not an image"))
	writeFile(t, filepath.Join(root, "README"), []byte("not an image"))
	return f
}

// want returns the fixture's samples as decoded directly by the standard
// library, gray images repeated into three channels.
func (f *folderFixture) want(t testing.TB, unlabeled bool) []sample {
	t.Helper()
	var out []sample
	for i, rel := range f.files {
		data, err := os.ReadFile(filepath.Join(f.root, rel))
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		m := imaging.FromU8(imaging.PlanarU8(img))
		if m.C == 1 {
			m = &imaging.Image{C: 3, H: m.H, W: m.W, Pix: append(append(m.Clone().Pix, m.Pix...), m.Pix...)}
		}
		label := f.labels[i]
		if unlabeled {
			label = -1
		}
		out = append(out, sample{m, label})
	}
	return out
}

func TestImageFolder(t *testing.T) {
	f := newFolderFixture(t)
	for _, preload := range []bool{true, false} {
		t.Run(fmt.Sprintf("preload=%t", preload), func(t *testing.T) {
			d := openSet(t, "dataset.image_folder", map[string]any{"path": f.root, "preload": preload, "image_size": 0})
			if diff := cmp.Diff(f.classes, d.Classes()); diff != "" {
				t.Errorf("classes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(f.want(t, false), samples(t, d)); diff != "" {
				t.Errorf("samples (-want +got):\n%s", diff)
			}
		})
	}
	// The PNG files hold exactly the pattern.
	d := openSet(t, "dataset.image_folder", map[string]any{"path": f.root})
	got, _ := d.Image(0)
	if diff := cmp.Diff(imaging.FromU8(imaging.PlanarU8(pattern(8, 6, 10, false))), got); diff != "" {
		t.Errorf("bird/e.png (-want +got):\n%s", diff)
	}
	// The R plane comes first.
	if r := got.Pix[1]; r != float32(uint8(10+7))/255 {
		t.Errorf("pixel (0, 1) channel 0 = %v, want the red value 17/255", r)
	}
}

func TestImageFolderUnlabeled(t *testing.T) {
	f := newFolderFixture(t)
	top := "top.png"
	writeImage(t, filepath.Join(f.root, top), pattern(8, 6, 80, false))
	f.files = append(f.files, top)
	f.labels = append(f.labels, -1)
	for _, preload := range []bool{true, false} {
		t.Run(fmt.Sprintf("preload=%t", preload), func(t *testing.T) {
			d := openSet(t, "dataset.image_folder", map[string]any{"path": f.root, "unlabeled": true, "preload": preload})
			if d.Classes() != nil {
				t.Errorf("classes %q, want none", d.Classes())
			}
			if diff := cmp.Diff(f.want(t, true), samples(t, d)); diff != "" {
				t.Errorf("samples (-want +got):\n%s", diff)
			}
		})
	}
}

func TestImageFolderSymlink(t *testing.T) {
	f := newFolderFixture(t)
	elsewhere := t.TempDir()
	writeImage(t, filepath.Join(elsewhere, "z.png"), pattern(8, 6, 90, false))
	if err := os.Symlink(elsewhere, filepath.Join(f.root, "eel")); err != nil {
		t.Skipf("cannot make a symbolic link: %v", err)
	}
	d := openSet(t, "dataset.image_folder", map[string]any{"path": f.root})
	if diff := cmp.Diff([]string{"bird", "cat", "dog", "eel"}, d.Classes()); diff != "" {
		t.Errorf("classes (-want +got):\n%s", diff)
	}
	if d.Len() != len(f.files)+1 || d.Label(d.Len()-1) != 3 {
		t.Errorf("%d images, last label %d; want %d, 3", d.Len(), d.Label(d.Len()-1), len(f.files)+1)
	}
}

func TestImageFolderErrors(t *testing.T) {
	jpegData := func(t *testing.T) []byte {
		file := filepath.Join(t.TempDir(), "x.jpg")
		writeImage(t, file, pattern(16, 16, 1, false))
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	tests := []struct {
		name string
		// setup fills root and returns parameters to add and the text the
		// error must contain (besides root-relative names).
		setup func(t *testing.T, root string) (map[string]any, []string)
		// lazy: the error comes from Image(1) instead of Open.
		lazy bool
		is   error
	}{
		{
			name: "missing path",
			setup: func(t *testing.T, root string) (map[string]any, []string) {
				missing := filepath.Join(root, "nowhere")
				return map[string]any{"path": missing}, []string{missing}
			},
			is: os.ErrNotExist,
		},
		{
			name: "path is a file",
			setup: func(t *testing.T, root string) (map[string]any, []string) {
				file := filepath.Join(root, "file.png")
				writeImage(t, file, pattern(4, 4, 0, false))
				return map[string]any{"path": file}, []string{file, "not a folder"}
			},
		},
		{
			name: "empty class folder",
			setup: func(t *testing.T, root string) (map[string]any, []string) {
				writeImage(t, filepath.Join(root, "a", "1.png"), pattern(4, 4, 0, false))
				writeFile(t, filepath.Join(root, "b", "notes.txt"), nil)
				writeImage(t, filepath.Join(root, "c", "1.png"), pattern(4, 4, 0, false))
				return nil, []string{filepath.Join(root, "b"), "no .png"}
			},
		},
		{
			name: "no class folders",
			setup: func(t *testing.T, root string) (map[string]any, []string) {
				return nil, []string{root, "no class folders"}
			},
		},
		{
			name: "images but no class folders",
			setup: func(t *testing.T, root string) (map[string]any, []string) {
				writeImage(t, filepath.Join(root, "1.png"), pattern(4, 4, 0, false))
				return nil, []string{root, "unlabeled = true"}
			},
		},
		{
			name: "unlabeled without images",
			setup: func(t *testing.T, root string) (map[string]any, []string) {
				writeFile(t, filepath.Join(root, "a", "notes.txt"), nil)
				return map[string]any{"unlabeled": true}, []string{root, "no .png"}
			},
		},
		{
			name: "truncated JPEG",
			setup: func(t *testing.T, root string) (map[string]any, []string) {
				writeImage(t, filepath.Join(root, "a", "1.jpg"), pattern(16, 16, 0, false))
				data := jpegData(t)
				writeFile(t, filepath.Join(root, "a", "2.jpg"), data[:len(data)*2/3])
				return nil, []string{filepath.Join(root, "a", "2.jpg")}
			},
			is: io.ErrUnexpectedEOF,
		},
		{
			name: "truncated JPEG, lazy",
			setup: func(t *testing.T, root string) (map[string]any, []string) {
				writeImage(t, filepath.Join(root, "a", "1.jpg"), pattern(16, 16, 0, false))
				data := jpegData(t)
				writeFile(t, filepath.Join(root, "a", "2.jpg"), data[:len(data)*2/3])
				return map[string]any{"preload": false}, []string{filepath.Join(root, "a", "2.jpg")}
			},
			lazy: true,
			is:   io.ErrUnexpectedEOF,
		},
		{
			name: "not an image",
			setup: func(t *testing.T, root string) (map[string]any, []string) {
				writeFile(t, filepath.Join(root, "a", "1.png"), []byte("plain text"))
				return nil, []string{filepath.Join(root, "a", "1.png")}
			},
			is: image.ErrFormat,
		},
		{
			name: "wrong image_size",
			setup: func(t *testing.T, root string) (map[string]any, []string) {
				writeImage(t, filepath.Join(root, "a", "1.png"), pattern(8, 8, 0, false))
				writeImage(t, filepath.Join(root, "b", "2.png"), pattern(9, 8, 0, false))
				return map[string]any{"image_size": 8}, []string{filepath.Join(root, "b", "2.png"), "9x8", "image_size = 8"}
			},
		},
		{
			name: "wrong image_size, lazy",
			setup: func(t *testing.T, root string) (map[string]any, []string) {
				writeImage(t, filepath.Join(root, "a", "1.png"), pattern(8, 8, 0, false))
				writeImage(t, filepath.Join(root, "b", "2.png"), pattern(8, 7, 0, false))
				return map[string]any{"image_size": 8, "preload": false}, []string{filepath.Join(root, "b", "2.png"), "8x7"}
			},
			lazy: true,
		},
		{
			name: "colour image in a gray set",
			setup: func(t *testing.T, root string) (map[string]any, []string) {
				writeImage(t, filepath.Join(root, "a", "1.png"), pattern(8, 8, 0, true))
				writeImage(t, filepath.Join(root, "a", "2.png"), pattern(8, 8, 0, false))
				return nil, []string{filepath.Join(root, "a", "2.png"), "3 channels"}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			params, parts := tt.setup(t, root)
			if params == nil {
				params = map[string]any{}
			}
			if _, ok := params["path"]; !ok {
				params["path"] = root
			}
			d, err := openErr(t, "dataset.image_folder", params)
			if tt.lazy {
				if err != nil {
					t.Fatalf("Open: %v (want the error from Image)", err)
				}
				_, err = d.Image(1)
			}
			wantErr(t, err, parts...)
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q does not wrap %v", err, tt.is)
			}
		})
	}
}

func TestImageFolderCancel(t *testing.T) {
	f := newFolderFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := source(t, "dataset.image_folder", map[string]any{"path": f.root}).Open(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

// cacheDir points the user cache folder at a temporary folder and returns
// the folder the image cache goes to.
func cacheDir(t *testing.T) string {
	tmp := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", tmp)
	dir, err := os.UserCacheDir()
	if err != nil || dir != tmp {
		t.Skipf("the user cache folder does not follow XDG_CACHE_HOME on %s", runtime.GOOS)
	}
	return filepath.Join(tmp, "sslrun")
}

// cacheFiles returns the names of the files in dir.
func cacheFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// spoil overwrites every image of f with as many garbage bytes and puts
// back its modification time, so that the cache key stays the same but
// decoding fails; the returned function restores the files.
func spoil(t *testing.T, f *folderFixture) (restore func()) {
	t.Helper()
	var undo []func()
	for _, rel := range f.files {
		file := filepath.Join(f.root, rel)
		info, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		put := func(b []byte) {
			writeFile(t, file, b)
			if err := os.Chtimes(file, info.ModTime(), info.ModTime()); err != nil {
				t.Fatal(err)
			}
		}
		put(bytes.Repeat([]byte{'x'}, len(data)))
		undo = append(undo, func() { put(data) })
	}
	return func() {
		for _, u := range undo {
			u()
		}
	}
}

func TestImageFolderCache(t *testing.T) {
	dir := cacheDir(t)
	f := newFolderFixture(t)
	params := map[string]any{"path": f.root, "cache": true}
	want := f.want(t, false)

	// A miss decodes and writes one cache file, nothing else.
	d := openSet(t, "dataset.image_folder", params)
	if diff := cmp.Diff(want, samples(t, d)); diff != "" {
		t.Fatalf("first open (-want +got):\n%s", diff)
	}
	names := cacheFiles(t, dir)
	if len(names) != 1 || !strings.HasPrefix(names[0], "image_folder-") {
		t.Fatalf("cache folder holds %q, want one image_folder-* file", names)
	}
	cacheFile := filepath.Join(dir, names[0])
	written, err := os.ReadFile(cacheFile)
	if err != nil {
		t.Fatal(err)
	}

	// A hit reads no image: spoilt images with unchanged sizes and times
	// still give the decoded set.
	restore := spoil(t, f)
	d = openSet(t, "dataset.image_folder", params)
	if diff := cmp.Diff(want, samples(t, d)); diff != "" {
		t.Errorf("cache hit (-want +got):\n%s", diff)
	}
	if _, err := openErr(t, "dataset.image_folder", map[string]any{"path": f.root}); err == nil {
		t.Fatal("spoilt images decode without the cache: the test proves nothing")
	}

	// A damaged cache is never trusted: with spoilt images opening fails,
	// with good ones the file is rewritten.
	for _, damage := range []struct {
		name string
		data []byte
	}{
		{"flipped byte", func() []byte { b := bytes.Clone(written); b[len(b)/2] ^= 1; return b }()},
		{"truncated", written[:len(written)/2]},
		{"empty", nil},
	} {
		t.Run(damage.name, func(t *testing.T) {
			writeFile(t, cacheFile, damage.data)
			if _, err := openErr(t, "dataset.image_folder", params); err == nil {
				t.Fatal("a damaged cache was used")
			}
			restore()
			defer func() { restore = spoil(t, f) }()
			d := openSet(t, "dataset.image_folder", params)
			if diff := cmp.Diff(want, samples(t, d)); diff != "" {
				t.Errorf("after rewriting (-want +got):\n%s", diff)
			}
			if again, _ := os.ReadFile(cacheFile); !bytes.Equal(again, written) {
				t.Error("the damaged cache file was not rewritten as before")
			}
		})
	}
	restore()

	// A changed file makes a new key, and a new cache file.
	touched := filepath.Join(f.root, f.files[0])
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(touched, later, later); err != nil {
		t.Fatal(err)
	}
	openSet(t, "dataset.image_folder", params)
	if names := cacheFiles(t, dir); len(names) != 2 {
		t.Errorf("after touching %s the cache folder holds %q, want two files", touched, names)
	}
}

// BenchmarkImageFolderDecode measures preloading a folder of JPEGs (the
// synthetic set saved at quality 95) on all GOMAXPROCS workers.
func BenchmarkImageFolderDecode(b *testing.B) {
	for _, bc := range []struct{ side, n int }{{32, 2000}, {224, 200}} {
		b.Run(fmt.Sprintf("%dx%d", bc.side, bc.side), func(b *testing.B) {
			root := b.TempDir()
			d := openSet(b, "dataset.synthetic", map[string]any{"size": bc.n, "image_size": bc.side})
			for i := range d.Len() {
				img, err := d.Image(i)
				if err != nil {
					b.Fatal(err)
				}
				writeImage(b, filepath.Join(root, d.Classes()[d.Label(i)], fmt.Sprintf("%05d.jpg", i)), img.NRGBA())
			}
			src := source(b, "dataset.image_folder", map[string]any{"path": root, "image_size": bc.side})
			for b.Loop() {
				if _, err := src.Open(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(bc.n*b.N)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
