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
			width := 1
			if r.End.Line == r.Start.Line && r.End.Column > r.Start.Column {
				width = r.End.Column - r.Start.Column
			}
			line, col, width := excerpt(line, r.Start.Column-1, width)
			gutter := fmt.Sprintf("%5d | ", r.Start.Line)
			fmt.Fprintf(w, "%s%s\n", gutter, line)
			pad := strings.Repeat(" ", len(gutter)-2) + "| " + indentLike(line, col)
			fmt.Fprintf(w, "%s%s\n", pad, strings.Repeat("^", width))
		}
	}
	if d.Detail != "" {
		fmt.Fprintf(w, "  %s\n", d.Detail)
	}
}

// sourceLine returns line n (1-based) of src without its newline.
func sourceLine(src []byte, n int) (string, bool) {
	if n < 1 {
		return "", false
	}
	rest := string(src)
	for ; n > 1; n-- {
		i := strings.IndexByte(rest, '\n')
		if i < 0 {
			return "", false
		}
		rest = rest[i+1:]
	}
	line, _, _ := strings.Cut(rest, "\n")
	return strings.TrimRight(line, "\r"), true
}

// maxShownLine is the most characters of a source line a diagnostic shows.
const maxShownLine = 120

// excerpt cuts a long line down to maxShownLine characters around column
// col (0-based), marking what is cut with "...", and returns the shown line
// with the column and width of the underline in it.
func excerpt(line string, col, width int) (string, int, int) {
	runes := []rune(line)
	if len(runes) <= maxShownLine {
		return line, col, width
	}
	from := max(0, min(col-maxShownLine/3, len(runes)-maxShownLine))
	to := min(len(runes), from+maxShownLine)
	shown := string(runes[from:to])
	col -= from
	if from > 0 {
		shown = "..." + shown
		col += 3
	}
	if to < len(runes) {
		shown += "..."
	}
	return shown, col, max(1, min(width, len([]rune(shown))-col))
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
