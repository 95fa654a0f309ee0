package spec_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sslrun/sslrun/internal/spec"
)

// exp wraps an expression as the description of an otherwise empty spec,
// so it sits at line 1, column 32.
func exp(expr string) string { return `experiment "e" { description = ` + expr + " }" }

// seed wraps an expression as the seed, at line 1, column 25.
func seed(expr string) string { return `experiment "e" { seed = ` + expr + " }" }

// locals writes a locals block with n locals made by line(i), then the
// experiment block experiment.
func locals(n int, line func(i int) string, experiment string) string {
	var b strings.Builder
	b.WriteString("locals {\n")
	for i := range n {
		b.WriteString("  " + line(i) + "\n")
	}
	b.WriteString("}\n" + experiment + "\n")
	return b.String()
}

// doubling is a chain of locals each twice as long as the one before.
func doubling(i int) string {
	if i == 0 {
		return `a0 = "0123456789abcdef"`
	}
	return fmt.Sprintf(`a%d = "${local.a%d}${local.a%d}"`, i, i-1, i-1)
}

// TestCostLimits feeds the loader what overflowed the stack or ran for
// minutes before (issue 15), generated at full size: each is refused at the
// place that breaks a limit, saying what the limit is, within a second.
func TestCostLimits(t *testing.T) {
	const deep = 100000
	tests := []struct {
		name string
		src  string
		vars map[string]string
		want []string
	}{
		{"nested parentheses", exp(strings.Repeat("(", deep) + "1" + strings.Repeat(")", deep)),
			nil, []string{"x.hcl:1,95: error: Nesting too deep", "a spec may nest at most 64"}},
		{"nested brackets", exp(strings.Repeat("[", deep) + strings.Repeat("]", deep)),
			nil, []string{"x.hcl:1,95: error: Nesting too deep"}},
		{"nested objects", exp(strings.Repeat("{a = ", deep) + "1" + strings.Repeat("}", deep)),
			nil, []string{"x.hcl:1,347: error: Nesting too deep"}},
		{"nested templates", exp(strings.Repeat(`"${`, deep) + "1" + strings.Repeat(`}"`, deep)),
			nil, []string{"x.hcl:1,126-128: error: Nesting too deep"}},
		{"nested template directives", exp(`"` + strings.Repeat("%{if true}", 10000) + strings.Repeat("%{endif}", 10000) + `"`),
			nil, []string{"x.hcl:1,", "Nesting too deep", "at most 64"}},
		{"nested blocks", strings.Repeat("a {\n", deep) + strings.Repeat("}\n", deep),
			nil, []string{"x.hcl:65,3: error: Nesting too deep"}},
		{"unary minus", seed(strings.Repeat("-", deep) + "1"),
			nil, []string{"x.hcl:1,88: error: Nesting too deep"}},
		{"unary not", exp(strings.Repeat("!", deep) + "true"),
			nil, []string{"x.hcl:1,95: error: Nesting too deep"}},
		{"1,000,000-term sum", seed("1" + strings.Repeat(" + 1", 1000000)),
			nil, []string{"x.hcl:1,1: error: Spec too large", "at most 1048576 (1 MiB)"}},
		{"100,000-term sum", seed("1" + strings.Repeat("+1", deep)),
			nil, []string{"x.hcl:1,25: error: Expression too long", "at most 10000"}},
		{"conditional chain", seed(strings.Repeat("true ? 1 : ", 5000) + "1"),
			nil, []string{"x.hcl:1,25-29: error: Expression too long"}},
		{"huge exponent", seed("1e40000000"),
			nil, []string{"x.hcl:1,25-35: error: Number out of range", "a finite magnitude from 1e-400 to below 1e400"}},
		{"product of huge exponents", seed("1e100000000 * 1e100000000"),
			nil, []string{"x.hcl:1,25-36: error: Number out of range"}},
		{"tiny exponent", seed("1e-40000000"),
			nil, []string{"x.hcl:1,25-36: error: Number out of range"}},
		{"long literal", seed("1" + strings.Repeat("0", 200)),
			nil, []string{"x.hcl:1,25-226: error: Number literal too long", "at most 100"}},
		{"product of two 1e300", seed("1e300 * 1e300 * 2"),
			nil, []string{"x.hcl:1,25-38: error: Number out of range", "This computes 1e+600"}},
		{"10,000 locals", locals(10000, func(i int) string { return fmt.Sprintf("l%d = %d", i, i) }, `experiment "e" {}`),
			nil, []string{"x.hcl:1002,3-8: error: Too many locals", "at most 1000 locals"}},
		{"for over 1e9 items", exp("length([for i in range(1000): [for j in range(1000): [for k in range(1000): 1]]])"),
			nil, []string{"x.hcl:1,95-106: error: Spec too costly to evaluate", "at most 16 MiB"}},
		{"indent by 2e9", exp(`indent(2e9, "a\nb")`),
			nil, []string{"x.hcl:1,32-39: error: Error in function call", "indent: 2000000000 spaces on each line of a 2-line string would be 3814.7 MiB; a value in a spec may be at most 1 MiB"}},
		{"format width", exp(`format("%2000000000d", 1)`),
			nil, []string{"x.hcl:1,32-39:", "format: a verb's width is 1073741824; a spec allows at most 1000"}},
		{"format precision", exp(`format("%.5000f", 1)`),
			nil, []string{"x.hcl:1,32-39:", "format: a verb's precision is 5000"}},
		{"replace blows up", exp(`replace("` + strings.Repeat("x", 1000) + `", "x", "` + strings.Repeat("y", 2000) + `")`),
			nil, []string{"x.hcl:1,32-40:", "replace: the result would be 1.9 MiB"}},
		{"string doubled through locals", locals(30, doubling, `experiment "e" { description = local.a29 }`),
			nil, []string{"x.hcl:18,9-35: error: Invalid value for local.a16", "a value in a spec may be at most 1 MiB"}},
		{"strrev of a doubled string", locals(16, doubling, `experiment "e" { description = strrev("${local.a15}${local.a15}") }`),
			nil, []string{"x.hcl:19,32-39: error: Error in function call", `Call to function "strrev" failed: This builds a value of more than 1.0 MiB; a value in a spec may be at most 1 MiB`}},
		{"distinct of 5000", exp("length(distinct(concat(range(1000), range(1000), range(1000), range(1000), range(1000))))"),
			nil, []string{"x.hcl:1,39-48:", "distinct: the list has 5000 elements; distinct compares every pair and takes at most 2000"}},
		{"number text", seed(`tonumber("` + strings.Repeat("1", 100000) + `")`),
			nil, []string{"x.hcl:1,25-34:", "a string read as a number may have at most 100 characters, and this one has 100000"}},
		{"number text in arithmetic", seed(`"` + strings.Repeat("1", 100000) + `" * 1`),
			nil, []string{"x.hcl:1,25-100027: error: Number text too long"}},
		{"number text in jsondecode", seed(`jsondecode("` + strings.Repeat("1", 100000) + `")`),
			nil, []string{"x.hcl:1,25-36:", "more than 100 digits"}},
		{"number text as an index", locals(1, func(int) string { return "l = [1]" }, seed(`local.l["`+strings.Repeat("1", 1000)+`"]`)),
			nil, []string{"x.hcl:4,32-1036: error: Number text too long"}},
		{"--var of 1e40000000", "variable \"n\" { default = 0 }\n" + seed("var.n"),
			map[string]string{"n": "1e40000000"}, []string{"x.hcl:1,1-13:", "--var n=1e40000000: This computes 1e+40000000"}},
		{"--var that builds 1e9 items", "variable \"l\" { default = [] }\n" + seed("length(var.l)"),
			map[string]string{"l": "[for i in range(1000): [for j in range(1000): [for k in range(1000): 1]]]"}, []string{"x.hcl:1,1-13:", "--var l=", "at most 16 MiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := spec.Load("x.hcl", []byte(tt.src), spec.Options{NoData: true, Vars: tt.vars})
			took := time.Since(start)
			if err == nil {
				t.Fatal("loaded")
			}
			se := specError(t, err)
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%s", w, msg)
				}
			}
			for _, d := range se.Diags {
				if d.Subject == nil {
					t.Errorf("diagnostic without position: %s", d.Summary)
				}
			}
			for _, line := range strings.Split(msg, "\n") {
				if len(line) > 300 {
					t.Errorf("rendered line of %d bytes: %.100s...", len(line), line)
				}
			}
			// A guard against a limit that trips only after the work,
			// not a speed check: unlimited, these take hours or all the
			// memory; limited, well under a second on an idle core. The
			// bound leaves room for a machine shared with training runs
			// (5.3 s seen).
			if took > time.Minute {
				t.Errorf("took %v", took)
			}
		})
	}
}

// TestWithinLimits checks that what is costly only in appearance loads: a
// sum of 4,000 terms, try nested 60 deep (HCL's own try evaluated its
// arguments 2^60 times), a chain of 1,000 locals (quadratic before), and a
// --var too deeply nested to parse, which an untyped variable takes as text.
func TestWithinLimits(t *testing.T) {
	tests := []struct {
		name string
		src  string
		vars map[string]string
		want string // the description, or the seed when empty
		seed int
	}{
		{name: "4,000-term sum", src: seed("0" + strings.Repeat("+1", 4000)), seed: 4000},
		{name: "nested try", src: seed(strings.Repeat("try(", 60) + "7" + strings.Repeat(")", 60)), seed: 7},
		{name: "chain of 1,000 locals", seed: 999, src: locals(1000, func(i int) string {
			if i == 0 {
				return "a0 = 0"
			}
			return fmt.Sprintf("a%d = local.a%d + 1", i, i-1)
		}, seed("local.a999"))},
		{name: "deep --var as text", src: "variable \"d\" {}\n" + exp("var.d"),
			vars: map[string]string{"d": strings.Repeat("(", 100000)}, want: strings.Repeat("(", 100000)},
		{name: "1e-300 and 1e300", src: seed("1e300 * 1e-300"), seed: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := spec.Load("x.hcl", []byte(tt.src), spec.Options{NoData: true, Vars: tt.vars})
			if err != nil {
				t.Fatal(err)
			}
			if e.Seed != tt.seed || e.Description != tt.want {
				t.Errorf("seed %d description %.40q, want %d %.40q", e.Seed, e.Description, tt.seed, tt.want)
			}
		})
	}
}

// TestNoStackTraces checks that a cty function that panics, or divides
// infinities, is reported in one line at its call, not with a goroutine
// dump.
func TestNoStackTraces(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{"log(-1, 10)", []string{"x.hcl:1,32-36: error: Error in function call", `Call to function "log" failed: the result is not a number (NaN).`}},
		{"pow(-1, 0.5)", []string{"x.hcl:1,32-36:", "the result is not a number (NaN)"}},
		{"(1/0) % 2", []string{"x.hcl:1,32-37: error: Number out of range", "This computes +Inf"}},
		{"max(1/0, 1)", []string{"x.hcl:1,36: error: Invalid function argument", "This computes +Inf, outside the range of numbers in a spec: 0, or a finite magnitude from 1e-400 to below 1e400."}},
		{"indent(-1, \"a\")", []string{"x.hcl:1,32-39:", "indent: the number of spaces is -1; it must not be negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := spec.Load("x.hcl", []byte(exp(tt.expr)), spec.Options{NoData: true})
			if err == nil {
				t.Fatal("loaded")
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%s", w, msg)
				}
			}
			if strings.Contains(msg, "goroutine") || strings.Contains(msg, ".go:") {
				t.Errorf("error carries a stack trace:\n%s", msg)
			}
			if strings.Contains(msg, "..") {
				t.Errorf("error has a doubled period:\n%s", msg)
			}
		})
	}
}
