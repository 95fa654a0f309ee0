package imaging

import (
	"image"
	"image/color"
	"image/draw"
)

// Sheet lays out rows of images as one picture: every image is scaled up by
// the integer factor scale (nearest neighbour, so pixels stay visible) and
// placed in a cell as large as the largest image, separated by gap pixels of
// white.
func Sheet(rows [][]*Image, scale, gap int) *image.NRGBA {
	cellW, cellH, cols := 0, 0, 0
	for _, row := range rows {
		cols = max(cols, len(row))
		for _, m := range row {
			cellW, cellH = max(cellW, m.W*scale), max(cellH, m.H*scale)
		}
	}
	w := cols*cellW + (cols+1)*gap
	h := len(rows)*cellH + (len(rows)+1)*gap
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	for r, row := range rows {
		for c, m := range row {
			x0 := gap + c*(cellW+gap) + (cellW-m.W*scale)/2
			y0 := gap + r*(cellH+gap) + (cellH-m.H*scale)/2
			src := m.NRGBA()
			for y := 0; y < m.H*scale; y++ {
				for x := 0; x < m.W*scale; x++ {
					out.SetNRGBA(x0+x, y0+y, src.NRGBAAt(x/scale, y/scale))
				}
			}
		}
	}
	return out
}
