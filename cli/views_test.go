package cli

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/internal/pipeline"
)

// TestViewsPictureBounds: a picture over the bound is refused before it
// is drawn, with its size and the flags to lower; a set smaller than
// --images draws all its images.
func TestViewsPictureBounds(t *testing.T) {
	path := writeSpec(t, synthSpec)
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr []string
		height int // of the picture written, when code is 0
	}{
		{"scale 100", []string{"--scale", "100"}, 2, []string{"19214 x 25618 pixels (492 megapixels)", "limit of 100 megapixels", "lower --scale (now 100) or --images (now 8)"}, 0},
		{"200 images at scale 64", []string{"--images", "200", "--scale", "64"}, 2, []string{"12302 x 131202 pixels", "--scale (now 64) or --images (now 64)"}, 0},
		{"the largest scale", []string{"--scale", "9223372036854775807"}, 2, []string{"--scale (now 9223372036854775807)"}, 0},
		{"one row too wide", []string{"--images", "1", "--scale", "3000"}, 2, []string{"576014 x 96004 pixels", "lower --scale (now 3000)"}, 0},
		{"more images than the set", []string{"--images", "500"}, 0, nil, 64*98 + 2},
		{"many images at scale 1, as compare_views.py reads them", []string{"--images", "2000", "--scale", "1"}, 0, nil, 64*34 + 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "views.png")
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			code, _, stderr := sslrun(t, append([]string{"views", path, "--out", out}, tt.args...)...)
			runtime.ReadMemStats(&after)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, stderr)
			}
			for _, part := range tt.stderr {
				if !strings.Contains(stderr, part) {
					t.Errorf("stderr lacks %q:\n%s", part, stderr)
				}
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
				t.Errorf("views allocated %d MiB", alloc>>20)
			}
			b, err := os.ReadFile(out)
			if tt.code != 0 {
				if err == nil {
					t.Error("a refused picture was written")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := png.DecodeConfig(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Height != tt.height {
				t.Errorf("picture is %d pixels high, want %d", cfg.Height, tt.height)
			}
		})
	}
}

// TestViewsDecodesOnlyDrawnImages: views decodes the images it draws and
// no other, even with the default preload, and draws them in the order of
// the epoch's permutation of the whole set.
func TestViewsDecodesOnlyDrawnImages(t *testing.T) {
	const n, drawn, seed = 12, 3, 5
	root := t.TempDir()
	colour := func(i int) color.NRGBA { return color.NRGBA{uint8(20 * i), uint8(255 - 20*i), uint8(7 * i), 255} }
	order := pipeline.Order(seed, 0, n)
	for i := range n {
		file := filepath.Join(root, "a", fmt.Sprintf("%02d.png", i))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
		for k := range img.Pix {
			img.Pix[k] = []uint8{colour(i).R, colour(i).G, colour(i).B, 255}[k%4]
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		data := buf.Bytes()
		switch {
		case slices.Contains(order[:drawn], i):
		case i == 0:
			// The first image's header sets the channel count of the set:
			// it is read, but not the pixels that follow it.
			data = data[:33]
		default:
			data = []byte("not an image: views must not decode it")
		}
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := writeSpec(t, fmt.Sprintf(`
experiment "folder" { seed = %d }
dataset "image_folder" "train" { path = %q }
view "global" {
  count = 2
  augment "random_resized_crop" { size = 8 }
}
`, seed, root))
	out := filepath.Join(t.TempDir(), "views.png")
	if code, _, stderr := sslrun(t, "views", path, "--out", out, "--images", fmt.Sprint(drawn)); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	pic, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	// Cells of 8 pixels scaled by 12, 2-pixel gaps: the centre of row r's
	// first cell shows the original image order[r].
	var got, want []color.NRGBA
	for r := range drawn {
		got = append(got, color.NRGBAModel.Convert(pic.At(2+48, 2+r*98+48)).(color.NRGBA))
		want = append(want, colour(order[r]))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("originals drawn (-want +got):\n%s", diff)
	}
}
