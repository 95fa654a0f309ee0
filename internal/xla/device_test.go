package xla

import (
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/go-xla/pkg/types/dtypes"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
)

// TestPluginPath checks that the flag wins over the environment.
func TestPluginPath(t *testing.T) {
	cases := []struct {
		name, flag, env, want string
	}{
		{"neither", "", "", ""},
		{"environment", "", "/env/plugin.so", "/env/plugin.so"},
		{"flag", "/flag/plugin.so", "", "/flag/plugin.so"},
		{"flag over environment", "/flag/plugin.so", "/env/plugin.so", "/flag/plugin.so"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(PluginEnv, c.env)
			if got := PluginPath(c.flag); got != c.want {
				t.Errorf("PluginPath(%q) with %s=%q = %q, want %q", c.flag, PluginEnv, c.env, got, c.want)
			}
		})
	}
}

// TestArrayCheck checks host data against ports: element type, shape and
// length, scalars with and without a shape of their own.
func TestArrayCheck(t *testing.T) {
	images := Port{Role: Input, Name: "view0", DType: dtypes.Float32, Shape: []int{2, 3, 4, 4}}
	lr := Port{Role: LR, Name: "lr", DType: dtypes.Float64}
	count := Port{Role: State, Name: "tracked", DType: dtypes.Int64}
	flag := Port{Role: Freeze, Name: "freeze0", DType: dtypes.Bool}
	cases := []struct {
		name string
		port Port
		a    Array
		want string // substring of the error, "" for none
	}{
		{"images", images, Array{Shape: []int{2, 3, 4, 4}, Data: make([]float32, 96)}, ""},
		{"lr", lr, Array{Data: []float64{0.1}}, ""},
		{"counter", count, Array{Data: []int64{3}}, ""},
		{"flag", flag, Array{Data: []bool{true}}, ""},
		{"scalar with empty shape", lr, Array{Shape: []int{}, Data: []float64{0.1}}, ""},
		{"wrong type", images, Array{Shape: []int{2, 3, 4, 4}, Data: make([]float64, 96)}, "host data of Float64, the program takes Float32"},
		{"unsupported type", images, Array{Shape: []int{2, 3, 4, 4}, Data: make([]int32, 96)}, "host data []int32"},
		{"not a slice", lr, Array{Data: 0.1}, "host data float64"},
		{"wrong shape", images, Array{Shape: []int{3, 2, 4, 4}, Data: make([]float32, 96)}, "shape [3 2 4 4], the program takes [2 3 4 4]"},
		{"short data", images, Array{Shape: []int{2, 3, 4, 4}, Data: make([]float32, 95)}, "95 values for shape [2 3 4 4] (96)"},
		{"scalar given a shape", lr, Array{Shape: []int{1}, Data: []float64{0.1}}, "shape [1], the program takes []"},
		{"empty scalar", flag, Array{Data: []bool{}}, "0 values"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.a.Check(c.port)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("Check: %v", err)
			case c.want != "" && err == nil:
				t.Errorf("Check passed, want an error saying %q", c.want)
			case c.want != "" && !strings.Contains(err.Error(), c.want):
				t.Errorf("Check: %v; want it to say %q", err, c.want)
			}
		})
	}
}

// TestArrayBytes checks that an array's bytes are its data's memory, of
// its element type's size.
func TestArrayBytes(t *testing.T) {
	cases := []struct {
		a    Array
		want int
	}{
		{Array{Data: []float32{1, 2, 3}}, 12},
		{Array{Data: []float64{1, 2}}, 16},
		{Array{Data: []int64{7}}, 8},
		{Array{Data: []bool{true, false}}, 2},
		{Array{Data: []float32{}}, 0},
	}
	for _, c := range cases {
		if got := len(c.a.bytes()); got != c.want {
			t.Errorf("%T: %d bytes, want %d", c.a.Data, got, c.want)
		}
	}
	f := []float32{1}
	b := Array{Data: f}.bytes()
	b[3] ^= 0x80 // the sign bit, little-endian
	if f[0] != -1 {
		t.Errorf("writing the bytes gave %v, want -1: not the data's memory", f[0])
	}
}

// TestValue checks the host values of the arguments the host holds:
// parameters (by *nn.Param and by node), batch-norm statistics, the
// queue's scores, zero optimizer state; and the errors for arguments the
// caller gives and for state with no host value.
func TestValue(t *testing.T) {
	w := &nn.Param{Name: "w", Value: tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6}))}
	bn := &ops.BNStats{Mean: []float32{0.5, -0.5}, Var: []float32{2, 3}, Tracked: 7}
	q := &ops.SinkhornQueue{Scores: []float32{1, 2, 3, 4, 5, 6, 7, 8}, Rows: 4}
	cases := []struct {
		name string
		port Port
		want Array
		err  string
	}{
		{"parameter", Port{Role: Parameter, Name: "w", DType: dtypes.Float32, Shape: []int{2, 3}, Key: ops.StateKey{Owner: w}},
			Array{Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}}, ""},
		{"parameter of another shape", Port{Role: Parameter, Name: "w", DType: dtypes.Float32, Shape: []int{3, 2}, Key: ops.StateKey{Owner: w}},
			Array{}, "shape [2 3], the program takes [3 2]"},
		{"parameter without value", Port{Role: Parameter, Name: "v", DType: dtypes.Float32, Shape: []int{2}},
			Array{}, "no value on the host"},
		{"running mean", Port{Role: State, Name: "bn_mean", DType: dtypes.Float32, Shape: []int{2}, Key: ops.StateKey{Owner: bn, Field: "mean"}},
			Array{Shape: []int{2}, Data: []float32{0.5, -0.5}}, ""},
		{"running variance", Port{Role: State, Name: "bn_var", DType: dtypes.Float32, Shape: []int{2}, Key: ops.StateKey{Owner: bn, Field: "var"}},
			Array{Shape: []int{2}, Data: []float32{2, 3}}, ""},
		{"batches tracked", Port{Role: State, Name: "bn_tracked", DType: dtypes.Int64, Key: ops.StateKey{Owner: bn, Field: "tracked"}},
			Array{Data: []int64{7}}, ""},
		{"queue scores", Port{Role: State, Name: "scores", DType: dtypes.Float32, Shape: []int{3, 2}, Key: ops.StateKey{Owner: q, Field: "scores"}},
			Array{Shape: []int{3, 2}, Data: []float32{1, 2, 3, 4, 5, 6}}, ""},
		{"queue too short", Port{Role: State, Name: "scores", DType: dtypes.Float32, Shape: []int{5, 2}, Key: ops.StateKey{Owner: q, Field: "scores"}},
			Array{}, "no host value"},
		{"unknown field", Port{Role: State, Name: "bn_x", DType: dtypes.Float32, Shape: []int{2}, Key: ops.StateKey{Owner: bn, Field: "x"}},
			Array{}, "no host value"},
		{"momentum buffer", Port{Role: OptState, Name: "momentum/w", DType: dtypes.Float32, Shape: []int{2, 3}, Key: ops.StateKey{Owner: w, Field: "momentum"}},
			Array{Shape: []int{2, 3}, Data: make([]float32, 6)}, ""},
		{"step counter", Port{Role: OptState, Name: "step/w", DType: dtypes.Int64, Key: ops.StateKey{Owner: w, Field: "step"}},
			Array{Shape: []int{}, Data: []int64{0}}, ""},
		{"bf16 state", Port{Role: OptState, Name: "m/w", DType: dtypes.BFloat16, Shape: []int{2}, Key: ops.StateKey{Owner: w, Field: "m"}},
			Array{}, "no host array here"},
		{"input", Port{Role: Input, Name: "view0", DType: dtypes.Float32, Shape: []int{1}},
			Array{}, "the caller gives its value"},
		{"lr", Port{Role: LR, Name: "lr", DType: dtypes.Float64}, Array{}, "the caller gives its value"},
		{"freeze", Port{Role: Freeze, Name: "freeze0", DType: dtypes.Bool}, Array{}, "the caller gives its value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Value(c.port)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("Value: %v; want an error saying %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Shape)+len(c.want.Shape) > 0 && !slices.Equal(got.Shape, c.want.Shape) {
				t.Errorf("shape %v, want %v", got.Shape, c.want.Shape)
			}
			if g, w := got.DType(), c.want.DType(); g != w {
				t.Errorf("%s, want %s", g, w)
			}
			if g, w := got.bytes(), c.want.bytes(); string(g) != string(w) {
				t.Errorf("data %v, want %v", got.Data, c.want.Data)
			}
		})
	}
}
