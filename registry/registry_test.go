package registry_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

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
// schema, a spec's values are checked against that schema (defaults filled,
// ranges checked), and the registry builds the instance.
func Example() {
	// In the component's own file:
	//	func init() { registry.Register(registry.Component{ID: "augment.test_scale", ...}) }
	c, _ := registry.Lookup("augment.test_scale")
	fmt.Println(c.Kind(), c.Type(), "-", c.Doc)

	// A spec block `augment "test_scale" { factor = 2.5, clip = [0, 0.9] }`
	// comes to the registry as these values:
	s, err := registry.Build[scaler](c.ID, map[string]any{"factor": 2.5, "clip": []float64{0, 0.9}})
	fmt.Println(s.factor, err)

	_, err = registry.Build[scaler](c.ID, map[string]any{"factor": -1.0})
	fmt.Println(err)
	// Output:
	// augment test_scale - multiplies every pixel by a factor
	// 2.5 <nil>
	// augment.test_scale.factor: -1 is outside (0, inf)
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
