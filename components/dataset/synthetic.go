package dataset

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

// synthClasses are the classes of dataset.synthetic in label order: five
// shapes drawn at any rotation, then five textures filling a square patch
// turned by at most about 14 degrees (so that the stripe directions stay
// apart).
var synthClasses = []string{
	"disc", "square", "triangle", "ring", "cross",
	"horizontal_stripes", "vertical_stripes", "checkerboard", "diagonal_stripes", "dots",
}

// firstTexture is the label of the first texture class.
const firstTexture = 5

func init() {
	registry.Register(registry.Component{
		ID:  "dataset.synthetic",
		Doc: "seeded, generated RGB shapes and textures in random colours, for tests and demos that must run anywhere",
		Params: []registry.Param{
			{Name: "size", Type: registry.Int, Doc: "number of images", Default: 1000, Range: registry.AtLeast(1)},
			{Name: "classes", Type: registry.Int, Doc: "number of classes: disc, square, triangle, ring, cross, horizontal_stripes, vertical_stripes, checkerboard, diagonal_stripes, dots, in that order", Default: 10, Range: registry.Between(2, float64(len(synthClasses)))},
			{Name: "image_size", Type: registry.Int, Doc: "width and height of the images in pixels", Default: 32, Range: registry.Between(8, 256)},
			splitParam,
			{Name: "seed", Type: registry.Int, Doc: "seed of the generator; train and test draw from disjoint streams of it", Default: 0, Range: registry.AtLeast(0)},
		},
		New: func(v registry.Values) (any, error) {
			return &synthetic{
				size:    v.Int("size"),
				classes: v.Int("classes"),
				side:    v.Int("image_size"),
				test:    v.String("split") == "test",
				seed:    uint64(v.Int("seed")),
			}, nil
		},
	})
}

// synthetic is the dataset.synthetic source. Image i and its label are a
// pure function of (seed, split, i), and of classes and image_size: they do
// not depend on size (a smaller set is a prefix of a larger one) nor on the
// number of goroutines generating them.
type synthetic struct {
	size, classes, side int
	test                bool
	seed                uint64
}

// Streams of random numbers of a synthetic set.
const (
	streamLabels = 0
	streamImage  = 1
)

// mix is splitmix64's finaliser: a bijection on uint64 that spreads every
// input bit over the output.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// rng returns the generator of item i of a stream. Its two seed words are
// bijections of (seed, split) and of (i, stream), so no two (seed, split,
// stream, i) share a generator: train and test never share one.
func (s *synthetic) rng(stream uint64, i int) *rand.Rand {
	split := uint64(0)
	if s.test {
		split = 1
	}
	return rand.New(rand.NewPCG(mix(s.seed<<1|split), mix(uint64(i)<<1|stream)))
}

var _ Prober = (*synthetic)(nil)

// Probe is the shape of every generated image: RGB, image_size square.
func (s *synthetic) Probe() (c, h, w int, err error) { return 3, s.side, s.side, nil }

// Open generates the set in parallel.
func (s *synthetic) Open(ctx context.Context) (Dataset, error) {
	n := 3 * s.side * s.side
	pix := make([]uint8, s.size*n)
	set := &memorySet{
		c: 3, h: s.side, w: s.side,
		pix:     make([][]uint8, s.size),
		labels:  make([]int32, s.size),
		classes: synthClasses[:s.classes],
	}
	err := parallel(ctx, s.size, func(i int) error {
		label := s.label(i)
		set.labels[i] = int32(label)
		set.pix[i] = pix[i*n : (i+1)*n : (i+1)*n]
		s.render(i, label, set.pix[i])
		return nil
	})
	if err != nil {
		return nil, err
	}
	return set, nil
}

var _ LazyOpener = (*synthetic)(nil)

// OpenLazily opens the set without generating it: each image is drawn when
// it is asked for.
func (s *synthetic) OpenLazily(context.Context) (Dataset, error) { return &syntheticSet{s}, nil }

// syntheticSet is a synthetic set opened lazily.
type syntheticSet struct{ s *synthetic }

var _ Dataset = (*syntheticSet)(nil)

func (d *syntheticSet) Len() int { return d.s.size }

func (d *syntheticSet) Image(i int) (*imaging.Image, error) {
	if i < 0 || i >= d.s.size {
		return nil, fmt.Errorf("image index %d out of range [0, %d)", i, d.s.size)
	}
	pix := make([]uint8, 3*d.s.side*d.s.side)
	d.s.render(i, d.s.label(i), pix)
	return imaging.FromU8(3, d.s.side, d.s.side, pix), nil
}

func (d *syntheticSet) Label(i int) int { return d.s.label(i) }

func (d *syntheticSet) Classes() []string { return synthClasses[:d.s.classes] }

// label returns the label of image i: each run of classes consecutive
// images holds every class once, in an order shuffled per run, so the
// classes are balanced (counts differ by at most one).
func (s *synthetic) label(i int) int {
	perm := s.rng(streamLabels, i/s.classes).Perm(s.classes)
	return perm[i%s.classes]
}

// render draws image i of class label into out, planar RGB bytes.
func (s *synthetic) render(i, label int, out []uint8) {
	rng := s.rng(streamImage, i)
	side := float64(s.side)
	bg := [3]float64{rng.Float64(), rng.Float64(), rng.Float64()}
	fg := contrastingColour(rng, bg)
	sh := shape{kind: label}
	cx, cy := side*(0.35+0.3*rng.Float64()), side*(0.35+0.3*rng.Float64())
	var angle float64
	if label < firstTexture {
		sh.r = side * (0.2 + 0.12*rng.Float64())
		angle = 2 * math.Pi * rng.Float64()
	} else {
		sh.r = side * (0.3 + 0.12*rng.Float64())
		angle = 0.5 * (rng.Float64() - 0.5)
	}
	sh.period = max(2.5, side*(0.1+0.06*rng.Float64()))
	sh.phaseU, sh.phaseV = sh.period*rng.Float64(), sh.period*rng.Float64()
	sin, cos := math.Sincos(angle)
	const noise = 0.03
	plane := s.side * s.side
	for y := range s.side {
		for x := range s.side {
			// Coverage from 2x2 samples gives smooth edges.
			cover := 0.0
			for _, oy := range [2]float64{0.25, 0.75} {
				for _, ox := range [2]float64{0.25, 0.75} {
					dx, dy := float64(x)+ox-cx, float64(y)+oy-cy
					if sh.inside(cos*dx+sin*dy, cos*dy-sin*dx) {
						cover += 0.25
					}
				}
			}
			for k := range 3 {
				v := bg[k] + cover*(fg[k]-bg[k]) + noise*rng.NormFloat64()
				out[k*plane+y*s.side+x] = uint8(math.Round(255 * min(max(v, 0), 1)))
			}
		}
	}
}

// contrastingColour draws a colour whose luma differs from bg's by at least
// 0.3, so that the shape shows whatever the two colours are.
func contrastingColour(rng *rand.Rand, bg [3]float64) [3]float64 {
	luma := func(c [3]float64) float64 { return 0.299*c[0] + 0.587*c[1] + 0.114*c[2] }
	var fg [3]float64
	for range 64 {
		fg = [3]float64{rng.Float64(), rng.Float64(), rng.Float64()}
		if math.Abs(luma(fg)-luma(bg)) >= 0.3 {
			return fg
		}
	}
	for k := range fg {
		fg[k] = 1 - bg[k]
	}
	return fg
}

// shape is one class's figure in its own frame: centred at the origin, of
// radius (or half side) r; textures repeat every period pixels, shifted by
// the phases.
type shape struct {
	kind           int
	r, period      float64
	phaseU, phaseV float64
}

// inside reports whether the point (u, v) of the shape's frame is drawn in
// the foreground colour.
func (sh *shape) inside(u, v float64) bool {
	r := sh.r
	switch sh.kind {
	case 0: // disc
		return u*u+v*v <= r*r
	case 1: // square
		return math.Abs(u) <= 0.8*r && math.Abs(v) <= 0.8*r
	case 2: // equilateral triangle of circumradius 1.2r: within half that of each side's normal
		for _, n := range triangleNormals {
			if n[0]*u+n[1]*v > 0.6*r {
				return false
			}
		}
		return true
	case 3: // ring
		d := u*u + v*v
		return d <= r*r && d >= 0.3*r*r
	case 4: // cross
		au, av := math.Abs(u), math.Abs(v)
		return (au <= 0.3*r && av <= r) || (av <= 0.3*r && au <= r)
	}
	if math.Abs(u) > r || math.Abs(v) > r {
		return false
	}
	// Position in periods along each axis.
	pu, pv := (u+sh.phaseU)/sh.period, (v+sh.phaseV)/sh.period
	frac := func(x float64) float64 { return x - math.Floor(x) }
	switch sh.kind {
	case 5: // horizontal stripes
		return frac(pv) < 0.5
	case 6: // vertical stripes
		return frac(pu) < 0.5
	case 7: // checkerboard
		return (int(math.Floor(pu))+int(math.Floor(pv)))%2 == 0
	case 8: // diagonal stripes
		return frac(((u+v)/math.Sqrt2+sh.phaseU)/sh.period) < 0.5
	}
	// dots
	du, dv := frac(pu)-0.5, frac(pv)-0.5
	return du*du+dv*dv < 0.09
}

// triangleNormals are the outward unit normals of the sides of an
// equilateral triangle with a vertex pointing up (v < 0 is up).
var triangleNormals = [3][2]float64{
	{0, 1},
	{math.Sqrt(3) / 2, -0.5},
	{-math.Sqrt(3) / 2, -0.5},
}
