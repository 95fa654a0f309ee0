package hloeval

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types/dtypes"
	"github.com/gomlx/go-xla/pkg/types/dtypes/bfloat16"
	"github.com/gomlx/go-xla/pkg/types/shapes"
	"github.com/gomlx/go-xla/pkg/types/shardy"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestParseDecorations runs a program carrying what go-xla prints around
// the ops: module attributes and a Shardy mesh, donated and sharded
// arguments, result attributes, and constants printed in hexadecimal.
func TestParseDecorations(t *testing.T) {
	b := stablehlo.New("decorated")
	mesh := must(shardy.NewDeviceMesh("mesh", []int{2}, []string{"data"}))
	b.WithShardy(mesh)
	fn := b.Main()
	x := must(fn.InputWithShardingAndAttributes(shapes.Make(dtypes.F32, 2), b.NewShardingSpec().AddShardedAxis("data"),
		map[string]any{"tf.aliasing_output": int32(0)}))
	y := must(fn.InputWithAttributes(shapes.Make(dtypes.F32, 2), map[string]any{"jax.buffer_donor": true}))
	inf := must(fn.ConstantFromScalar(float32(math.Inf(1))))
	bf := must(fn.ConstantFromFlatAndDimensions([]bfloat16.BFloat16{bfloat16.FromFloat32(-1.5), bfloat16.FromFloat32(float32(math.Inf(-1)))}, 2))
	nan := must(fn.ConstantFromScalar(math.NaN()))
	sum := must(stablehlo.Add(x, y))
	err := fn.ReturnWithAttributes([]*stablehlo.Value{sum, inf, bf, nan},
		[]map[string]any{{"jax.result_info": "sum", "tf.aliasing_output": int32(0)}, nil, nil, {"jax.result_info": "nan"}})
	if err != nil {
		t.Fatal(err)
	}
	text := string(must(b.Build()))
	for _, s := range []string{"sdy.mesh", "num_partitions", "tf.aliasing_output = 0 : i32", "jax.buffer_donor = true", "0x7f800000", "0xff80"} {
		if !strings.Contains(text, s) {
			t.Fatalf("go-xla no longer prints %q; the test needs updating:\n%s", s, text)
		}
	}
	got := runProgram(t, text, []*Tensor{tensor("f32", dims(2), 1, 2), tensor("f32", dims(2), 10, 20)})
	want := []*Tensor{
		tensor("f32", dims(2), 11, 22),
		tensor("f32", nil, math.Inf(1)),
		tensor("bf16", dims(2), -1.5, math.Inf(-1)),
		tensor("f64", nil, math.NaN()),
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("results differ (-want +got):\n%s\n%s", diff, text)
	}
}

// TestParseGenericText parses forms go-xla does not print today but the
// generic MLIR syntax allows: func.return, a private function beside
// @main, comments, an empty dense list and a splat of a vector type.
func TestParseGenericText(t *testing.T) {
	text := `// a comment
module @m {
  func.func private @helper(%a: tensor<f32>) -> tensor<f32> {
    func.return %a : tensor<f32>
  }
  func.func public @main(%x: tensor<0xf32>) -> (tensor<0xf32>, tensor<3xi32>) {
    %e = "stablehlo.constant"() { value = dense<[]> : tensor<0xf32> } : () -> tensor<0xf32>
    %s = "stablehlo.constant"() { value = dense<-4> : tensor<3xi32> } : () -> tensor<3xi32>
    %sum = "stablehlo.add"(%x, %e) : (tensor<0xf32>, tensor<0xf32>) -> tensor<0xf32>
    "func.return"(%sum, %s) : (tensor<0xf32>, tensor<3xi32>) -> ()
  }
}`
	_, err := Parse(text)
	if err == nil || !strings.Contains(err.Error(), `4:5: expected an op name such as "stablehlo.add", found "func.return"`) {
		t.Fatalf("Parse of the pretty func.return form: got %v, want an error at 4:5", err)
	}
	text = strings.Replace(text, "func.return %a : tensor<f32>", `"func.return"(%a) : (tensor<f32>) -> ()`, 1)
	got := runProgram(t, text, []*Tensor{tensor("f32", dims(0))})
	want := []*Tensor{tensor("f32", dims(0)), tensor("i32", dims(3), -4, -4, -4)}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("results differ (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	const head = "module @m {\n  func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
	const ret = `    "stablehlo.return"(%x) : (tensor<2xf32>) -> ()` + "\n"
	const tail = "  }\n}\n"
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", `1:1: expected "module", found end of input`},
		{"unterminated module", "module @m {", `1:12: expected "func.func" or "}", found end of input`},
		{"no main", "module @m {\n}", "2:2: module has no @main function"},
		{"junk after module", "module @m {\n}\nx", `3:1: expected end of input after the module, found "x"`},
		{"unexpected character", "module @m { ! }", `1:13: unexpected character '!'`},
		{"unknown element type", "module @m {\n  func.func @main(%x: tensor<2xq7>) -> tensor<2xf32> {\n" + ret + tail,
			`2:23: unsupported element type "q7" in tensor<2xq7>`},
		{"dynamic dimension", "module @m {\n  func.func @main(%x: tensor<?x2xf32>) -> tensor<2xf32> {\n" + ret + tail,
			`2:23: expected a static dimension in tensor<?x2xf32>, found "?"`},
		{"dimension not a number", "module @m {\n  func.func @main(%x: tensor<2x-3xf32>) -> tensor<2xf32> {\n" + ret + tail,
			`2:23: expected a static dimension in tensor<2x-3xf32>, found "-3"`},
		{"huge tensor", "module @m {\n  func.func @main(%x: tensor<65536x65536x2xf32>) -> tensor<2xf32> {\n" + ret + tail,
			"2:23: tensor<65536x65536x2xf32> has more than"},
		{"use before definition", head + `    %0 = "stablehlo.add"(%x, %1) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>` + "\n" + ret + tail,
			"3:30: value %1 is used before it is defined"},
		{"defined twice", head + `    %x = "stablehlo.negate"(%x) : (tensor<2xf32>) -> tensor<2xf32>` + "\n" + ret + tail,
			"3:5: value %x defined twice"},
		{"missing return", head + tail, `3:3: expected a "stablehlo.return" or "func.return" statement, found "}"`},
		{"statement after return", head + ret + ret + tail, `4:5: expected "}" after the return, found "stablehlo.return"`},
		{"operand count", head + `    %0 = "stablehlo.add"(%x, %x) : (tensor<2xf32>) -> tensor<2xf32>` + "\n" + ret + tail,
			"3:10: stablehlo.add has 2 operands but its signature lists 1 types"},
		{"result count", head + `    %0, %1 = "stablehlo.add"(%x, %x) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>` + "\n" + ret + tail,
			"3:14: stablehlo.add has 2 results but its signature lists 1 types"},
		{"missing arrow", head + `    %0 = "stablehlo.negate"(%x) : (tensor<2xf32>) tensor<2xf32>` + "\n" + ret + tail,
			`3:51: expected "->", found tensor<2xf32>`},
		{"missing attribute value", head + `    %0 = "stablehlo.reverse"(%x) { dimensions = } : (tensor<2xf32>) -> tensor<2xf32>` + "\n" + ret + tail,
			`3:49: expected an attribute value, found "}"`},
		{"unterminated string", head + `    %0 = "stablehlo.negate` + "\n" + tail, "3:10: unterminated string"},
		{"ragged dense", head + `    %0 = "stablehlo.constant"() { value = dense<[[1.0], [2.0, 3.0]]> : tensor<2x1xf32> } : () -> tensor<2x1xf32>` + "\n" + ret + tail,
			"3:66: ragged dense literal: 2 elements here, 1 in the list before"},
		{"dense of the wrong size", head + `    %0 = "stablehlo.constant"() { value = dense<[1.0, 2.0]> : tensor<3xf32> } : () -> tensor<3xf32>` + "\n" + ret + tail,
			"3:63: dense literal has dimensions [2] but its type is tensor<3xf32>"},
		{"array element of the wrong kind", head + `    %0 = "stablehlo.reverse"(%x) { dimensions = array<i64: true> } : (tensor<2xf32>) -> tensor<2xf32>` + "\n" + ret + tail,
			`3:60: expected an array<i64> element, found "true"`},
		{"unclosed region", head + `    %0 = "stablehlo.reduce"(%x, %x) ({` + "\n", `4:1: expected a block label (^name), found end of input`},
		{"duplicate attribute", head + `    %0 = "stablehlo.reverse"(%x) { a = 1, a = 2 } : (tensor<2xf32>) -> tensor<2xf32>` + "\n" + ret + tail,
			"3:43: attribute a given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.text)
			if err == nil {
				t.Fatalf("Parse succeeded, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error\n  %v\nwant it to contain\n  %s", err, tt.want)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	const prog = `module @m {
  func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
    %0 = "stablehlo.negate"(%x) : (tensor<2xf32>) -> tensor<2xf32>
    "stablehlo.return"(%0) : (tensor<2xf32>) -> ()
  }
}`
	x := tensor("f32", dims(2), 1, 2)
	tests := []struct {
		name   string
		text   string
		inputs []*Tensor
		want   string
	}{
		{"too few inputs", prog, nil, "@main takes 1 inputs, got 0"},
		{"input of the wrong shape", prog, []*Tensor{tensor("f32", dims(3), 1, 2, 3)}, "input 0 (%x) is tensor<3xf32>, @main declares tensor<2xf32>"},
		{"input of the wrong type", prog, []*Tensor{tensor("f64", dims(2), 1, 2)}, "input 0 (%x) is tensor<2xf64>, @main declares tensor<2xf32>"},
		{"malformed input", prog, []*Tensor{tensor("f32", dims(2), 1)}, "input 0 (%x): tensor<2xf32> holds 1 elements, want 2"},
		{"operand declared wrongly", strings.Replace(prog, "(tensor<2xf32>) -> tensor<2xf32>", "(tensor<3xf32>) -> tensor<2xf32>", 1),
			[]*Tensor{x}, "line 3:5: stablehlo.negate: operand 0 (%x) is tensor<2xf32>, but the statement declares tensor<3xf32>"},
		{"result declared wrongly", strings.Replace(prog, "(tensor<2xf32>) -> tensor<2xf32>", "(tensor<2xf32>) -> tensor<2xf64>", 1),
			[]*Tensor{x}, "line 3:5: stablehlo.negate computes tensor<2xf32> for result 0 (%0), but the statement declares tensor<2xf64>"},
		{"return declared wrongly", strings.Replace(prog, "(tensor<2xf32>) -> ()", "(tensor<1xf32>) -> ()", 1),
			[]*Tensor{x}, "line 4:5: stablehlo.return: operand 0 (%0) is tensor<2xf32>, but the statement declares tensor<1xf32>"},
		{"unsupported op", strings.Replace(prog, "stablehlo.negate", "stablehlo.fft", 1),
			[]*Tensor{x}, "line 3:5: op stablehlo.fft is not supported by hloeval"},
		{"bad attribute", strings.Replace(prog, `"stablehlo.negate"(%x)`, `"stablehlo.reverse"(%x) { dimensions = array<i64: 1> }`, 1),
			[]*Tensor{x}, "line 3:5: stablehlo.reverse: dimensions [1]: bad or repeated axis 1 for rank 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.text)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			_, err = m.Run(tt.inputs...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run error\n  %v\nwant it to contain\n  %s", err, tt.want)
			}
		})
	}
}

// TestReduceWindowBaseDilationsQuirk pins a go-xla v0.1.4 printing quirk:
// ReduceWindow prints its window dilations as base_dilations too, so a
// base dilation that differs from the window dilation is lost from the
// text while go-xla's shape inference used it. The evaluator follows the
// text and reports the disagreement at the statement's line.
func TestReduceWindowBaseDilationsQuirk(t *testing.T) {
	x := tensor("f32", dims(3), 1, 2, 3)
	text := buildProgram(t, []*Tensor{x}, func(fn *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
		zero := must(fn.ConstantFromScalar(float32(0)))
		return []*stablehlo.Value{must(stablehlo.ReduceWindow(a[0], zero, closure2(fn, "f32", stablehlo.Add),
			[]int{1}, []int{1}, []int{2}, []int{1}, nil))}
	})
	if !strings.Contains(text, "base_dilations = array<i64: 1>") || !strings.Contains(text, "-> tensor<5xf32>") {
		t.Fatalf("go-xla's printing changed; revisit this test:\n%s", text)
	}
	m, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Run(x)
	if err == nil || !strings.Contains(err.Error(), "computes tensor<3xf32> for result 0 (%2), but the statement declares tensor<5xf32>") {
		t.Errorf("Run: %v, want the shape disagreement reported", err)
	}
}

// fuzzSeeds are programs printed by go-xla that FuzzParse starts from.
func fuzzSeeds(tb testing.TB) []string {
	x := tensor("f32", dims(1, 2, 4, 4), pseudo(32, 1)...)
	k := tensor("f32", dims(3, 2, 3, 3), pseudo(54, 2)...)
	return []string{
		buildProgram(tb, []*Tensor{x, k}, func(fn *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
			zero := must(fn.ConstantFromScalar(float32(0)))
			conv := must(stablehlo.Convolution(a[0], a[1], []int{2, 2}, [][2]int{{1, 1}, {1, 0}}, []int{1, 2}, []int{2, 1},
				0, 1, []int{2, 3}, 1, 0, []int{2, 3}, 0, 1, []int{2, 3}, 1, 1, 0, 0))
			pool := must(stablehlo.ReduceWindow(conv, zero, closure2(fn, "f32", stablehlo.Maximum),
				[]int{1, 1, 2, 2}, []int{1, 1, 1, 1}, nil, nil, [][2]int{{0, 0}, {0, 0}, {1, 0}, {0, 1}}))
			sum := must(stablehlo.Reduce(pool, zero, closure2(fn, "f32", stablehlo.Add), 2, 3))
			dot := must(stablehlo.DotGeneral(sum, []int{1}, nil, sum, []int{1}, nil).Done())
			return []*stablehlo.Value{must(stablehlo.Tanh(dot)), must(stablehlo.Compare(dot, dot, 1, 0))}
		}),
		buildProgram(tb, []*Tensor{tensor("f32", dims(4, 4), pseudo(16, 3)...), tensor("f32", dims(2, 2), 1, 2, 3, 4)},
			func(fn *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				zero := must(fn.ConstantFromScalar(float32(0)))
				sel := closure2(fn, "f32", func(a, b *stablehlo.Value) (*stablehlo.Value, error) { return stablehlo.Compare(a, b, 1, 0) })
				ss := must(stablehlo.SelectAndScatter(a[0], a[1], zero, sel, closure2(fn, "f32", stablehlo.Add), []int{2, 2}, []int{2, 2}, nil))
				bf := must(stablehlo.Convert(ss, dtypes.BFloat16))
				padded := must(stablehlo.Pad(a[0], zero, []int{1, -1}, []int{0, 2}, []int{1, 0}))
				return []*stablehlo.Value{bf, padded, must(fn.ConstantFromFlatAndDimensions([]int32{1, 2, 3, 4, 5, 6}, 2, 3))}
			}),
		buildProgram(tb, []*Tensor{tensor("f32", dims(5, 3), seq(15, 0, 1)...), tensor("i32", dims(4, 1), 4, 0, 2, 2)},
			func(fn *stablehlo.Function, a []*stablehlo.Value) []*stablehlo.Value {
				rows := must(stablehlo.Gather(a[0], a[1], 1, []int{1}, []int{0}, nil, nil, []int{0}, []int{1, 3}, false))
				back := must(stablehlo.Scatter(a[0], a[1], rows, []int{1}, []int{0}, nil, nil, []int{0}, 1, false, false,
					closure2(fn, "f32", stablehlo.Add)))
				scale := must(fn.ConstantFromFlatAndDimensions([]float32{1, 2, 3}, 3))
				norm, mean, variance, err := stablehlo.BatchNormTraining(back, scale, scale, 1e-5, 1)
				if err != nil {
					panic(err)
				}
				one := must(fn.ConstantFromScalar(int32(1)))
				window := must(stablehlo.DynamicSlice(norm, []*stablehlo.Value{one, one}, []int{2, 2}))
				return []*stablehlo.Value{norm, mean, variance, window, must(fn.Iota(shapeOf("i32", 4), 0))}
			}),
	}
}

func TestFuzzSeedsRun(t *testing.T) {
	for i, text := range fuzzSeeds(t) {
		m, err := Parse(text)
		if err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		if _, err := m.Run(zeroInputs(m)...); err != nil {
			t.Errorf("seed %d: %v", i, err)
		}
	}
}

// zeroInputs returns zero tensors of @main's parameter types.
func zeroInputs(m *Module) []*Tensor {
	var in []*Tensor
	for _, p := range m.funcs["main"].params {
		in = append(in, newTensor(p.typ.dtype, p.typ.shape))
	}
	return in
}

// declaredElements counts the elements of every type a module declares,
// saturating at limit.
func declaredElements(m *Module, limit int) int {
	n := 0
	var walk func(f *function)
	add := func(ts []valueType) {
		for _, t := range ts {
			n = min(n+size(t.shape), limit)
		}
	}
	walk = func(f *function) {
		for _, p := range f.params {
			add([]valueType{p.typ})
		}
		for _, st := range f.body {
			add(st.inTypes)
			add(st.outTypes)
			for _, r := range st.regions {
				walk(r)
			}
		}
	}
	for _, f := range m.funcs {
		walk(f)
	}
	return n
}

// FuzzParse checks that Parse never panics, and that a small program it
// accepts runs on zero inputs without panicking (errors are fine).
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		m, err := Parse(text)
		if err != nil || declaredElements(m, 1<<12) >= 1<<12 {
			return
		}
		_, _ = m.Run(zeroInputs(m)...)
	})
}
