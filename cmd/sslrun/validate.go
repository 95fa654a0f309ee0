package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sslrun/sslrun/buildinfo"
	"github.com/sslrun/sslrun/spec"
)

func runValidate(_ context.Context, args []string, stdout, stderr io.Writer) error {
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
		if *print {
			out, err := json.MarshalIndent(exp, "", "  ")
			if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			fmt.Fprintf(stdout, "%s\n", out)
		} else {
			fmt.Fprintf(stdout, "%s: ok (experiment %q)\n", f, exp.Name)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d specs failed", failed, len(files))
	}
	return nil
}

func runVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) > 0 {
		return usagef("version takes no arguments")
	}
	fmt.Fprintf(stdout, "sslrun %s (%s)\n", buildinfo.Version(), buildinfo.GoVersion())
	return nil
}
