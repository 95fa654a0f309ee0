package dataset

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // registers the JPEG decoder with image.Decode
	_ "image/png"  // registers the PNG decoder with image.Decode
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "dataset.image_folder",
		Doc: "PNG and JPEG files in path/<class>/, labelled by sorted class folder, or an unlabeled tree of images",
		Params: []registry.Param{
			{Name: "path", Type: registry.Path, Doc: "folder with one subfolder of images per class (any tree of images when unlabeled)", MustExist: true},
			{Name: "unlabeled", Type: registry.Bool, Doc: "read every image under path, recursively, with label -1 instead of one class per subfolder", Default: false},
			{Name: "image_size", Type: registry.Int, Doc: "required width and height of every image in pixels (0: any size)", Default: 0, Range: registry.AtLeast(0)},
			{Name: "preload", Type: registry.Bool, Doc: "decode every image into memory on open, each at its own size (3 bytes a pixel); false decodes each image when it is used", Default: true},
			{Name: "cache", Type: registry.Bool, Doc: "keep the decoded set in the user cache folder (sslrun/) and reuse it while the files are unchanged", Default: false},
			{Name: "max_pixels", Type: registry.Int, Doc: "largest image (width x height) that is decoded; a larger one is refused from its header, before decoding, as a possible decompression bomb (PIL's Image.MAX_IMAGE_PIXELS)", Default: defaultMaxPixels, Range: registry.AtLeast(1)},
		},
		New: func(v registry.Values) (any, error) {
			f := &imageFolder{
				path:      v.String("path"),
				unlabeled: v.Bool("unlabeled"),
				size:      v.Int("image_size"),
				preload:   v.Bool("preload"),
				cache:     v.Bool("cache"),
				maxPixels: v.Int("max_pixels"),
			}
			if f.cache && !f.preload {
				return nil, &registry.ParamError{Param: "cache", Msg: "needs preload = true: the cache holds the decoded set"}
			}
			return f, nil
		},
	})
}

// imageFolder is the dataset.image_folder source.
type imageFolder struct {
	path      string
	unlabeled bool
	size      int // required width and height, 0 for any
	preload   bool
	cache     bool
	maxPixels int // largest width x height decoded
}

// defaultMaxPixels is the default max_pixels: PIL's Image.MAX_IMAGE_PIXELS,
// the bound torchvision users know (about 9459 x 9459 pixels).
const defaultMaxPixels = 89_478_485

// Open lists the folder, then decodes every image (or, with cache, reads
// the decoded set from the cache), or for preload = false reads only the
// header of the first one, which sets the channel count of the set.
func (f *imageFolder) Open(ctx context.Context) (Dataset, error) {
	l, err := listImageFolder(f.path, f.unlabeled)
	if err != nil {
		return nil, err
	}
	switch {
	case f.cache:
		return f.openCached(ctx, l)
	case f.preload:
		return f.decodeAll(ctx, l)
	}
	return f.openLazily(l)
}

var _ LazyOpener = (*imageFolder)(nil)

// OpenLazily lists the folder and reads the header of its first image, as
// Open does with preload = false (and without the cache).
func (f *imageFolder) OpenLazily(context.Context) (Dataset, error) {
	l, err := listImageFolder(f.path, f.unlabeled)
	if err != nil {
		return nil, err
	}
	return f.openLazily(l)
}

// openLazily opens the listed folder as with preload = false.
func (f *imageFolder) openLazily(l *folderListing) (*folderSet, error) {
	c, _, _, err := f.probeFile(l.file(0))
	if err != nil {
		return nil, err
	}
	return &folderSet{folderListing: l, c: c, size: f.size, maxPixels: f.maxPixels}, nil
}

var _ Prober = (*imageFolder)(nil)

// Probe lists the folder and reads the header of its first image only,
// which fixes the channel count of the set (and its size when the images
// share one).
func (f *imageFolder) Probe() (c, h, w int, err error) {
	l, err := listImageFolder(f.path, f.unlabeled)
	if err != nil {
		return 0, 0, 0, err
	}
	return f.probeFile(l.file(0))
}

// probeFile reads the header of one image and checks its size against
// image_size and max_pixels, without decoding its pixels.
func (f *imageFolder) probeFile(file string) (c, h, w int, err error) {
	r, err := os.Open(file)
	if err != nil {
		return 0, 0, 0, err
	}
	defer r.Close()
	cfg, _, err := image.DecodeConfig(bufio.NewReader(r))
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%s: corrupt or truncated image: %w", file, err)
	}
	if err := checkPixels(file, cfg.Width, cfg.Height, f.maxPixels); err != nil {
		return 0, 0, 0, err
	}
	if err := checkImageSize(file, f.size, cfg.Height, cfg.Width); err != nil {
		return 0, 0, 0, err
	}
	return imaging.Channels(cfg.ColorModel), cfg.Height, cfg.Width, nil
}

// folderListing is the sorted list of the image files of a folder.
type folderListing struct {
	root string
	// files are the image paths relative to root, class folders in sorted
	// order and files in sorted order within each.
	files []string
	// labels are the class indices of files, nil when unlabeled.
	labels  []int32
	classes []string
}

// file returns the path of image i.
func (l *folderListing) file(i int) string { return filepath.Join(l.root, l.files[i]) }

// maxFolderDepth bounds how deep folders nest, which stops a loop of
// symbolic links.
const maxFolderDepth = 64

// listImageFolder lists the images under root: those of each class folder
// (labels in sorted folder order), or with unlabeled every image in the
// tree. Hidden files and folders (".name") are skipped, symbolic links are
// followed.
func listImageFolder(root string, unlabeled bool) (*folderListing, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("image folder: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("image folder %s is not a folder", root)
	}
	l := &folderListing{root: root}
	if unlabeled {
		if err := walkImages(root, "", 0, &l.files); err != nil {
			return nil, err
		}
		if len(l.files) == 0 {
			return nil, fmt.Errorf("image folder %s holds no .png, .jpg or .jpeg files", root)
		}
		return l, nil
	}
	entries, err := os.ReadDir(root) // sorted by name
	if err != nil {
		return nil, fmt.Errorf("image folder: %w", err)
	}
	loose := 0
	for _, e := range entries {
		if hidden(e.Name()) {
			continue
		}
		if !isDir(root, e) {
			if isImageName(e.Name()) {
				loose++
			}
			continue
		}
		before := len(l.files)
		if err := walkImages(root, e.Name(), 1, &l.files); err != nil {
			return nil, err
		}
		if len(l.files) == before {
			return nil, fmt.Errorf("class folder %s holds no .png, .jpg or .jpeg files", filepath.Join(root, e.Name()))
		}
		label := int32(len(l.classes))
		l.classes = append(l.classes, e.Name())
		for range len(l.files) - before {
			l.labels = append(l.labels, label)
		}
	}
	if len(l.classes) == 0 {
		if loose > 0 {
			return nil, fmt.Errorf("image folder %s has no class folders, only images directly inside (%d of them): set unlabeled = true to read them without labels", root, loose)
		}
		return nil, fmt.Errorf("image folder %s holds no class folders (want %s)", root, filepath.Join(root, "<class>", "*.jpg"))
	}
	return l, nil
}

// walkImages appends to out the images under root/rel, recursively, as
// paths relative to root, in sorted order.
func walkImages(root, rel string, depth int, out *[]string) error {
	dir := filepath.Join(root, rel)
	if depth > maxFolderDepth {
		return fmt.Errorf("%s: folders nest more than %d deep (a loop of symbolic links?)", dir, maxFolderDepth)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("image folder: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if hidden(name) {
			continue
		}
		switch {
		case isDir(dir, e):
			if err := walkImages(root, filepath.Join(rel, name), depth+1, out); err != nil {
				return err
			}
		case isImageName(name):
			*out = append(*out, filepath.Join(rel, name))
		}
	}
	return nil
}

func hidden(name string) bool { return strings.HasPrefix(name, ".") }

// isDir reports whether the entry of dir is a folder or a symbolic link to
// one.
func isDir(dir string, e fs.DirEntry) bool {
	if e.Type()&fs.ModeSymlink == 0 {
		return e.IsDir()
	}
	info, err := os.Stat(filepath.Join(dir, e.Name()))
	return err == nil && info.IsDir()
}

// isImageName reports whether name has an image extension, in any case.
func isImageName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// decodeFile reads and decodes one image into planar bytes (see
// imaging.PlanarU8 for the channels). Its header is read first: an image
// of more than maxPixels pixels is refused before anything is allocated for
// its pixels.
func decodeFile(file string, maxPixels int) (c, h, w int, pix []uint8, err error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0, 0, nil, fmt.Errorf("%s: corrupt or truncated image: %w", file, err)
	}
	if err := checkPixels(file, cfg.Width, cfg.Height, maxPixels); err != nil {
		return 0, 0, 0, nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return 0, 0, 0, nil, fmt.Errorf("%s: corrupt or truncated image: %w", file, err)
	}
	c, h, w, pix = imaging.PlanarU8(img)
	return c, h, w, pix, nil
}

// checkPixels refuses a w x h image of more than maxPixels pixels.
func checkPixels(file string, w, h, maxPixels int) error {
	if n := int64(w) * int64(h); n > int64(maxPixels) {
		return fmt.Errorf("%s is %dx%d pixels (%d), more than max_pixels = %d: a possible decompression bomb, refused before decoding; raise max_pixels of the dataset block to read it", file, w, h, n, maxPixels)
	}
	return nil
}

// checkImageSize checks an h x w image against image_size (0: any size).
func checkImageSize(file string, size, h, w int) error {
	if size > 0 && (h != size || w != size) {
		return fmt.Errorf("%s is %dx%d pixels, want %dx%d (image_size = %d)", file, w, h, size, size, size)
	}
	return nil
}

// matchChannels returns the c-channel image pix with want channels: the
// first image of a set fixes its channel count, a gray image in a colour set
// is repeated into R, G and B, and a colour image in a gray set is an error.
func matchChannels(file string, c, want int, pix []uint8, first string) ([]uint8, error) {
	switch {
	case c == want:
		return pix, nil
	case c == 1 && want == 3:
		out := make([]uint8, 3*len(pix))
		for k := range 3 {
			copy(out[k*len(pix):], pix)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s has %d channels but %s, the first image, has %d: the images of a set must all be colour or all be gray", file, c, first, want)
}

// decodeAll decodes every image of l in parallel into one memory set, each
// at its own size. The first image fixes the channel count; the error names
// the first file (in listing order) that fails.
func (f *imageFolder) decodeAll(ctx context.Context, l *folderListing) (*memorySet, error) {
	first := l.file(0)
	c, h, w, pix0, err := decodeFile(first, f.maxPixels)
	if err != nil {
		return nil, err
	}
	if err := checkImageSize(first, f.size, h, w); err != nil {
		return nil, err
	}
	set := &memorySet{c: c, h: h, w: w, pix: make([][]uint8, len(l.files)), sizes: make([]imageSize, len(l.files)),
		labels: l.labels, classes: l.classes}
	set.pix[0], set.sizes[0] = pix0, imageSize{int32(h), int32(w)}
	err = parallel(ctx, len(l.files)-1, func(j int) error {
		i := j + 1
		file := l.file(i)
		ci, hi, wi, p, err := decodeFile(file, f.maxPixels)
		if err != nil {
			return err
		}
		if err := checkImageSize(file, f.size, hi, wi); err != nil {
			return err
		}
		set.sizes[i] = imageSize{int32(hi), int32(wi)}
		if set.pix[i], err = matchChannels(file, ci, c, p, first); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	set.compactSizes()
	return set, nil
}

// folderSet is an image folder opened with preload = false: each image is
// read and decoded when it is asked for.
type folderSet struct {
	*folderListing
	c         int // channel count, the first image's
	size      int // image_size
	maxPixels int
}

var _ Dataset = (*folderSet)(nil)

func (s *folderSet) Len() int { return len(s.files) }

func (s *folderSet) Image(i int) (*imaging.Image, error) {
	if i < 0 || i >= len(s.files) {
		return nil, fmt.Errorf("image index %d out of range [0, %d)", i, len(s.files))
	}
	file := s.file(i)
	c, h, w, pix, err := decodeFile(file, s.maxPixels)
	if err != nil {
		return nil, err
	}
	if err := checkImageSize(file, s.size, h, w); err != nil {
		return nil, err
	}
	if pix, err = matchChannels(file, c, s.c, pix, s.file(0)); err != nil {
		return nil, err
	}
	return imaging.FromU8(s.c, h, w, pix), nil
}

func (s *folderSet) Label(i int) int {
	if s.labels == nil {
		return -1
	}
	return int(s.labels[i])
}

func (s *folderSet) Classes() []string { return s.classes }
