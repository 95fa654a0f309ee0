package spec

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/sslrun/sslrun/registry"
)

// DecodeOptions control how a block body is decoded.
type DecodeOptions struct {
	// BaseDir is the folder relative paths resolve from (the spec's folder).
	BaseDir string
	// CheckPaths makes a missing MustExist path an error.
	CheckPaths bool
}

// DecodeComponent decodes a block body against c's schema and builds the
// component once to catch problems between parameters. Unknown, missing and
// mistyped attributes, values out of range and missing input paths are all
// reported together, each pointing at its attribute.
func DecodeComponent(c *registry.Component, body hcl.Body, ctx *hcl.EvalContext, opts DecodeOptions) (registry.Values, hcl.Diagnostics) {
	content, diags := body.Content(BodySchema(c.Params))
	ExplainUnsupported(diags, c.ID, c.Params, "")
	values, d := DecodeAttributes(c.ID, c.Params, content.Attributes, ctx, opts)
	diags = append(diags, d...)
	if diags.HasErrors() {
		return nil, diags
	}
	if _, err := c.New(values); err != nil {
		subject := body.MissingItemRange()
		var pe *registry.ParamError
		if errors.As(err, &pe) {
			if attr, ok := content.Attributes[pe.Param]; ok {
				subject = attr.Expr.Range()
			}
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Invalid %s", c.ID),
			Detail:   err.Error(),
			Subject:  &subject,
		})
		return nil, diags
	}
	return values, diags
}

// BodySchema is the HCL schema of a block whose attributes are params.
func BodySchema(params []registry.Param) *hcl.BodySchema {
	schema := &hcl.BodySchema{}
	for _, p := range params {
		schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: p.Name, Required: p.Required()})
	}
	return schema
}

// ExplainUnsupported completes the "Unsupported argument" and "Unsupported
// block type" diagnostics of a body decoded against params: it appends the
// names of the attributes owner takes, and blocks (e.g. "augment blocks")
// when it holds blocks, so a typo is fixed without looking the block up.
func ExplainUnsupported(diags hcl.Diagnostics, owner string, params []registry.Param, blocks string) {
	names := make([]string, len(params))
	for i, p := range params {
		names[i] = p.Name
	}
	sort.Strings(names)
	takes := strings.Join(names, ", ")
	switch {
	case takes == "" && blocks == "":
		takes = "no attributes or blocks"
	case takes == "":
		takes = blocks
	case blocks != "":
		takes += ", and " + blocks
	}
	for _, d := range diags {
		if d.Summary == "Unsupported argument" || d.Summary == "Unsupported block type" {
			d.Detail += fmt.Sprintf(" %s takes: %s.", owner, takes)
		}
	}
}

// MaxNumberText is the longest string that is read as a number, e.g. "0.5"
// for a number parameter. Reading a decimal number costs time quadratic in
// its length, and no number needs more characters than this.
const MaxNumberText = 100

// CheckNumberText reports a string too long to be read as a number (see
// MaxNumberText). registry.Values that are not strings pass; so do strings that
// cannot start a number, since reading those fails at once.
func CheckNumberText(v cty.Value) error {
	if !v.IsKnown() || v.IsNull() || !v.Type().Equals(cty.String) {
		return nil
	}
	s := v.AsString()
	if len(s) <= MaxNumberText || !strings.ContainsAny(s[:1], "0123456789+-.") {
		return nil
	}
	return fmt.Errorf("a string read as a number may have at most %d characters, and this one has %d", MaxNumberText, len(s))
}

// FormatNumber writes a number briefly at a cost that does not depend on its
// magnitude: big.Float's own Text takes minutes for 1e40000000.
func FormatNumber(bf *big.Float) string {
	if bf.IsInf() {
		return bf.String()
	}
	mant := new(big.Float)
	exp2 := bf.MantExp(mant)
	if exp2 > -1000 && exp2 < 1000 {
		return bf.Text('g', 6)
	}
	m, _ := mant.Float64()
	e10 := float64(exp2)*math.Log10(2) + math.Log10(math.Abs(m))
	whole := math.Floor(e10)
	return fmt.Sprintf("%.3ge%+d", math.Copysign(math.Pow(10, e10-whole), m), int64(whole))
}

// decodeNumber turns a number value into a float64, refusing what a float64
// cannot hold: infinities, magnitudes beyond about 1.8e308 and non-zero
// magnitudes so small they would round to zero.
func decodeNumber(v cty.Value) (float64, error) {
	bf := v.AsBigFloat()
	if bf.IsInf() {
		return 0, fmt.Errorf("got %s; a number must be finite", bf.String())
	}
	f, _ := bf.Float64()
	switch {
	case math.IsInf(f, 0):
		return 0, fmt.Errorf("%s is beyond the range of a 64-bit float (magnitude at most %g)", FormatNumber(bf), math.MaxFloat64)
	case f == 0 && bf.Sign() != 0:
		return 0, fmt.Errorf("%s is too close to zero for a 64-bit float (it would be read as 0)", FormatNumber(bf))
	}
	return f, nil
}

// DecodeAttributes evaluates attrs against params, filling defaults for the
// absent ones. owner names the block in messages ("augment.grayscale").
// Missing required attributes are the caller's schema check (see BodySchema).
func DecodeAttributes(owner string, params []registry.Param, attrs hcl.Attributes, ctx *hcl.EvalContext, opts DecodeOptions) (registry.Values, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	values := make(registry.Values, 0, len(params))
	for _, p := range params {
		attr, ok := attrs[p.Name]
		if !ok {
			if !p.Required() {
				values = append(values, registry.Value{Name: p.Name, Value: p.Default})
			}
			continue
		}
		v, d := decodeAttr(owner, p, attr, ctx, opts)
		diags = append(diags, d...)
		if !d.HasErrors() {
			values = append(values, registry.Value{Name: p.Name, Value: v})
		}
	}
	return values, diags
}

func decodeAttr(owner string, p registry.Param, attr *hcl.Attribute, ctx *hcl.EvalContext, opts DecodeOptions) (any, hcl.Diagnostics) {
	subject := attr.Expr.Range()
	fail := func(format string, args ...any) (any, hcl.Diagnostics) {
		return nil, hcl.Diagnostics{{
			Severity:    hcl.DiagError,
			Summary:     fmt.Sprintf("Invalid value for %q", p.Name),
			Detail:      fmt.Sprintf(format, args...),
			Subject:     &subject,
			Expression:  attr.Expr,
			EvalContext: ctx,
		}}
	}
	val, diags := attr.Expr.Value(ctx)
	if diags.HasErrors() {
		return nil, diags
	}
	if val.IsNull() {
		return fail("%s.%s must be a %s, not null.", owner, p.Name, p.TypeString())
	}
	if !val.IsWhollyKnown() {
		return fail("%s.%s must be known when the spec is loaded.", owner, p.Name)
	}
	var v any
	switch p.Type {
	case registry.Bool:
		cv, err := convert.Convert(val, cty.Bool)
		if err != nil {
			return fail("%s.%s must be a bool (true or false), got %s.", owner, p.Name, val.Type().FriendlyName())
		}
		v = cv.True()
	case registry.Int, registry.Float:
		if err := CheckNumberText(val); err != nil {
			return fail("%s.%s: %v.", owner, p.Name, err)
		}
		cv, err := convert.Convert(val, cty.Number)
		if err != nil {
			return fail("%s.%s must be a number, got %s.", owner, p.Name, val.Type().FriendlyName())
		}
		f, err := decodeNumber(cv)
		if err != nil {
			return fail("%s.%s: %v.", owner, p.Name, err)
		}
		v = f
		if p.Type == registry.Int {
			if bf := cv.AsBigFloat(); !bf.IsInt() || f >= 1<<31 || f < -(1<<31) {
				return fail("%s.%s must be a whole number from %d to %d, got %s.", owner, p.Name, math.MinInt32, math.MaxInt32, FormatNumber(bf))
			}
			v = int(f)
		}
	case registry.String, registry.Path:
		cv, err := convert.Convert(val, cty.String)
		if err != nil {
			return fail("%s.%s must be a string, got %s.", owner, p.Name, val.Type().FriendlyName())
		}
		s := cv.AsString()
		if p.Type == registry.Path && s != "" {
			if !filepath.IsAbs(s) {
				s = filepath.Join(opts.BaseDir, s)
			}
			if abs, err := filepath.Abs(s); err == nil {
				s = abs
			}
			if p.MustExist && opts.CheckPaths {
				if _, err := os.Stat(s); err != nil {
					return fail("%s.%s: data path %s does not exist (use --no-data to validate without data).", owner, p.Name, s)
				}
			}
		}
		v = s
	case registry.Floats:
		if val.CanIterateElements() {
			for it := val.ElementIterator(); it.Next(); {
				_, e := it.Element()
				if err := CheckNumberText(e); err != nil {
					return fail("%s.%s: %v.", owner, p.Name, err)
				}
			}
		}
		cv, err := convert.Convert(val, cty.List(cty.Number))
		if err != nil || cv.IsNull() {
			return fail("%s.%s must be a list of numbers, got %s.", owner, p.Name, val.Type().FriendlyName())
		}
		var fs []float64
		for it := cv.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsNull() {
				return fail("%s.%s must not contain null.", owner, p.Name)
			}
			f, err := decodeNumber(e)
			if err != nil {
				return fail("%s.%s: element %d: %v.", owner, p.Name, len(fs), err)
			}
			fs = append(fs, f)
		}
		v = fs
	}
	if err := p.Validate(v); err != nil {
		return fail("%s.%s: %v.", owner, p.Name, err)
	}
	return v, nil
}
