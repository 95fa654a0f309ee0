package spec

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/customdecode"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Bounds on function arguments that make work out of proportion to the
// values given.
const (
	// MaxFormatWidth bounds the width and precision of a format verb.
	MaxFormatWidth = 1000
	// MaxDistinct bounds the elements given to distinct, which compares
	// every pair.
	MaxDistinct = 2000
)

// stdFunctions are HCL's standard library. There is deliberately no
// function that reads the clock, the environment or files: a spec evaluates
// to the same experiment everywhere.
var stdFunctions = map[string]function.Function{
	"abs":        stdlib.AbsoluteFunc,
	"ceil":       stdlib.CeilFunc,
	"chomp":      stdlib.ChompFunc,
	"coalesce":   stdlib.CoalesceFunc,
	"concat":     stdlib.ConcatFunc,
	"contains":   stdlib.ContainsFunc,
	"distinct":   stdlib.DistinctFunc,
	"element":    stdlib.ElementFunc,
	"flatten":    stdlib.FlattenFunc,
	"floor":      stdlib.FloorFunc,
	"format":     stdlib.FormatFunc,
	"formatlist": stdlib.FormatListFunc,
	"indent":     stdlib.IndentFunc,
	"join":       stdlib.JoinFunc,
	"jsondecode": stdlib.JSONDecodeFunc,
	"jsonencode": stdlib.JSONEncodeFunc,
	"keys":       stdlib.KeysFunc,
	"length":     stdlib.LengthFunc,
	"log":        stdlib.LogFunc,
	"lookup":     stdlib.LookupFunc,
	"lower":      stdlib.LowerFunc,
	"max":        stdlib.MaxFunc,
	"merge":      stdlib.MergeFunc,
	"min":        stdlib.MinFunc,
	"parseint":   stdlib.ParseIntFunc,
	"pow":        stdlib.PowFunc,
	"range":      stdlib.RangeFunc,
	"regex":      stdlib.RegexFunc,
	"replace":    stdlib.ReplaceFunc,
	"reverse":    stdlib.ReverseListFunc,
	"signum":     stdlib.SignumFunc,
	"slice":      stdlib.SliceFunc,
	"sort":       stdlib.SortFunc,
	"split":      stdlib.SplitFunc,
	"strrev":     stdlib.ReverseFunc,
	"substr":     stdlib.SubstrFunc,
	"title":      stdlib.TitleFunc,
	"tostring":   stdlib.MakeToFunc(cty.String),
	"tonumber":   stdlib.MakeToFunc(cty.Number),
	"trimspace":  stdlib.TrimSpaceFunc,
	"try":        tryFunc,
	"can":        tryfunc.CanFunc,
	"upper":      stdlib.UpperFunc,
	"values":     stdlib.ValuesFunc,
	"zipmap":     stdlib.ZipmapFunc,
}

// prechecks refuse, before the call, the arguments that would make a
// function build a value far beyond MaxValueBytes or take time out of
// proportion to them. Arguments reach them known, non-null and unmarked.
var prechecks = map[string]func(args []cty.Value) error{
	"indent":     checkIndent,
	"format":     checkFormat,
	"formatlist": checkFormat,
	"replace":    checkReplace,
	"join":       checkJoin,
	"split":      checkSplit,
	"distinct":   checkDistinct,
	"tonumber":   checkNumberArgs,
	"parseint":   checkNumberArgs,
	"jsondecode": checkJSONNumbers,
}

// functions returns the standard library for one load, each function
// wrapped by guard, and the function instrumented expressions call to
// charge b.
func functions(b *budget) map[string]function.Function {
	out := make(map[string]function.Function, len(stdFunctions)+1)
	for name, f := range stdFunctions {
		out[name] = b.guard(name, f, prechecks[name])
	}
	out[chargeFunc] = b.chargeFunction()
	return out
}

// guard wraps f so that a call charges its arguments and its result to b,
// refuses numbers out of range and strings too long to read as numbers
// before f converts them, runs pre before f, and turns a panic inside f
// into a one-line error instead of cty's message with a Go stack trace.
// Once b is spent every call fails at once, which also stops try's
// evaluation of its arguments.
func (b *budget) guard(name string, f function.Function, pre func([]cty.Value) error) function.Function {
	params := f.Params()
	open := make([]function.Parameter, len(params))
	for i, p := range params {
		open[i] = openParam(p)
	}
	var varParam *function.Parameter
	if vp := f.VarParam(); vp != nil {
		p := openParam(*vp)
		varParam = &p
	}
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      open,
		VarParam:    varParam,
		Type: func(args []cty.Value) (cty.Type, error) {
			if b.spent {
				return cty.NilType, spentError()
			}
			ty, err := f.ReturnTypeForValues(args)
			return ty, cleanPanic(err)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			ret, err := b.call(name, f, pre, args)
			var le *limitError
			if _, arg := err.(function.ArgError); err != nil && !arg && !errors.As(err, &le) {
				// HCL ends the message with a period of its own.
				err = errors.New(strings.TrimSuffix(err.Error(), "."))
			}
			return ret, err
		},
	})
}

// call is the body of a guarded function: the checks around f.
func (b *budget) call(name string, f function.Function, pre func([]cty.Value) error, args []cty.Value) (cty.Value, error) {
	if b.spent {
		return cty.NilVal, spentError()
	}
	known := true
	var size int64
	for i, a := range args {
		ty := paramType(f, i)
		if ty.IsCapsuleType() {
			continue
		}
		if ty.Equals(cty.Number) {
			if err := CheckNumberText(a); err != nil {
				return cty.NilVal, function.NewArgError(i, err)
			}
		}
		n, err := measure(a)
		if err != nil {
			return cty.NilVal, function.NewArgError(i, errors.New(strings.TrimSuffix(err.Error(), ".")))
		}
		size += n
		known = known && a.IsWhollyKnown() && !a.IsNull() && !a.IsMarked()
	}
	if !b.take(size + 16) {
		return cty.NilVal, spentError()
	}
	if pre != nil && known {
		if err := pre(args); err != nil {
			return cty.NilVal, fmt.Errorf("%s: %w", name, err)
		}
	}
	ret, err := f.Call(args)
	switch {
	case b.spent:
		return cty.NilVal, spentError()
	case err != nil:
		return cty.NilVal, cleanPanic(err)
	}
	n, err := measure(ret)
	switch {
	case err != nil:
		return cty.NilVal, err
	case n > MaxValueBytes:
		return cty.NilVal, errors.New(tooLarge(n))
	case !b.take(n):
		return cty.NilVal, spentError()
	}
	return ret, nil
}

// paramType is the type f declares for its argument i.
func paramType(f function.Function, i int) cty.Type {
	if params := f.Params(); i < len(params) {
		return params[i].Type
	}
	return f.VarParam().Type
}

// tryFunc is HCL's try (tryfunc.TryFunc) with a dynamic return type. HCL's
// computes its type by evaluating its arguments, and then evaluates them
// again for its value, so try nested n deep evaluated its innermost
// argument 2^n times; this one evaluates each argument once.
var tryFunc = function.New(&function.Spec{
	Description: "Returns the value of the first argument that evaluates without errors.",
	VarParam: &function.Parameter{
		Name: "expressions",
		Type: customdecode.ExpressionClosureType,
	},
	Type: function.StaticReturnType(cty.DynamicPseudoType),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if len(args) == 0 {
			return cty.NilVal, errors.New("at least one argument is required")
		}
		var last *hcl.Diagnostic
		for _, arg := range args {
			v, diags := customdecode.ExpressionClosureFromVal(arg).Value()
			if !diags.HasErrors() {
				if !v.IsWhollyKnown() {
					return cty.DynamicVal, nil
				}
				return v, nil
			}
			last = diags.Errs()[0].(*hcl.Diagnostic)
		}
		where := ""
		if last.Subject != nil {
			where = " at " + last.Subject.String()
		}
		return cty.NilVal, fmt.Errorf("no expression succeeded; the last one failed%s: %s: %s", where, last.Summary, strings.TrimSuffix(last.Detail, "."))
	},
})

// openParam lets every argument through to the guard, which hands it to
// the wrapped function to convert and check as before. Expression closures
// (try, can) keep their type: HCL passes the expression itself for them.
func openParam(p function.Parameter) function.Parameter {
	if p.Type.IsCapsuleType() {
		return p
	}
	p.Type = cty.DynamicPseudoType
	p.AllowNull, p.AllowUnknown, p.AllowDynamicType, p.AllowMarked = true, true, true, true
	return p
}

// cleanPanic replaces cty's PanicError, whose message carries a Go stack
// trace, by a one-line error.
func cleanPanic(err error) error {
	var pe function.PanicError
	if !errors.As(err, &pe) {
		return err
	}
	if _, nan := pe.Value.(big.ErrNaN); nan {
		return errors.New("the result is not a number (NaN)")
	}
	return fmt.Errorf("internal error: %v", pe.Value)
}

// asInt reads a number argument, saturating far beyond any bound.
func asInt(v cty.Value) (int64, error) {
	n, err := convert.Convert(v, cty.Number)
	if err != nil {
		return 0, err
	}
	bf := n.AsBigFloat()
	switch {
	case bf.Cmp(big.NewFloat(1<<40)) > 0:
		return 1 << 40, nil
	case bf.Cmp(big.NewFloat(-(1 << 40))) < 0:
		return -(1 << 40), nil
	}
	i, _ := bf.Int64()
	return i, nil
}

// limitBytes is the error of a precheck that finds a result would be too
// large.
func limitBytes(what string, n int64) error {
	return fmt.Errorf("%s would be %s; a value in a spec may be at most %d MiB", what, byteSize(n), MaxValueBytes>>20)
}

func checkIndent(args []cty.Value) error {
	spaces, err := asInt(args[0])
	if err != nil {
		return nil
	}
	if spaces < 0 {
		return fmt.Errorf("the number of spaces is %d; it must not be negative", spaces)
	}
	s, err := convert.Convert(args[1], cty.String)
	if err != nil {
		return nil
	}
	str := s.AsString()
	if n := spaces*int64(strings.Count(str, "\n")+1) + int64(len(str)); n > MaxValueBytes {
		return limitBytes(fmt.Sprintf("%d spaces on each line of a %d-line string", spaces, strings.Count(str, "\n")+1), n)
	}
	return nil
}

// checkFormat bounds the width and precision of every verb of a format
// string, and refuses strings too long to read as numbers where a numeric
// verb reads them.
func checkFormat(args []cty.Value) error {
	spec, err := convert.Convert(args[0], cty.String)
	if err != nil {
		return nil
	}
	f := spec.AsString()
	next := 1
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			continue
		}
		if i < len(f) && f[i] == '[' {
			j := i + 1
			n := 0
			for ; j < len(f) && f[j] >= '0' && f[j] <= '9'; j++ {
				n = min(n*10+int(f[j]-'0'), 1<<20)
			}
			next, i = n, j+1
		}
		for i < len(f) && strings.IndexByte("+-# 0", f[i]) >= 0 {
			i++
		}
		for _, part := range []string{"width", "precision"} {
			if part == "precision" {
				if i >= len(f) || f[i] != '.' {
					break
				}
				i++
			}
			n := 0
			for ; i < len(f) && f[i] >= '0' && f[i] <= '9'; i++ {
				n = min(n*10+int(f[i]-'0'), 1<<30)
			}
			if n > MaxFormatWidth {
				return fmt.Errorf("a verb's %s is %d; a spec allows at most %d", part, n, MaxFormatWidth)
			}
		}
		if i < len(f) && strings.IndexByte("dbofeEgGxX", f[i]) >= 0 && next < len(args) {
			if err := numberTextIn(args[next]); err != nil {
				return err
			}
		}
		next++
	}
	return nil
}

// numberTextIn checks v, or each element of v (formatlist's lists), as
// text read as a number.
func numberTextIn(v cty.Value) error {
	if !v.CanIterateElements() {
		return CheckNumberText(v)
	}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if err := CheckNumberText(e); err != nil {
			return err
		}
	}
	return nil
}

func checkReplace(args []cty.Value) error {
	var s [3]string
	for i := range s {
		v, err := convert.Convert(args[i], cty.String)
		if err != nil {
			return nil
		}
		s[i] = v.AsString()
	}
	str, sub, repl := s[0], s[1], s[2]
	n := int64(len(str))
	var size int64
	if len(sub) > 1 && sub[0] == '/' && sub[len(sub)-1] == '/' {
		// Every position may match, and every $ in the replacement may
		// expand to the whole string.
		size = n + (n+1)*(int64(len(repl))+int64(strings.Count(repl, "$"))*n)
	} else {
		matches := int64(utf8.RuneCountInString(str) + 1)
		if sub != "" {
			matches = int64(strings.Count(str, sub))
		}
		size = n + matches*int64(len(repl))
	}
	if size > MaxValueBytes {
		return limitBytes("the result", size)
	}
	return nil
}

func checkJoin(args []cty.Value) error {
	sep, err := convert.Convert(args[0], cty.String)
	if err != nil {
		return nil
	}
	var size int64
	for _, list := range args[1:] {
		if !list.CanIterateElements() {
			return nil
		}
		for it := list.ElementIterator(); it.Next(); {
			_, e := it.Element()
			n, _ := measure(e)
			size += n + int64(len(sep.AsString()))
			if size > MaxValueBytes {
				return limitBytes("the joined string", size)
			}
		}
	}
	return nil
}

func checkSplit(args []cty.Value) error {
	var s [2]string
	for i := range s {
		v, err := convert.Convert(args[i], cty.String)
		if err != nil {
			return nil
		}
		s[i] = v.AsString()
	}
	sep, str := s[0], s[1]
	parts := int64(utf8.RuneCountInString(str))
	if sep != "" {
		parts = int64(strings.Count(str, sep)) + 1
	}
	if size := 16*parts + int64(len(str)); size > MaxValueBytes {
		return limitBytes(fmt.Sprintf("the list of %d parts", parts), size)
	}
	return nil
}

func checkDistinct(args []cty.Value) error {
	if args[0].CanIterateElements() {
		if n := args[0].LengthInt(); n > MaxDistinct {
			return fmt.Errorf("the list has %d elements; distinct compares every pair and takes at most %d", n, MaxDistinct)
		}
	}
	return nil
}

// checkNumberArgs refuses a string too long to read as a number.
func checkNumberArgs(args []cty.Value) error {
	return CheckNumberText(args[0])
}

// checkJSONNumbers refuses JSON text with a run of digits too long to read
// as a number.
func checkJSONNumbers(args []cty.Value) error {
	s, err := convert.Convert(args[0], cty.String)
	if err != nil {
		return nil
	}
	run := 0
	for _, c := range []byte(s.AsString()) {
		if c < '0' || c > '9' {
			run = 0
			continue
		}
		if run++; run > MaxNumberText {
			return fmt.Errorf("the JSON text has a number with more than %d digits; a spec reads numbers of at most %d", MaxNumberText, MaxNumberText)
		}
	}
	return nil
}
