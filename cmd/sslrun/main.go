package main

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

	_ "github.com/sslrun/sslrun/components/all"
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
	{"plot", "DIR [--out FILE.png]", "draw a run's loss and learning-rate curves", runPlot},
	{"lower", "FILE [--var k=v]... [--batch B] --out DIR", "write the training and evaluation graphs as StableHLO programs (text) with their signatures, for XLA", runLower},
	{"bench", "FILE [--var k=v]... [--steps N] [--batch B] [--augment-images N] [--engine cpu|xla] [--pjrt-plugin PATH] [--precision fp32|bf16]", "time the spec's training step and data pipeline; prints one JSON line", runBench},
	{"version", "", "print the version", runVersion},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first signal asks for a clean stop; a second one kills.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
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
			return 0
		case errors.As(err, &ee):
			fmt.Fprintf(stderr, "sslrun %s: %v\n", c.name, err)
			return ee.code
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "sslrun %s: %v\nusage: sslrun %s %s\n", c.name, err, c.name, c.args)
			return 2
		case errors.As(err, &se):
			se.Write(stderr)
			return 1
		default:
			fmt.Fprintf(stderr, "sslrun %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "sslrun: unknown command %q\n", args[0])
	usage(stderr)
	return 2
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
