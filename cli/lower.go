package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gomlx/go-xla/pkg/types/shapes"

	"github.com/sslrun/sslrun/internal/atomicfile"
	"github.com/sslrun/sslrun/internal/runner"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/internal/xla"
)

func runLower(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("lower", stderr)
	batch := fs.Int("batch", 0, "source images per step (0: the spec's batch_size)")
	out := fs.String("out", "", "folder to write the programs into (required)")
	vars := varFlags{}
	fs.Var(vars, "var", "set a variable: --var name=value (repeatable)")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(files) != 1:
		return usagef("want one spec file, got %d", len(files))
	case *batch < 0:
		return usagef("--batch must be at least 1 (or 0 for the spec's batch_size)")
	case *out == "":
		return usagef("--out DIR is required")
	}
	exp, err := spec.LoadFile(files[0], spec.Options{Vars: vars})
	if err != nil {
		return err
	}
	low, err := runner.Lower(ctx, exp, *batch)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", *out, err)
	}
	for _, p := range []*xla.Program{low.Train, low.Features} {
		text := filepath.Join(*out, p.Name+".mlir")
		if err := atomicfile.Write(text, func(w io.Writer) error { _, err := io.WriteString(w, p.Text()); return err }); err != nil {
			return err
		}
		sig := filepath.Join(*out, p.Name+".json")
		if err := atomicfile.Write(sig, func(w io.Writer) error { return writeSignature(w, p) }); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s (%d arguments, %d results, %d bytes) and %s\n", text, len(p.Inputs), len(p.Outputs), len(p.Text()), sig)
	}
	return nil
}

// port is one argument or result in a program's signature file.
type port struct {
	Role string `json:"role"`
	Name string `json:"name"`
	// Type is the StableHLO type, e.g. "tensor<256x3x32x32xf32>".
	Type  string `json:"type"`
	Shape []int  `json:"shape"`
	// DonatedTo is the result an argument's buffer is donated to (its
	// updated value), absent when it is not donated.
	DonatedTo *int `json:"donated_to,omitempty"`
}

// writeSignature writes p's arguments and results, in order, as JSON: what
// a caller elsewhere must pass and gets back.
func writeSignature(w io.Writer, p *xla.Program) error {
	conv := func(ports []xla.Port) []port {
		out := make([]port, len(ports))
		for i, q := range ports {
			shape := q.Shape
			if shape == nil {
				shape = []int{}
			}
			out[i] = port{Role: q.Role.String(), Name: q.Name, Type: shapes.Make(q.DType, shape...).ToStableHLO(), Shape: shape}
			if q.Alias >= 0 {
				out[i].DonatedTo = &q.Alias
			}
		}
		return out
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		Name    string `json:"name"`
		Inputs  []port `json:"arguments"`
		Outputs []port `json:"results"`
	}{p.Name, conv(p.Inputs), conv(p.Outputs)})
}
