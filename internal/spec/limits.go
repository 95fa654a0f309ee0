package spec

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Limits on what a spec may cost to read. HCL's parser and evaluator recurse
// on nesting and on operator chains, and cty computes with arbitrary
// precision, so a hostile or broken file could otherwise overflow the stack
// (a fatal error no program can recover from) or run for hours. Every limit
// is far beyond what a real spec needs: the shipped experiments are under
// 4 KB, nest 3 levels deep and have expressions of a few tokens.
const (
	// MaxSpecBytes is the largest spec file.
	MaxSpecBytes = 1 << 20
	// MaxNesting bounds how deeply brackets, braces, blocks, string
	// templates, template directives and unary operators may nest.
	MaxNesting = 64
	// MaxExpressionTokens bounds the tokens of one attribute's expression,
	// which bounds operator chains such as 1 + 1 + ... + 1.
	MaxExpressionTokens = 10000
	// MaxLocals bounds the number of locals.
	MaxLocals = 1000
	// MaxNumberExponent bounds the decimal exponent of a number: numbers in a
	// spec are 0 or have a magnitude from 1e-400 to below 1e400.
	MaxNumberExponent = 400
	// MaxNumberLiteral bounds the characters of a number literal.
	MaxNumberLiteral = 100
)

// checkSource checks the limits that hold before parsing: the file's size,
// then on the lexer's tokens the nesting depth, the length of each
// expression and the magnitude of number literals. The recursive parser
// never sees input that breaks them. The first problem of each kind is
// reported.
func checkSource(src []byte, filename string) hcl.Diagnostics {
	if len(src) > MaxSpecBytes {
		r := hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Spec too large",
			Detail:   fmt.Sprintf("The file has more than %d bytes; a spec may have at most %d (1 MiB).", MaxSpecBytes, MaxSpecBytes),
			Subject:  &r,
		}}
	}
	tokens, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	return checkTokens(tokens, false)
}

// checkExpressionSource checks a lone expression (a --var value) as
// checkSource checks a file.
func checkExpressionSource(src []byte, filename string) hcl.Diagnostics {
	tokens, _ := hclsyntax.LexExpression(src, filename, hcl.InitialPos)
	return checkTokens(tokens, true)
}

// tokenChecker walks a token stream keeping the nesting depth and where the
// current attribute's expression started.
type tokenChecker struct {
	diags hcl.Diagnostics
	// depth counts open brackets, braces, quotes, heredocs and template
	// sequences; directives counts open %{if} and %{for}; unary counts the
	// run of - and ! operators just read.
	depth, directives, unary int
	// inExpr is set inside an attribute's expression, which started at
	// exprDepth and has exprTokens tokens so far.
	inExpr     bool
	exprDepth  int
	exprTokens int
	exprStart  hcl.Range
	// deepest and longest are the largest nesting and expression seen.
	deepest, longest int
	// reported records which limits were already reported.
	reported map[string]bool
}

func (c *tokenChecker) report(kind string, r hcl.Range, summary, detail string) {
	if c.reported[kind] {
		return
	}
	c.reported[kind] = true
	c.diags = append(c.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: &r})
}

// checkTokens checks nesting, expression length and number literals. A
// whole-expression stream (a --var value) is one expression from the start.
func checkTokens(tokens hclsyntax.Tokens, expression bool) hcl.Diagnostics {
	c := &tokenChecker{reported: map[string]bool{}, inExpr: expression}
	c.run(tokens, expression)
	return c.diags
}

func (c *tokenChecker) run(tokens hclsyntax.Tokens, expression bool) {
	for i, tok := range tokens {
		typ := tok.Type
		if typ == hclsyntax.TokenComment {
			if !strings.HasSuffix(string(tok.Bytes), "\n") {
				continue
			}
			typ = hclsyntax.TokenNewline
		}
		if c.inExpr && !expression && c.depth == c.exprDepth {
			switch typ {
			case hclsyntax.TokenNewline, hclsyntax.TokenEOF, hclsyntax.TokenCBrace:
				c.inExpr = false
			}
		}
		if c.inExpr && typ != hclsyntax.TokenNewline && typ != hclsyntax.TokenEOF {
			if c.exprTokens == 0 {
				c.exprStart = tok.Range
			}
			c.exprTokens++
			c.longest = max(c.longest, c.exprTokens)
			if c.exprTokens > MaxExpressionTokens {
				c.report("tokens", c.exprStart, "Expression too long",
					fmt.Sprintf("This expression has more than %d tokens (names, numbers, operators, brackets); an expression in a spec may have at most %d.", MaxExpressionTokens, MaxExpressionTokens))
			}
		}
		if !c.inExpr && typ == hclsyntax.TokenEqual {
			c.inExpr, c.exprDepth, c.exprTokens = true, c.depth, 0
		}
		switch typ {
		case hclsyntax.TokenMinus, hclsyntax.TokenBang:
			c.unary++
		case hclsyntax.TokenNewline:
		default:
			c.unary = 0
		}
		switch typ {
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenOQuote,
			hclsyntax.TokenOHeredoc, hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			c.depth++
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenCQuote,
			hclsyntax.TokenCHeredoc, hclsyntax.TokenTemplateSeqEnd:
			c.depth = max(c.depth-1, 0)
		case hclsyntax.TokenNumberLit:
			c.number(tok)
		}
		if typ == hclsyntax.TokenTemplateControl && i+1 < len(tokens) && tokens[i+1].Type == hclsyntax.TokenIdent {
			switch string(tokens[i+1].Bytes) {
			case "if", "for":
				c.directives++
			case "endif", "endfor":
				c.directives = max(c.directives-1, 0)
			}
		}
		c.deepest = max(c.deepest, c.depth+c.directives+c.unary)
		if c.depth+c.directives+c.unary > MaxNesting {
			c.report("nesting", tok.Range, "Nesting too deep",
				fmt.Sprintf("This is nested more than %d levels deep (brackets, braces, blocks, string templates and unary operators count); a spec may nest at most %d.", MaxNesting, MaxNesting))
		}
		if len(c.reported) == 3 {
			return
		}
	}
}

// number checks a number literal's length and magnitude before cty reads it:
// reading 1e40000000 is quick, but every later use of it is not.
func (c *tokenChecker) number(tok hclsyntax.Token) {
	lit := string(tok.Bytes)
	if len(lit) > MaxNumberLiteral {
		c.report("number", tok.Range, "Number literal too long",
			fmt.Sprintf("This number is written with %d characters; a number literal may have at most %d.", len(lit), MaxNumberLiteral))
		return
	}
	exp, zero := decimalExponent(lit)
	if !zero && (exp >= MaxNumberExponent || exp < -MaxNumberExponent) {
		c.report("number", tok.Range, "Number out of range",
			fmt.Sprintf("%s is outside the range of numbers in a spec: 0, or a finite magnitude from 1e-%d to below 1e%d.", lit, MaxNumberExponent, MaxNumberExponent))
	}
}

// decimalExponent returns e such that the literal's value is d.ddd x 10^e
// with 1 <= d < 10, and whether the value is zero. The exponent saturates
// far beyond any limit instead of overflowing.
func decimalExponent(lit string) (exp int, zero bool) {
	mant, expPart, _ := strings.Cut(strings.ToLower(lit), "e")
	whole, frac, _ := strings.Cut(mant, ".")
	whole = strings.TrimLeft(whole, "0")
	switch {
	case whole != "":
		exp = len(whole) - 1
	case strings.Trim(frac, "0") == "":
		return 0, true
	default:
		exp = -(len(frac) - len(strings.TrimLeft(frac, "0")) + 1)
	}
	sign := 1
	switch {
	case strings.HasPrefix(expPart, "-"):
		sign, expPart = -1, expPart[1:]
	case strings.HasPrefix(expPart, "+"):
		expPart = expPart[1:]
	}
	e := 0
	for _, d := range expPart {
		if d < '0' || d > '9' {
			break
		}
		e = min(e*10+int(d-'0'), 1<<30)
	}
	return exp + sign*e, false
}
