package dataset

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
)

// The decoded-set cache of dataset.image_folder. A cache file is named by a
// hash of everything the decoded set depends on (see cacheKey), so a change
// to any file makes a new one; it ends with the SHA-256 of its contents and
// is read only when that and every field check out. Anything else is a
// miss: the set is decoded again and the file rewritten.
//
// Layout, little-endian: magic, version (u32), key (32 bytes), c, n (u32
// each), labelled (u8), class count (u32) then each class name (u32
// length, bytes), n labels (i32) when labelled, each image's height and
// width (u32 each), the c*h*w pixel bytes of every image, and the SHA-256 of
// all the bytes before it.

var cacheMagic = [8]byte{'s', 's', 'l', 'r', 'u', 'n', 'D', 'S'}

// cacheVersion changes whenever the layout or the decoding changes (2: JPEG
// chroma upsampled as libjpeg does, see imaging.PlanarU8; 3: each image
// keeps its own size).
const cacheVersion = 3

// errCorruptCache is what readCache returns for a file it cannot trust.
var errCorruptCache = errors.New("corrupt cache file")

// openCached returns the decoded set of l from the cache, or decodes it and
// stores it there.
func (f *imageFolder) openCached(ctx context.Context, l *folderListing) (*memorySet, error) {
	key, err := f.cacheKey(l)
	if err != nil {
		return nil, err
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return nil, fmt.Errorf("image folder cache: %w", err)
	}
	file := filepath.Join(dir, "sslrun", fmt.Sprintf("image_folder-%x.bin", key[:16]))
	if set, err := readCache(file, key); err == nil && set.Len() == len(l.files) {
		return set, nil
	}
	set, err := f.decodeAll(ctx, l)
	if err != nil {
		return nil, err
	}
	if err := writeCache(file, key, set); err != nil {
		return nil, fmt.Errorf("image folder cache: %w", err)
	}
	return set, nil
}

// cacheKey hashes what the decoded set depends on: the cache version, the
// parameters that shape it, and each file's relative name, label, size and
// modification time.
func (f *imageFolder) cacheKey(l *folderListing) ([32]byte, error) {
	h := sha256.New()
	fmt.Fprintf(h, "sslrun image_folder cache %d\nunlabeled=%t image_size=%d max_pixels=%d\n", cacheVersion, f.unlabeled, f.size, f.maxPixels)
	for i, rel := range l.files {
		info, err := os.Stat(l.file(i))
		if err != nil {
			return [32]byte{}, fmt.Errorf("image folder: %w", err)
		}
		label := int32(-1)
		if l.labels != nil {
			label = l.labels[i]
		}
		fmt.Fprintf(h, "%q %d %d %d\n", filepath.ToSlash(rel), label, info.Size(), info.ModTime().UnixNano())
	}
	var key [32]byte
	h.Sum(key[:0])
	return key, nil
}

// writeCache stores set in file atomically: it writes a temporary file in
// the same folder and renames it.
func writeCache(file string, key [32]byte, set *memorySet) (err error) {
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".image_folder-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	sum := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(tmp, sum), 1<<20)
	u32 := func(x int) { binary.Write(w, binary.LittleEndian, uint32(x)) }
	w.Write(cacheMagic[:])
	u32(cacheVersion)
	w.Write(key[:])
	u32(set.c)
	u32(set.Len())
	if set.labels != nil {
		w.WriteByte(1)
	} else {
		w.WriteByte(0)
	}
	u32(len(set.classes))
	for _, name := range set.classes {
		u32(len(name))
		w.WriteString(name)
	}
	if set.labels != nil {
		binary.Write(w, binary.LittleEndian, set.labels)
	}
	for i := range set.pix {
		h, w := set.size(i)
		u32(h)
		u32(w)
	}
	for _, p := range set.pix {
		w.Write(p)
	}
	// bufio.Writer keeps its first error and returns it from Flush.
	if err := w.Flush(); err != nil {
		return err
	}
	if _, err := tmp.Write(sum.Sum(nil)); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

// readCache reads the set stored in file under key. Any mismatch or damage
// gives errCorruptCache; a missing file gives the fs error.
func readCache(file string, key [32]byte) (*memorySet, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if len(data) < sha256.Size {
		return nil, errCorruptCache
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, errCorruptCache
	}
	r := &cacheReader{buf: body}
	if !bytes.Equal(r.bytes(len(cacheMagic)), cacheMagic[:]) || r.u32() != cacheVersion || !bytes.Equal(r.bytes(len(key)), key[:]) {
		return nil, errCorruptCache
	}
	set := &memorySet{c: r.u32()}
	n := r.u32()
	labelled := r.bytes(1)
	classes := r.u32()
	for range min(classes, len(r.buf)) {
		set.classes = append(set.classes, string(r.bytes(r.u32())))
	}
	if r.failed || len(set.classes) != classes || len(labelled) != 1 || labelled[0] > 1 || n < 1 || n > len(r.buf) || set.c < 1 || set.c > 4 {
		return nil, errCorruptCache
	}
	if labelled[0] == 1 {
		raw := r.bytes(4 * n)
		if raw == nil {
			return nil, errCorruptCache
		}
		set.labels = make([]int32, len(raw)/4)
		for i := range set.labels {
			set.labels[i] = int32(binary.LittleEndian.Uint32(raw[4*i:]))
			if set.labels[i] < 0 || int(set.labels[i]) >= classes {
				return nil, errCorruptCache
			}
		}
	}
	sizes := r.bytes(8 * n)
	if sizes == nil {
		return nil, errCorruptCache
	}
	set.sizes = make([]imageSize, n)
	total := 0 // pixel bytes of the images so far, at most len(r.buf)
	for i := range set.sizes {
		h, w := binary.LittleEndian.Uint32(sizes[8*i:]), binary.LittleEndian.Uint32(sizes[8*i+4:])
		if h == 0 || w == 0 || h > math.MaxInt32 || w > math.MaxInt32 {
			return nil, errCorruptCache
		}
		size := uint64(set.c) * uint64(h) * uint64(w)
		if size > uint64(len(r.buf)-total) {
			return nil, errCorruptCache
		}
		total += int(size)
		set.sizes[i] = imageSize{int32(h), int32(w)}
	}
	if total != len(r.buf) {
		return nil, errCorruptCache
	}
	pix := r.bytes(total)
	set.pix = make([][]uint8, n)
	for i := range set.pix {
		h, w := int(set.sizes[i].h), int(set.sizes[i].w)
		size := set.c * h * w
		set.pix[i], pix = pix[:size:size], pix[size:]
	}
	set.compactSizes()
	return set, nil
}

// cacheReader consumes a byte slice; reading past its end sets failed and
// returns zero values.
type cacheReader struct {
	buf    []byte
	failed bool
}

func (r *cacheReader) bytes(n int) []byte {
	if r.failed || n < 0 || n > len(r.buf) {
		r.failed = true
		return nil
	}
	b := r.buf[:n]
	r.buf = r.buf[n:]
	return b
}

func (r *cacheReader) u32() int {
	b := r.bytes(4)
	if b == nil {
		return 0
	}
	return int(binary.LittleEndian.Uint32(b))
}
