package registry

import (
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// DecodeOptions control how a block body is decoded.
type DecodeOptions struct {
	// BaseDir is the folder relative paths resolve from (the spec's folder).
	BaseDir string
	// CheckPaths makes a missing MustExist path an error.
	CheckPaths bool
}

// Decode decodes a block body against the component's schema and builds the
// component once to catch problems between parameters. Unknown, missing and
// mistyped attributes, values out of range and missing input paths are all
// reported together, each pointing at its attribute.
func (c *Component) Decode(body hcl.Body, ctx *hcl.EvalContext, opts DecodeOptions) (Values, hcl.Diagnostics) {
	content, diags := body.Content(BodySchema(c.Params))
	values, d := DecodeAttributes(c.ID, c.Params, content.Attributes, ctx, opts)
	diags = append(diags, d...)
	if diags.HasErrors() {
		return nil, diags
	}
	if _, err := c.New(values); err != nil {
		subject := body.MissingItemRange()
		var pe *ParamError
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
func BodySchema(params []Param) *hcl.BodySchema {
	schema := &hcl.BodySchema{}
	for _, p := range params {
		schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: p.Name, Required: p.Required()})
	}
	return schema
}

// DecodeAttributes evaluates attrs against params, filling defaults for the
// absent ones. owner names the block in messages ("augment.grayscale").
// Missing required attributes are the caller's schema check (see BodySchema).
func DecodeAttributes(owner string, params []Param, attrs hcl.Attributes, ctx *hcl.EvalContext, opts DecodeOptions) (Values, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	values := make(Values, 0, len(params))
	for _, p := range params {
		attr, ok := attrs[p.Name]
		if !ok {
			if !p.Required() {
				values = append(values, Value{p.Name, p.Default})
			}
			continue
		}
		v, d := decodeAttr(owner, p, attr, ctx, opts)
		diags = append(diags, d...)
		if !d.HasErrors() {
			values = append(values, Value{p.Name, v})
		}
	}
	return values, diags
}

func decodeAttr(owner string, p Param, attr *hcl.Attribute, ctx *hcl.EvalContext, opts DecodeOptions) (any, hcl.Diagnostics) {
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
	case Bool:
		cv, err := convert.Convert(val, cty.Bool)
		if err != nil {
			return fail("%s.%s must be a bool (true or false), got %s.", owner, p.Name, val.Type().FriendlyName())
		}
		v = cv.True()
	case Int, Float:
		cv, err := convert.Convert(val, cty.Number)
		if err != nil {
			return fail("%s.%s must be a number, got %s.", owner, p.Name, val.Type().FriendlyName())
		}
		bf := cv.AsBigFloat()
		if p.Type == Int {
			if !bf.IsInt() || bf.Cmp(big.NewFloat(1<<31)) >= 0 || bf.Cmp(big.NewFloat(-(1<<31))) < 0 {
				return fail("%s.%s must be a whole number, got %s.", owner, p.Name, bf.Text('g', -1))
			}
			i, _ := bf.Int64()
			v = int(i)
		} else {
			f, _ := bf.Float64()
			v = f
		}
	case String, Path:
		cv, err := convert.Convert(val, cty.String)
		if err != nil {
			return fail("%s.%s must be a string, got %s.", owner, p.Name, val.Type().FriendlyName())
		}
		s := cv.AsString()
		if p.Type == Path && s != "" {
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
	case Floats:
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
			f, _ := e.AsBigFloat().Float64()
			fs = append(fs, f)
		}
		v = fs
	}
	if err := p.Validate(v); err != nil {
		return fail("%s.%s: %v.", owner, p.Name, err)
	}
	return v, nil
}
