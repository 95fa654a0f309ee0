package spec

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

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

// LoadFile reads and resolves the spec at path.
func LoadFile(path string, opts Options) (*Experiment, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading spec: %w", err)
	}
	return Load(path, src, opts)
}

// Load resolves a spec from its source. filename names it in diagnostics and
// its folder is where relative paths resolve from. Every problem in the spec
// is reported at once, as an *Error.
func Load(filename string, src []byte, opts Options) (*Experiment, error) {
	dir, err := filepath.Abs(filepath.Dir(filename))
	if err != nil {
		return nil, fmt.Errorf("resolving the folder of %s: %w", filename, err)
	}
	file, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	files := map[string]*hcl.File{filename: file}
	if diags.HasErrors() {
		return nil, &Error{Diags: diags, Files: files}
	}
	l := &loader{
		filename: filename,
		opts:     opts,
		decode:   registry.DecodeOptions{BaseDir: dir, CheckPaths: !opts.NoData},
		exp:      &Experiment{File: filename, Dir: dir, Variables: map[string]json.RawMessage{}},
		ctx:      &hcl.EvalContext{Functions: functions(), Variables: map[string]cty.Value{}},
		names:    map[string]hcl.Range{},
	}
	l.load(file.Body)
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

var variableSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "default"}, {Name: "description"},
}}

var viewSchema = &hcl.BodySchema{
	Attributes: registry.BodySchema(viewParams).Attributes,
	Blocks:     []hcl.BlockHeaderSchema{{Type: string(registry.Augment), LabelNames: []string{"type"}}},
}

type loader struct {
	filename string
	opts     Options
	decode   registry.DecodeOptions
	exp      *Experiment
	ctx      *hcl.EvalContext
	diags    hcl.Diagnostics
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
	var w registry.Wiring
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
				l.errorf(c.Range, "Invalid wiring of "+c.ID, "%v.", err)
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
	values, diags := c.Decode(b.Body, l.ctx, l.decode)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() || !keep {
		return Component{}, false
	}
	out := Component{ID: id, Params: values, Range: b.DefRange}
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
	l.diags = append(l.diags, diags...)
	values, diags := registry.DecodeAttributes("view", viewParams, content.Attributes, l.ctx, l.decode)
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
		content, diags := b.Body.Content(registry.BodySchema(experimentParams))
		l.diags = append(l.diags, diags...)
		values, diags := registry.DecodeAttributes("experiment", experimentParams, content.Attributes, l.ctx, l.decode)
		l.diags = append(l.diags, diags...)
		l.exp.Name = b.Labels[0]
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
		content, diags := b.Body.Content(registry.BodySchema(trainParams))
		l.diags = append(l.diags, diags...)
		attrs = content.Attributes
	}
	values, diags := registry.DecodeAttributes("train", trainParams, attrs, l.ctx, l.decode)
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
	}
}

// variables evaluates variable defaults, applies --var overrides and makes
// the result available as var.* in every later expression.
func (l *loader) variables(blocks hcl.Blocks) {
	vals := map[string]cty.Value{}
	constCtx := &hcl.EvalContext{Functions: l.ctx.Functions}
	for _, b := range blocks {
		name := b.Labels[0]
		if !hclsyntax.ValidIdentifier(name) {
			l.errorf(b.LabelRanges[0], "Invalid variable name", "%q is not a valid identifier (letters, digits, _ and -, starting with a letter).", name)
			continue
		}
		if !l.unique("variable", name, b.DefRange) {
			continue
		}
		content, diags := b.Body.Content(variableSchema)
		l.diags = append(l.diags, diags...)
		if d, ok := content.Attributes["description"]; ok {
			v, diags := d.Expr.Value(nil)
			l.diags = append(l.diags, diags...)
			if !diags.HasErrors() && (v.IsNull() || !v.Type().Equals(cty.String)) {
				l.errorf(d.Expr.Range(), "Invalid variable description", "A description must be a string.")
			}
		}
		def := cty.NullVal(cty.DynamicPseudoType)
		if d, ok := content.Attributes["default"]; ok {
			v, diags := d.Expr.Value(constCtx)
			l.diags = append(l.diags, diags...)
			if diags.HasErrors() {
				continue
			}
			def = v
		}
		if raw, ok := l.opts.Vars[name]; ok {
			v, err := parseVar(raw, def)
			if err != nil {
				l.errorf(b.DefRange, "Invalid value for variable "+strconv.Quote(name), "--var %s=%s: %v.", name, raw, err)
				continue
			}
			def = v
		}
		if def.IsNull() {
			l.errorf(b.DefRange, fmt.Sprintf("No value for variable %q", name),
				"The variable has no default; give one with --var %s=VALUE.", name)
			continue
		}
		vals[name] = def
		js, err := ctyjson.Marshal(def, def.Type())
		if err == nil {
			l.exp.Variables[name] = js
		}
	}
	var undeclared []string
	for name := range l.opts.Vars {
		if _, ok := l.names["variable "+name]; !ok {
			undeclared = append(undeclared, name)
		}
	}
	sort.Strings(undeclared)
	for _, name := range undeclared {
		declared := make([]string, 0, len(vals))
		for n := range vals {
			declared = append(declared, n)
		}
		sort.Strings(declared)
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Undeclared variable %q given with --var", name),
			Detail: fmt.Sprintf("%s declares no variable %q (declared: %s). Declare it with a variable block or fix the name.",
				l.filename, name, strings.Join(declared, ", ")),
		})
	}
	l.ctx.Variables["var"] = cty.ObjectVal(vals)
}

// parseVar reads a --var value as the type of the variable's default.
func parseVar(raw string, def cty.Value) (cty.Value, error) {
	if !def.IsNull() {
		switch def.Type() {
		case cty.String:
			return cty.StringVal(raw), nil
		case cty.Number:
			v, err := cty.ParseNumberVal(raw)
			if err != nil {
				return cty.NilVal, fmt.Errorf("the variable is a number and %q is not one", raw)
			}
			return v, nil
		case cty.Bool:
			b, err := strconv.ParseBool(raw)
			if err != nil {
				return cty.NilVal, fmt.Errorf("the variable is a bool and %q is not one", raw)
			}
			return cty.BoolVal(b), nil
		}
	}
	expr, diags := hclsyntax.ParseExpression([]byte(raw), "--var", hcl.InitialPos)
	if !diags.HasErrors() {
		v, diags := expr.Value(&hcl.EvalContext{Functions: functions()})
		if !diags.HasErrors() {
			if def.IsNull() {
				return v, nil
			}
			cv, err := convert.Convert(v, def.Type())
			if err != nil {
				return cty.NilVal, fmt.Errorf("want a value like the default (%s): %v", def.Type().FriendlyName(), err)
			}
			return cv, nil
		}
	}
	if def.IsNull() {
		return cty.StringVal(raw), nil
	}
	return cty.NilVal, fmt.Errorf("%q is not a valid %s", raw, def.Type().FriendlyName())
}

// locals evaluates every locals block, in dependency order, as local.*.
func (l *loader) locals(blocks hcl.Blocks) {
	pending := map[string]*hcl.Attribute{}
	var order []string
	for _, b := range blocks {
		attrs, diags := b.Body.JustAttributes()
		l.diags = append(l.diags, diags...)
		for name, a := range attrs {
			if !l.unique("local", name, a.NameRange) {
				continue
			}
			pending[name] = a
			order = append(order, name)
		}
	}
	sort.Strings(order)
	vals := map[string]cty.Value{}
	for len(pending) > 0 {
		progress := false
		for _, name := range order {
			a, ok := pending[name]
			if !ok || !localsReady(a.Expr, pending) {
				continue
			}
			l.ctx.Variables["local"] = cty.ObjectVal(vals)
			v, diags := a.Expr.Value(l.ctx)
			l.diags = append(l.diags, diags...)
			if !diags.HasErrors() {
				vals[name] = v
			}
			delete(pending, name)
			progress = true
		}
		if !progress {
			for _, name := range order {
				if a, ok := pending[name]; ok {
					l.errorf(a.NameRange, "Cycle in locals", "local.%s depends on itself through other locals.", name)
				}
			}
			break
		}
	}
	l.ctx.Variables["local"] = cty.ObjectVal(vals)
}

// localsReady reports whether expr refers to no local that is still pending.
func localsReady(expr hcl.Expression, pending map[string]*hcl.Attribute) bool {
	for _, t := range expr.Variables() {
		if t.RootName() != "local" || len(t) < 2 {
			continue
		}
		if attr, ok := t[1].(hcl.TraverseAttr); ok {
			if _, waiting := pending[attr.Name]; waiting {
				return false
			}
		}
	}
	return true
}

// quoteAll quotes every name, for messages.
func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strconv.Quote(n)
	}
	return out
}
