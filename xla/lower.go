package xla

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types/dtypes"
	"github.com/gomlx/go-xla/pkg/types/shapes"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
)

// Role tells what a program argument or result stands for.
type Role int

const (
	// Input is an argument the caller named: a batch of images.
	Input Role = iota
	// Parameter is an argument for a leaf of the graph the caller did not
	// name, a node holding a value: a weight.
	Parameter
	// State is an argument or result for state an op reads or updates
	// outside the graph (ops.State): as an argument its value before the
	// program, as a result its value after.
	State
	// Output is a result the caller named: the loss, a gradient.
	Output
)

func (r Role) String() string {
	switch r {
	case Input:
		return "input"
	case Parameter:
		return "parameter"
	case State:
		return "state"
	case Output:
		return "output"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// Port is one argument or result of a program.
type Port struct {
	Role Role
	// Name is the argument's name in the program text (a state result has
	// its argument's name); an output's is its node's name, for messages.
	Name  string
	DType dtypes.DType
	Shape []int // empty for a scalar
	// Node is the graph node an input or parameter feeds, or an output
	// reads; nil for state.
	Node *G.Node
	// Key is the state a state port carries.
	Key ops.StateKey
}

// Program is a graph lowered to the function main of one StableHLO module.
type Program struct {
	Name string
	// Inputs are main's arguments in order: inputs, parameters, state.
	Inputs []Port
	// Outputs are main's results in order: outputs, then updated state.
	Outputs []Port
	text    string
}

// Text is the module's StableHLO text.
func (p *Program) Text() string { return p.text }

// Lower lowers every node of g into one program named name whose
// arguments are inputs (leaves of g, in this order), then g's other
// leaves, then state; and whose results are outputs (nodes of g, in this
// order), then the state ops update. Every node of g is lowered, as
// engine.Machine runs every node, so that side effects on state happen
// whether or not an output depends on them.
func Lower(g *G.ExprGraph, inputs, outputs []*G.Node, name string) (*Program, error) {
	sorted, err := G.Sort(g)
	if err != nil {
		return nil, fmt.Errorf("xla: %w", err)
	}
	slices.Reverse(sorted) // Sort lists a node before its inputs
	b := stablehlo.New(name)
	fn := b.Main()
	ctx := ops.NewLowerContext(fn)
	p := &Program{Name: name}
	vals := make(map[*G.Node]*stablehlo.Value, len(sorted))
	names := map[string]bool{}

	arg := func(n *G.Node, role Role) error {
		s, err := shapeOf(n)
		if err != nil {
			return err
		}
		id := argName(n, len(p.Inputs), names)
		v, err := fn.NamedInput(id, s)
		if err != nil {
			return fmt.Errorf("xla: argument for %v: %w", n, err)
		}
		vals[n] = v
		p.Inputs = append(p.Inputs, Port{Role: role, Name: id, DType: s.DType, Shape: s.Dimensions, Node: n})
		return nil
	}
	inGraph := make(map[*G.Node]bool, len(sorted))
	for _, n := range sorted {
		inGraph[n] = true
	}
	for _, n := range inputs {
		if !inGraph[n] || n.Op() != nil {
			return nil, fmt.Errorf("xla: input %v is not a leaf of the graph", n)
		}
		if vals[n] != nil {
			return nil, fmt.Errorf("xla: input %v named twice", n)
		}
		if err := arg(n, Input); err != nil {
			return nil, err
		}
	}
	var params []*G.Node
	for _, n := range sorted {
		if n.Op() == nil && vals[n] == nil {
			params = append(params, n)
		}
	}
	slices.SortFunc(params, func(a, b *G.Node) int { return int(a.ID() - b.ID()) })
	for _, n := range params {
		if err := arg(n, Parameter); err != nil {
			return nil, err
		}
	}

	for _, n := range sorted {
		if n.Op() == nil {
			continue
		}
		var in []*stablehlo.Value
		for it := g.From(n.ID()); it.Next(); {
			c := it.Node().(*G.Node)
			if vals[c] == nil {
				return nil, fmt.Errorf("xla: %v reads %v, not lowered before it", n, c)
			}
			in = append(in, vals[c])
		}
		out, err := shapeOf(n)
		if err != nil {
			return nil, err
		}
		kind := ops.KindOf(n.Op())
		v, err := lowerNode(ctx.Op(in, out), n.Op(), kind)
		if err != nil {
			return nil, fmt.Errorf("xla: lowering %s (node %v): %w", kind, n, err)
		}
		if got := v.Shape(); got.DType != out.DType || !slices.Equal(got.Dimensions, out.Dimensions) {
			return nil, fmt.Errorf("xla: %s (node %v) lowered to %s, the node is %s", kind, n, got, out)
		}
		vals[n] = v
	}

	var results []*stablehlo.Value
	for _, n := range outputs {
		v := vals[n]
		if v == nil {
			return nil, fmt.Errorf("xla: output %v is not in the graph", n)
		}
		s := v.Shape()
		results = append(results, v)
		p.Outputs = append(p.Outputs, Port{Role: Output, Name: n.Name(), DType: s.DType, Shape: s.Dimensions, Node: n})
	}
	for _, st := range ctx.States() {
		s := st.Input.Shape()
		port := Port{Role: State, Name: st.Name, DType: s.DType, Shape: s.Dimensions, Key: st.Key}
		p.Inputs = append(p.Inputs, port)
		if st.Updated() {
			results = append(results, st.Value)
			p.Outputs = append(p.Outputs, port)
		}
	}
	if len(results) == 0 {
		return nil, fmt.Errorf("xla: %s has no outputs", name)
	}
	if err := fn.Return(results...); err != nil {
		return nil, fmt.Errorf("xla: %w", err)
	}
	text, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("xla: %w", err)
	}
	p.text = string(text)
	return p, nil
}

// lowerNode lowers one node's op: its own lowering, or the built-in's.
func lowerNode(l *ops.Lowering, op G.Op, kind string) (*stablehlo.Value, error) {
	if lw, ok := op.(ops.Lowerer); ok {
		return lw.Lower(l)
	}
	if f, ok := builtins[kind]; ok {
		return f(l, op)
	}
	return nil, fmt.Errorf("no lowering for op kind %s", kind)
}

// shapeOf is a node's shape and dtype in go-xla's terms.
func shapeOf(n *G.Node) (shapes.Shape, error) {
	var dt dtypes.DType
	switch n.Dtype() {
	case tensor.Float32:
		dt = dtypes.Float32
	case tensor.Float64:
		dt = dtypes.Float64
	default:
		return shapes.Shape{}, fmt.Errorf("xla: node %v has dtype %v, want float32 or float64", n, n.Dtype())
	}
	return shapes.Make(dt, n.Shape()...), nil
}

// argName is a valid, unused argument name for node n, the i-th argument:
// its own name with every character but letters, digits and '_' made '_',
// or input<i> when that is empty, taken, or a name of the form go-xla
// gives other values (%0, %arg0, anything starting with a digit).
func argName(n *G.Node, i int, used map[string]bool) string {
	id := stablehlo.ConvertToValidName(n.Name())
	if id == "" || reserved.MatchString(id) {
		id = fmt.Sprintf("input%d", i)
	}
	for used[id] {
		id += "_"
	}
	used[id] = true
	return id
}

// reserved matches the value names go-xla picks itself.
var reserved = regexp.MustCompile(`^([0-9]|arg[0-9]+$)`)
