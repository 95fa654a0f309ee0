package cli

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"strings"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/internal/atomicfile"
	"github.com/sslrun/sslrun/internal/pipeline"
	"github.com/sslrun/sslrun/internal/spec"
)

// maxPicturePixels bounds the picture views draws (width x height; 400 MB
// as RGBA): a larger one takes gigabytes to draw. A tall one of many images
// at scale 1, as scripts/compare_views.py reads, stays well within it.
const maxPicturePixels = 100_000_000

func runViews(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("views", stderr)
	n := fs.Int("images", 8, "number of training images (rows)")
	out := fs.String("out", "views.png", "PNG file to write")
	name := fs.String("dataset", "train", "dataset block to draw images from")
	epoch := fs.Int("epoch", 0, "epoch whose order and views are drawn")
	scale := fs.Int("scale", 0, "integer magnification (0: so the largest view is at least 96 pixels)")
	vars := varFlags{}
	fs.Var(vars, "var", "set a variable: --var name=value (repeatable)")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(files) != 1:
		return usagef("want exactly one spec file")
	case *n < 1:
		return usagef("--images must be at least 1")
	case *epoch < 0:
		return usagef("--epoch must be at least 0")
	case *scale < 0:
		return usagef("--scale must be at least 0")
	}
	exp, err := spec.LoadFile(files[0], spec.Options{Vars: vars})
	if err != nil {
		return err
	}
	if len(exp.Views) == 0 {
		return fmt.Errorf("%s has no view blocks", files[0])
	}
	// Lazily: only the images drawn are decoded.
	data, err := pipeline.OpenDatasetLazily(ctx, exp, *name)
	if err != nil {
		return err
	}
	views, err := pipeline.BuildViews(exp)
	if err != nil {
		return err
	}
	seed := uint64(exp.Seed)
	order := pipeline.Order(seed, *epoch, data.Len())
	drawn := order[:min(*n, len(order))]
	// row returns image i followed by every view of it, displayable.
	row := func(i int) ([]*imaging.Image, error) {
		img, err := data.Image(i)
		if err != nil {
			return nil, err
		}
		out := []*imaging.Image{img}
		made := pipeline.Apply(views, img, seed, *epoch, i)
		k := 0
		for _, v := range views {
			for range v.Count {
				out = append(out, pipeline.Display(v, made[k]))
				k++
			}
		}
		return out, nil
	}
	// A first pass measures the rows, so that the picture is checked
	// before it is allocated; the second draws them one at a time.
	l := imaging.SheetLayout{Rows: len(drawn), Scale: *scale, Gap: 2}
	for k, i := range drawn {
		r, err := row(i)
		if err != nil {
			return err
		}
		if k == 0 {
			if err := pipeline.CheckChannels(views, r[0].C); err != nil {
				return err
			}
		}
		l.Cols = max(l.Cols, len(r))
		for _, m := range r {
			l.CellW, l.CellH = max(l.CellW, m.W), max(l.CellH, m.H)
		}
	}
	if l.Scale == 0 {
		largest := max(l.CellW, l.CellH)
		l.Scale = max(1, (96+largest-1)/largest)
	}
	if err := checkPicture(l); err != nil {
		return err
	}
	sheet := l.New()
	for r, i := range drawn {
		images, err := row(i)
		if err != nil {
			return err
		}
		for c, m := range images {
			l.Draw(sheet, r, c, m)
		}
	}
	if err := writePNG(*out, sheet); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d images, each followed by its %d views (seed %d, epoch %d)\n",
		*out, len(drawn), exp.ViewCount(), exp.Seed, *epoch)
	return nil
}

// checkPicture refuses a sheet over the picture bounds, saying how large it
// would be and which flags make it smaller.
func checkPicture(l imaging.SheetLayout) error {
	w, h := l.Size()
	if w*h <= maxPicturePixels {
		return nil
	}
	var lower []string
	if l.Scale > 1 {
		lower = append(lower, fmt.Sprintf("--scale (now %d)", l.Scale))
	}
	if l.Rows > 1 {
		lower = append(lower, fmt.Sprintf("--images (now %d)", l.Rows))
	}
	fix := "lower " + strings.Join(lower, " or ")
	if len(lower) == 0 {
		fix = fmt.Sprintf("the images are too large to draw (the largest is %dx%d pixels)", l.CellW, l.CellH)
	}
	return usagef("the picture would be %.0f x %.0f pixels (%.0f megapixels), over the limit of %d megapixels: %s",
		w, h, w*h/1e6, maxPicturePixels/1_000_000, fix)
}

func writePNG(path string, img image.Image) error {
	return atomicfile.Write(path, func(w io.Writer) error { return png.Encode(w, img) })
}
