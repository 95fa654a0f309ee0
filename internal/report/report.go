package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/font/liberation"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The files of a run folder that Plot reads.
const (
	logFile     = "log.jsonl"
	summaryFile = "summary.json"
)

// The size of the PNG, and the padding around the title and the panels.
const (
	width  = 10 * vg.Inch
	height = 6 * vg.Inch
	dpi    = 100
	pad    = 8 * vg.Inch / 72
)

// ErrNoSteps is returned, wrapped with the path of the log, by Plot for a
// run log without step events.
var ErrNoSteps = errors.New("no step events")

// Plot reads the run folder dir (its log.jsonl and, if present, its
// summary.json) and writes the PNG described in the package documentation
// to out.
func Plot(dir string, out io.Writer) error {
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("run folder: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("run folder %s is not a directory", dir)
	}
	logPath := filepath.Join(dir, logFile)
	f, err := os.Open(logPath)
	if err != nil {
		return fmt.Errorf("run log: %w", err)
	}
	defer f.Close()
	l, err := ReadLog(f, logPath)
	if err != nil {
		return err
	}
	if len(l.Steps) == 0 {
		return fmt.Errorf("%s: %w", logPath, ErrNoSteps)
	}
	sum, err := readSummary(filepath.Join(dir, summaryFile))
	if err != nil {
		return err
	}
	return render(l, title(dir, sum, l), out)
}

// summary is the part of summary.json that the title uses.
type summary struct {
	Experiment string           `json:"experiment"`
	Seed       int64            `json:"seed"`
	Steps      int              `json:"steps"`
	Eval       map[string]score `json:"eval"`
}

// score is the top-1 accuracy of an evaluation protocol in summary.json,
// with the score of the randomly initialised network as its baseline and
// that of the raw pixels.
type score struct {
	Top1     float64 `json:"top1"`
	Baseline *score  `json:"baseline"`
	Pixels   *score  `json:"pixels"`
}

// readSummary reads the summary.json at path; it returns nil, nil when
// there is none.
func readSummary(path string) (*summary, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("run summary: %w", err)
	}
	var s summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}

// title returns the figure title: the experiment, seed and steps of the
// summary and the top-1 accuracy of its evaluations, or without a summary
// the experiment and seed of the log's start event and its last step. The
// name of the run folder stands in for a missing experiment name. The
// evaluations follow on lines of their own, as many to a line as fit the
// figure.
func title(dir string, sum *summary, l *Log) string {
	if sum == nil {
		t := l.Experiment
		if t == "" {
			t = folderName(dir)
		}
		if l.Seed != nil {
			t += fmt.Sprintf(" · seed %d", *l.Seed)
		}
		last := l.Steps[len(l.Steps)-1].Step
		return t + fmt.Sprintf(" · step %d (no %s yet)", last, summaryFile)
	}
	name := sum.Experiment
	if name == "" {
		name = folderName(dir)
	}
	t := fmt.Sprintf("%s · seed %d · %d steps", name, sum.Seed, sum.Steps)
	protocols := make([]string, 0, len(sum.Eval))
	for p := range sum.Eval {
		protocols = append(protocols, p)
	}
	slices.Sort(protocols)
	line := ""
	for _, p := range protocols {
		e := sum.Eval[p]
		s := fmt.Sprintf("%s top-1 %.1f%%", p, 100*e.Top1)
		var refs []string
		if e.Baseline != nil {
			refs = append(refs, fmt.Sprintf("init %.1f%%", 100*e.Baseline.Top1))
		}
		if e.Pixels != nil {
			refs = append(refs, fmt.Sprintf("pixels %.1f%%", 100*e.Pixels.Top1))
		}
		if len(refs) > 0 {
			s += " (" + strings.Join(refs, ", ") + ")"
		}
		switch {
		case line == "":
			line = s
		case titleStyle.Width(line+" · "+s) <= width-4*pad:
			line += " · " + s
		default:
			t += "\n" + line
			line = s
		}
	}
	if line != "" {
		t += "\n" + line
	}
	return t
}

// folderName returns the last element of the absolute path of dir.
func folderName(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return filepath.Base(dir)
}

// handler draws every text with a font cache of this package's own, so that
// the rendering does not depend on what other code does to
// plot.DefaultTextHandler and font.DefaultCache.
var handler = text.Plain{Fonts: font.NewCache(liberation.Collection())}

// face returns Liberation Sans at size points.
func face(size vg.Length) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
}

// textStyle returns black Liberation Sans text at size points that starts
// at the point it is drawn at and sits on it.
func textStyle(size vg.Length) text.Style {
	return text.Style{Color: color.Black, Font: face(size), Handler: handler}
}

// titleStyle is the style of the figure title, centred below the point it
// is drawn at.
var titleStyle = func() text.Style {
	s := textStyle(13)
	s.XAlign = draw.XCenter
	s.YAlign = draw.YTop
	return s
}()

// Colours of the curves.
var (
	lossColor  = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	epochColor = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	lrColor    = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}
)

// render draws the curves of l under title and writes them to out as a
// PNG.
func render(l *Log, title string, out io.Writer) error {
	c, _, _, err := layout(l, title)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(out); err != nil {
		return fmt.Errorf("writing PNG: %w", err)
	}
	return nil
}

// legendRoom is the share of the loss panel's height kept free above the
// curves for the legend, which would otherwise hide a flat loss.
const legendRoom = 0.25

// layout draws the curves of l under title on a new canvas and returns it
// with the loss panel, the upper one, and the part of the canvas it is on.
func layout(l *Log, title string) (*vgimg.Canvas, *plot.Plot, draw.Canvas, error) {
	var loss, lr, means plotter.XYs
	for _, s := range l.Steps {
		loss = appendFinite(loss, float64(s.Step), s.Loss)
		lr = appendFinite(lr, float64(s.Step), s.LR)
	}
	// An epoch's mean loss is drawn halfway through the epoch, whose
	// steps follow those of the epochs before.
	start := 0.0
	for _, e := range l.Epochs {
		means = appendFinite(means, start+float64(e.Steps)/2, e.Loss)
		start += float64(e.Steps)
	}

	top := panel("loss")
	top.Legend.Add("loss per logged step", addCurve(top, loss, lossColor))
	if len(means) > 0 {
		m := dots(means, epochColor, vg.Points(2.5))
		top.Add(m)
		top.Legend.Add("epoch mean", m)
	}
	bottom := panel("learning rate")
	addCurve(bottom, lr, lrColor)

	// Both panels show the same steps.
	x := func(p plotter.XY) float64 { return p.X }
	y := func(p plotter.XY) float64 { return p.Y }
	var err error
	if top.X.Min, top.X.Max, err = span("steps", x, loss, means, lr); err != nil {
		return nil, nil, draw.Canvas{}, err
	}
	bottom.X.Min, bottom.X.Max = top.X.Min, top.X.Max
	if top.Y.Min, top.Y.Max, err = span("losses", y, loss, means); err != nil {
		return nil, nil, draw.Canvas{}, err
	}
	if room := (top.Y.Max - top.Y.Min) * legendRoom / (1 - legendRoom); !math.IsInf(top.Y.Max+room, 0) {
		top.Y.Max += room
	}
	if bottom.Y.Min, bottom.Y.Max, err = span("learning rates", y, lr); err != nil {
		return nil, nil, draw.Canvas{}, err
	}

	c := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(c)
	dc.FillText(titleStyle, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - pad}, title)
	body := draw.Crop(dc, 0, 0, 0, -(titleStyle.Height(title) + 2*pad))
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadX: pad, PadY: 2 * pad, PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: 2 * pad}
	panels := [][]*plot.Plot{{top}, {bottom}}
	canvases := plot.Align(panels, tiles, body)
	for i, row := range panels {
		row[0].Draw(canvases[i][0])
	}
	return c, top, canvases[0][0], nil
}

// addCurve adds xys, whose values are finite, to p as a line of colour c,
// with a dot if there is a single point, which a line does not show. It
// returns the line of the first points, for the legend. The line is made of
// pieces of at most chunk points, each starting where the one before
// ended: the rasterizer slows down with the length of a path that crosses
// a pixel row many times, as a noisy loss of many steps does.
func addCurve(p *plot.Plot, xys plotter.XYs, c color.Color) *plotter.Line {
	const chunk = 256
	var first *plotter.Line
	for i := 0; i == 0 || i < len(xys)-1; i += chunk - 1 {
		line := &plotter.Line{
			XYs:       xys[i:min(i+chunk, len(xys))],
			LineStyle: draw.LineStyle{Color: c, Width: vg.Points(1)},
		}
		p.Add(line)
		if first == nil {
			first = line
		}
	}
	if len(xys) == 1 {
		p.Add(dots(xys, c, vg.Points(1.5)))
	}
	return first
}

// dots returns a scatter plot of xys, whose values are finite, as filled
// circles of colour c and the given radius.
func dots(xys plotter.XYs, c color.Color, radius vg.Length) *plotter.Scatter {
	return &plotter.Scatter{
		XYs:        xys,
		GlyphStyle: draw.GlyphStyle{Color: c, Radius: radius, Shape: draw.CircleGlyph{}},
	}
}

// appendFinite appends the point (x, y) to xys when y is finite.
func appendFinite(xys plotter.XYs, x, y float64) plotter.XYs {
	if math.IsNaN(y) || math.IsInf(y, 0) {
		return xys
	}
	return append(xys, plotter.XY{X: x, Y: y})
}

// span returns the range of an axis that shows coord of every point in
// sets. Without points it is [0, 1]; for a single value v it is
// [v-|v|/10, v+|v|/10] cut to the finite floats, or [v-1, v+1] when v is
// zero or too close to it. A range wider than the largest float64 is an
// error, as the axis could not have ticks.
func span(what string, coord func(plotter.XY) float64, sets ...plotter.XYs) (lo, hi float64, err error) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, set := range sets {
		for _, p := range set {
			lo, hi = math.Min(lo, coord(p)), math.Max(hi, coord(p))
		}
	}
	switch {
	case lo > hi:
		return 0, 1, nil
	case math.IsInf(hi-lo, 0):
		return 0, 0, fmt.Errorf("%s from %g to %g span too wide a range to plot", what, lo, hi)
	case lo == hi:
		d := math.Abs(lo) / 10
		if lo-d == hi+d {
			d = 1
		}
		return math.Max(lo-d, -math.MaxFloat64), math.Min(hi+d, math.MaxFloat64), nil
	}
	return lo, hi, nil
}

// panel returns an empty plot with a grid, the x axis labelled "step", the
// y axis labelled ylabel and every text in Liberation Sans.
func panel(ylabel string) *plot.Plot {
	p := plot.New()
	p.TextHandler = handler
	p.X.Label.Text = "step"
	p.X.Tick.Marker = stepTicks{}
	p.Y.Label.Text = ylabel
	p.Y.Tick.Marker = distinctTicks{}
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = face(11)
		a.Label.TextStyle.Handler = handler
		a.Tick.Label.Font = face(9)
		a.Tick.Label.Handler = handler
	}
	p.Legend.TextStyle = textStyle(10)
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return p
}

// stepTicks are gonum/plot's default ticks, labelled without decimals when
// all labels are whole numbers below 10¹⁵, as steps are.
type stepTicks struct{}

// Ticks implements plot.Ticker.
func (stepTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for _, t := range ticks {
		if t.Label != "" && (t.Value != math.Trunc(t.Value) || math.Abs(t.Value) >= 1e15) {
			return ticks
		}
	}
	for i, t := range ticks {
		if t.Label != "" {
			ticks[i].Label = strconv.FormatFloat(t.Value, 'f', -1, 64)
		}
	}
	return ticks
}

// distinctTicks are gonum/plot's default ticks, relabelled when two of
// their labels read alike (the ticks of a loss that moves by 0.001): every
// label then gets the fewest decimals that tell them all apart.
type distinctTicks struct{}

// Ticks implements plot.Ticker.
func (distinctTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	if distinct(ticks, func(t plot.Tick) string { return t.Label }) {
		return ticks
	}
	for digits := 0; digits <= 17; digits++ {
		label := func(t plot.Tick) string { return strconv.FormatFloat(t.Value, 'f', digits, 64) }
		if math.Abs(hi) >= 1e6 || math.Abs(lo) >= 1e6 {
			label = func(t plot.Tick) string { return strconv.FormatFloat(t.Value, 'g', digits+1, 64) }
		}
		if distinct(ticks, label) {
			for i, t := range ticks {
				if t.Label != "" {
					ticks[i].Label = label(t)
				}
			}
			return ticks
		}
	}
	return ticks
}

// distinct says whether label gives every labelled tick a label of its own.
func distinct(ticks []plot.Tick, label func(plot.Tick) string) bool {
	seen := map[string]bool{}
	for _, t := range ticks {
		if t.Label == "" {
			continue
		}
		l := label(t)
		if seen[l] {
			return false
		}
		seen[l] = true
	}
	return true
}
