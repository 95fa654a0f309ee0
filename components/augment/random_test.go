package augment

import (
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/imaging"
)

// randomCases configure every random component so that each of its random
// choices shows in the output. always marks the configurations that apply
// with probability 1 and draw continuous parameters, so that any two seeds
// give different outputs.
var randomCases = []randomCase{
	{id: "augment.random_resized_crop", params: map[string]any{"size": 16}, always: true},
	{id: "augment.color_jitter", params: map[string]any{"brightness": 0.8, "contrast": 0.8, "saturation": 0.8, "hue": 0.2}, always: true},
	{id: "augment.gaussian_blur", params: map[string]any{"p": 1.0}, always: true},
	{id: "augment.color_jitter", params: map[string]any{"p": 0.5, "hue": 0.1}},
	{id: "augment.horizontal_flip", params: map[string]any{}},
	{id: "augment.grayscale", params: map[string]any{"p": 0.5}},
	{id: "augment.gaussian_blur", params: map[string]any{"kernel_size": 5}},
	{id: "augment.solarize", params: map[string]any{}},
	{id: "augment.equalize", params: map[string]any{}},
}

type randomCase struct {
	id     string
	params map[string]any
	always bool
}

func (rc randomCase) name() string { return fmt.Sprint(rc.id, rc.params) }

func TestSameSeedSameOutput(t *testing.T) {
	src := randImage(3, 23, 19, 1)
	for _, rc := range randomCases {
		t.Run(rc.name(), func(t *testing.T) {
			tr := build(t, rc.id, rc.params)
			for seed := range uint64(20) {
				a := tr.Apply(src.Clone(), newRNG(seed))
				b := tr.Apply(src.Clone(), newRNG(seed))
				if !samePix(a, b) {
					t.Fatalf("seed %d: two runs differ (-first +second):\n%s", seed, cmp.Diff(a, b))
				}
			}
		})
	}
}

func TestSeedsDiffer(t *testing.T) {
	src := randImage(3, 23, 19, 2)
	for _, rc := range randomCases {
		t.Run(rc.name(), func(t *testing.T) {
			tr := build(t, rc.id, rc.params)
			var outs []*imaging.Image
			distinct := 0
			for seed := range uint64(20) {
				out := tr.Apply(src.Clone(), newRNG(seed))
				seen := false
				for _, o := range outs {
					if samePix(o, out) {
						seen = true
					}
				}
				if !seen {
					distinct++
				}
				outs = append(outs, out)
			}
			switch {
			case rc.always && distinct != len(outs):
				t.Errorf("%d seeds give only %d different outputs", len(outs), distinct)
			case distinct < 2:
				t.Errorf("%d seeds all give the same output", len(outs))
			}
		})
	}
}

// probCases are the components with a probability p, with parameters that
// make an application visible, and the function that applies them.
var probCases = []struct {
	id     string
	params map[string]any
}{
	{id: "augment.horizontal_flip", params: map[string]any{}},
	{id: "augment.color_jitter", params: map[string]any{"brightness": 0.5, "hue": 0.3}},
	{id: "augment.grayscale", params: map[string]any{}},
	{id: "augment.gaussian_blur", params: map[string]any{"sigma": []float64{0.5, 2}}},
	{id: "augment.solarize", params: map[string]any{}},
	{id: "augment.equalize", params: map[string]any{}},
}

func TestProbability(t *testing.T) {
	src := randImage(3, 15, 11, 3)
	for _, pc := range probCases {
		t.Run(pc.id, func(t *testing.T) {
			with := func(p float64) Transform {
				params := map[string]any{"p": p}
				for k, v := range pc.params {
					params[k] = v
				}
				return build(t, pc.id, params)
			}
			never, always, half := with(0), with(1), with(0.5)
			applied := 0
			for seed := range uint64(400) {
				if out := never.Apply(src.Clone(), newRNG(seed)); !samePix(src, out) {
					t.Fatalf("p = 0, seed %d changed the image:\n%s", seed, cmp.Diff(src, out))
				}
				if samePix(src, always.Apply(src.Clone(), newRNG(seed))) {
					t.Fatalf("p = 1, seed %d left the image unchanged", seed)
				}
				if !samePix(src, half.Apply(src.Clone(), newRNG(seed))) {
					applied++
				}
			}
			// Binomial(400, 0.5): 5.5 standard deviations either side.
			if applied < 145 || applied > 255 {
				t.Errorf("p = 0.5 applied %d times in 400", applied)
			}
		})
	}
}

// TestFlipAndGrayOutputs checks what an application does, beyond changing
// the image.
func TestFlipAndGrayOutputs(t *testing.T) {
	src := randImage(3, 5, 4, 4)
	flipped := build(t, "augment.horizontal_flip", map[string]any{"p": 1.0}).Apply(src.Clone(), newRNG(1))
	for c := range 3 {
		for y := range 5 {
			for x := range 4 {
				if got, want := flipped.Pix[(c*5+y)*4+x], src.Pix[(c*5+y)*4+3-x]; got != want {
					t.Fatalf("flip (%d, %d, %d) = %v, want %v", c, y, x, got, want)
				}
			}
		}
	}
	gray := build(t, "augment.grayscale", map[string]any{"p": 1.0}).Apply(src.Clone(), newRNG(1))
	if gray.C != 3 {
		t.Fatalf("grayscale made %d channels, want 3", gray.C)
	}
	if diff := cmp.Diff(gray.Plane(0), gray.Plane(1)); diff != "" {
		t.Errorf("channels 0 and 1 differ:\n%s", diff)
	}
	if diff := cmp.Diff(gray.Plane(0), gray.Plane(2)); diff != "" {
		t.Errorf("channels 0 and 2 differ:\n%s", diff)
	}
	one := randImage(1, 5, 4, 5)
	if diff := cmp.Diff(one, build(t, "augment.grayscale", map[string]any{"p": 1.0}).Apply(one.Clone(), newRNG(1))); diff != "" {
		t.Errorf("grayscale changed a gray image:\n%s", diff)
	}
}

func TestCropBoxBounds(t *testing.T) {
	sizes := [][2]int{{32, 32}, {17, 45}, {45, 17}, {1, 1}, {3, 200}, {224, 224}, {7, 9}}
	scales := [][2]float64{{0.08, 1}, {0.2, 1}, {0.08, 0.5}, {1, 1}, {0.5, 0.5}}
	ratios := [][2]float64{{3.0 / 4, 4.0 / 3}, {1, 1}, {0.5, 2}, {3, 4}}
	for _, sz := range sizes {
		for _, scale := range scales {
			for _, ratio := range ratios {
				H, W := sz[0], sz[1]
				area := float64(H * W)
				fb := fallbackBox(H, W, ratio)
				fallbacks := 0
				for seed := range uint64(200) {
					top, left, h, w := cropBox(H, W, scale, ratio, newRNG(seed))
					box := [4]int{top, left, h, w}
					if h < 1 || w < 1 || top < 0 || left < 0 || top+h > H || left+w > W {
						t.Fatalf("%dx%d scale %v ratio %v seed %d: box %v leaves the image", H, W, scale, ratio, seed, box)
					}
					// The drawn sides a = sqrt(target*ratio), b = sqrt(target/ratio)
					// were rounded to w, h, so target = ab and ratio = a/b lie in
					// these intervals.
					tLo, tHi := (float64(w)-0.5)*(float64(h)-0.5), (float64(w)+0.5)*(float64(h)+0.5)
					rLo, rHi := (float64(w)-0.5)/(float64(h)+0.5), (float64(w)+0.5)/(float64(h)-0.5)
					ok := tLo <= scale[1]*area+1e-9 && tHi >= scale[0]*area-1e-9 && rLo <= ratio[1]+1e-9 && rHi >= ratio[0]-1e-9
					if box == fb {
						fallbacks++
					} else if !ok {
						t.Fatalf("%dx%d scale %v ratio %v seed %d: box %v breaks the scale or ratio bounds", H, W, scale, ratio, seed, box)
					}
				}
				if H == 224 && scale[0] < 1 && ratio == [2]float64{3.0 / 4, 4.0 / 3} && fallbacks > 2 {
					t.Errorf("224x224 scale %v: %d fallbacks in 200", scale, fallbacks)
				}
			}
		}
	}
}

// fallbackBox is the centred box RandomResizedCrop falls back to.
func fallbackBox(H, W int, ratio [2]float64) [4]int {
	in := float64(W) / float64(H)
	h, w := H, W
	switch {
	case in < ratio[0]:
		h = max(1, int(math.RoundToEven(float64(W)/ratio[0])))
	case in > ratio[1]:
		w = max(1, int(math.RoundToEven(float64(H)*ratio[1])))
	}
	return [4]int{(H - h) / 2, (W - w) / 2, h, w}
}

func TestCropBoxFixed(t *testing.T) {
	tests := []struct {
		name         string
		H, W         int
		scale, ratio [2]float64
		want         [4]int // top, left, h, w; -1 for "any"
	}{
		{name: "exact area and ratio", H: 100, W: 100, scale: [2]float64{0.5, 0.5}, ratio: [2]float64{1, 1}, want: [4]int{-1, -1, 71, 71}},
		{name: "fallback, too tall for the ratio", H: 10, W: 10, scale: [2]float64{0.9, 1}, ratio: [2]float64{3, 4}, want: [4]int{3, 0, 3, 10}},
		{name: "fallback, too wide", H: 10, W: 40, scale: [2]float64{1, 1}, ratio: [2]float64{3.0 / 4, 4.0 / 3}, want: [4]int{0, 13, 10, 13}},
		{name: "whole image", H: 12, W: 12, scale: [2]float64{1, 1}, ratio: [2]float64{1, 1}, want: [4]int{0, 0, 12, 12}},
	}
	for _, tt := range tests {
		tops := map[int]bool{}
		for seed := range uint64(50) {
			top, left, h, w := cropBox(tt.H, tt.W, tt.scale, tt.ratio, newRNG(seed))
			got := [4]int{top, left, h, w}
			for i, v := range tt.want {
				if v >= 0 && got[i] != v {
					t.Fatalf("%s: seed %d: box %v, want %v", tt.name, seed, got, tt.want)
				}
			}
			tops[top] = true
		}
		if tt.want[0] < 0 && len(tops) < 10 {
			t.Errorf("%s: only %d different tops in 50 draws", tt.name, len(tops))
		}
	}
}

func TestColorJitterFactors(t *testing.T) {
	src := randImage(3, 9, 7, 6)
	off := build(t, "augment.color_jitter", map[string]any{"p": 1.0})
	for seed := range uint64(20) {
		if out := off.Apply(src.Clone(), newRNG(seed)); !samePix(src, out) {
			t.Fatalf("all strengths 0, seed %d: image changed", seed)
		}
	}
	gray := randImage(1, 9, 7, 7)
	hueSat := build(t, "augment.color_jitter", map[string]any{"saturation": 0.9, "hue": 0.5})
	for seed := range uint64(20) {
		if out := hueSat.Apply(gray.Clone(), newRNG(seed)); !samePix(gray, out) {
			t.Fatalf("saturation and hue changed a gray image, seed %d", seed)
		}
	}
	// Brightness alone multiplies every value by one factor drawn from
	// [1-b, 1+b]; values in (0.2, 0.7) are never clamped for b = 0.3.
	bright := build(t, "augment.color_jitter", map[string]any{"brightness": 0.3})
	lo, hi := math.Inf(1), math.Inf(-1)
	for seed := range uint64(100) {
		out := bright.Apply(src.Clone(), newRNG(seed))
		f := math.NaN()
		for i, x := range src.Pix {
			if x <= 0.2 || x >= 0.7 {
				continue
			}
			r := float64(out.Pix[i]) / float64(x)
			if math.IsNaN(f) {
				f = r
			} else if math.Abs(r-f) > 1e-6 {
				t.Fatalf("seed %d: brightness factors %v and %v in one image", seed, f, r)
			}
		}
		lo, hi = min(lo, f), max(hi, f)
	}
	if lo < 0.7-1e-6 || hi > 1.3+1e-6 || lo > 0.75 || hi < 1.25 {
		t.Errorf("brightness factors span [%.3f, %.3f], want about [0.7, 1.3]", lo, hi)
	}
}

func TestAutoKernel(t *testing.T) {
	for sigma, want := range map[float64]int{0.1: 3, 0.5: 5, 1: 7, 1.3: 9, 2: 13} {
		if got := autoKernel(sigma); got != want {
			t.Errorf("autoKernel(%v) = %d, want %d", sigma, got, want)
		}
	}
}
