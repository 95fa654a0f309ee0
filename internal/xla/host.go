package xla

import (
	"fmt"
	"os"
	"slices"
	"unsafe"

	"github.com/gomlx/go-xla/pkg/types/dtypes"
	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
)

// PluginEnv is the environment variable naming the PJRT plugin when no
// --pjrt-plugin flag does.
const PluginEnv = "SSLRUN_PJRT_PLUGIN"

// PluginPath is the PJRT plugin to load: flag (the --pjrt-plugin value)
// when set, else $SSLRUN_PJRT_PLUGIN, else "" (OpenDevice then says what
// to set).
func PluginPath(flag string) string {
	if flag != "" {
		return flag
	}
	return os.Getenv(PluginEnv)
}

// noPluginMessage is OpenDevice's error for an empty plugin path.
const noPluginMessage = "no PJRT plugin given: pass --pjrt-plugin PATH or set " + PluginEnv + "=PATH; " +
	"JAX's CUDA plugin is usually <site-packages>/jax_plugins/xla_cuda12/xla_cuda_plugin.so " +
	"(or xla_cuda13; pip install \"jax[cuda12]\"; python3 -c 'import jax_plugins.xla_cuda12 as p; print(p.__path__[0])')"

// Array is an array in host memory, a program argument or result: Data is
// a flat slice in row-major order of one of the element types a program's
// ports use ([]float32, []float64, []int64 or []bool) and Shape its
// dimensions (empty for a scalar).
type Array struct {
	Shape []int
	Data  any
}

// DType is the element type of a's data, dtypes.InvalidDType for an
// unsupported slice.
func (a Array) DType() dtypes.DType {
	switch a.Data.(type) {
	case []float32:
		return dtypes.Float32
	case []float64:
		return dtypes.Float64
	case []int64:
		return dtypes.Int64
	case []bool:
		return dtypes.Bool
	}
	return dtypes.InvalidDType
}

// Len is the number of elements of a's data (0 for unsupported data).
func (a Array) Len() int {
	switch d := a.Data.(type) {
	case []float32:
		return len(d)
	case []float64:
		return len(d)
	case []int64:
		return len(d)
	case []bool:
		return len(d)
	}
	return 0
}

// size is the number of elements of an array of shape s.
func size(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Check reports whether a can be port p's value: the same element type,
// the same shape, and as many elements as the shape holds.
func (a Array) Check(p Port) error {
	dt := a.DType()
	switch {
	case dt == dtypes.InvalidDType:
		return fmt.Errorf("%s %s: host data %T, want []float32, []float64, []int64 or []bool", p.Role, p.Name, a.Data)
	case dt != p.DType:
		return fmt.Errorf("%s %s: host data of %s, the program takes %s", p.Role, p.Name, dt, p.DType)
	case !slices.Equal(a.Shape, p.Shape) && !(len(a.Shape) == 0 && len(p.Shape) == 0):
		return fmt.Errorf("%s %s: host data of shape %v, the program takes %v", p.Role, p.Name, a.Shape, p.Shape)
	case a.Len() != size(p.Shape):
		return fmt.Errorf("%s %s: %d values for shape %v (%d)", p.Role, p.Name, a.Len(), p.Shape, size(p.Shape))
	}
	return nil
}

// bytes is a's data as the bytes it occupies, not a copy: PJRT reads and
// writes arrays as raw row-major bytes.
func (a Array) bytes() []byte {
	var p unsafe.Pointer
	var n uintptr
	switch d := a.Data.(type) {
	case []float32:
		p, n = unsafe.Pointer(unsafe.SliceData(d)), uintptr(len(d))*4
	case []float64:
		p, n = unsafe.Pointer(unsafe.SliceData(d)), uintptr(len(d))*8
	case []int64:
		p, n = unsafe.Pointer(unsafe.SliceData(d)), uintptr(len(d))*8
	case []bool:
		p, n = unsafe.Pointer(unsafe.SliceData(d)), uintptr(len(d))
	}
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(p), n)
}

// zeros is a zero array of port p's type and shape.
func zeros(p Port) (Array, error) {
	n := size(p.Shape)
	a := Array{Shape: slices.Clone(p.Shape)}
	switch p.DType {
	case dtypes.Float32:
		a.Data = make([]float32, n)
	case dtypes.Float64:
		a.Data = make([]float64, n)
	case dtypes.Int64:
		a.Data = make([]int64, n)
	case dtypes.Bool:
		a.Data = make([]bool, n)
	default:
		return Array{}, fmt.Errorf("%s %s: %s has no host array here (float32, float64, int64, bool)", p.Role, p.Name, p.DType)
	}
	return a, nil
}

// Value is the host's present value of argument p, for the arguments the
// host holds between steps: a parameter's weights (its *nn.Param, else its
// node's value), a batch norm's running statistics or the queue's scores
// (State), and optimizer state, which is zero: the state Step creates for
// a parameter it has not updated yet. The slice is the host's own, not a
// copy. Inputs, the learning rate and freeze flags come from the caller
// each step and have no such value.
func Value(p Port) (Array, error) {
	var a Array
	switch p.Role {
	case Parameter, Branch:
		if prm, ok := p.Key.Owner.(*nn.Param); ok && prm.Value != nil {
			a = Array{Shape: slices.Clone([]int(prm.Value.Shape())), Data: prm.Value.Data()}
			break
		}
		if p.Node == nil || p.Node.Value() == nil {
			return Array{}, fmt.Errorf("parameter %s has no value on the host", p.Name)
		}
		v := p.Node.Value()
		a = Array{Shape: slices.Clone([]int(v.Shape())), Data: v.Data()}
		if x, ok := a.Data.(float32); ok {
			a = Array{Data: []float32{x}}
		}
	case State:
		var err error
		if a, err = stateValue(p); err != nil {
			return Array{}, err
		}
	case OptState:
		return zeros(p)
	default:
		return Array{}, fmt.Errorf("%s %s: the caller gives its value each run", p.Role, p.Name)
	}
	if len(a.Shape) == 1 && len(p.Shape) == 0 && a.Len() == 1 {
		a.Shape = nil
	}
	return a, a.Check(p)
}

// stateValue is the present value of the state port p carries.
func stateValue(p Port) (Array, error) {
	shape := slices.Clone(p.Shape)
	switch o := p.Key.Owner.(type) {
	case *ops.BNStats:
		switch p.Key.Field {
		case "mean":
			return Array{Shape: shape, Data: o.Mean}, nil
		case "var":
			return Array{Shape: shape, Data: o.Var}, nil
		case "tracked":
			return Array{Shape: shape, Data: []int64{o.Tracked}}, nil
		}
	case *G.Node:
		if v := o.Value(); v != nil && p.Key.Field == "value" {
			return Array{Shape: shape, Data: v.Data()}, nil
		}
	case *ops.SinkhornQueue:
		if n := size(p.Shape); p.Key.Field == "scores" && len(o.Scores) >= n {
			return Array{Shape: shape, Data: o.Scores[:n]}, nil
		}
	}
	return Array{}, fmt.Errorf("state %s: no host value for %T's %q of shape %v", p.Name, p.Key.Owner, p.Key.Field, p.Shape)
}
