package main

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"io"

	"github.com/sslrun/sslrun/atomicfile"
	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/pipeline"
	"github.com/sslrun/sslrun/spec"
)

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
	data, err := pipeline.OpenDataset(ctx, exp, *name)
	if err != nil {
		return err
	}
	views, err := pipeline.BuildViews(exp)
	if err != nil {
		return err
	}
	order := pipeline.Order(uint64(exp.Seed), *epoch, data.Len())
	rows := make([][]*imaging.Image, 0, *n)
	largest := 0
	for _, i := range order[:min(*n, len(order))] {
		img, err := data.Image(i)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			if err := pipeline.CheckChannels(views, img.C); err != nil {
				return err
			}
		}
		row := []*imaging.Image{img}
		made := pipeline.Apply(views, img, uint64(exp.Seed), *epoch, i)
		k := 0
		for _, v := range views {
			for range v.Count {
				row = append(row, pipeline.Display(v, made[k]))
				k++
			}
		}
		for _, m := range row {
			largest = max(largest, m.H, m.W)
		}
		rows = append(rows, row)
	}
	s := *scale
	if s == 0 {
		s = max(1, (96+largest-1)/largest)
	}
	if err := writePNG(*out, imaging.Sheet(rows, s, 2)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d images, each followed by its %d views (seed %d, epoch %d)\n",
		*out, len(rows), exp.ViewCount(), exp.Seed, *epoch)
	return nil
}

func writePNG(path string, img image.Image) error {
	return atomicfile.Write(path, func(w io.Writer) error { return png.Encode(w, img) })
}
