package imaging

import (
	"image"
	"image/color"
	"image/draw"
)

// SheetLayout is the geometry of a sheet of images: Rows x Cols cells, each
// as large as the largest image scaled up by the integer factor Scale,
// separated by Gap pixels of white.
type SheetLayout struct {
	Rows, Cols int
	// CellW and CellH are the largest width and height of an image, unscaled.
	CellW, CellH int
	Scale, Gap   int
}

// Size returns the width and height of the sheet in pixels, in float64 so
// that a sheet too large to draw is measured without overflow.
func (l SheetLayout) Size() (w, h float64) {
	side := func(cells, cell int) float64 {
		return float64(cells)*float64(cell)*float64(l.Scale) + float64(cells+1)*float64(l.Gap)
	}
	return side(l.Cols, l.CellW), side(l.Rows, l.CellH)
}

// New returns the sheet, white, for Draw to fill.
func (l SheetLayout) New() *image.NRGBA {
	w, h := l.Size()
	out := image.NewNRGBA(image.Rect(0, 0, int(w), int(h)))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	return out
}

// Draw places m, scaled up (nearest neighbour, so pixels stay visible), in
// the centre of the cell at row r and column c of sheet.
func (l SheetLayout) Draw(sheet *image.NRGBA, r, c int, m *Image) {
	cellW, cellH, s := l.CellW*l.Scale, l.CellH*l.Scale, l.Scale
	x0 := l.Gap + c*(cellW+l.Gap) + (cellW-m.W*s)/2
	y0 := l.Gap + r*(cellH+l.Gap) + (cellH-m.H*s)/2
	src := m.NRGBA()
	for y := 0; y < m.H*s; y++ {
		for x := 0; x < m.W*s; x++ {
			sheet.SetNRGBA(x0+x, y0+y, src.NRGBAAt(x/s, y/s))
		}
	}
}
