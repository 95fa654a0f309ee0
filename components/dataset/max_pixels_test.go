package dataset

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image/png"
	"path/filepath"
	"runtime"
	"testing"
)

// bombPNG returns a valid 8x8 PNG whose header is rewritten to declare w x h
// pixels (with a correct CRC): what a decompression bomb's header says,
// without its megabytes of compressed zeros.
func bombPNG(t testing.TB, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, pattern(8, 8, 1, false)); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// Signature (8 bytes), IHDR length (4), "IHDR" (4), then width and
	// height; the CRC covers the type and the 13 data bytes.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// TestImageFolderMaxPixels: an image over max_pixels is refused from its
// header, whether it is the first image or a later one, preloaded or not,
// with an error naming the file, its size, the bound and the parameter to
// raise; one at the bound is read.
func TestImageFolderMaxPixels(t *testing.T) {
	const w, h = 12, 10
	folders := []struct {
		name  string
		sizes [][2]int // width and height of a/0.png, a/1.png
		big   string   // the file over the bound
	}{
		{"first", [][2]int{{w, h}, {w, h}}, "0.png"},
		{"second", [][2]int{{4, 4}, {w, h}}, "1.png"},
	}
	for _, folder := range folders {
		root := t.TempDir()
		for i, size := range folder.sizes {
			writeImage(t, filepath.Join(root, "a", fmt.Sprintf("%d.png", i)), pattern(size[0], size[1], uint8(i), false))
		}
		big := filepath.Join(root, "a", folder.big)
		for _, preload := range []bool{true, false} {
			for _, tt := range []struct {
				max int
				ok  bool
			}{{w * h, true}, {w*h - 1, false}, {64, false}} {
				t.Run(fmt.Sprintf("%s/preload=%t/max_pixels=%d", folder.name, preload, tt.max), func(t *testing.T) {
					d, err := openErr(t, "dataset.image_folder", map[string]any{"path": root, "preload": preload, "max_pixels": tt.max})
					for i := 0; err == nil && i < d.Len(); i++ {
						_, err = d.Image(i)
					}
					if tt.ok {
						if err != nil {
							t.Fatal(err)
						}
						return
					}
					wantErr(t, err, big, "12x10", "(120)", fmt.Sprintf("max_pixels = %d", tt.max), "raise max_pixels")
				})
			}
		}
	}
}

// TestImageFolderBomb: a PNG whose header declares 20000 x 20000 pixels is
// refused at the default bound (PIL's) by Open with or without preload and
// by Probe, before the decoder allocates its 1.6 GB of pixels.
func TestImageFolderBomb(t *testing.T) {
	root := t.TempDir()
	bomb := filepath.Join(root, "a", "bomb.png")
	writeFile(t, bomb, bombPNG(t, 20000, 20000))
	open := func(s Source) error { _, err := s.Open(context.Background()); return err }
	tests := []struct {
		name    string
		preload bool
		read    func(Source) error
	}{
		{"preload", true, open},
		{"lazy", false, open},
		{"probe", true, func(s Source) error { _, _, _, err := s.(Prober).Probe(); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := source(t, "dataset.image_folder", map[string]any{"path": root, "preload": tt.preload})
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := tt.read(src)
			runtime.ReadMemStats(&after)
			wantErr(t, err, bomb, "20000x20000", "(400000000)", "max_pixels = 89478485")
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("refusing the image allocated %d MiB", alloc>>20)
			}
		})
	}
}
