// Package xlatest runs lowered programs on the CPU with the test-only
// StableHLO evaluator (xla/internal/hloeval), behind the xla.Runtime
// interface, so that code driving an XLA device (the runner's XLA engine)
// runs end to end in tests on machines without a PJRT plugin. It is slow
// (naive loops in float64): tiny shapes only. Only tests import it, which
// keeps the evaluator out of the sslrun binary.
package xlatest

import (
	"fmt"
	"slices"

	"github.com/gomlx/go-xla/pkg/types/dtypes"

	"github.com/sslrun/sslrun/internal/xla"
	"github.com/sslrun/sslrun/internal/xla/internal/hloeval"
)

// Runtime evaluates programs on the CPU; its zero value is ready to use.
type Runtime struct {
	// Compiled counts the programs compiled, for tests that check that a
	// program is compiled once per batch size.
	Compiled int
}

// String names the runtime as a device would be named.
func (r *Runtime) String() string { return "hloeval (StableHLO evaluator on the CPU, tests only)" }

// Close releases nothing.
func (r *Runtime) Close() error { return nil }

// Compile parses p's StableHLO text.
func (r *Runtime) Compile(p *xla.Program) (xla.Session, error) {
	m, err := hloeval.Parse(p.Text())
	if err != nil {
		return nil, fmt.Errorf("compiling %s: %w", p.Name, err)
	}
	r.Compiled++
	return &session{prog: p, mod: m, args: make([]*xla.Array, len(p.Inputs))}, nil
}

// session is a parsed program and copies of its arguments' values.
type session struct {
	prog *xla.Program
	mod  *hloeval.Module
	args []*xla.Array // per prog.Inputs, nil until set
}

// Set keeps a copy of a as argument i, checked against its port.
func (s *session) Set(i int, a xla.Array) error {
	if i < 0 || i >= len(s.args) {
		return fmt.Errorf("%s: argument %d of %d", s.prog.Name, i, len(s.args))
	}
	if err := a.Check(s.prog.Inputs[i]); err != nil {
		return fmt.Errorf("%s: %w", s.prog.Name, err)
	}
	c := clone(a)
	s.args[i] = &c
	return nil
}

// SetHost sets every argument the host holds from xla.Value.
func (s *session) SetHost() error {
	for i, p := range s.prog.Inputs {
		if p.Role == xla.Input || p.Role == xla.LR || p.Role == xla.Freeze {
			continue
		}
		a, err := xla.Value(p)
		if err != nil {
			return fmt.Errorf("%s: %w", s.prog.Name, err)
		}
		if err := s.Set(i, a); err != nil {
			return err
		}
	}
	return nil
}

// Run evaluates the program on the arguments set; each donated argument
// takes its aliased result's value.
func (s *session) Run(fetch ...int) ([]xla.Array, error) {
	for _, r := range fetch {
		if r < 0 || r >= len(s.prog.Outputs) {
			return nil, fmt.Errorf("%s: result %d of %d", s.prog.Name, r, len(s.prog.Outputs))
		}
	}
	in := make([]*hloeval.Tensor, len(s.args))
	for i, a := range s.args {
		if a == nil {
			p := s.prog.Inputs[i]
			return nil, fmt.Errorf("%s: %s %s not set", s.prog.Name, p.Role, p.Name)
		}
		t, err := tensor(*a)
		if err != nil {
			return nil, fmt.Errorf("%s: argument %d: %w", s.prog.Name, i, err)
		}
		in[i] = t
	}
	outs, err := s.mod.Run(in...)
	if err != nil {
		return nil, fmt.Errorf("running %s: %w", s.prog.Name, err)
	}
	if len(outs) != len(s.prog.Outputs) {
		return nil, fmt.Errorf("running %s: %d results, the program declares %d", s.prog.Name, len(outs), len(s.prog.Outputs))
	}
	res := make([]xla.Array, len(outs))
	for r, t := range outs {
		if res[r], err = array(t, s.prog.Outputs[r].DType); err != nil {
			return nil, fmt.Errorf("%s: result %d: %w", s.prog.Name, r, err)
		}
	}
	for i, p := range s.prog.Inputs {
		if p.Alias >= 0 {
			c := clone(res[p.Alias])
			s.args[i] = &c
		}
	}
	got := make([]xla.Array, len(fetch))
	for k, r := range fetch {
		got[k] = res[r]
	}
	return got, nil
}

// Get is a copy of argument i's present value.
func (s *session) Get(i int) (xla.Array, error) {
	if i < 0 || i >= len(s.args) || s.args[i] == nil {
		return xla.Array{}, fmt.Errorf("%s: argument %d not set", s.prog.Name, i)
	}
	return clone(*s.args[i]), nil
}

// Close drops the arguments.
func (s *session) Close() error {
	s.args = nil
	return nil
}

// clone is a deep copy of a.
func clone(a xla.Array) xla.Array {
	c := xla.Array{Shape: slices.Clone(a.Shape)}
	switch d := a.Data.(type) {
	case []float32:
		c.Data = slices.Clone(d)
	case []float64:
		c.Data = slices.Clone(d)
	case []int64:
		c.Data = slices.Clone(d)
	case []bool:
		c.Data = slices.Clone(d)
	}
	return c
}

// tensor is a as the evaluator's tensor.
func tensor(a xla.Array) (*hloeval.Tensor, error) {
	t := &hloeval.Tensor{Shape: slices.Clone(a.Shape), F: make([]float64, a.Len())}
	switch d := a.Data.(type) {
	case []float32:
		t.DType = "f32"
		for i, x := range d {
			t.F[i] = float64(x)
		}
	case []float64:
		t.DType = "f64"
		copy(t.F, d)
	case []int64:
		t.DType = "i64"
		for i, x := range d {
			t.F[i] = float64(x)
		}
	case []bool:
		t.DType = "i1"
		for i, x := range d {
			if x {
				t.F[i] = 1
			}
		}
	default:
		return nil, fmt.Errorf("host data %T has no tensor type", a.Data)
	}
	return t, nil
}

// array is t as a host array of element type dt.
func array(t *hloeval.Tensor, dt dtypes.DType) (xla.Array, error) {
	a := xla.Array{Shape: slices.Clone(t.Shape)}
	switch dt {
	case dtypes.Float32:
		d := make([]float32, len(t.F))
		for i, x := range t.F {
			d[i] = float32(x)
		}
		a.Data = d
	case dtypes.Float64:
		a.Data = slices.Clone(t.F)
	case dtypes.Int64:
		d := make([]int64, len(t.F))
		for i, x := range t.F {
			d[i] = int64(x)
		}
		a.Data = d
	case dtypes.Bool:
		d := make([]bool, len(t.F))
		for i, x := range t.F {
			d[i] = x != 0
		}
		a.Data = d
	default:
		return xla.Array{}, fmt.Errorf("%s (%s) has no host array here", dt, t.DType)
	}
	return a, nil
}
