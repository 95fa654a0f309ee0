package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sslrun/sslrun/registry"
)

func runComponents(_ context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) > 1 {
		return usagef("want at most one KIND or ID")
	}
	if len(args) == 0 {
		listComponents(stdout, registry.Kinds)
		return nil
	}
	arg := args[0]
	if k := registry.Kind(arg); k.Valid() {
		listComponents(stdout, []registry.Kind{k})
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
		return usagef("no component or kind %q; `sslrun components` lists them", arg)
	}
	describe(stdout, c)
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
}

// describe writes the reference of one component: its doc, an example block
// with every default, and a table of parameters.
func describe(w io.Writer, c *registry.Component) {
	fmt.Fprintf(w, "%s: %s\n\n", c.ID, c.Doc)
	if len(c.Params) == 0 {
		fmt.Fprintf(w, "Takes no parameters:\n\n  %s %q {}\n", c.Kind(), c.Type())
		return
	}
	label := fmt.Sprintf("%q", c.Type())
	if c.Kind() == registry.Dataset || c.Kind() == registry.Head {
		label += ` "NAME"`
	}
	fmt.Fprintf(w, "  %s %s {\n", c.Kind(), label)
	width := 0
	for _, p := range c.Params {
		width = max(width, len(p.Name))
	}
	for _, p := range c.Params {
		val := "<required>"
		if !p.Required() {
			val = hclValue(p.Default)
		}
		fmt.Fprintf(w, "    %-*s = %s\n", width, p.Name, val)
	}
	fmt.Fprintf(w, "  }\n\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PARAMETER\tTYPE\tDEFAULT\tALLOWED\tDESCRIPTION")
	for _, p := range c.Params {
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
