package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/registry"
)

func runComponents(_ context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) > 1 {
		return usagef("want at most one KIND, ID or block")
	}
	if len(args) == 0 {
		listComponents(stdout, registry.Kinds)
		listBlocks(stdout)
		return nil
	}
	arg := args[0]
	if k := registry.Kind(arg); k.Valid() {
		listComponents(stdout, []registry.Kind{k})
		return nil
	}
	if b, ok := spec.LookupBlock(arg); ok {
		describe(stdout, blockReference(b))
		return nil
	}
	c, ok := registry.Lookup(arg)
	if !ok {
		kind, typ, found := strings.Cut(arg, ".")
		if found && registry.Kind(kind).Valid() {
			if s := registry.Suggest(registry.Kind(kind), typ); s != "" {
				return usagef("no component %q; did you mean %s.%s?", arg, kind, s)
			}
		}
		return usagef("no component or kind %q, nor a block of that name; `sslrun components` lists them all", arg)
	}
	describe(stdout, componentReference(c))
	return nil
}

func listComponents(w io.Writer, kinds []registry.Kind) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, k := range kinds {
		list := registry.List(k)
		if len(list) == 0 {
			fmt.Fprintf(tw, "%s.*\t(none registered yet: %s)\n", k, k.Doc())
			continue
		}
		for _, c := range list {
			fmt.Fprintf(tw, "%s\t%s\n", c.ID, c.Doc)
		}
	}
	tw.Flush()
	var methods []string
	for _, k := range kinds {
		for _, c := range registry.List(k) {
			if c.Method != "" {
				methods = append(methods, c.ID)
			}
		}
	}
	if len(methods) > 0 {
		fmt.Fprintf(w, "\nMethods (objectives that keep state across steps, in checkpoints; `sslrun components ID` says what):\n%s\n", strings.Join(methods, ", "))
	}
}

// listBlocks lists the blocks of a spec that are not components, which
// `sslrun components BLOCK` documents as it does a component.
func listBlocks(w io.Writer) {
	fmt.Fprintln(w, "\nOther blocks of a spec:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, b := range spec.Blocks() {
		fmt.Fprintf(tw, "%s\t%s\n", b.Type, b.Doc)
	}
	tw.Flush()
}

// reference is what `sslrun components NAME` prints of a component or of
// another block: its doc, an example block with every default, and tables
// of its parameters and of what else its body holds.
type reference struct {
	// name is the component's ID or the block's type; opener is the
	// example block's first line without its brace.
	name, doc, opener string
	params            []registry.Param
	body              []spec.BodyItem
	method            string // a method's part in training (registry.Component.Method)
}

func componentReference(c *registry.Component) reference {
	opener := fmt.Sprintf("%s %q", c.Kind(), c.Type())
	if c.Kind() == registry.Dataset || c.Kind() == registry.Head {
		opener += ` "NAME"`
	}
	return reference{name: c.ID, doc: c.Doc, opener: opener, params: c.Params, method: c.Method}
}

func blockReference(b spec.BlockDoc) reference {
	opener := b.Type
	for _, l := range b.Labels {
		opener += fmt.Sprintf(" %q", l)
	}
	return reference{name: b.Type, doc: b.Doc, opener: opener, params: b.Params, body: b.Body}
}

// describe writes the reference r.
func describe(w io.Writer, r reference) {
	fmt.Fprintf(w, "%s: %s\n\n", r.name, r.doc)
	if len(r.params) == 0 && len(r.body) == 0 {
		fmt.Fprintf(w, "Takes no parameters:\n\n  %s {}\n", r.opener)
		return
	}
	fmt.Fprintf(w, "  %s {\n", r.opener)
	width := 0
	for _, p := range r.params {
		width = max(width, len(p.Name))
	}
	for _, item := range r.body {
		if name, _, ok := strings.Cut(item.Example, " = "); ok {
			width = max(width, len(name))
		}
	}
	for _, p := range r.params {
		val := "<required>"
		if !p.Required() {
			val = hclValue(p.Default)
		}
		fmt.Fprintf(w, "    %-*s = %s\n", width, p.Name, val)
	}
	for _, item := range r.body {
		if name, val, ok := strings.Cut(item.Example, " = "); ok {
			fmt.Fprintf(w, "    %-*s = %s\n", width, name, val)
		} else {
			fmt.Fprintf(w, "    %s\n", item.Example)
		}
	}
	fmt.Fprintf(w, "  }\n")
	if len(r.params) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PARAMETER\tTYPE\tDEFAULT\tALLOWED\tDESCRIPTION")
		for _, p := range r.params {
			def := "required"
			if !p.Required() {
				def = hclValue(p.Default)
			}
			allowed := p.Range.String()
			if p.MustExist {
				allowed = "must exist"
			}
			if p.Type == registry.Floats && p.Range.String() != "" {
				allowed = "each in " + allowed
			}
			if allowed == "" {
				allowed = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Name, p.TypeString(), def, allowed, p.Doc)
		}
		tw.Flush()
	}
	if r.method != "" {
		fmt.Fprintf(w, "\nMETHOD (objective.Method: state of its own and a part in every step)\n%s\n", wrap(r.method, "  ", 78))
	}
	if len(r.body) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ALSO IN THE BODY\tDESCRIPTION")
		for _, item := range r.body {
			fmt.Fprintf(tw, "%s\t%s\n", item.Example, item.Doc)
		}
		tw.Flush()
	}
}

// hclValue writes a default as it would be written in a spec.
func hclValue(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case []float64:
		parts := make([]string, len(x))
		for i, f := range x {
			parts[i] = fmt.Sprint(f)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// wrap breaks text into lines of at most width bytes (longer words stand
// alone), each starting with indent.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	line := indent
	for _, word := range strings.Fields(text) {
		if line != indent && len(line)+1+len(word) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += word
	}
	b.WriteString(line)
	return b.String()
}
