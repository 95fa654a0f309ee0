package dataset

import (
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

// source builds the source of component id.
func source(t testing.TB, id string, params map[string]any) Source {
	t.Helper()
	src, err := registry.Build[Source](id, params)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// openSet builds and opens component id, failing the test on an error.
func openSet(t testing.TB, id string, params map[string]any) Dataset {
	t.Helper()
	d, err := openErr(t, id, params)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// openErr builds and opens component id and returns Open's error.
func openErr(t testing.TB, id string, params map[string]any) (Dataset, error) {
	t.Helper()
	return source(t, id, params).Open(context.Background())
}

// wantErr fails unless err is non-nil and its message contains every part.
func wantErr(t testing.TB, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", parts)
	}
	t.Logf("error: %v", err)
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

// sample is one opened sample, for comparing whole sets.
type sample struct {
	Image *imaging.Image
	Label int
}

// samples returns every image and label of d.
func samples(t testing.TB, d Dataset) []sample {
	t.Helper()
	out := make([]sample, d.Len())
	for i := range out {
		img, err := d.Image(i)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = sample{img, d.Label(i)}
	}
	return out
}

// pattern is a w x h RGB image whose pixels depend on seed, position and
// channel; gray images have one channel.
func pattern(w, h int, seed uint8, gray bool) image.Image {
	if gray {
		img := image.NewGray(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				img.SetGray(x, y, color.Gray{seed + uint8(7*x+13*y)})
			}
		}
		return img
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{seed + uint8(7*x), seed + uint8(13*y), seed ^ uint8(x*y), 255})
		}
	}
	return img
}

// writeImage writes img to file as PNG or JPEG (quality 95) by its
// extension, creating the folder.
func writeImage(t testing.TB, file string, img image.Image) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if strings.EqualFold(filepath.Ext(file), ".png") {
		err = png.Encode(f, img)
	} else {
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: 95})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// writeFile writes data to file, creating the folder.
func writeFile(t testing.TB, file string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sharedDatasets returns ../shared/datasets next to the repository root
// (the folder holding go.mod), or skips the test when it is absent.
func sharedDatasets(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test's folder, so no ../shared/datasets to read")
		}
		dir = parent
	}
	shared := filepath.Join(filepath.Dir(dir), "shared", "datasets")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("shared data sets not found at %s (they live next to the repository, outside it): %v", shared, err)
	}
	return shared
}
