package registry_test

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/sslrun/sslrun/registry"
)

// scaler is a toy augment used by the tests and the example.
type scaler struct{ factor float64 }

func init() {
	registry.Register(registry.Component{
		ID:  "augment.test_scale",
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
			return scaler{v.Float("factor")}, nil
		},
	})
}

func decode(t *testing.T, src string) (registry.Values, hcl.Diagnostics) {
	t.Helper()
	f, diags := hclsyntax.ParseConfig([]byte(src), "t.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c, _ := registry.Lookup("augment.test_scale")
	return c.Decode(f.Body, nil, registry.DecodeOptions{})
}

func TestDecode(t *testing.T) {
	tests := []struct {
		src     string
		want    registry.Values
		wantErr string
	}{
		{src: ``, want: registry.Values{{"factor", 1.0}, {"clip", []float64{0, 1}}, {"mode", "fast"}, {"steps", 1}, {"odd", 1}}},
		{src: "factor = 2\nsteps = 3\nclip = [0.5, 0.75]\nmode = \"exact\"", want: registry.Values{{"factor", 2.0}, {"clip", []float64{0.5, 0.75}}, {"mode", "exact"}, {"steps", 3}, {"odd", 1}}},
		{src: `factor = 0`, wantErr: "0 is outside (0, inf)"},
		{src: `factor = "x"`, wantErr: "must be a number"},
		{src: `steps = 1.5`, wantErr: "must be a whole number"},
		{src: `clip = [1, 0]`, wantErr: "min 1 is greater than max 0"},
		{src: `clip = [1]`, wantErr: "want 2 numbers, got 1"},
		{src: `clip = "a"`, wantErr: "must be a list of numbers"},
		{src: `mode = "slow"`, wantErr: `"slow" is not one of "fast", "exact"`},
		{src: `odd = 2`, wantErr: "odd: must be odd"},
		{src: `bogus = 1`, wantErr: `An argument named "bogus" is not expected here. augment.test_scale takes: clip, factor, mode, odd, steps.`},
		{src: "bogus {\n}", wantErr: `Blocks of type "bogus" are not expected here. augment.test_scale takes: clip, factor, mode, odd, steps.`},
		{src: `factor = null`, wantErr: "not null"},
		{src: `factor = 1/0`, wantErr: "augment.test_scale.factor: got +Inf; a number must be finite."},
		{src: `factor = -1/0`, wantErr: "got -Inf; a number must be finite"},
		{src: `factor = 1e400`, wantErr: "1e+400 is beyond the range of a 64-bit float"},
		{src: `factor = 1e300 * 1e300`, wantErr: "1e+600 is beyond the range of a 64-bit float"},
		{src: `factor = 1e-400`, wantErr: "1e-400 is too close to zero for a 64-bit float"},
		{src: `factor = "1` + strings.Repeat("0", 200) + `"`, wantErr: "a string read as a number may have at most 100 characters, and this one has 201"},
		{src: `clip = [0, 1/0]`, wantErr: "augment.test_scale.clip: element 1: got +Inf; a number must be finite."},
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

func TestRegisterPanics(t *testing.T) {
	ok := func(registry.Values) (any, error) { return nil, nil }
	tests := []struct {
		name string
		c    registry.Component
		want string
	}{
		{"empty ID", registry.Component{New: ok}, "empty ID"},
		{"no type", registry.Component{ID: "augment", New: ok}, "not of the form kind.type"},
		{"unknown kind", registry.Component{ID: "widget.x", New: ok}, `unknown kind "widget"`},
		{"duplicate", registry.Component{ID: "augment.test_scale", New: ok}, "registered twice"},
		{"no constructor", registry.Component{ID: "augment.test_nil"}, "no constructor"},
		{"duplicate param", registry.Component{ID: "augment.test_dup", New: ok, Params: []registry.Param{
			{Name: "a", Type: registry.Int, Default: 1, Doc: "a"}, {Name: "a", Type: registry.Int, Default: 1, Doc: "a"}}}, "twice"},
		{"bad default", registry.Component{ID: "augment.test_bad", New: ok, Params: []registry.Param{
			{Name: "p", Type: registry.Float, Default: 2.0, Range: registry.Between(0, 1), Doc: "p"}}}, "outside [0, 1]"},
		{"default of wrong type", registry.Component{ID: "augment.test_bad2", New: ok, Params: []registry.Param{
			{Name: "p", Type: registry.Float, Default: 1, Doc: "p"}}}, "want a float64"},
		{"undocumented param", registry.Component{ID: "augment.test_bad3", New: ok, Params: []registry.Param{
			{Name: "p", Type: registry.Float, Default: 1.0}}}, "no doc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(fmt.Sprint(r), tt.want) {
					t.Errorf("panic %v, want one containing %q", r, tt.want)
				}
			}()
			registry.Register(tt.c)
		})
	}
}

// TestValidateRejectsNonFinite checks the Go-side path (ValuesOf, Build):
// infinities and NaN are refused as a spec's are.
func TestValidateRejectsNonFinite(t *testing.T) {
	p := registry.Param{Name: "x", Type: registry.Float, Doc: "x"}
	ps := registry.Param{Name: "xs", Type: registry.Floats, Doc: "xs"}
	tests := []struct {
		name string
		p    registry.Param
		v    any
		want string
	}{
		{"+inf", p, math.Inf(1), "want a finite number, got +Inf"},
		{"-inf", p, math.Inf(-1), "want a finite number, got -Inf"},
		{"nan", p, math.NaN(), "want a finite number, got NaN"},
		{"inf element", ps, []float64{1, math.Inf(1)}, "element 1 (+Inf) is not a finite number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate(tt.v)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Validate(%v) = %v, want %q", tt.v, err, tt.want)
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
		if got := registry.FormatNumber(bf); got != tt.want {
			t.Errorf("FormatNumber(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestNewChecksKindInterface(t *testing.T) {
	type transform interface{ Apply() }
	if _, err := registry.New[transform]("augment.test_scale", registry.Values{{"factor", 1.0}, {"odd", 1}}); err == nil ||
		!strings.Contains(err.Error(), "does not implement") {
		t.Errorf("got %v, want a does-not-implement error", err)
	}
	if _, err := registry.New[any]("augment.nope", nil); err == nil || !strings.Contains(err.Error(), "forgotten import") {
		t.Errorf("got %v", err)
	}
	s, err := registry.New[scaler]("augment.test_scale", registry.Values{{"factor", 3.0}, {"odd", 1}})
	if err != nil || s.factor != 3 {
		t.Errorf("New = %v, %v", s, err)
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct{ typ, want string }{
		{"test_scal", "test_scale"},
		{"tset_scale", "test_scale"},
		{"completely_different", ""},
	}
	for _, tt := range tests {
		if got := registry.Suggest(registry.Augment, tt.typ); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.typ, got, tt.want)
		}
	}
}

func TestRange(t *testing.T) {
	tests := []struct {
		r    registry.Range
		in   []float64
		out  []float64
		text string
	}{
		{registry.Between(0, 1), []float64{0, 0.5, 1}, []float64{-0.1, 1.1}, "[0, 1]"},
		{registry.Above(0), []float64{1e-9, 5}, []float64{0, -1}, "(0, inf)"},
		{registry.AtLeast(2), []float64{2, 3}, []float64{1.9}, "[2, inf)"},
		{registry.Range{}, []float64{-1e9, 1e9}, nil, ""},
	}
	for _, tt := range tests {
		for _, x := range tt.in {
			if !tt.r.Contains(x) {
				t.Errorf("%s does not contain %v", tt.r, x)
			}
		}
		for _, x := range tt.out {
			if tt.r.Contains(x) {
				t.Errorf("%s contains %v", tt.r, x)
			}
		}
		if tt.r.String() != tt.text {
			t.Errorf("String() = %q, want %q", tt.r.String(), tt.text)
		}
	}
}

func TestValuesJSONKeepsSchemaOrder(t *testing.T) {
	b, err := registry.Values{{"z", 1}, {"a", []float64{0.5}}, {"m", "x"}}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"z":1,"a":[0.5],"m":"x"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// Example shows the life of a component: it registers itself with its
// schema, a spec block is decoded against that schema (defaults filled,
// ranges checked), and the registry builds the instance.
func Example() {
	// In the component's own file:
	//	func init() { registry.Register(registry.Component{ID: "augment.test_scale", ...}) }
	c, _ := registry.Lookup("augment.test_scale")
	fmt.Println(c.Kind(), c.Type(), "-", c.Doc)

	f, _ := hclsyntax.ParseConfig([]byte("factor = 2.5\nclip = [0, 0.9]"), "spec.hcl", hcl.InitialPos)
	values, diags := c.Decode(f.Body, nil, registry.DecodeOptions{})
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	js, _ := values.MarshalJSON()
	fmt.Println(string(js))

	s, err := registry.New[scaler](c.ID, values)
	fmt.Println(s.factor, err)

	f, _ = hclsyntax.ParseConfig([]byte("factor = -1"), "spec.hcl", hcl.InitialPos)
	_, diags = c.Decode(f.Body, nil, registry.DecodeOptions{})
	fmt.Println(diags.Error())
	// Output:
	// augment test_scale - multiplies every pixel by a factor
	// {"factor":2.5,"clip":[0,0.9],"mode":"fast","steps":1,"odd":1}
	// 2.5 <nil>
	// spec.hcl:1,10-12: Invalid value for "factor"; augment.test_scale.factor: -1 is outside (0, inf).
}

func TestBuildFillsDefaultsAndChecks(t *testing.T) {
	s, err := registry.Build[scaler]("augment.test_scale", map[string]any{"factor": 2.0})
	if err != nil || s.factor != 2 {
		t.Fatalf("Build = %v, %v", s, err)
	}
	tests := []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"facter": 2.0}, `no parameter "facter"`},
		{map[string]any{"factor": -1.0}, "outside (0, inf)"},
		{map[string]any{"steps": 1.5}, "want an int"},
		{map[string]any{"odd": 2}, "must be odd"},
	}
	for _, tt := range tests {
		if _, err := registry.Build[scaler]("augment.test_scale", tt.params); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Build(%v) = %v, want an error containing %q", tt.params, err, tt.want)
		}
	}
}
