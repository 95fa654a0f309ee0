package spec_test

import (
	"math/big"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/registry"
)

// decodeScaler is a toy augment whose schema exercises every parameter
// type the decoder reads.
type decodeScaler struct{ factor float64 }

func init() {
	registry.Register(registry.Component{
		ID:  "augment.test_decode_scale",
		Doc: "multiplies every pixel by a factor",
		Params: []registry.Param{
			{Name: "factor", Type: registry.Float, Default: 1.0, Range: registry.Above(0), Doc: "the multiplier"},
			{Name: "clip", Type: registry.Floats, Default: []float64{0, 1}, Len: 2, Ordered: true, Doc: "output range"},
			{Name: "mode", Type: registry.String, Default: "fast", Enum: []string{"fast", "exact"}, Doc: "how"},
			{Name: "steps", Type: registry.Int, Default: 1, Range: registry.AtLeast(1), Doc: "repeat count"},
			{Name: "odd", Type: registry.Int, Default: 1, Doc: "must be odd (a cross-parameter check)"},
		},
		New: func(v registry.Values) (any, error) {
			if v.Int("odd")%2 == 0 {
				return nil, &registry.ParamError{Param: "odd", Msg: "must be odd"}
			}
			return decodeScaler{v.Float("factor")}, nil
		},
	})
}

func decode(t *testing.T, src string) (registry.Values, hcl.Diagnostics) {
	t.Helper()
	f, diags := hclsyntax.ParseConfig([]byte(src), "t.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c, _ := registry.Lookup("augment.test_decode_scale")
	return spec.DecodeComponent(c, f.Body, nil, spec.DecodeOptions{})
}

func TestDecode(t *testing.T) {
	tests := []struct {
		src     string
		want    registry.Values
		wantErr string
	}{
		{src: ``, want: registry.Values{{Name: "factor", Value: 1.0}, {Name: "clip", Value: []float64{0, 1}}, {Name: "mode", Value: "fast"}, {Name: "steps", Value: 1}, {Name: "odd", Value: 1}}},
		{src: "factor = 2\nsteps = 3\nclip = [0.5, 0.75]\nmode = \"exact\"", want: registry.Values{{Name: "factor", Value: 2.0}, {Name: "clip", Value: []float64{0.5, 0.75}}, {Name: "mode", Value: "exact"}, {Name: "steps", Value: 3}, {Name: "odd", Value: 1}}},
		{src: `factor = 0`, wantErr: "0 is outside (0, inf)"},
		{src: `factor = "x"`, wantErr: "must be a number"},
		{src: `steps = 1.5`, wantErr: "must be a whole number"},
		{src: `clip = [1, 0]`, wantErr: "min 1 is greater than max 0"},
		{src: `clip = [1]`, wantErr: "want 2 numbers, got 1"},
		{src: `clip = "a"`, wantErr: "must be a list of numbers"},
		{src: `mode = "slow"`, wantErr: `"slow" is not one of "fast", "exact"`},
		{src: `odd = 2`, wantErr: "odd: must be odd"},
		{src: `bogus = 1`, wantErr: `An argument named "bogus" is not expected here. augment.test_decode_scale takes: clip, factor, mode, odd, steps.`},
		{src: "bogus {\n}", wantErr: `Blocks of type "bogus" are not expected here. augment.test_decode_scale takes: clip, factor, mode, odd, steps.`},
		{src: `factor = null`, wantErr: "not null"},
		{src: `factor = 1/0`, wantErr: "augment.test_decode_scale.factor: got +Inf; a number must be finite."},
		{src: `factor = -1/0`, wantErr: "got -Inf; a number must be finite"},
		{src: `factor = 1e400`, wantErr: "1e+400 is beyond the range of a 64-bit float"},
		{src: `factor = 1e300 * 1e300`, wantErr: "1e+600 is beyond the range of a 64-bit float"},
		{src: `factor = 1e-400`, wantErr: "1e-400 is too close to zero for a 64-bit float"},
		{src: `factor = "1` + strings.Repeat("0", 200) + `"`, wantErr: "a string read as a number may have at most 100 characters, and this one has 201"},
		{src: `clip = [0, 1/0]`, wantErr: "augment.test_decode_scale.clip: element 1: got +Inf; a number must be finite."},
		{src: `clip = [0, "` + strings.Repeat("1", 101) + `"]`, wantErr: "at most 100 characters"},
		{src: `clip = [0, 1e309]`, wantErr: "element 1: 1e+309 is beyond the range"},
		{src: `steps = 1e400`, wantErr: "1e+400 is beyond the range of a 64-bit float"},
		{src: `steps = 3e9`, wantErr: "must be a whole number from -2147483648 to 2147483647, got 3e+09"},
		{src: `steps = 2.5`, wantErr: "must be a whole number from -2147483648 to 2147483647, got 2.5"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			got, diags := decode(t, tt.src)
			if tt.wantErr != "" {
				if !strings.Contains(diags.Error(), tt.wantErr) {
					t.Fatalf("diagnostics %q lack %q", diags.Error(), tt.wantErr)
				}
				for _, d := range diags {
					if d.Subject == nil {
						t.Errorf("diagnostic without position: %s", d.Summary)
					}
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFormatNumber checks that numbers of any magnitude print at once.
func TestFormatNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0.25", "0.25"},
		{"1e400", "1e+400"},
		{"-2.5e40000000", "-2.5e+40000000"},
		{"3e-40000000", "3e-40000000"},
	}
	for _, tt := range tests {
		bf, _, err := big.ParseFloat(tt.in, 10, 512, big.ToNearestEven)
		if err != nil {
			t.Fatal(err)
		}
		if got := spec.FormatNumber(bf); got != tt.want {
			t.Errorf("FormatNumber(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
