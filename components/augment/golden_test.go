package augment

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/sslrun/sslrun/imaging"
)

// golden is testdata/golden.json: torchvision's outputs written by
// testdata/make_golden.py, with the pixels in testdata/golden.bin.
type golden struct {
	Inputs map[string]goldenImage
	Cases  []struct {
		Name, Op, Input string
		Args            goldenArgs
		goldenImage
	}
}

type goldenImage struct {
	Shape  []int
	Offset int
}

type goldenArgs struct {
	Top, Left, H, W int
	OutH            int `json:"out_h"`
	OutW            int `json:"out_w"`
	Size, KX, KY    int
	Factor, Sigma   float64
	Threshold       float64
	Auto            bool
	Mean, Std       []float64
}

func loadGolden(t *testing.T) (golden, []float32) {
	t.Helper()
	var g golden
	data, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/golden.bin")
	if err != nil {
		t.Fatal(err)
	}
	pix := make([]float32, len(raw)/4)
	for i := range pix {
		pix[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return g, pix
}

func (gi goldenImage) image(t *testing.T, pix []float32) *imaging.Image {
	t.Helper()
	if len(gi.Shape) != 3 {
		t.Fatalf("shape %v is not (C, H, W)", gi.Shape)
	}
	img := imaging.New(gi.Shape[0], gi.Shape[1], gi.Shape[2])
	if gi.Offset+len(img.Pix) > len(pix) {
		t.Fatalf("image at %d of %v runs past golden.bin", gi.Offset, gi.Shape)
	}
	copy(img.Pix, pix[gi.Offset:])
	return img
}

// direct runs the plain function behind op with the case's parameters.
// Normalize has no random part, so its component is its plain function.
func direct(t *testing.T, op string, img *imaging.Image, a goldenArgs) *imaging.Image {
	switch op {
	case "resized_crop":
		return resizedCrop(img, a.Top, a.Left, a.H, a.W, a.OutH, a.OutW)
	case "resize":
		h, w := shorterEdgeSize(img.H, img.W, a.Size)
		return resizedCrop(img, 0, 0, img.H, img.W, h, w)
	case "center_crop":
		top, left := centerBox(img.H, img.W, a.Size, a.Size)
		return crop(img, top, left, a.Size, a.Size)
	case "hflip":
		hflip(img)
	case "brightness":
		adjustBrightness(img, a.Factor)
	case "contrast":
		adjustContrast(img, a.Factor)
	case "saturation":
		adjustSaturation(img, a.Factor)
	case "hue":
		adjustHue(img, a.Factor)
	case "grayscale":
		toGrayscale(img)
	case "gaussian_blur":
		gaussianBlur(img, a.KX, a.KY, a.Sigma)
	case "solarize":
		solarize(img, a.Threshold)
	case "equalize":
		equalize(img)
	case "normalize":
		return build(t, "augment.normalize", map[string]any{"mean": a.Mean, "std": a.Std}).Apply(img, nil)
	default:
		return nil
	}
	return img
}

// component returns the registered component that performs op
// deterministically, or ok = false when op is random in its component.
func component(t *testing.T, op string, a goldenArgs) (tr Transform, ok bool) {
	switch op {
	case "resize", "center_crop":
		return build(t, "augment."+op, map[string]any{"size": a.Size}), true
	case "hflip":
		return build(t, "augment.horizontal_flip", map[string]any{"p": 1.0}), true
	case "grayscale", "equalize":
		return build(t, "augment."+op, map[string]any{"p": 1.0}), true
	case "solarize":
		return build(t, "augment.solarize", map[string]any{"p": 1.0, "threshold": a.Threshold}), true
	case "gaussian_blur":
		k := max(a.KX, a.KY)
		if a.Auto {
			k = 0
		}
		return build(t, "augment.gaussian_blur", map[string]any{"p": 1.0, "kernel_size": k, "sigma": []float64{a.Sigma, a.Sigma}}), true
	}
	return nil, false
}

// tolerance is the largest absolute error allowed against torchvision.
// Both sides compute in float32 but not always in the same order (separable
// against 2-D convolution, float64 weights against float32 ones), which
// costs a few ulps; copies, selections and equalize's integer arithmetic
// must match exactly.
func tolerance(op string) float64 {
	switch op {
	case "equalize", "hflip", "center_crop", "solarize":
		return 0
	}
	return 1e-5
}

func TestGoldenTorchvision(t *testing.T) {
	g, pix := loadGolden(t)
	if len(g.Cases) < 50 {
		t.Fatalf("only %d golden cases", len(g.Cases))
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			in, ok := g.Inputs[c.Input]
			if !ok {
				t.Fatalf("no input %q", c.Input)
			}
			want := c.image(t, pix)
			check := func(how string, got *imaging.Image) {
				t.Helper()
				if got == nil {
					t.Fatalf("%s: unknown op %q", how, c.Op)
				}
				if got.C != want.C || got.H != want.H || got.W != want.W {
					t.Fatalf("%s: shape (%d, %d, %d), torchvision (%d, %d, %d)", how, got.C, got.H, got.W, want.C, want.H, want.W)
				}
				d := maxDiff(got.Pix, want.Pix)
				t.Logf("%s: %.3g", how, d)
				if d > tolerance(c.Op) {
					t.Errorf("%s: max |go - torchvision| = %.3g > %.3g", how, d, tolerance(c.Op))
				}
			}
			check("function", direct(t, c.Op, in.image(t, pix), c.Args))
			if tr, ok := component(t, c.Op, c.Args); ok {
				check("component", tr.Apply(in.image(t, pix), newRNG(1)))
			}
		})
	}
}
