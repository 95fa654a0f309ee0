package hloeval

import (
	"fmt"
	"strconv"
)

// tokenKind classifies a token of StableHLO text.
type tokenKind int

const (
	tkEOF    tokenKind = iota
	tkValue            // %name
	tkSymbol           // @name
	tkBlock            // ^name
	tkHash             // #dialect or #dialect.attr
	tkIdent            // bare identifier, possibly dotted: func.func, i64, true
	tkString           // "..." (text holds the unquoted value)
	tkNumber           // 12, -3, 1.5e-05, 0x7fc00000
	tkType             // tensor<...> (text holds what is inside the brackets)
	tkArrow            // ->
	tkPunct            // one of ( ) { } [ ] < > , : =
)

// pos is a position in the text, 1-based.
type pos struct{ line, col int }

func (p pos) String() string { return fmt.Sprintf("%d:%d", p.line, p.col) }

// token is one lexical element with its position.
type token struct {
	kind tokenKind
	text string
	pos  pos
}

// describe spells a token for an error message.
func (t token) describe() string {
	switch t.kind {
	case tkEOF:
		return "end of input"
	case tkString:
		return strconv.Quote(t.text)
	case tkType:
		return "tensor<" + t.text + ">"
	case tkValue:
		return "%" + t.text
	case tkSymbol:
		return "@" + t.text
	case tkBlock:
		return "^" + t.text
	case tkHash:
		return "#" + t.text
	}
	return strconv.Quote(t.text)
}

// syntaxError is a parse error at a position.
type syntaxError struct {
	pos pos
	msg string
}

func (e *syntaxError) Error() string { return e.pos.String() + ": " + e.msg }

// lex splits text into tokens.
func lex(text string) ([]token, error) {
	var toks []token
	line, col := 1, 1
	i := 0
	advance := func(n int) {
		for k := 0; k < n; k++ {
			if text[i] == '\n' {
				line++
				col = 1
			} else {
				col++
			}
			i++
		}
	}
	for i < len(text) {
		c := text[i]
		start := pos{line, col}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			advance(1)
		case c == '/' && i+1 < len(text) && text[i+1] == '/':
			for i < len(text) && text[i] != '\n' {
				advance(1)
			}
		case c == '%' || c == '@' || c == '^' || c == '#':
			n := nameLen(text[i+1:])
			if n == 0 {
				return nil, &syntaxError{start, fmt.Sprintf("expected a name after %q", c)}
			}
			kind := map[byte]tokenKind{'%': tkValue, '@': tkSymbol, '^': tkBlock, '#': tkHash}[c]
			toks = append(toks, token{kind, text[i+1 : i+1+n], start})
			advance(1 + n)
		case c == '"':
			s, n, err := scanString(text[i:])
			if err != nil {
				return nil, &syntaxError{start, err.Error()}
			}
			toks = append(toks, token{tkString, s, start})
			advance(n)
		case c == '-' && i+1 < len(text) && text[i+1] == '>':
			toks = append(toks, token{tkArrow, "->", start})
			advance(2)
		case isDigit(c) || ((c == '-' || c == '+') && i+1 < len(text) && isDigit(text[i+1])):
			n := numberLen(text[i:])
			toks = append(toks, token{tkNumber, text[i : i+n], start})
			advance(n)
		case isLetter(c):
			n := nameLen(text[i:])
			word := text[i : i+n]
			if word == "tensor" && i+n < len(text) && text[i+n] == '<' {
				inner, m, err := scanAngle(text[i+n:])
				if err != nil {
					return nil, &syntaxError{start, err.Error()}
				}
				toks = append(toks, token{tkType, inner, start})
				advance(n + m)
				continue
			}
			toks = append(toks, token{tkIdent, word, start})
			advance(n)
		case isPunct(c):
			toks = append(toks, token{tkPunct, string(c), start})
			advance(1)
		default:
			return nil, &syntaxError{start, fmt.Sprintf("unexpected character %q", c)}
		}
	}
	toks = append(toks, token{tkEOF, "", pos{line, col}})
	return toks, nil
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isPunct(c byte) bool  { return c < 128 && isPunctTable[c] }

var isPunctTable = func() (t [128]bool) {
	for _, c := range "(){}[]<>,:=" {
		t[c] = true
	}
	return t
}()

// nameLen returns the length of the identifier at the start of s: letters,
// digits, '_', '.' and '$'.
func nameLen(s string) int {
	n := 0
	for n < len(s) && (isLetter(s[n]) || isDigit(s[n]) || s[n] == '.' || s[n] == '$') {
		n++
	}
	return n
}

// numberLen returns the length of the number at the start of s: an optional
// sign, then a hexadecimal integer or a decimal with optional fraction and
// exponent.
func numberLen(s string) int {
	n := 0
	if s[0] == '-' || s[0] == '+' {
		n++
	}
	if n+1 < len(s) && s[n] == '0' && (s[n+1] == 'x' || s[n+1] == 'X') {
		n += 2
		for n < len(s) && (isDigit(s[n]) || s[n] >= 'a' && s[n] <= 'f' || s[n] >= 'A' && s[n] <= 'F') {
			n++
		}
		return n
	}
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	if n+1 < len(s) && s[n] == '.' && isDigit(s[n+1]) {
		n++
		for n < len(s) && isDigit(s[n]) {
			n++
		}
	}
	if n < len(s) && (s[n] == 'e' || s[n] == 'E') {
		m := n + 1
		if m < len(s) && (s[m] == '-' || s[m] == '+') {
			m++
		}
		if m < len(s) && isDigit(s[m]) {
			for m < len(s) && isDigit(s[m]) {
				m++
			}
			n = m
		}
	}
	return n
}

// scanString reads the double-quoted string at the start of s and returns
// its value and length in s.
func scanString(s string) (string, int, error) {
	for n := 1; n < len(s); n++ {
		switch s[n] {
		case '\\':
			n++
		case '\n':
			return "", 0, fmt.Errorf("unterminated string")
		case '"':
			v, err := strconv.Unquote(s[:n+1])
			if err != nil {
				return "", 0, fmt.Errorf("bad string %s: %w", s[:n+1], err)
			}
			return v, n + 1, nil
		}
	}
	return "", 0, fmt.Errorf("unterminated string")
}

// scanAngle reads the balanced <...> group at the start of s and returns
// what is inside and the group's length in s.
func scanAngle(s string) (string, int, error) {
	depth := 0
	for n := 0; n < len(s); n++ {
		switch s[n] {
		case '<':
			depth++
		case '>':
			depth--
			if depth == 0 {
				return s[1:n], n + 1, nil
			}
		case '\n':
			return "", 0, fmt.Errorf("unterminated tensor type")
		}
	}
	return "", 0, fmt.Errorf("unterminated tensor type")
}
