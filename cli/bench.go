package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sslrun/sslrun/internal/runner"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/internal/xla"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", stderr)
	steps := fs.Int("steps", 5, "timed training steps, after one untimed warm-up step")
	batch := fs.Int("batch", 0, "source images per step (0: the spec's batch_size)")
	augment := fs.Int("augment-images", 2048, "source images to augment for the pipeline's speed")
	engine := fs.String("engine", "cpu", "cpu, or xla: the step lowered to one XLA program on a PJRT device")
	plugin := fs.String("pjrt-plugin", "", "PJRT plugin (.so) for --engine xla (default $"+xla.PluginEnv+")")
	precision := fs.String("precision", "", "fp32, or bf16 for --engine xla (default: the spec's train precision)")
	vars := varFlags{}
	fs.Var(vars, "var", "set a variable: --var name=value (repeatable)")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(files) != 1:
		return usagef("want one spec file, got %d", len(files))
	case *steps < 1:
		return usagef("--steps must be at least 1")
	case *batch < 0:
		return usagef("--batch must be at least 1 (or 0 for the spec's batch_size)")
	case *augment < 1:
		return usagef("--augment-images must be at least 1")
	case *engine != "cpu" && *engine != "xla":
		return usagef("--engine must be cpu or xla, got %q", *engine)
	case *precision != "" && *precision != "fp32" && *precision != "bf16":
		return usagef("--precision must be fp32 or bf16, got %q", *precision)
	case *engine == "cpu" && *plugin != "":
		return usagef("--pjrt-plugin needs --engine xla")
	}
	exp, err := spec.LoadFile(files[0], spec.Options{Vars: vars})
	if err != nil {
		return err
	}
	if *precision != "" {
		exp.Train.Precision = *precision
	}
	opts := runner.BenchOptions{Steps: *steps, Batch: *batch, AugmentImages: *augment}
	if *engine == "xla" {
		if opts.Device, err = xla.OpenDevice(xla.PluginPath(*plugin)); err != nil {
			return fmt.Errorf("--engine xla: %w", err)
		}
		defer opts.Device.Close()
	}
	res, err := runner.Bench(ctx, exp, opts)
	if errors.Is(err, context.Canceled) {
		return &exitError{ExitInterrupted, fmt.Errorf("interrupted: %w", err)}
	}
	if err != nil {
		return err
	}
	line, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("bench result: %w", err)
	}
	fmt.Fprintf(stdout, "%s\n", line)
	return nil
}
