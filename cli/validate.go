package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sslrun/sslrun/internal/buildinfo"
	"github.com/sslrun/sslrun/internal/memplan"
	"github.com/sslrun/sslrun/internal/runner"
	"github.com/sslrun/sslrun/internal/spec"
)

// validated is what validate --print writes: the resolved experiment and,
// when it was estimated, the memory its run needs.
type validated struct {
	*spec.Experiment
	Memory *memplan.Plan `json:"memory,omitempty"`
}

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("validate", stderr)
	print := fs.Bool("print", false, "print each resolved experiment as JSON")
	noData := fs.Bool("no-data", false, "do not check that data paths exist")
	vars := varFlags{}
	fs.Var(vars, "var", "set a variable: --var name=value (repeatable)")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("no spec file given")
	}
	failed := 0
	for _, f := range files {
		exp, err := spec.LoadFile(f, spec.Options{Vars: vars, NoData: *noData})
		if err != nil {
			failed++
			var se *spec.Error
			if errors.As(err, &se) {
				se.Write(stderr)
			} else {
				fmt.Fprintf(stderr, "%v\n", err)
			}
			continue
		}
		plan, memory, err := estimate(ctx, exp, *noData)
		if err != nil {
			failed++
			fmt.Fprintf(stderr, "%s: %v\n", f, err)
			continue
		}
		if *print {
			out, err := json.MarshalIndent(validated{exp, plan}, "", "  ")
			if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			fmt.Fprintf(stdout, "%s\n", out)
		} else {
			fmt.Fprintf(stdout, "%s: ok (experiment %q), %s\n", f, exp.Name, memory)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d specs failed", failed, len(files))
	}
	return nil
}

// estimate is the memory a run of exp needs, and a phrase for validate's
// line: "needs about 1.3 GiB of memory", and whether this machine has it.
// Without the data (--no-data) or for a spec that is not a whole run there
// is no estimate, and the phrase says why.
func estimate(ctx context.Context, exp *spec.Experiment, noData bool) (*memplan.Plan, string, error) {
	if noData {
		return nil, "memory not estimated without the data", nil
	}
	p, err := memplan.Estimate(ctx, exp, runner.MemoryOptions(exp))
	var incomplete *memplan.IncompleteError
	if errors.As(err, &incomplete) {
		return nil, "memory not estimated: " + incomplete.Error(), nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("estimating its memory: %w", err)
	}
	phrase := "needs " + p.About() + " of memory" + p.Omitted()
	if m, err := memplan.ReadMachine(); err == nil && memplan.Check(p, m) != nil {
		phrase += fmt.Sprintf(", more than the %s this machine can give it", memplan.Size(m.Usable()))
	}
	return p, phrase, nil
}

func runVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) > 0 {
		return usagef("version takes no arguments")
	}
	fmt.Fprintf(stdout, "sslrun %s (%s)\n", buildinfo.Version(), buildinfo.GoVersion())
	return nil
}
