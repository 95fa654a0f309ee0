package augment

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

// required gives the built-in components' required parameters a valid
// value; a component that needs none builds from its defaults.
var required = map[string]map[string]any{
	"augment.random_resized_crop": {"size": 32},
	"augment.center_crop":         {"size": 32},
	"augment.resize":              {"size": 32},
	"augment.horizontal_flip":     {},
	"augment.color_jitter":        {},
	"augment.grayscale":           {},
	"augment.gaussian_blur":       {},
	"augment.solarize":            {},
	"augment.equalize":            {},
	"augment.normalize":           {"mean": []float64{0.5}, "std": []float64{0.25}},
}

// TestRegistered checks every registered augmentation, the built-ins and
// any added beside them: documented, valid defaults, built and applied.
// Each built-in must be registered and tell its output size (Shaper).
func TestRegistered(t *testing.T) {
	for id := range required {
		if _, ok := registry.Lookup(id); !ok {
			t.Errorf("%s is not registered", id)
		}
	}
	for _, c := range registry.List(registry.Augment) {
		t.Run(c.ID, func(t *testing.T) {
			if c.Doc == "" {
				t.Error("no doc")
			}
			params := required[c.ID]
			for _, p := range c.Params {
				if p.Default != nil {
					if err := p.Validate(p.Default); err != nil {
						t.Errorf("default of %s: %v", p.Name, err)
					}
				} else if _, ok := params[p.Name]; !ok {
					t.Fatalf("required parameter %s has no value in this test's required table", p.Name)
				}
			}
			tr := build(t, c.ID, params)
			if out := tr.Apply(randImage(3, 40, 40, 1), newRNG(1)); out == nil {
				t.Error("Apply returned nil")
			}
			if _, builtin := required[c.ID]; !builtin {
				return
			}
			if _, ok := tr.(Shaper); !ok {
				t.Errorf("%T is not a Shaper: the memory estimate runs it on a probe image to learn its output size", tr)
			}
		})
	}
}

// TestDefaults pins the defaults to torchvision's (p to the RandomXxx
// classes', color_jitter's p to 1 so that users state RandomApply's p).
func TestDefaults(t *testing.T) {
	want := map[string]map[string]any{
		"augment.random_resized_crop": {"scale": []float64{0.08, 1}, "ratio": []float64{0.75, 4.0 / 3}},
		"augment.center_crop":         {},
		"augment.resize":              {},
		"augment.horizontal_flip":     {"p": 0.5},
		"augment.color_jitter":        {"p": 1.0, "brightness": 0.0, "contrast": 0.0, "saturation": 0.0, "hue": 0.0},
		"augment.grayscale":           {"p": 0.1},
		"augment.gaussian_blur":       {"p": 0.5, "kernel_size": 0, "sigma": []float64{0.1, 2}},
		"augment.solarize":            {"p": 0.5, "threshold": 0.5},
		"augment.equalize":            {"p": 0.5},
		"augment.normalize":           {},
	}
	for id, defaults := range want {
		c, ok := registry.Lookup(id)
		if !ok {
			t.Errorf("%s is not registered", id)
			continue
		}
		got := map[string]any{}
		for _, p := range c.Params {
			if p.Default != nil {
				got[p.Name] = p.Default
			}
		}
		if diff := cmp.Diff(defaults, got); diff != "" {
			t.Errorf("%s: defaults (-want +got):\n%s", id, diff)
		}
	}
}

// TestBadParams checks that bad values are refused: by the schema (as the
// spec loader runs it) or, across parameters, by the constructor with a
// *registry.ParamError naming the parameter.
func TestBadParams(t *testing.T) {
	tests := []struct {
		id    string
		param string
		value any
		want  string // in the error
		ctor  bool   // refused by the constructor, not the schema
	}{
		{id: "augment.random_resized_crop", param: "size", value: 0, want: "0 is outside [1, inf)"},
		{id: "augment.random_resized_crop", param: "scale", value: []float64{0.9, 0.1}, want: "min 0.9 is greater than max 0.1"},
		{id: "augment.random_resized_crop", param: "scale", value: []float64{0, 1}, want: "outside (0, 1]"},
		{id: "augment.random_resized_crop", param: "scale", value: []float64{0.5, 1.5}, want: "outside (0, 1]"},
		{id: "augment.random_resized_crop", param: "scale", value: []float64{0.5}, want: "want 2 numbers"},
		{id: "augment.random_resized_crop", param: "ratio", value: []float64{0, 1}, want: "outside (0, inf)"},
		{id: "augment.center_crop", param: "size", value: -3, want: "outside [1, inf)"},
		{id: "augment.resize", param: "size", value: 0, want: "outside [1, inf)"},
		{id: "augment.horizontal_flip", param: "p", value: 1.5, want: "1.5 is outside [0, 1]"},
		{id: "augment.color_jitter", param: "p", value: -0.1, want: "outside [0, 1]"},
		{id: "augment.color_jitter", param: "brightness", value: -0.5, want: "outside [0, inf)"},
		{id: "augment.color_jitter", param: "hue", value: 0.6, want: "0.6 is outside [0, 0.5]"},
		{id: "augment.grayscale", param: "p", value: 2.0, want: "outside [0, 1]"},
		{id: "augment.gaussian_blur", param: "sigma", value: []float64{0, 1}, want: "outside (0, inf)"},
		{id: "augment.gaussian_blur", param: "sigma", value: []float64{2, 1}, want: "min 2 is greater than max 1"},
		{id: "augment.gaussian_blur", param: "kernel_size", value: -1, want: "outside [0, inf)"},
		{id: "augment.gaussian_blur", param: "kernel_size", value: 4, want: "kernel_size: must be odd", ctor: true},
		{id: "augment.solarize", param: "threshold", value: 1.1, want: "outside [0, 1]"},
		{id: "augment.equalize", param: "p", value: 1.01, want: "outside [0, 1]"},
		{id: "augment.normalize", param: "std", value: []float64{-0.25}, want: "element 0 (-0.25) is outside (0, inf)"},
		{id: "augment.normalize", param: "std", value: []float64{0}, want: "element 0 (0) is outside (0, inf)"},
		{id: "augment.normalize", param: "std", value: []float64{}, want: "want at least one number"},
		{id: "augment.normalize", param: "std", value: []float64{1e-50}, want: "std: element 0 (1e-50) is zero in float32", ctor: true},
		{id: "augment.normalize", param: "std", value: []float64{0.2, 0.3}, want: "std: has 2 values but mean has 3", ctor: true},
	}
	for _, tt := range tests {
		t.Run(tt.id+"."+tt.param, func(t *testing.T) {
			c, _ := registry.Lookup(tt.id)
			p, ok := c.Param(tt.param)
			if !ok {
				t.Fatalf("no parameter %q", tt.param)
			}
			schemaErr := p.Validate(tt.value)
			if !tt.ctor {
				if schemaErr == nil || !strings.Contains(schemaErr.Error(), tt.want) {
					t.Errorf("schema: got %v, want an error with %q", schemaErr, tt.want)
				}
				return
			}
			if schemaErr != nil {
				t.Fatalf("schema refused %v: %v", tt.value, schemaErr)
			}
			params := map[string]any{}
			for k, v := range required[tt.id] {
				params[k] = v
			}
			if tt.id == "augment.normalize" {
				params["mean"] = []float64{0.4, 0.5, 0.6}
			}
			params[tt.param] = tt.value
			vs, err := c.ValuesOf(params)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.New(vs)
			var pe *registry.ParamError
			if !errors.As(err, &pe) || pe.Param != tt.param || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("constructor: got %v, want a ParamError on %s with %q", err, tt.param, tt.want)
			}
		})
	}
}

func TestCheckChannels(t *testing.T) {
	norm := func(mean, std []float64) map[string]any { return map[string]any{"mean": mean, "std": std} }
	tests := []struct {
		id      string
		params  map[string]any
		c       int
		wantErr string
	}{
		{id: "augment.normalize", params: norm([]float64{0.5}, []float64{0.2}), c: 1},
		{id: "augment.normalize", params: norm([]float64{0.5}, []float64{0.2}), c: 3},
		{id: "augment.normalize", params: norm([]float64{0.4, 0.5, 0.6}, []float64{0.2}), c: 3},
		{id: "augment.normalize", params: norm([]float64{0.5}, []float64{0.2, 0.2, 0.2}), c: 3},
		{id: "augment.normalize", params: norm([]float64{0.4, 0.5, 0.6}, []float64{0.2, 0.2, 0.2}), c: 1, wantErr: "mean has 3 values but the images have 1 channels"},
		{id: "augment.normalize", params: norm([]float64{0.5}, []float64{0.2, 0.2, 0.2}), c: 4, wantErr: "std has 3 values but the images have 4 channels"},
		{id: "augment.color_jitter", c: 1},
		{id: "augment.color_jitter", c: 3},
		{id: "augment.color_jitter", c: 4, wantErr: "needs 1 (gray) or 3 (RGB) channels, got 4"},
		{id: "augment.grayscale", c: 3},
		{id: "augment.grayscale", c: 2, wantErr: "needs 1 (gray) or 3 (RGB) channels, got 2"},
	}
	for _, tt := range tests {
		ch, ok := build(t, tt.id, tt.params).(Checker)
		if !ok {
			t.Fatalf("%s does not implement Checker", tt.id)
		}
		err := ch.CheckChannels(tt.c)
		if (err != nil) != (tt.wantErr != "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s %v on %d channels: got %v, want %q", tt.id, tt.params, tt.c, err, tt.wantErr)
		}
	}
}

func TestNormalizeInvert(t *testing.T) {
	tr := build(t, "augment.normalize", map[string]any{"mean": []float64{0.4914, 0.4822, 0.4465}, "std": []float64{0.2470, 0.2435, 0.2616}})
	src := randImage(3, 7, 5, 3)
	out := tr.Apply(src.Clone(), nil)
	if maxDiff(out.Pix, src.Pix) < 0.1 {
		t.Fatal("normalize changed nothing")
	}
	back := tr.(Inverter).Invert(out)
	if d := maxDiff(back.Pix, src.Pix); d > 1e-6 {
		t.Errorf("Invert(Apply(x)) differs from x by %g", d)
	}
}

// TestNormalizeMismatchNoPanic: Apply on a channel count CheckChannels
// rejects must still not panic.
func TestNormalizeMismatchNoPanic(t *testing.T) {
	tr := build(t, "augment.normalize", map[string]any{"mean": []float64{0.4, 0.5}, "std": []float64{0.2, 0.3}})
	out := tr.Apply(imaging.New(3, 2, 2), nil)
	want := []float32{-2, -2, -2, -2, -5.0 / 3, -5.0 / 3, -5.0 / 3, -5.0 / 3, -5.0 / 3, -5.0 / 3, -5.0 / 3, -5.0 / 3}
	if d := maxDiff(out.Pix, want); d > 1e-6 {
		t.Errorf("got %v, want %v", out.Pix, want)
	}
}
