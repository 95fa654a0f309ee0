package runner

import (
	"fmt"

	"github.com/sslrun/sslrun/internal/spec"
)

// checkCPUPrecision refuses, before anything starts, a spec whose train
// block asks the CPU engine for a precision it does not compute in: it
// computes in float32 only, and bf16 (train { precision = "bf16" }) is
// the XLA engine's. An empty precision, a config written before the
// attribute existed, is fp32.
func checkCPUPrecision(exp *spec.Experiment) error {
	if p := exp.Train.Precision; p != "" && p != "fp32" {
		return fmt.Errorf("%s: train { precision = %q } needs the XLA engine (--engine xla): the CPU engine computes in fp32 only", exp.File, p)
	}
	return nil
}
