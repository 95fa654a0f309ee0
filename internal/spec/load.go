package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agext/levenshtein"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/sslrun/sslrun/registry"
)

// Options control loading.
type Options struct {
	// Vars overrides variable defaults (`--var name=value`). The value is
	// read as the type of the variable's default: a string is taken as is, a
	// number or bool is parsed, anything else is an HCL expression.
	Vars map[string]string
	// NoData skips checking that data paths exist.
	NoData bool
}

// LoadFile reads and resolves the spec at path. It reads at most one byte
// beyond MaxSpecBytes, so a huge file is refused without being read whole.
func LoadFile(path string, opts Options) (*Experiment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading spec: %w", err)
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxSpecBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading spec %s: %w", path, err)
	}
	return Load(path, src, opts)
}

// Load resolves a spec from its source. filename names it in diagnostics and
// its folder is where relative paths resolve from. Every problem in the spec
// is reported at once, as an *Error. What a spec may cost to read is bounded
// (see MaxSpecBytes and the limits beside it, MaxEvalBytes): a spec beyond
// a bound is refused at the place it breaks it.
func Load(filename string, src []byte, opts Options) (*Experiment, error) {
	return load(filename, src, opts, newBudget())
}

// load is Load with the evaluation budget given.
func load(filename string, src []byte, opts Options, b *budget) (*Experiment, error) {
	dir, err := filepath.Abs(filepath.Dir(filename))
	if err != nil {
		return nil, fmt.Errorf("resolving the folder of %s: %w", filename, err)
	}
	files := map[string]*hcl.File{filename: {Bytes: src}}
	if diags := checkSource(src, filename); diags.HasErrors() {
		return nil, &Error{Diags: diags, Files: files}
	}
	file, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	files[filename] = file
	if diags.HasErrors() {
		return nil, &Error{Diags: diags, Files: files}
	}
	if diags := b.instrument(file.Body.(*hclsyntax.Body)); diags.HasErrors() {
		return nil, &Error{Diags: diags, Files: files}
	}
	l := &loader{
		filename: filename,
		opts:     opts,
		decode:   DecodeOptions{BaseDir: dir, CheckPaths: !opts.NoData},
		exp:      &Experiment{File: filename, Dir: dir, Variables: map[string]json.RawMessage{}},
		budget:   b,
		ctx:      &hcl.EvalContext{Functions: functions(b), Variables: map[string]cty.Value{}},
		names:    map[string]hcl.Range{},
		unset:    map[string]bool{},
	}
	l.load(file.Body)
	l.diags = b.cleanDiagnostics(l.dropConsequences(l.diags), filename)
	if l.diags.HasErrors() {
		return nil, &Error{Diags: l.diags, Files: files}
	}
	return l.exp, nil
}

var rootSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "experiment", LabelNames: []string{"name"}},
	{Type: string(registry.Dataset), LabelNames: []string{"type", "name"}},
	{Type: "view", LabelNames: []string{"name"}},
	{Type: string(registry.Backbone), LabelNames: []string{"type"}},
	{Type: string(registry.Head), LabelNames: []string{"type", "name"}},
	{Type: string(registry.Objective), LabelNames: []string{"type"}},
	{Type: string(registry.Optimizer), LabelNames: []string{"type"}},
	{Type: string(registry.Schedule), LabelNames: []string{"type"}},
	{Type: "train"},
	{Type: string(registry.Evaluate), LabelNames: []string{"type"}},
}}

// variableSchema is variableParams and the untyped default.
var variableSchema = &hcl.BodySchema{Attributes: append(BodySchema(variableParams).Attributes, hcl.AttributeSchema{Name: "default"})}

var viewSchema = &hcl.BodySchema{
	Attributes: BodySchema(viewParams).Attributes,
	Blocks:     []hcl.BlockHeaderSchema{{Type: string(registry.Augment), LabelNames: []string{"type"}}},
}

type loader struct {
	filename string
	opts     Options
	decode   DecodeOptions
	exp      *Experiment
	budget   *budget
	ctx      *hcl.EvalContext
	diags    hcl.Diagnostics
	// unset holds the variables and locals ("var.x", "local.y") that have no
	// value because of an error already reported; they evaluate as unknown,
	// and diagnostics about expressions that use them are dropped as
	// consequences of that error.
	unset map[string]bool
	// names maps "kind name" to where it was first defined, to report duplicates.
	names map[string]hcl.Range
	// trainDataset is where the train block names its dataset (the block
	// itself when the default applies).
	trainDataset hcl.Range
}

func (l *loader) errorf(subject hcl.Range, summary, format string, args ...any) {
	l.diags = append(l.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  &subject,
	})
}

// unique records that a block of kind called name is defined at r and
// reports whether it is the first one.
func (l *loader) unique(kind, name string, r hcl.Range) bool {
	key := kind + " " + name
	if first, dup := l.names[key]; dup {
		what := kind
		if name != "" {
			what += fmt.Sprintf(" %q", name)
		}
		l.errorf(r, "Duplicate "+what, "A %s is already defined at %s:%d,%d; each may be defined once.",
			what, first.Filename, first.Start.Line, first.Start.Column)
		return false
	}
	l.names[key] = r
	return true
}

func (l *loader) load(body hcl.Body) {
	content, diags := body.Content(rootSchema)
	l.diags = append(l.diags, diags...)
	blocks := content.Blocks

	l.variables(blocks.OfType("variable"))
	l.locals(blocks.OfType("locals"))
	l.experiment(blocks.OfType("experiment"), body.MissingItemRange())

	for _, b := range blocks.OfType(string(registry.Dataset)) {
		if c, ok := l.component(registry.Dataset, b, l.unique("dataset", b.Labels[1], b.DefRange)); ok {
			l.exp.Datasets = append(l.exp.Datasets, c)
		}
	}
	for _, b := range blocks.OfType("view") {
		l.view(b)
	}
	l.exp.Backbone = l.single(registry.Backbone, blocks)
	for _, b := range blocks.OfType(string(registry.Head)) {
		if c, ok := l.component(registry.Head, b, l.unique("head", b.Labels[1], b.DefRange)); ok {
			l.exp.Heads = append(l.exp.Heads, c)
		}
	}
	l.exp.Objective = l.single(registry.Objective, blocks)
	l.exp.Optimizer = l.single(registry.Optimizer, blocks)
	l.exp.Schedule = l.single(registry.Schedule, blocks)
	l.train(blocks.OfType("train"))
	for _, b := range blocks.OfType(string(registry.Evaluate)) {
		if c, ok := l.component(registry.Evaluate, b, l.unique("evaluate", b.Labels[0], b.DefRange)); ok {
			l.exp.Evaluate = append(l.exp.Evaluate, c)
		}
	}
	if !l.diags.HasErrors() {
		l.checkWiring()
	}
}

// checkWiring lets each component that cares check the blocks around it.
func (l *loader) checkWiring() {
	w := registry.Wiring{BatchSize: l.exp.Train.BatchSize}
	for _, d := range l.exp.Datasets {
		w.Datasets = append(w.Datasets, d.Name)
	}
	// A spec that trains (it has a backbone) must name a dataset it has.
	if l.exp.Backbone != nil && len(w.Datasets) > 0 && !w.HasDataset(l.exp.Train.Dataset) {
		if l.trainDataset.Empty() {
			l.trainDataset = l.exp.Backbone.Range
		}
		l.errorf(l.trainDataset, "Unknown dataset", "train reads dataset %q, but the spec's dataset blocks are %s.", l.exp.Train.Dataset, strings.Join(quoteAll(w.Datasets), ", "))
	}
	for _, v := range l.exp.Views {
		w.Views = append(w.Views, registry.WiredView{Name: v.Name, Count: v.Count})
	}
	for _, h := range l.exp.Heads {
		w.Heads = append(w.Heads, registry.WiredHead{Name: h.Name, ID: h.ID})
	}
	var all []*Component
	for _, c := range []*Component{l.exp.Backbone, l.exp.Objective, l.exp.Optimizer, l.exp.Schedule} {
		if c != nil {
			all = append(all, c)
		}
	}
	for _, list := range [][]Component{l.exp.Datasets, l.exp.Heads, l.exp.Evaluate} {
		for i := range list {
			all = append(all, &list[i])
		}
	}
	for _, c := range all {
		inst, err := registry.New[any](c.ID, c.Params)
		if err != nil {
			l.errorf(c.Range, "Invalid "+c.ID, "%v", err)
			continue
		}
		if wc, ok := inst.(registry.WiringChecker); ok {
			if err := wc.CheckWiring(w); err != nil {
				at := c.Range
				var pe *registry.ParamError
				if errors.As(err, &pe) {
					if r, ok := c.Attrs[pe.Param]; ok {
						at = r
					}
				}
				l.errorf(at, "Invalid wiring of "+c.ID, "%v.", err)
			}
		}
	}
}

// single decodes the at most one block of a kind that a spec may have.
func (l *loader) single(kind registry.Kind, blocks hcl.Blocks) *Component {
	var out *Component
	for _, b := range blocks.OfType(string(kind)) {
		if c, ok := l.component(kind, b, l.unique(string(kind)+" block", "", b.DefRange)); ok {
			out = &c
		}
	}
	return out
}

// component resolves a component block through the registry and decodes its
// body against the component's schema. keep=false decodes only to report
// problems (a duplicate) and drops the result.
func (l *loader) component(kind registry.Kind, b *hcl.Block, keep bool) (Component, bool) {
	typ := b.Labels[0]
	id := string(kind) + "." + typ
	c, ok := registry.Lookup(id)
	if !ok {
		l.diags = append(l.diags, unknownType(kind, typ, b.LabelRanges[0]))
		return Component{}, false
	}
	values, diags := DecodeComponent(c, b.Body, l.ctx, l.decode)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() || !keep {
		return Component{}, false
	}
	out := Component{ID: id, Params: values, Range: b.DefRange, Attrs: map[string]hcl.Range{}}
	if attrs, d := b.Body.JustAttributes(); !d.HasErrors() {
		for name, a := range attrs {
			out.Attrs[name] = a.Expr.Range()
		}
	}
	if len(b.Labels) > 1 {
		out.Name = b.Labels[1]
	}
	return out, true
}

func unknownType(kind registry.Kind, typ string, r hcl.Range) *hcl.Diagnostic {
	types := registry.Types(kind)
	var detail string
	switch {
	case len(types) == 0:
		detail = fmt.Sprintf("No %s components are registered in this build of sslrun.", kind)
	default:
		if s := registry.Suggest(kind, typ); s != "" {
			detail = fmt.Sprintf("Did you mean %q? ", s)
		}
		detail += fmt.Sprintf("Registered %s types: %s. `sslrun components %s` describes them.",
			kind, strings.Join(types, ", "), kind)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Unknown %s type %q", kind, typ),
		Detail:   detail,
		Subject:  &r,
	}
}

func (l *loader) view(b *hcl.Block) {
	name := b.Labels[0]
	keep := l.unique("view", name, b.DefRange)
	content, diags := b.Body.Content(viewSchema)
	ExplainUnsupported(diags, "view", viewParams, "augment blocks")
	l.diags = append(l.diags, diags...)
	values, diags := DecodeAttributes("view", viewParams, content.Attributes, l.ctx, l.decode)
	l.diags = append(l.diags, diags...)
	v := View{Name: name, Range: b.DefRange}
	if !diags.HasErrors() {
		v.Count = values.Int("count")
	}
	augments := content.Blocks.OfType(string(registry.Augment))
	if len(augments) == 0 {
		l.errorf(b.DefRange, fmt.Sprintf("View %q has no augmentations", name),
			"A view is an ordered pipeline of augment blocks; add at least one (e.g. augment \"normalize\" { ... }).")
	}
	ok := true
	for _, ab := range augments {
		c, good := l.component(registry.Augment, ab, true)
		ok = ok && good
		v.Augment = append(v.Augment, c)
	}
	if keep && ok && len(augments) > 0 && !diags.HasErrors() {
		l.exp.Views = append(l.exp.Views, v)
	}
}

func (l *loader) experiment(blocks hcl.Blocks, missing hcl.Range) {
	if len(blocks) == 0 {
		l.errorf(missing, "Missing experiment block",
			"A spec needs one experiment block, e.g. experiment \"simclr_cifar10\" { seed = 0 }.")
		return
	}
	for _, b := range blocks {
		if !l.unique("experiment block", "", b.DefRange) {
			continue
		}
		content, diags := b.Body.Content(BodySchema(experimentParams))
		ExplainUnsupported(diags, "experiment", experimentParams, "")
		l.diags = append(l.diags, diags...)
		values, diags := DecodeAttributes("experiment", experimentParams, content.Attributes, l.ctx, l.decode)
		l.diags = append(l.diags, diags...)
		l.exp.Name = b.Labels[0]
		if !validExperimentName(l.exp.Name) {
			l.errorf(b.LabelRanges[0], "Invalid experiment name",
				"%s: the name becomes the run folder's (runs/NAME-TIME), so it may use ASCII letters, digits, \"_\", \"-\" and \".\" (not first), at most %d bytes.",
				strconv.QuoteToASCII(l.exp.Name), MaxExperimentName)
		}
		if !diags.HasErrors() {
			l.exp.Seed = values.Int("seed")
			l.exp.Description = values.String("description")
		}
	}
}

func (l *loader) train(blocks hcl.Blocks) {
	var attrs hcl.Attributes
	for _, b := range blocks {
		if !l.unique("train block", "", b.DefRange) {
			continue
		}
		content, diags := b.Body.Content(BodySchema(trainParams))
		ExplainUnsupported(diags, "train", trainParams, "")
		l.diags = append(l.diags, diags...)
		attrs = content.Attributes
	}
	values, diags := DecodeAttributes("train", trainParams, attrs, l.ctx, l.decode)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return
	}
	if len(blocks) > 0 {
		l.trainDataset = blocks[0].DefRange
	}
	if a, ok := attrs["dataset"]; ok {
		l.trainDataset = a.Expr.Range()
	}
	every, err := ParseInterval(values.String("checkpoint_every"))
	if err != nil {
		l.errorf(attrs["checkpoint_every"].Expr.Range(), "Invalid checkpoint_every", "%v.", err)
	}
	l.exp.Train = Train{
		Epochs:          values.Int("epochs"),
		BatchSize:       values.Int("batch_size"),
		DropLast:        values.Bool("drop_last"),
		Workers:         values.Int("workers"),
		Prefetch:        values.Int("prefetch"),
		Dataset:         values.String("dataset"),
		CheckpointEvery: every,
		KeepEvery:       values.Int("keep_every"),
		LogEvery:        values.Int("log_every"),
		Precision:       values.String("precision"),
	}
}

// variables evaluates variable defaults, applies --var overrides and makes
// the result available as var.* in every later expression. A variable left
// without a valid value is reported once and is unknown from then on.
func (l *loader) variables(blocks hcl.Blocks) {
	vals := map[string]cty.Value{}
	var declared []string
	constCtx := &hcl.EvalContext{Functions: l.ctx.Functions}
	unset := func(name string) {
		vals[name] = cty.DynamicVal
		l.unset["var."+name] = true
	}
	for _, b := range blocks {
		name := b.Labels[0]
		if !hclsyntax.ValidIdentifier(name) {
			l.errorf(b.LabelRanges[0], "Invalid variable name", "%q is not a valid identifier (letters, digits, _ and -, starting with a letter).", name)
			continue
		}
		if !l.unique("variable", name, b.DefRange) {
			continue
		}
		declared = append(declared, name)
		content, diags := b.Body.Content(variableSchema)
		ExplainUnsupported(diags, "variable", append(variableParams, registry.Param{Name: "default"}), "")
		l.diags = append(l.diags, diags...)
		_, diags = DecodeAttributes("variable", variableParams, content.Attributes, constCtx, l.decode)
		l.diags = append(l.diags, diags...)
		def := cty.NullVal(cty.DynamicPseudoType)
		where := b.DefRange
		if d, ok := content.Attributes["default"]; ok {
			v, diags := d.Expr.Value(constCtx)
			l.diags = append(l.diags, diags...)
			if diags.HasErrors() {
				unset(name)
				continue
			}
			def, where = v, d.Expr.Range()
		}
		// from prefixes what is said of the value with where it came from.
		from := ""
		if raw, ok := l.opts.Vars[name]; ok {
			from = fmt.Sprintf("--var %s=%s: ", name, printable(raw))
			v, err := l.parseVar(raw, def)
			if err != nil {
				l.errorf(b.DefRange, "Invalid value for variable "+strconv.Quote(name), "%s%v.", from, err)
				unset(name)
				continue
			}
			def, where = v, b.DefRange
		}
		if def.IsNull() {
			l.errorf(b.DefRange, fmt.Sprintf("No value for variable %q", name),
				"The variable has no default; give one with --var %s=VALUE.", name)
			unset(name)
			continue
		}
		if err := l.budget.charge(def, where, false); err != nil {
			l.errorf(where, "Invalid value for variable "+strconv.Quote(name), "%s%v", from, err)
			unset(name)
			continue
		}
		js, err := ctyjson.Marshal(def, def.Type())
		if err != nil {
			l.errorf(where, "Invalid value for variable "+strconv.Quote(name), "%sA run records its variables as JSON, and this value cannot be written as JSON: %v.", from, err)
			unset(name)
			continue
		}
		vals[name] = def
		l.exp.Variables[name] = js
	}
	l.undeclaredVars(declared)
	l.ctx.Variables["var"] = cty.ObjectVal(vals)
}

// undeclaredVars reports each --var that names no declared variable. There
// is no line of the file to point at, so the diagnostic points at the
// variable the name is closest to, else the first variable, else the
// file's first line.
func (l *loader) undeclaredVars(declared []string) {
	var undeclared []string
	for name := range l.opts.Vars {
		if _, ok := l.names["variable "+name]; !ok {
			undeclared = append(undeclared, name)
		}
	}
	sort.Strings(undeclared)
	sorted := append([]string(nil), declared...)
	sort.Strings(sorted)
	for _, name := range undeclared {
		subject := hcl.Range{Filename: l.filename, Start: hcl.InitialPos, End: hcl.InitialPos}
		if len(declared) > 0 {
			subject = l.names["variable "+declared[0]]
		}
		detail := fmt.Sprintf("--var %s: no variable %s is declared in %s", printable(name), strconv.QuoteToASCII(name), l.filename)
		if len(declared) == 0 {
			detail += `; it declares no variables (add a block such as variable "NAME" { default = VALUE }).`
		} else {
			detail += fmt.Sprintf("; declared: %s.", strings.Join(sorted, ", "))
			if near := closestName(name, declared); near != "" {
				subject = l.names["variable "+near]
				detail += fmt.Sprintf(" Did you mean %q?", near)
			}
		}
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Undeclared variable %s given with --var", strconv.QuoteToASCII(name)),
			Detail:   detail,
			Subject:  &subject,
		})
	}
}

// printable returns s for a message: cut to its first 60 characters, and
// quoted with escapes when it is not valid UTF-8.
func printable(s string) string {
	if !utf8.ValidString(s) {
		s = strconv.QuoteToASCII(s)
	}
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "..."
	}
	return s
}

// closestName returns the name closest to typo when it is close enough to be
// a plausible misspelling, else "".
func closestName(typo string, names []string) string {
	best, bestDist := "", -1
	for _, n := range names {
		if d := levenshtein.Distance(typo, n, nil); bestDist < 0 || d < bestDist {
			best, bestDist = n, d
		}
	}
	if bestDist < 0 || bestDist > max(2, len(typo)/3) {
		return ""
	}
	return best
}

// parseVar reads a --var value as the type of the variable's default. The
// value must be UTF-8 text: a run records it in config.json, which could
// not give back other bytes on resume.
func (l *loader) parseVar(raw string, def cty.Value) (cty.Value, error) {
	if !utf8.ValidString(raw) {
		return cty.NilVal, errors.New("the value is not valid UTF-8 text; a run records its variables as JSON text, from which such a value could not be resumed")
	}
	if !def.IsNull() {
		switch def.Type() {
		case cty.String:
			return cty.StringVal(raw), nil
		case cty.Number:
			if err := CheckNumberText(cty.StringVal(raw)); err != nil {
				return cty.NilVal, err
			}
			v, err := cty.ParseNumberVal(raw)
			if err != nil {
				return cty.NilVal, fmt.Errorf("the variable is a number and %q is not one", printable(raw))
			}
			return v, nil
		case cty.Bool:
			b, err := strconv.ParseBool(raw)
			if err != nil {
				return cty.NilVal, fmt.Errorf("the variable is a bool and %q is not one", printable(raw))
			}
			return cty.BoolVal(b), nil
		}
	}
	v, ok := l.varExpression(raw)
	if l.budget.spent {
		return cty.NilVal, errors.New(spentError().detail)
	}
	if ok {
		if def.IsNull() {
			return v, nil
		}
		cv, err := convert.Convert(v, def.Type())
		if err != nil {
			return cty.NilVal, fmt.Errorf("want a value like the default (%s): %v", def.Type().FriendlyName(), err)
		}
		return cv, nil
	}
	if def.IsNull() {
		return cty.StringVal(raw), nil
	}
	return cty.NilVal, fmt.Errorf("%q is not a valid %s", printable(raw), def.Type().FriendlyName())
}

// varExpression evaluates a --var value as an HCL expression, within the
// limits a spec's expressions have, and reports whether it is one.
func (l *loader) varExpression(raw string) (cty.Value, bool) {
	if checkExpressionSource([]byte(raw), "--var").HasErrors() {
		return cty.NilVal, false
	}
	expr, diags := hclsyntax.ParseExpression([]byte(raw), "--var", hcl.InitialPos)
	if diags.HasErrors() || l.budget.instrument(expr).HasErrors() {
		return cty.NilVal, false
	}
	v, diags := expr.Value(&hcl.EvalContext{Functions: l.ctx.Functions})
	return v, !diags.HasErrors()
}

// locals evaluates every locals block as local.*, each local after the
// locals it refers to. Each expression sees only the locals it names, so
// the work grows with the size of the spec, not with its square.
func (l *loader) locals(blocks hcl.Blocks) {
	attrs := map[string]*hcl.Attribute{}
	var names []string
	for _, b := range blocks {
		found, diags := b.Body.JustAttributes()
		l.diags = append(l.diags, diags...)
		inOrder := make([]*hcl.Attribute, 0, len(found))
		for _, a := range found {
			inOrder = append(inOrder, a)
		}
		sort.Slice(inOrder, func(i, j int) bool { return inOrder[i].Range.Start.Byte < inOrder[j].Range.Start.Byte })
		for _, a := range inOrder {
			if !l.unique("local", a.Name, a.NameRange) {
				continue
			}
			if len(names) == MaxLocals {
				l.errorf(a.NameRange, "Too many locals", "This is local number %d; a spec may define at most %d locals.", MaxLocals+1, MaxLocals)
				break
			}
			attrs[a.Name] = a
			names = append(names, a.Name)
		}
	}
	sort.Strings(names)
	deps := map[string][]string{}
	users := map[string][]string{}
	waiting := map[string]int{}
	for _, name := range names {
		seen := map[string]bool{}
		for _, t := range attrs[name].Expr.Variables() {
			if t.RootName() != "local" {
				continue
			}
			dep, ok := localName(t)
			if !ok {
				l.errorf(t.SourceRange(), "Invalid reference to locals", "Refer to a local by its name, as local.NAME.")
				continue
			}
			if _, exists := attrs[dep]; exists && !seen[dep] {
				seen[dep] = true
				deps[name] = append(deps[name], dep)
				users[dep] = append(users[dep], name)
				waiting[name]++
			}
		}
	}
	var ready []string
	for _, name := range names {
		if waiting[name] == 0 {
			ready = append(ready, name)
		}
	}
	vals := map[string]cty.Value{}
	for len(ready) > 0 {
		name := ready[0]
		ready = ready[1:]
		vals[name] = l.local(attrs[name], deps[name], vals)
		for _, u := range users[name] {
			if waiting[u]--; waiting[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	for _, name := range names {
		if _, done := vals[name]; !done {
			l.errorf(attrs[name].NameRange, "Cycle in locals", "local.%s depends on itself through other locals.", name)
			vals[name] = cty.DynamicVal
			l.unset["local."+name] = true
		}
	}
	l.ctx.Variables["local"] = cty.ObjectVal(vals)
}

// local evaluates one local given the values of the locals it names. A
// local that cannot be evaluated, or whose value depends on one that could
// not, is unknown.
func (l *loader) local(a *hcl.Attribute, deps []string, vals map[string]cty.Value) cty.Value {
	scope := make(map[string]cty.Value, len(deps))
	for _, d := range deps {
		scope[d] = vals[d]
	}
	l.ctx.Variables["local"] = cty.ObjectVal(scope)
	v, diags := a.Expr.Value(l.ctx)
	l.diags = append(l.diags, diags...)
	if !diags.HasErrors() && v.IsWhollyKnown() {
		err := l.budget.charge(v, a.Expr.Range(), false)
		if err == nil {
			return v
		}
		l.errorf(a.Expr.Range(), "Invalid value for local."+a.Name, "%v", err)
	}
	l.unset["local."+a.Name] = true
	return cty.DynamicVal
}

// localName returns the local a traversal starting at "local" names, as in
// local.x or local["x"].
func localName(t hcl.Traversal) (string, bool) {
	if len(t) < 2 {
		return "", false
	}
	switch step := t[1].(type) {
	case hcl.TraverseAttr:
		return step.Name, true
	case hcl.TraverseIndex:
		if step.Key.Type() == cty.String && step.Key.IsKnown() && !step.Key.IsNull() {
			return step.Key.AsString(), true
		}
	}
	return "", false
}

// dropConsequences drops the diagnostics about expressions that use a
// variable or local left without a value: the error that left it so is
// already reported, and these would only repeat it.
func (l *loader) dropConsequences(diags hcl.Diagnostics) hcl.Diagnostics {
	if len(l.unset) == 0 {
		return diags
	}
	out := diags[:0:0]
	for _, d := range diags {
		if d.Expression == nil || !l.usesUnset(d.Expression) {
			out = append(out, d)
		}
	}
	return out
}

func (l *loader) usesUnset(e hcl.Expression) bool {
	for _, t := range e.Variables() {
		root := t.RootName()
		if root != "var" && root != "local" {
			continue
		}
		if name, ok := localName(t); ok && l.unset[root+"."+name] {
			return true
		}
	}
	return false
}

// quoteAll quotes every name, for messages.
func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strconv.Quote(n)
	}
	return out
}
