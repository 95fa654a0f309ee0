package hloeval

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Module is a parsed StableHLO module, ready to Run.
type Module struct {
	name  string
	funcs map[string]*function
}

// valueType is the type of a value: a ranked tensor type.
type valueType struct {
	dtype string
	shape []int
}

func (t valueType) String() string { return typeString(t.dtype, t.shape) }

// matches reports whether x has exactly this type.
func (t valueType) matches(x *Tensor) bool {
	if x.DType != t.dtype || len(x.Shape) != len(t.shape) {
		return false
	}
	for i, d := range t.shape {
		if x.Shape[i] != d {
			return false
		}
	}
	return true
}

// param is an argument of a function or region.
type param struct {
	name string
	typ  valueType
}

// function is a func.func or the region of an op (reduce's body, ...).
type function struct {
	name    string
	params  []param
	results []valueType // declared for func.func only
	body    []*statement
	slots   int // how many values the function defines, parameters included
	pos     pos
}

// statement is one op: results = "op"(operands) ({regions}) {attrs} : type.
type statement struct {
	op           string
	eval         opFunc // nil for an op hloeval does not support
	results      []string
	resultSlots  []int
	operands     []string
	operandSlots []int
	regions      []*function
	attrs        map[string]*attr
	inTypes      []valueType
	outTypes     []valueType
	pos          pos
}

// attrKind classifies an attribute value.
type attrKind int

const (
	attrNumber attrKind = iota // 3 : i64, 1.5 : f32, or a bare number
	attrBool                   // true, false
	attrString                 // "text"
	attrArray                  // array<i64: 1, 2> or array<i1: true>
	attrList                   // [a, b]
	attrDense                  // dense<...> : tensor<...>
	attrOpaque                 // #dialect<...> or #dialect.name<...>
)

// attr is an attribute value.
type attr struct {
	kind   attrKind
	pos    pos
	num    float64   // attrNumber, attrBool (0/1)
	text   string    // attrNumber: the number as written; attrString; attrOpaque: the dialect name
	nums   []float64 // attrArray
	list   []*attr   // attrList
	dense  *Tensor   // attrDense; a splat holds its one value only
	splat  bool      // attrDense: every element is dense.F[0]
	tokens []token   // attrOpaque: the tokens between < and >
}

// parser reads tokens into a Module.
type parser struct {
	toks []token
	i    int
}

// Parse parses a whole StableHLO module in the generic form that go-xla's
// stablehlo Builder prints. Errors give the line:column of the offending
// text and what was expected there.
func Parse(text string) (*Module, error) {
	toks, err := lex(text)
	if err != nil {
		return nil, fmt.Errorf("hloeval: parse: %w", err)
	}
	p := &parser{toks: toks}
	m, err := p.module()
	if err != nil {
		return nil, fmt.Errorf("hloeval: parse: %w", err)
	}
	return m, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tkEOF {
		p.i++
	}
	return t
}

// errorf returns a syntax error at token t.
func errorf(t token, format string, args ...any) error {
	return &syntaxError{t.pos, fmt.Sprintf(format, args...)}
}

// expected returns the error for finding the current token where what was
// expected.
func (p *parser) expected(what string) error {
	t := p.peek()
	return errorf(t, "expected %s, found %s", what, t.describe())
}

// isPunct reports whether the current token is the punctuation s.
func (p *parser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tkPunct && t.text == s
}

// isIdent reports whether the current token is the identifier s.
func (p *parser) isIdent(s string) bool {
	t := p.peek()
	return t.kind == tkIdent && t.text == s
}

// punct consumes the punctuation s or fails.
func (p *parser) punct(s string) error {
	if !p.isPunct(s) {
		return p.expected(strconv.Quote(s))
	}
	p.advance()
	return nil
}

// take consumes a token of the given kind or fails, naming what was
// expected.
func (p *parser) take(kind tokenKind, what string) (token, error) {
	if p.peek().kind != kind {
		return token{}, p.expected(what)
	}
	return p.advance(), nil
}

// module := 'module' ['@' name] ['attributes' dict] '{' {top} '}'
func (p *parser) module() (*Module, error) {
	if !p.isIdent("module") {
		return nil, p.expected(`"module"`)
	}
	p.advance()
	m := &Module{funcs: map[string]*function{}}
	if p.peek().kind == tkSymbol {
		m.name = p.advance().text
	}
	if p.isIdent("attributes") {
		p.advance()
		if _, err := p.attrDict(); err != nil {
			return nil, err
		}
	}
	if err := p.punct("{"); err != nil {
		return nil, err
	}
	for !p.isPunct("}") {
		t := p.peek()
		switch {
		case t.kind == tkIdent && t.text == "func.func":
			f, err := p.funcDef()
			if err != nil {
				return nil, err
			}
			if _, dup := m.funcs[f.name]; dup {
				return nil, errorf(t, "function @%s defined twice", f.name)
			}
			m.funcs[f.name] = f
		case t.kind == tkIdent && t.text == "sdy.mesh":
			if err := p.skipMesh(); err != nil {
				return nil, err
			}
		default:
			return nil, p.expected(`"func.func" or "}"`)
		}
	}
	p.advance()
	if p.peek().kind != tkEOF {
		return nil, p.expected("end of input after the module")
	}
	if m.funcs["main"] == nil {
		return nil, errorf(p.peek(), "module has no @main function")
	}
	return m, nil
}

// skipMesh skips a Shardy mesh declaration: sdy.mesh @name = <...>.
func (p *parser) skipMesh() error {
	p.advance()
	if _, err := p.take(tkSymbol, "a mesh name"); err != nil {
		return err
	}
	if err := p.punct("="); err != nil {
		return err
	}
	_, err := p.angleGroup()
	return err
}

// angleGroup consumes a balanced < ... > group and returns the tokens
// inside it.
func (p *parser) angleGroup() ([]token, error) {
	if err := p.punct("<"); err != nil {
		return nil, err
	}
	start := p.i
	depth := 1
	for {
		t := p.peek()
		switch {
		case t.kind == tkEOF:
			return nil, p.expected(`">"`)
		case t.kind == tkPunct && t.text == "<":
			depth++
		case t.kind == tkPunct && t.text == ">":
			depth--
			if depth == 0 {
				inner := p.toks[start:p.i]
				p.advance()
				return inner, nil
			}
		}
		p.advance()
	}
}

// funcDef := 'func.func' [visibility] '@' name '(' params ')' ['->' results] '{' body '}'
func (p *parser) funcDef() (*function, error) {
	start := p.advance()
	if p.isIdent("public") || p.isIdent("private") {
		p.advance()
	}
	name, err := p.take(tkSymbol, "a function name (@name)")
	if err != nil {
		return nil, err
	}
	f := &function{name: name.text, pos: start.pos}
	scope := newScope()
	if f.params, err = p.params(scope, true); err != nil {
		return nil, err
	}
	if p.peek().kind == tkArrow {
		p.advance()
		if f.results, err = p.funcResults(); err != nil {
			return nil, err
		}
	}
	if err := p.punct("{"); err != nil {
		return nil, err
	}
	if f.body, err = p.body(scope); err != nil {
		return nil, err
	}
	f.slots = len(scope.slots)
	if err := p.punct("}"); err != nil {
		return nil, err
	}
	return f, nil
}

// scope numbers the values of one function as they are defined, so that
// each is held in a slot at run time, and rejects uses before definition.
type scope struct {
	slots map[string]int
}

func newScope() *scope { return &scope{slots: map[string]int{}} }

// slot returns the slot of a defined value.
func (s *scope) slot(name string) (int, bool) {
	i, ok := s.slots[name]
	return i, ok
}

// define gives a new value the next slot, failing at t if the name is
// already defined.
func (s *scope) define(t token) (int, error) {
	if _, ok := s.slots[t.text]; ok {
		return 0, errorf(t, "value %%%s defined twice", t.text)
	}
	i := len(s.slots)
	s.slots[t.text] = i
	return i, nil
}

// params := '(' [ %name ':' type [dict] {',' ...} ] ')'
func (p *parser) params(sc *scope, allowAttrs bool) ([]param, error) {
	if err := p.punct("("); err != nil {
		return nil, err
	}
	var ps []param
	for !p.isPunct(")") {
		if len(ps) > 0 {
			if err := p.punct(","); err != nil {
				return nil, err
			}
		}
		name, err := p.take(tkValue, "an argument (%name)")
		if err != nil {
			return nil, err
		}
		if _, err := sc.define(name); err != nil {
			return nil, err
		}
		if err := p.punct(":"); err != nil {
			return nil, err
		}
		typ, err := p.tensorType()
		if err != nil {
			return nil, err
		}
		if allowAttrs && p.isPunct("{") {
			if _, err := p.attrDict(); err != nil {
				return nil, err
			}
		}
		ps = append(ps, param{name.text, typ})
	}
	p.advance()
	return ps, nil
}

// funcResults := type [dict] | '(' [type [dict] {',' ...}] ')'
func (p *parser) funcResults() ([]valueType, error) {
	if !p.isPunct("(") {
		t, err := p.tensorType()
		if err != nil {
			return nil, err
		}
		return []valueType{t}, nil
	}
	p.advance()
	var ts []valueType
	for !p.isPunct(")") {
		if len(ts) > 0 {
			if err := p.punct(","); err != nil {
				return nil, err
			}
		}
		t, err := p.tensorType()
		if err != nil {
			return nil, err
		}
		if p.isPunct("{") {
			if _, err := p.attrDict(); err != nil {
				return nil, err
			}
		}
		ts = append(ts, t)
	}
	p.advance()
	return ts, nil
}

// body reads statements up to a closing "}", which it leaves unconsumed.
// The last statement must be a return.
func (p *parser) body(sc *scope) ([]*statement, error) {
	var stmts []*statement
	for !p.isPunct("}") {
		if n := len(stmts); n > 0 && isReturn(stmts[n-1].op) {
			return nil, p.expected(`"}" after the return`)
		}
		st, err := p.statement(sc)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, st)
	}
	if len(stmts) == 0 || !isReturn(stmts[len(stmts)-1].op) {
		return nil, p.expected(`a "stablehlo.return" or "func.return" statement`)
	}
	return stmts, nil
}

func isReturn(op string) bool { return op == "stablehlo.return" || op == "func.return" }

// statement := [%r {',' %r} '='] "op" '(' operands ')' ['(' regions ')'] [dict] ':' signature
func (p *parser) statement(sc *scope) (*statement, error) {
	first := p.peek()
	st := &statement{pos: first.pos}
	var results []token
	if first.kind == tkValue {
		for {
			r, err := p.take(tkValue, "a result (%name)")
			if err != nil {
				return nil, err
			}
			results = append(results, r)
			if !p.isPunct(",") {
				break
			}
			p.advance()
		}
		if err := p.punct("="); err != nil {
			return nil, err
		}
	}
	opTok, err := p.take(tkString, `an op name such as "stablehlo.add"`)
	if err != nil {
		return nil, err
	}
	st.op = opTok.text
	if err := p.punct("("); err != nil {
		return nil, err
	}
	for !p.isPunct(")") {
		if len(st.operands) > 0 {
			if err := p.punct(","); err != nil {
				return nil, err
			}
		}
		v, err := p.take(tkValue, "an operand (%name)")
		if err != nil {
			return nil, err
		}
		slot, ok := sc.slot(v.text)
		if !ok {
			return nil, errorf(v, "value %%%s is used before it is defined", v.text)
		}
		st.operands = append(st.operands, v.text)
		st.operandSlots = append(st.operandSlots, slot)
	}
	p.advance()
	if p.isPunct("(") {
		if st.regions, err = p.regions(); err != nil {
			return nil, err
		}
	}
	st.attrs = map[string]*attr{}
	if p.isPunct("{") {
		if st.attrs, err = p.attrDict(); err != nil {
			return nil, err
		}
	}
	if err := p.punct(":"); err != nil {
		return nil, err
	}
	if err := p.signature(st); err != nil {
		return nil, err
	}
	if len(st.inTypes) != len(st.operands) {
		return nil, errorf(opTok, "%s has %d operands but its signature lists %d types", st.op, len(st.operands), len(st.inTypes))
	}
	if len(st.outTypes) != len(results) {
		return nil, errorf(opTok, "%s has %d results but its signature lists %d types", st.op, len(results), len(st.outTypes))
	}
	for _, r := range results {
		slot, err := sc.define(r)
		if err != nil {
			return nil, err
		}
		st.results = append(st.results, r.text)
		st.resultSlots = append(st.resultSlots, slot)
	}
	st.eval = opTable[st.op]
	return st, nil
}

// regions := '(' region {',' region} ')' where
// region := '{' '^' name params ':' body '}'. A region sees only its own
// arguments and values, as in every region go-xla prints.
func (p *parser) regions() ([]*function, error) {
	p.advance()
	var rs []*function
	for {
		open := p.peek()
		if err := p.punct("{"); err != nil {
			return nil, err
		}
		block, err := p.take(tkBlock, "a block label (^name)")
		if err != nil {
			return nil, err
		}
		inner := newScope()
		f := &function{name: block.text, pos: open.pos}
		if f.params, err = p.params(inner, false); err != nil {
			return nil, err
		}
		if err := p.punct(":"); err != nil {
			return nil, err
		}
		if f.body, err = p.body(inner); err != nil {
			return nil, err
		}
		f.slots = len(inner.slots)
		p.advance()
		rs = append(rs, f)
		if !p.isPunct(",") {
			break
		}
		p.advance()
	}
	if err := p.punct(")"); err != nil {
		return nil, err
	}
	return rs, nil
}

// signature := '(' [type {',' type}] ')' '->' (type | '(' [type {',' type}] ')')
func (p *parser) signature(st *statement) error {
	var err error
	if st.inTypes, err = p.typeList(); err != nil {
		return err
	}
	if _, err := p.take(tkArrow, `"->"`); err != nil {
		return err
	}
	if p.isPunct("(") {
		st.outTypes, err = p.typeList()
		return err
	}
	t, err := p.tensorType()
	if err != nil {
		return err
	}
	st.outTypes = []valueType{t}
	return nil
}

// typeList := '(' [type {',' type}] ')'
func (p *parser) typeList() ([]valueType, error) {
	if err := p.punct("("); err != nil {
		return nil, err
	}
	var ts []valueType
	for !p.isPunct(")") {
		if len(ts) > 0 {
			if err := p.punct(","); err != nil {
				return nil, err
			}
		}
		t, err := p.tensorType()
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	p.advance()
	return ts, nil
}

// tensorType reads a tensor<d0xd1x...xdtype> token.
func (p *parser) tensorType() (valueType, error) {
	t, err := p.take(tkType, "a tensor type")
	if err != nil {
		return valueType{}, err
	}
	return parseTensorType(t)
}

// maxElements bounds the size of a tensor type, far above anything the
// evaluator could hold.
const maxElements = 1 << 32

// parseTensorType interprets the inside of tensor<...>.
func parseTensorType(t token) (valueType, error) {
	parts := strings.Split(t.text, "x")
	var vt valueType
	for i, part := range parts {
		if i == len(parts)-1 {
			if _, ok := elementTypes[part]; !ok {
				return valueType{}, errorf(t, "unsupported element type %q in tensor<%s>", part, t.text)
			}
			vt.dtype = part
			break
		}
		d, err := strconv.Atoi(part)
		if err != nil || d < 0 || part == "" || !isDigit(part[0]) {
			return valueType{}, errorf(t, "expected a static dimension in tensor<%s>, found %q", t.text, part)
		}
		vt.shape = append(vt.shape, d)
	}
	if vt.shape == nil {
		vt.shape = []int{}
	}
	n := 1
	for _, d := range vt.shape {
		if d > 0 && n > maxElements/d {
			return valueType{}, errorf(t, "tensor<%s> has more than %d elements", t.text, maxElements)
		}
		n *= d
	}
	return vt, nil
}

// attrDict := '{' [key '=' value {',' key '=' value}] '}'
func (p *parser) attrDict() (map[string]*attr, error) {
	if err := p.punct("{"); err != nil {
		return nil, err
	}
	attrs := map[string]*attr{}
	for !p.isPunct("}") {
		if len(attrs) > 0 {
			if err := p.punct(","); err != nil {
				return nil, err
			}
		}
		key := p.peek()
		if key.kind != tkIdent && key.kind != tkString {
			return nil, p.expected("an attribute name")
		}
		p.advance()
		if _, dup := attrs[key.text]; dup {
			return nil, errorf(key, "attribute %s given twice", key.text)
		}
		if err := p.punct("="); err != nil {
			return nil, err
		}
		v, err := p.attrValue()
		if err != nil {
			return nil, err
		}
		attrs[key.text] = v
	}
	p.advance()
	return attrs, nil
}

// attrValue reads one attribute value.
func (p *parser) attrValue() (*attr, error) {
	t := p.peek()
	switch {
	case t.kind == tkNumber:
		p.advance()
		x, err := parseNumber(t)
		if err != nil {
			return nil, err
		}
		a := &attr{kind: attrNumber, pos: t.pos, num: x, text: t.text}
		if p.isPunct(":") {
			p.advance()
			typ, err := p.take(tkIdent, "an element type")
			if err != nil {
				return nil, err
			}
			if _, ok := elementTypes[typ.text]; !ok {
				return nil, errorf(typ, "unsupported element type %q", typ.text)
			}
			a.num = roundTo(typ.text, x)
		}
		return a, nil
	case t.kind == tkIdent && (t.text == "true" || t.text == "false"):
		p.advance()
		return &attr{kind: attrBool, pos: t.pos, num: boolNum(t.text == "true")}, nil
	case t.kind == tkString:
		p.advance()
		return &attr{kind: attrString, pos: t.pos, text: t.text}, nil
	case t.kind == tkIdent && t.text == "array":
		return p.arrayAttr()
	case t.kind == tkIdent && t.text == "dense":
		return p.denseAttr()
	case t.kind == tkPunct && t.text == "[":
		p.advance()
		a := &attr{kind: attrList, pos: t.pos}
		for !p.isPunct("]") {
			if len(a.list) > 0 {
				if err := p.punct(","); err != nil {
					return nil, err
				}
			}
			v, err := p.attrValue()
			if err != nil {
				return nil, err
			}
			a.list = append(a.list, v)
		}
		p.advance()
		return a, nil
	case t.kind == tkHash:
		p.advance()
		inner, err := p.angleGroup()
		if err != nil {
			return nil, err
		}
		return &attr{kind: attrOpaque, pos: t.pos, text: t.text, tokens: inner}, nil
	}
	return nil, p.expected("an attribute value")
}

func boolNum(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// arrayAttr := 'array' '<' type [':' elem {',' elem}] '>'
func (p *parser) arrayAttr() (*attr, error) {
	start := p.advance()
	if err := p.punct("<"); err != nil {
		return nil, err
	}
	typ, err := p.take(tkIdent, "an element type")
	if err != nil {
		return nil, err
	}
	a := &attr{kind: attrArray, pos: start.pos, nums: []float64{}}
	if p.isPunct(":") {
		p.advance()
		for {
			t := p.peek()
			switch {
			case typ.text == "i1" && t.kind == tkIdent && (t.text == "true" || t.text == "false"):
				a.nums = append(a.nums, boolNum(t.text == "true"))
			case typ.text != "i1" && t.kind == tkNumber:
				x, err := parseNumber(t)
				if err != nil {
					return nil, err
				}
				a.nums = append(a.nums, x)
			default:
				return nil, p.expected("an array<" + typ.text + "> element")
			}
			p.advance()
			if !p.isPunct(",") {
				break
			}
			p.advance()
		}
	}
	if err := p.punct(">"); err != nil {
		return nil, err
	}
	return a, nil
}

// denseAttr := 'dense' '<' elements '>' ':' type, where elements is one
// value (a splat) or nested [...] lists in row-major order.
func (p *parser) denseAttr() (*attr, error) {
	start := p.advance()
	if err := p.punct("<"); err != nil {
		return nil, err
	}
	type elem struct {
		tok   token
		depth int
	}
	var elems []elem
	var dims []int   // element count of each nesting level, from the first list met
	var counts []int // elements seen so far at each open level
	nested := p.isPunct("[")
	for {
		t := p.peek()
		switch {
		case t.kind == tkPunct && t.text == "[":
			p.advance()
			if len(counts) > 0 {
				counts[len(counts)-1]++
			}
			counts = append(counts, 0)
			if len(counts) > len(dims) {
				dims = append(dims, -1)
			}
			if !p.isPunct("]") {
				continue
			}
		case t.kind == tkNumber || t.kind == tkIdent && (t.text == "true" || t.text == "false"):
			p.advance()
			elems = append(elems, elem{t, len(counts)})
			if len(counts) > 0 {
				counts[len(counts)-1]++
			}
		default:
			return nil, p.expected("a dense element")
		}
		// Close every list that ends here.
		for len(counts) > 0 && p.isPunct("]") {
			closeTok := p.advance()
			level := len(counts) - 1
			if dims[level] == -1 {
				dims[level] = counts[level]
			} else if dims[level] != counts[level] {
				return nil, errorf(closeTok, "ragged dense literal: %d elements here, %d in the list before", counts[level], dims[level])
			}
			counts = counts[:level]
		}
		if len(counts) == 0 {
			break
		}
		if err := p.punct(","); err != nil {
			return nil, err
		}
	}
	if err := p.punct(">"); err != nil {
		return nil, err
	}
	if err := p.punct(":"); err != nil {
		return nil, err
	}
	typTok := p.peek()
	typ, err := p.tensorType()
	if err != nil {
		return nil, err
	}
	for _, e := range elems {
		if nested && e.depth != len(dims) {
			return nil, errorf(e.tok, "dense element at nesting depth %d, want %d", e.depth, len(dims))
		}
	}
	switch {
	case !nested:
		x, err := denseElement(elems[0].tok, typ.dtype)
		if err != nil {
			return nil, err
		}
		splat := &Tensor{DType: typ.dtype, Shape: typ.shape, F: []float64{x}}
		return &attr{kind: attrDense, pos: start.pos, dense: splat, splat: true}, nil
	default:
		if !equalInts(dims, typ.shape) {
			return nil, errorf(typTok, "dense literal has dimensions %v but its type is %s", dims, typ)
		}
		if len(elems) != size(typ.shape) {
			return nil, errorf(typTok, "dense literal has %d elements but its type %s holds %d", len(elems), typ, size(typ.shape))
		}
		out := newTensor(typ.dtype, typ.shape)
		for i, e := range elems {
			x, err := denseElement(e.tok, typ.dtype)
			if err != nil {
				return nil, err
			}
			out.F[i] = x
		}
		return &attr{kind: attrDense, pos: start.pos, dense: out}, nil
	}
}

// denseValues returns the elements of a dense attribute in row-major
// order, expanding a splat, or an error when there are more than limit.
func (a *attr) denseValues(limit int) ([]float64, error) {
	n := size(a.dense.Shape)
	if n > limit {
		return nil, fmt.Errorf("dense attribute at %s has %d elements, more than the %d expected", a.pos, n, limit)
	}
	if !a.splat {
		return a.dense.F, nil
	}
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = a.dense.F[0]
	}
	return xs, nil
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// denseElement converts one element of a dense literal to the value it
// denotes in the element type dtype. A hexadecimal float element is the bit
// pattern of the value in that type.
func denseElement(t token, dtype string) (float64, error) {
	if t.kind == tkIdent {
		return boolNum(t.text == "true"), nil
	}
	if isFloat(dtype) && isHex(t.text) {
		bits, err := strconv.ParseUint(t.text[2:], 16, 64)
		if err != nil {
			return 0, errorf(t, "bad hexadecimal literal %s", t.text)
		}
		switch dtype {
		case "f64":
			return math.Float64frombits(bits), nil
		case "f32":
			return float64(math.Float32frombits(uint32(bits))), nil
		case "bf16":
			return float64(math.Float32frombits(uint32(bits) << 16)), nil
		case "f16":
			return halfFromBits(uint16(bits)), nil
		}
	}
	x, err := parseNumber(t)
	if err != nil {
		return 0, err
	}
	return roundTo(dtype, x), nil
}

func isHex(s string) bool { return len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') }

// halfFromBits decodes an IEEE binary16 bit pattern.
func halfFromBits(b uint16) float64 {
	sign := 1.0
	if b&0x8000 != 0 {
		sign = -1
	}
	exp := int(b>>10) & 0x1f
	frac := float64(b & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		return sign * math.Inf(1)
	}
	return sign * math.Ldexp(1024+frac, exp-25)
}

// parseNumber converts a number token: decimal, or hexadecimal as an
// integer.
func parseNumber(t token) (float64, error) {
	s := t.text
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	var x float64
	if isHex(s) {
		u, err := strconv.ParseUint(s[2:], 16, 64)
		if err != nil {
			return 0, errorf(t, "bad hexadecimal number %s", t.text)
		}
		x = float64(u)
	} else {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, errorf(t, "bad number %s", t.text)
		}
		x = f
	}
	if neg {
		x = -x
	}
	return x, nil
}
