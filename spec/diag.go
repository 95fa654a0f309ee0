package spec

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Error carries every problem found in a spec. Its message lists each one as
// file:line,column with the offending source line underlined.
type Error struct {
	Diags hcl.Diagnostics
	Files map[string]*hcl.File
}

func (e *Error) Error() string {
	var b bytes.Buffer
	e.Write(&b)
	return strings.TrimRight(b.String(), "\n")
}

// Write renders the diagnostics to w.
func (e *Error) Write(w io.Writer) {
	for i, d := range e.Diags {
		if i > 0 {
			fmt.Fprintln(w)
		}
		writeDiagnostic(w, d, e.Files)
	}
	if n := len(e.Diags.Errs()); n > 1 {
		fmt.Fprintf(w, "\n%d errors\n", n)
	}
}

func writeDiagnostic(w io.Writer, d *hcl.Diagnostic, files map[string]*hcl.File) {
	severity := "error"
	if d.Severity == hcl.DiagWarning {
		severity = "warning"
	}
	if d.Subject == nil {
		fmt.Fprintf(w, "%s: %s\n", severity, d.Summary)
		if d.Detail != "" {
			fmt.Fprintf(w, "  %s\n", d.Detail)
		}
		return
	}
	r := *d.Subject
	pos := fmt.Sprintf("%s:%d,%d", r.Filename, r.Start.Line, r.Start.Column)
	if r.End.Line == r.Start.Line && r.End.Column > r.Start.Column+1 {
		pos += fmt.Sprintf("-%d", r.End.Column)
	}
	fmt.Fprintf(w, "%s: %s: %s\n", pos, severity, d.Summary)
	if f, ok := files[r.Filename]; ok && f != nil {
		if line, ok := sourceLine(f.Bytes, r.Start.Line); ok {
			gutter := fmt.Sprintf("%5d | ", r.Start.Line)
			fmt.Fprintf(w, "%s%s\n", gutter, line)
			width := 1
			if r.End.Line == r.Start.Line && r.End.Column > r.Start.Column {
				width = r.End.Column - r.Start.Column
			}
			pad := strings.Repeat(" ", len(gutter)-2) + "| " + indentLike(line, r.Start.Column-1)
			fmt.Fprintf(w, "%s%s\n", pad, strings.Repeat("^", width))
		}
	}
	if d.Detail != "" {
		fmt.Fprintf(w, "  %s\n", d.Detail)
	}
}

// sourceLine returns line n (1-based) of src without its newline.
func sourceLine(src []byte, n int) (string, bool) {
	lines := strings.Split(string(src), "\n")
	if n < 1 || n > len(lines) {
		return "", false
	}
	return strings.TrimRight(lines[n-1], "\r"), true
}

// indentLike returns whitespace as wide as the first cols characters of line,
// keeping tabs so the caret lines up.
func indentLike(line string, cols int) string {
	var b strings.Builder
	for i, r := range []rune(line) {
		if i >= cols {
			break
		}
		if r == '\t' {
			b.WriteRune('\t')
		} else {
			b.WriteRune(' ')
		}
	}
	return b.String()
}
