package augment

import (
	"math"
	"math/rand/v2"
	"sync"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "augment.gaussian_blur",
		Doc: "with probability p, blurs with a Gaussian of random sigma (RandomApply(torchvision GaussianBlur))",
		Params: []registry.Param{
			probParam(0.5),
			{Name: "kernel_size", Type: registry.Int, Default: 0, Range: registry.AtLeast(0),
				Doc: "odd side of the kernel; 0 picks 2*ceil(3*sigma)+1 for each drawn sigma"},
			{Name: "sigma", Type: registry.Floats, Len: 2, Ordered: true, Default: []float64{0.1, 2.0}, Range: registry.Above(0),
				Doc: "[min, max] of the standard deviation, in pixels, drawn uniformly"},
		},
		New: func(v registry.Values) (any, error) {
			k := v.Int("kernel_size")
			if k%2 == 0 && k != 0 {
				return nil, &registry.ParamError{Param: "kernel_size", Msg: "must be odd (or 0 for automatic)"}
			}
			s := v.Floats("sigma")
			return &gaussianBlurT{p: v.Float("p"), kernel: k, sigma: [2]float64{s[0], s[1]}}, nil
		},
	})
}

// gaussianBlurT is RandomApply([GaussianBlur(kernel, sigma)], p) with an
// optional automatic kernel size.
type gaussianBlurT struct {
	p      float64
	kernel int // 0: automatic
	sigma  [2]float64
}

// OutputShape is the input's shape (Shaper).
func (t *gaussianBlurT) OutputShape(c, h, w int) (int, int, int) { return c, h, w }

// Apply, with probability p, draws sigma uniformly from its range and blurs
// src in place. The kernel side along each axis is capped at 2*side-1 so
// the reflect padding fits in the image (torchvision would raise instead).
func (t *gaussianBlurT) Apply(src *imaging.Image, rng *rand.Rand) *imaging.Image {
	if !happens(rng, t.p) {
		return src
	}
	sigma := t.sigma[0] + (t.sigma[1]-t.sigma[0])*rng.Float64()
	if src.H == 0 || src.W == 0 {
		return src
	}
	k := t.kernel
	if k == 0 {
		k = autoKernel(sigma)
	}
	gaussianBlur(src, min(k, 2*src.W-1), min(k, 2*src.H-1), sigma)
	return src
}

// autoKernel is the odd kernel side that covers +-3 sigma.
func autoKernel(sigma float64) int { return 2*int(math.Ceil(3*sigma)) + 1 }

// gaussianKernel fills k with torchvision's _get_gaussian_kernel1d: the
// normalised exp(-x^2 / (2 sigma^2)) at x = -(n-1)/2, ..., (n-1)/2.
func gaussianKernel(k []float32, sigma float64) {
	half := float64(len(k)-1) / 2
	pdf := func(i int) float64 {
		x := (float64(i) - half) / sigma
		return math.Exp(-0.5 * x * x)
	}
	var sum float64
	for i := range k {
		sum += pdf(i)
	}
	for i := range k {
		k[i] = float32(pdf(i) / sum)
	}
}

// blurScratch is the work space of one gaussianBlur call.
type blurScratch struct {
	kx, ky, tmp, line []float32
}

var blurPool = sync.Pool{New: func() any { return new(blurScratch) }}

// gaussianBlur is torchvision's F.gaussian_blur(img, [kx, ky], [sigma,
// sigma]) on a float tensor: reflect padding (kx/2 columns, ky/2 rows, each
// less than the side it pads) and a Gaussian kernel, applied separably, in
// place.
func gaussianBlur(img *imaging.Image, kx, ky int, sigma float64) {
	s := blurPool.Get().(*blurScratch)
	defer blurPool.Put(s)
	wx, wy := grow(&s.kx, kx), grow(&s.ky, ky)
	gaussianKernel(wx, sigma)
	gaussianKernel(wy, sigma)
	H, W := img.H, img.W
	if kx > 1 {
		px := kx / 2
		line := grow(&s.line, W+2*px) // one row with its reflect padding
		for r := range img.C * H {
			row := img.Pix[r*W : (r+1)*W] // row r of (C*H, W)
			copy(line[px:], row)
			for j := 1; j <= px; j++ {
				line[px-j] = row[j]
				line[px+W-1+j] = row[W-1-j]
			}
			for x := range row {
				win := line[x : x+kx]
				var acc float32
				for k, w := range wx {
					acc += w * win[k]
				}
				row[x] = acc
			}
		}
	}
	if ky > 1 {
		py := ky / 2
		tmp := grow(&s.tmp, H*W) // (H, W): one channel before the vertical pass
		for c := range img.C {
			plane := img.Plane(c) // (H, W)
			copy(tmp, plane)
			for y := range H {
				dst := plane[y*W : (y+1)*W]
				clear(dst)
				for k, w := range wy {
					sy := reflect(y+k-py, H)
					src := tmp[sy*W : (sy+1)*W]
					src = src[:len(dst)]
					for x := range dst {
						dst[x] += w * src[x]
					}
				}
			}
		}
	}
}

// reflect maps an index up to n-1 outside [0, n) back inside by mirroring
// about the edge samples (torch's "reflect" padding).
func reflect(i, n int) int {
	switch {
	case i < 0:
		return -i
	case i >= n:
		return 2*(n-1) - i
	}
	return i
}
