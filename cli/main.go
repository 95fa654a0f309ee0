package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/sslrun/sslrun/internal/spec"
)

// usageError is a mistake in the command line itself (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

type command struct {
	name, args, doc string
	run             func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"validate", "[--print] [--no-data] [--var k=v]... FILE...", "check specs; --print writes the resolved experiment as JSON", runValidate},
	{"components", "[KIND|ID|BLOCK]", "list registered components and the other blocks of a spec, or document one", runComponents},
	{"views", "FILE [--var k=v]... [--images N] [--dataset NAME] [--epoch E] [--scale S] [--out views.png]", "draw training images next to every view the spec makes of them", runViews},
	{"run", "FILE [--out DIR] [--var k=v]... [--max-steps N] [--engine cpu|xla] [--pjrt-plugin PATH]", "pretrain and evaluate; the run folder keeps spec, config, log, checkpoints, backbone and summary", runRun},
	{"resume", "DIR [--max-steps N | --to-end] [--engine cpu|xla] [--pjrt-plugin PATH]", "continue an interrupted run from its latest checkpoint, to its own end", runResume},
	{"eval", "DIR [--engine cpu|xla] [--pjrt-plugin PATH]", "run the experiment's evaluations on a finished run's backbone again", runEval},
	{"sweep", "FILE --grid name=v1,v2,... [--grid ...]... --out DIR [--var k=v]... [--max-steps N] [--point I] [--engine cpu|xla] [--pjrt-plugin PATH] | --collect DIR", "run every point of a grid of --var values as a run folder under DIR; print each metric's mean ± std over seeds", runSweep},
	{"plot", "DIR [--out FILE.png]", "draw a run's loss and learning-rate curves", runPlot},
	{"lower", "FILE [--var k=v]... [--batch B] --out DIR", "write the training and evaluation graphs as StableHLO programs (text) with their signatures, for XLA", runLower},
	{"bench", "FILE [--var k=v]... [--steps N] [--batch B] [--augment-images N] [--engine cpu|xla] [--pjrt-plugin PATH] [--precision fp32|bf16]", "time the spec's training step and data pipeline; prints one JSON line", runBench},
	{"version", "", "print the version", runVersion},
}

// Main runs the command line in os.Args with the components the binary
// links (its blank imports) and exits with the status Run returns. SIGINT
// or SIGTERM asks a run for a clean stop (its last checkpoint kept); a
// second one kills.
func Main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses of Run.
const (
	// ExitOK: the command did what it was asked.
	ExitOK = 0
	// ExitError: a spec, its data or the run went wrong; the message says
	// what and where.
	ExitError = 1
	// ExitUsage: the command line itself is wrong.
	ExitUsage = 2
	// ExitNonFinite: training stopped on a NaN or infinite loss or state;
	// the last good checkpoint is kept.
	ExitNonFinite = 3
	// ExitInterrupted: a signal (or ctx) stopped the command; a run keeps
	// its last checkpoint and resumes from it.
	ExitInterrupted = 130
)

// Run runs one command line (args without the program name), writing to
// stdout and stderr, and returns its exit status. ctx's cancellation
// stops a run cleanly, as SIGINT does under Main.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		var ue *usageError
		var se *spec.Error
		var ee *exitError
		switch {
		case err == nil:
			return ExitOK
		case errors.As(err, &ee):
			fmt.Fprintf(stderr, "sslrun %s: %v\n", c.name, err)
			return ee.code
		case errors.Is(err, flag.ErrHelp):
			return ExitOK
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "sslrun %s: %v\nusage: sslrun %s %s\n", c.name, err, c.name, c.args)
			return ExitUsage
		case errors.As(err, &se):
			se.Write(stderr)
			return ExitError
		default:
			fmt.Fprintf(stderr, "sslrun %s: %v\n", c.name, err)
			return ExitError
		}
	}
	fmt.Fprintf(stderr, "sslrun: unknown command %q\n", args[0])
	usage(stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sslrun COMMAND [ARGS]")
	fmt.Fprintln(w)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-11s %s\n  %-11s   %s\n", c.name, c.args, "", c.doc)
	}
}

// varFlags collects repeated --var name=value flags.
type varFlags map[string]string

func (v varFlags) String() string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k+"="+v[k])
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

func (v varFlags) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return fmt.Errorf("want name=value, got %q", s)
	}
	if _, dup := v[name]; dup {
		return fmt.Errorf("variable %q given twice", name)
	}
	v[name] = value
	return nil
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments, as users type them (`sslrun views x.hcl --images 4`).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("sslrun "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
