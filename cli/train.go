package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"golang.org/x/term"

	"github.com/sslrun/sslrun/components/evaluate"
	"github.com/sslrun/sslrun/internal/atomicfile"
	"github.com/sslrun/sslrun/internal/report"
	"github.com/sslrun/sslrun/internal/runner"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/internal/xla"
)

// exitError carries an exit status other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// runnerError gives the runner's stops their exit status: 3 for training
// that diverged, 130 for an interruption (as shells report SIGINT). The
// runner's messages say what was kept and how to continue.
func runnerError(err error) error {
	var le *runner.LossError
	switch {
	case errors.As(err, &le):
		return &exitError{ExitNonFinite, err}
	case errors.Is(err, runner.ErrInterrupted), errors.Is(err, context.Canceled):
		return &exitError{ExitInterrupted, err}
	}
	return err
}

// progressOut is where progress goes, and whether it is a terminal.
func progressOut(stderr io.Writer) (io.Writer, bool) {
	f, ok := stderr.(*os.File)
	return stderr, ok && term.IsTerminal(int(f.Fd()))
}

// engineFlags are --engine and --pjrt-plugin of run, resume and eval.
type engineFlags struct {
	engine, plugin *string
}

// addEngineFlags defines --engine and --pjrt-plugin on fs.
func addEngineFlags(fs *flag.FlagSet) engineFlags {
	return engineFlags{
		engine: fs.String("engine", runner.EngineCPU, "cpu, or xla: each training step one XLA program on a PJRT device (evaluation stays on the CPU)"),
		plugin: fs.String("pjrt-plugin", "", "PJRT plugin (.so) for --engine xla (default $"+xla.PluginEnv+")"),
	}
}

// open checks the flags and, for --engine xla, opens the device: nil for
// the CPU engine. Its error (no plugin, not a plugin) comes before
// anything is written.
func (f engineFlags) open() (xla.Runtime, error) {
	switch {
	case *f.engine != runner.EngineCPU && *f.engine != runner.EngineXLA:
		return nil, usagef("--engine must be cpu or xla, got %q", *f.engine)
	case *f.engine == runner.EngineCPU && *f.plugin != "":
		return nil, usagef("--pjrt-plugin needs --engine xla")
	case *f.engine == runner.EngineCPU:
		return nil, nil
	}
	rt, err := xla.OpenRuntime(xla.PluginPath(*f.plugin))
	if err != nil {
		return nil, fmt.Errorf("--engine xla: %w", err)
	}
	return rt, nil
}

// withRuntime runs do with the runtime ef opens (nil for the CPU engine)
// and closes it after.
func withRuntime(ef engineFlags, do func(xla.Runtime) error) (err error) {
	rt, err := ef.open()
	if err != nil {
		return err
	}
	if rt == nil {
		return do(nil)
	}
	defer func() {
		if cerr := rt.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	return do(rt)
}

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", stderr)
	ef := addEngineFlags(fs)
	out := fs.String("out", "", "run folder (default runs/<experiment>-<time>)")
	maxSteps := fs.Int("max-steps", 0, "stop pretraining after N steps, then evaluate (for smoke tests)")
	vars := varFlags{}
	fs.Var(vars, "var", "set a variable: --var name=value (repeatable)")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("want one spec file, got %d", len(files))
	}
	if *maxSteps < 0 {
		return usagef("--max-steps must be positive")
	}
	src, err := os.ReadFile(files[0])
	if err != nil {
		return fmt.Errorf("reading spec: %w", err)
	}
	exp, err := spec.Load(files[0], src, spec.Options{Vars: vars})
	if err != nil {
		return err
	}
	w, tty := progressOut(stderr)
	return withRuntime(ef, func(rt xla.Runtime) error {
		res, err := runner.Run(ctx, exp, src, runner.Options{Out: *out, Vars: vars, MaxSteps: *maxSteps, Progress: w, Terminal: tty, XLA: rt})
		if err != nil {
			return runnerError(err)
		}
		return printSummary(stdout, res)
	})
}

func runResume(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("resume", stderr)
	ef := addEngineFlags(fs)
	maxSteps := fs.Int("max-steps", 0, "stop pretraining after N steps in all, then evaluate (default: the run's own limit)")
	toEnd := fs.Bool("to-end", false, "train to the end of the spec's epochs, dropping the --max-steps the run was started with")
	dirs, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(dirs) != 1:
		return usagef("want one run folder, got %d", len(dirs))
	case *maxSteps < 0:
		return usagef("--max-steps must be positive")
	case *toEnd && *maxSteps > 0:
		return usagef("--to-end and --max-steps exclude each other")
	}
	w, tty := progressOut(stderr)
	return withRuntime(ef, func(rt xla.Runtime) error {
		res, err := runner.Resume(ctx, dirs[0], runner.Options{MaxSteps: *maxSteps, ToEnd: *toEnd, Progress: w, Terminal: tty, XLA: rt})
		if err != nil {
			return runnerError(err)
		}
		if res.Finished {
			fmt.Fprintf(stderr, "%s finished at step %d; nothing to resume (`sslrun eval %s` runs its evaluations again, --max-steps or --to-end trains further)\n",
				res.Dir, res.Summary.Steps, res.Dir)
		}
		return printSummary(stdout, res)
	})
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", stderr)
	ef := addEngineFlags(fs)
	dirs, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(dirs) != 1 {
		return usagef("want one run folder, got %d", len(dirs))
	}
	w, tty := progressOut(stderr)
	// With --engine xla the features are extracted on the device.
	return withRuntime(ef, func(rt xla.Runtime) error {
		res, err := runner.Evaluate(ctx, dirs[0], runner.Options{Progress: w, Terminal: tty, XLA: rt})
		if err != nil {
			return runnerError(err)
		}
		return printSummary(stdout, res)
	})
}

func runPlot(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("plot", stderr)
	out := fs.String("out", "", "PNG file to write (default DIR/curves.png)")
	dirs, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(dirs) != 1 {
		return usagef("want one run folder, got %d", len(dirs))
	}
	path := *out
	if path == "" {
		path = dirs[0] + string(os.PathSeparator) + "curves.png"
	}
	if err := atomicfile.Write(path, func(w io.Writer) error { return report.Plot(dirs[0], w) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return nil
}

// printSummary shows the run's results for people: a line on the run,
// then a table with a row per protocol and, beside the model's top-1 and
// top-5, columns for the network at its random initialisation and for the
// raw pixels where any protocol has them ("-" where one lacks them).
func printSummary(w io.Writer, res *runner.Result) error {
	s := res.Summary
	speed := ""
	if s.ImagesPerS > 0 {
		speed = fmt.Sprintf(", %.1f images/s", s.ImagesPerS)
	}
	fmt.Fprintf(w, "%s: %d steps, final loss %.4f%s\n", res.Dir, s.Steps, s.FinalLoss, speed)
	names := sortedKeys(s.Eval)
	if len(names) == 0 {
		return nil
	}
	// A column's scores of a protocol, nil where it has none.
	type column struct {
		title string
		score func(runner.EvalResult) *evaluate.Result
	}
	cols := []column{{"model", func(e runner.EvalResult) *evaluate.Result { return &e.Result }}}
	for _, c := range []column{
		{"random init", func(e runner.EvalResult) *evaluate.Result { return e.Baseline }},
		{"raw pixels", func(e runner.EvalResult) *evaluate.Result { return e.Pixels }},
	} {
		if slices.ContainsFunc(names, func(n string) bool { return c.score(s.Eval[n]) != nil }) {
			cols = append(cols, c)
		}
	}
	const cell = 7                // "100.00%"
	const group = cell + 2 + cell // a column's top-1 and top-5
	nameWidth := 8
	for _, n := range names {
		nameWidth = max(nameWidth, len(n))
	}
	row := func(name string, cells []string) string {
		line := fmt.Sprintf("  %-*s", nameWidth, name)
		for i, c := range cells {
			sep := "  "
			if i%2 == 0 {
				sep = "   "
			}
			line += sep + fmt.Sprintf("%*s", cell, c)
		}
		return strings.TrimRight(line, " ")
	}
	titles := fmt.Sprintf("  %*s", nameWidth, "")
	var heads []string
	for _, c := range cols {
		pad := group - len(c.title)
		titles += "   " + strings.Repeat(" ", pad-pad/2) + c.title + strings.Repeat(" ", pad/2)
		heads = append(heads, "top-1", "top-5")
	}
	fmt.Fprintln(w, strings.TrimRight(titles, " "))
	fmt.Fprintln(w, row("", heads))
	for _, n := range names {
		var cells []string
		for _, c := range cols {
			if r := c.score(s.Eval[n]); r != nil {
				cells = append(cells, fmt.Sprintf("%.2f%%", 100*r.Top1), fmt.Sprintf("%.2f%%", 100*r.Top5))
			} else {
				cells = append(cells, "-", "-")
			}
		}
		fmt.Fprintln(w, row(n, cells))
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
