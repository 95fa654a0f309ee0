package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Type is the type of a parameter value.
type Type int

// Parameter types. Path is a string that names a file or folder; relative
// paths resolve from the spec file's folder.
const (
	Bool Type = iota
	Int
	Float
	String
	Path
	Floats
)

func (t Type) String() string {
	switch t {
	case Bool:
		return "bool"
	case Int:
		return "int"
	case Float:
		return "number"
	case String:
		return "string"
	case Path:
		return "path"
	case Floats:
		return "list(number)"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// Range bounds a number, or every element of a list of numbers.
// The zero Range allows everything.
type Range struct {
	Min, Max         float64
	HasMin, HasMax   bool
	MinOpen, MaxOpen bool // exclusive bounds
}

// Between is the closed interval [lo, hi].
func Between(lo, hi float64) Range { return Range{Min: lo, Max: hi, HasMin: true, HasMax: true} }

// AtLeast is [lo, +inf).
func AtLeast(lo float64) Range { return Range{Min: lo, HasMin: true} }

// Above is (lo, +inf).
func Above(lo float64) Range { return Range{Min: lo, HasMin: true, MinOpen: true} }

// Contains reports whether x is inside the range.
func (r Range) Contains(x float64) bool {
	if math.IsNaN(x) {
		return false
	}
	if r.HasMin && (x < r.Min || (r.MinOpen && x == r.Min)) {
		return false
	}
	if r.HasMax && (x > r.Max || (r.MaxOpen && x == r.Max)) {
		return false
	}
	return true
}

// String renders the range in interval notation, e.g. "[0, 1]" or "(0, inf)".
func (r Range) String() string {
	if !r.HasMin && !r.HasMax {
		return ""
	}
	lo, hi := "[", "]"
	min, max := "-inf", "inf"
	if r.HasMin {
		min = fmtNum(r.Min)
		if r.MinOpen {
			lo = "("
		}
	} else {
		lo = "("
	}
	if r.HasMax {
		max = fmtNum(r.Max)
		if r.MaxOpen {
			hi = ")"
		}
	} else {
		hi = ")"
	}
	return lo + min + ", " + max + hi
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// Param describes one attribute of a component block.
type Param struct {
	Name string
	Type Type
	// Doc is one line for the reference.
	Doc string
	// Default is the value used when the attribute is absent: bool, int,
	// float64, string or []float64 according to Type. A nil Default makes the
	// attribute required.
	Default any
	// Range bounds numbers (and each element of Floats).
	Range Range
	// Len is the exact length of a Floats value; 0 allows any non-empty list.
	Len int
	// Ordered requires a Floats value to be non-decreasing (a [min, max] pair).
	Ordered bool
	// Enum lists the allowed values of a String.
	Enum []string
	// MustExist makes a Path an input that must exist; `validate --no-data`
	// skips that check.
	MustExist bool
}

// Required reports whether the attribute must be given.
func (p Param) Required() bool { return p.Default == nil }

func (p Param) check() error {
	if p.Name == "" {
		return fmt.Errorf("parameter with an empty name")
	}
	if p.Doc == "" {
		return fmt.Errorf("parameter %q has no doc", p.Name)
	}
	if p.Default == nil {
		return nil
	}
	if err := p.Validate(p.Default); err != nil {
		return fmt.Errorf("parameter %q: default %v: %w", p.Name, p.Default, err)
	}
	return nil
}

// Validate checks a Go value of the parameter's type against the schema.
func (p Param) Validate(v any) error {
	switch p.Type {
	case Bool:
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("want a bool, got %T", v)
		}
	case Int:
		i, ok := v.(int)
		if !ok {
			return fmt.Errorf("want an int, got %T", v)
		}
		if !p.Range.Contains(float64(i)) {
			return fmt.Errorf("%d is outside %s", i, p.Range)
		}
	case Float:
		f, ok := v.(float64)
		if !ok {
			return fmt.Errorf("want a float64, got %T", v)
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("want a finite number, got %s", fmtNum(f))
		}
		if !p.Range.Contains(f) {
			return fmt.Errorf("%s is outside %s", fmtNum(f), p.Range)
		}
	case String, Path:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a string, got %T", v)
		}
		if len(p.Enum) > 0 && !contains(p.Enum, s) {
			return fmt.Errorf("%q is not one of %s", s, quoteList(p.Enum))
		}
	case Floats:
		fs, ok := v.([]float64)
		if !ok {
			return fmt.Errorf("want a []float64, got %T", v)
		}
		if p.Len > 0 && len(fs) != p.Len {
			return fmt.Errorf("want %d numbers, got %d", p.Len, len(fs))
		}
		if len(fs) == 0 {
			return fmt.Errorf("want at least one number")
		}
		for i, f := range fs {
			if math.IsInf(f, 0) || math.IsNaN(f) {
				return fmt.Errorf("element %d (%s) is not a finite number", i, fmtNum(f))
			}
			if !p.Range.Contains(f) {
				return fmt.Errorf("element %d (%s) is outside %s", i, fmtNum(f), p.Range)
			}
			if p.Ordered && i > 0 && fs[i-1] > f {
				return fmt.Errorf("min %s is greater than max %s", fmtNum(fs[i-1]), fmtNum(f))
			}
		}
	default:
		return fmt.Errorf("unknown type %v", p.Type)
	}
	return nil
}

// TypeString describes the accepted value for the reference, e.g.
// "list(number) of 2, non-decreasing".
func (p Param) TypeString() string {
	s := p.Type.String()
	if p.Type == Floats && p.Len > 0 {
		s = fmt.Sprintf("list(number) of %d", p.Len)
	}
	if p.Ordered {
		s += " [min, max]"
	}
	if len(p.Enum) > 0 {
		s += " (" + strings.Join(p.Enum, "|") + ")"
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// ParamError is returned by a constructor for a problem with one attribute;
// the spec loader turns it into a diagnostic pointing at that attribute.
type ParamError struct {
	Param string
	Msg   string
}

func (e *ParamError) Error() string { return e.Param + ": " + e.Msg }

// Value is one decoded parameter.
type Value struct {
	Name  string
	Value any
}

// Values are the decoded parameters of one component, every default filled,
// in schema order.
type Values []Value

// Get returns the value of name.
func (vs Values) Get(name string) (any, bool) {
	for _, v := range vs {
		if v.Name == name {
			return v.Value, true
		}
	}
	return nil, false
}

func (vs Values) must(name string) any {
	v, ok := vs.Get(name)
	if !ok {
		panic(fmt.Sprintf("registry: no parameter %q (schema and constructor disagree)", name))
	}
	return v
}

// Bool returns the bool parameter name. Like the other typed getters it
// panics when the schema does not declare it: a programming error.
func (vs Values) Bool(name string) bool { return vs.must(name).(bool) }

// Int returns the int parameter name.
func (vs Values) Int(name string) int { return vs.must(name).(int) }

// Float returns the number parameter name.
func (vs Values) Float(name string) float64 { return vs.must(name).(float64) }

// String returns the string or path parameter name.
func (vs Values) String(name string) string { return vs.must(name).(string) }

// Floats returns the list parameter name.
func (vs Values) Floats(name string) []float64 { return vs.must(name).([]float64) }

// MarshalJSON writes the values as a JSON object in schema order.
func (vs Values) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(v.Name)
		if err != nil {
			return nil, err
		}
		val, err := json.Marshal(v.Value)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", v.Name, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
