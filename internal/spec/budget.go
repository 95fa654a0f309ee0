package spec

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Limits on evaluation. The token limits bound each expression, but `for`
// expressions, string templates and functions can still multiply work:
// nested fors over range(1000), a string doubled through a chain of locals.
// So every value those build is measured and its size charged to one budget
// per load; the load stops with a diagnostic once it is spent.
const (
	// MaxValueBytes bounds one value: a string's bytes, or a collection's
	// elements at 16 bytes each plus their contents.
	MaxValueBytes = 1 << 20
	// MaxEvalBytes bounds the sizes of all values built while a spec
	// loads, each counted every time it is built or passed on.
	MaxEvalBytes = 16 << 20
)

// chargeFunc names the function that instrumented expressions call to
// charge a value; the space keeps it out of reach of a spec.
const chargeFunc = "sslrun limits"

var (
	maxMagnitude = mustParseFloat(fmt.Sprintf("1e%d", MaxNumberExponent))
	minMagnitude = mustParseFloat(fmt.Sprintf("1e-%d", MaxNumberExponent))
)

func mustParseFloat(s string) *big.Float {
	f, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven)
	if err != nil {
		panic(err)
	}
	return f
}

// budget is the evaluation budget of one load and the table of places in
// the spec where values are charged to it.
type budget struct {
	left  int64
	sites []site
	// spent is set once the budget has run out; spentAt is where, when it
	// ran out at an instrumented site rather than in a function.
	spent   bool
	spentAt *hcl.Range
}

// site is one place where an instrumented expression charges its value.
type site struct {
	r hcl.Range
	// numeric is set where the value is read as a number next: an operand
	// of arithmetic or comparison, an index.
	numeric bool
}

// limitError is a broken evaluation limit, reported as its own diagnostic
// instead of HCL's "Error in function call".
type limitError struct {
	summary, detail string
	// spent marks the error that says the budget is spent, reported once.
	spent bool
}

func (e *limitError) Error() string { return e.detail }

func newBudget() *budget { return &budget{left: MaxEvalBytes} }

// spentError is the error of every charge once the budget is spent.
func spentError() *limitError {
	return &limitError{
		summary: "Spec too costly to evaluate",
		detail: fmt.Sprintf("Evaluating the spec builds more than %d MiB of values (strings, collections, for iterations, function results, each counted every time it is built or passed on); a spec may build at most %d MiB. The limit was reached here.",
			MaxEvalBytes>>20, MaxEvalBytes>>20),
		spent: true,
	}
}

// take charges n bytes and reports whether the budget still holds.
func (b *budget) take(n int64) bool {
	b.left -= n
	b.spent = b.spent || b.left < 0
	return !b.spent
}

// charge measures v, built at r, checks it and charges its size.
func (b *budget) charge(v cty.Value, r hcl.Range, numeric bool) error {
	if b.spent {
		return spentError()
	}
	if numeric {
		if err := CheckNumberText(v); err != nil {
			return &limitError{summary: "Number text too long", detail: err.Error() + "."}
		}
	}
	size, err := measure(v)
	if !b.take(size) {
		b.spentAt = &r
		return spentError()
	}
	if err != nil {
		return err
	}
	if size > MaxValueBytes {
		return &limitError{summary: "Value too large", detail: tooLarge(size)}
	}
	return nil
}

func tooLarge(size int64) string {
	return fmt.Sprintf("This builds a value of more than %s; a value in a spec may be at most %d MiB (a string's bytes, or 16 bytes per element of a collection plus its contents).",
		byteSize(size), MaxValueBytes>>20)
}

// byteSize writes a size in bytes as people read it.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// measure returns the size of v, at most a little beyond MaxValueBytes (it
// stops there), and the first number in v out of the range a spec allows.
func measure(v cty.Value) (int64, error) {
	m := measurer{}
	err := m.walk(v)
	return m.size, err
}

type measurer struct{ size int64 }

func (m *measurer) walk(v cty.Value) error {
	m.size += 16
	if m.size > MaxValueBytes || !v.IsKnown() || v.IsNull() {
		return nil
	}
	v, _ = v.Unmark()
	ty := v.Type()
	switch {
	case ty == cty.String:
		m.size += int64(len(v.AsString()))
	case ty == cty.Number:
		return checkMagnitude(v.AsBigFloat())
	case ty.IsCollectionType() || ty.IsTupleType() || ty.IsObjectType():
		keyed := ty.IsMapType() || ty.IsObjectType()
		for it := v.ElementIterator(); it.Next() && m.size <= MaxValueBytes; {
			k, e := it.Element()
			if keyed {
				m.size += int64(len(k.AsString()))
			}
			if err := m.walk(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkMagnitude refuses numbers outside the range a spec allows: beyond
// it big.Float arithmetic stays fast, but printing or comparing a number
// (1e40000000) takes minutes. Infinities (1/0) are refused too: cty
// computes NaN or panics on some of them, and no parameter takes one.
func checkMagnitude(bf *big.Float) error {
	if bf.Sign() == 0 {
		return nil
	}
	abs := new(big.Float).Abs(bf)
	if !bf.IsInf() && abs.Cmp(maxMagnitude) < 0 && abs.Cmp(minMagnitude) >= 0 {
		return nil
	}
	return &limitError{
		summary: "Number out of range",
		detail: fmt.Sprintf("This computes %s, outside the range of numbers in a spec: 0, or a finite magnitude from 1e-%d to below 1e%d.",
			FormatNumber(bf), MaxNumberExponent, MaxNumberExponent),
	}
}

// chargeFunction is the function instrumented expressions call: it returns
// its first argument once that is charged at the site its second names.
func (b *budget) chargeFunction() function.Function {
	return function.New(&function.Spec{
		Description: "Charges a value to the evaluation budget.",
		Params: []function.Parameter{
			{Name: "value", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true},
			{Name: "site", Type: cty.Number},
		},
		Type: func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			i, _ := args[1].AsBigFloat().Int64()
			s := b.sites[i]
			if err := b.charge(args[0], s.r, s.numeric); err != nil {
				return cty.NilVal, err
			}
			return args[0], nil
		},
	})
}

// instrument rewrites the expressions under n so that they charge what they
// build: every iteration of a for (its key, value and condition) and the
// collection it iterates, each element of a splat, every non-literal part
// of a string template, every operand of an operator and every index. It
// also reports literal indexes too long to read as numbers.
func (b *budget) instrument(n hclsyntax.Node) hcl.Diagnostics {
	return hclsyntax.VisitAll(n, func(n hclsyntax.Node) hcl.Diagnostics {
		switch e := n.(type) {
		case *hclsyntax.ForExpr:
			e.CollExpr = b.wrap(e.CollExpr, false)
			e.ValExpr = b.wrap(e.ValExpr, false)
			if e.KeyExpr != nil {
				e.KeyExpr = b.wrap(e.KeyExpr, false)
			}
			if e.CondExpr != nil {
				e.CondExpr = b.wrap(e.CondExpr, false)
			}
		case *hclsyntax.SplatExpr:
			e.Source = b.wrap(e.Source, false)
			e.Each = b.wrap(e.Each, false)
		case *hclsyntax.TemplateExpr:
			for i, p := range e.Parts {
				e.Parts[i] = b.wrap(p, false)
			}
		case *hclsyntax.BinaryOpExpr:
			numeric := e.Op != hclsyntax.OpEqual && e.Op != hclsyntax.OpNotEqual &&
				e.Op != hclsyntax.OpLogicalAnd && e.Op != hclsyntax.OpLogicalOr
			e.LHS = b.wrap(e.LHS, numeric)
			e.RHS = b.wrap(e.RHS, numeric)
		case *hclsyntax.UnaryOpExpr:
			e.Val = b.wrap(e.Val, e.Op == hclsyntax.OpNegate)
		case *hclsyntax.IndexExpr:
			e.Key = b.wrap(e.Key, true)
		case *hclsyntax.ScopeTraversalExpr:
			return checkTraversal(e.Traversal)
		case *hclsyntax.RelativeTraversalExpr:
			return checkTraversal(e.Traversal)
		}
		return nil
	})
}

// wrap makes e charge its value at a new site. Literal numbers and bools
// need no charge (their literals are checked before parsing), nor do
// literal strings outside a numeric context.
func (b *budget) wrap(e hclsyntax.Expression, numeric bool) hclsyntax.Expression {
	if lit, ok := e.(*hclsyntax.LiteralValueExpr); ok && (!numeric || !lit.Val.Type().Equals(cty.String)) {
		return e
	}
	r := e.Range()
	b.sites = append(b.sites, site{r: r, numeric: numeric})
	return &hclsyntax.FunctionCallExpr{
		Name: chargeFunc,
		Args: []hclsyntax.Expression{e, &hclsyntax.LiteralValueExpr{
			Val:      cty.NumberIntVal(int64(len(b.sites) - 1)),
			SrcRange: r,
		}},
		NameRange:       r,
		OpenParenRange:  r,
		CloseParenRange: r,
	}
}

// checkTraversal refuses literal indexes that would be read as numbers at
// a cost quadratic in their length, as in local.list["1111..."].
func checkTraversal(t hcl.Traversal) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, step := range t {
		if idx, ok := step.(hcl.TraverseIndex); ok {
			if err := CheckNumberText(idx.Key); err != nil {
				r := idx.SrcRange
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Number text too long", Detail: err.Error() + ".", Subject: &r})
			}
		}
	}
	return diags
}

// cleanDiagnostics makes the diagnostics of an evaluation read as a spec's:
// a broken limit is reported at its site under its own summary (the budget
// once, at the place it ran out, even when try or can swallowed the error),
// and a panic inside a cty function loses the Go stack trace cty appends.
// filename names the spec, for the rare spent budget that no diagnostic
// reports.
func (b *budget) cleanDiagnostics(diags hcl.Diagnostics, filename string) hcl.Diagnostics {
	out := diags[:0:0]
	spentReported := false
	for _, d := range diags {
		var le *limitError
		if extra, ok := d.Extra.(hclsyntax.FunctionCallDiagExtra); ok && errors.As(extra.FunctionCallError(), &le) {
			if le.spent && spentReported {
				continue
			}
			spentReported = spentReported || le.spent
			if call, ok := d.Expression.(*hclsyntax.FunctionCallExpr); ok && call.Name == chargeFunc {
				r := call.Args[0].Range()
				d.Subject = &r
			}
			d.Summary, d.Detail, d.Extra = le.summary, le.detail, nil
		}
		d.Detail = stripTrace(d.Detail)
		out = append(out, d)
	}
	if b.spent && !spentReported {
		r := hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos}
		if b.spentAt != nil {
			r = *b.spentAt
		}
		e := spentError()
		out = append(out, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: e.summary, Detail: e.detail, Subject: &r})
	}
	return out
}

// stripTrace removes the goroutine dump that cty's function.PanicError
// writes after its message.
func stripTrace(detail string) string {
	const marker = "panic in function implementation: "
	i := strings.Index(detail, marker)
	if i < 0 {
		return detail
	}
	msg := detail[i+len(marker):]
	if j := strings.IndexByte(msg, '\n'); j >= 0 {
		msg = msg[:j] + "."
	}
	return detail[:i] + "internal error: " + msg
}
