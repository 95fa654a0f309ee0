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
	// LR is a training step's learning rate, a float64 scalar argument.
	LR
	// Freeze is a training step's boolean scalar argument that, when
	// true, leaves the parameters of one freeze group and their optimizer
	// state as they are.
	Freeze
	// OptState is an argument or result for a parameter's optimizer
	// state: a buffer of the parameter's shape or a counter.
	OptState
	// Branch is an argument and result for a parameter of a branch of the
	// network (objective.Brancher, a momentum teacher): its value before
	// the step, and after it has followed its trained parameter.
	Branch
	// Momentum is a training step's float64 scalar argument, the moving
	// average's momentum the branches follow with after the update.
	Momentum
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
	case LR:
		return "lr"
	case Freeze:
		return "freeze"
	case OptState:
		return "optimizer state"
	case Branch:
		return "branch"
	case Momentum:
		return "momentum"
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
	// Key is the state a state port carries; for optimizer state, Owner
	// is the *nn.Param and Field the optimizer's slot.
	Key ops.StateKey
	// Alias, on an argument, is the index of the result that takes over
	// its buffer (the argument is donated: tf.aliasing_output), -1 when
	// none; -1 on results.
	Alias int
}

// Program is a graph lowered to the function main of one StableHLO module.
type Program struct {
	Name string
	// Inputs are main's arguments in order: inputs, parameters, state
	// (LowerStep's: see there).
	Inputs []Port
	// Outputs are main's results in order: outputs, then updated state.
	Outputs []Port
	text    string
}

// HostFed lists the State arguments of p that no result updates, in
// argument order: state the host keeps and sets before each run (the
// scores of a queue an objective keeps), unlike batch-norm statistics,
// which a training step updates.
func (p *Program) HostFed() []int {
	updated := map[ops.StateKey]bool{}
	for _, o := range p.Outputs {
		if o.Role == State {
			updated[o.Key] = true
		}
	}
	var out []int
	for i, in := range p.Inputs {
		if in.Role == State && !updated[in.Key] {
			out = append(out, i)
		}
	}
	return out
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
	pb, err := newBuilder(g, name)
	if err != nil {
		return nil, err
	}
	if err := pb.inputs(inputs); err != nil {
		return nil, err
	}
	var params []*G.Node
	for _, n := range pb.sorted {
		if n.Op() == nil && pb.vals[n] == nil {
			params = append(params, n)
		}
	}
	slices.SortFunc(params, func(a, b *G.Node) int { return int(a.ID() - b.ID()) })
	for _, n := range params {
		if err := pb.nodeArg(n, Parameter); err != nil {
			return nil, err
		}
	}
	if err := pb.lowerNodes(); err != nil {
		return nil, err
	}
	if err := pb.outputs(outputs); err != nil {
		return nil, err
	}
	pb.stateResults(false)
	return pb.build()
}

// builder is a program under construction: a graph's nodes, in the order
// engine.Machine runs them, and the values lowered so far.
type builder struct {
	g       *G.ExprGraph
	sorted  []*G.Node // every node, inputs before the nodes reading them
	b       *stablehlo.Builder
	fn      *stablehlo.Function
	ctx     *ops.LowerContext
	p       *Program
	vals    map[*G.Node]*stablehlo.Value
	names   map[string]bool
	args    []*stablehlo.Value // per p.Inputs
	results []*stablehlo.Value // per p.Outputs
}

// newBuilder starts the program name of g's nodes.
func newBuilder(g *G.ExprGraph, name string) (*builder, error) {
	sorted, err := G.Sort(g)
	if err != nil {
		return nil, fmt.Errorf("xla: %w", err)
	}
	slices.Reverse(sorted) // Sort lists a node before its inputs
	b := stablehlo.New(name)
	fn := b.Main()
	return &builder{
		g: g, sorted: sorted, b: b, fn: fn,
		ctx:   ops.NewLowerContext(fn),
		p:     &Program{Name: name},
		vals:  make(map[*G.Node]*stablehlo.Value, len(sorted)),
		names: map[string]bool{},
	}, nil
}

// arg adds an argument of shape s named after name (made valid and
// unique; the i-th argument is input<i> when that is empty) for port.
func (pb *builder) arg(name string, s shapes.Shape, port Port) (*stablehlo.Value, error) {
	port.Name = argName(name, len(pb.p.Inputs), pb.names)
	port.DType, port.Shape, port.Alias = s.DType, s.Dimensions, -1
	v, err := pb.fn.NamedInput(port.Name, s)
	if err != nil {
		return nil, fmt.Errorf("xla: argument %s: %w", port.Name, err)
	}
	pb.p.Inputs = append(pb.p.Inputs, port)
	pb.args = append(pb.args, v)
	return v, nil
}

// nodeArg adds the argument feeding leaf n.
func (pb *builder) nodeArg(n *G.Node, role Role) error {
	s, err := shapeOf(n)
	if err != nil {
		return err
	}
	v, err := pb.arg(n.Name(), s, Port{Role: role, Node: n})
	if err != nil {
		return fmt.Errorf("xla: argument for %v: %w", n, err)
	}
	pb.vals[n] = v
	return nil
}

// inputs adds the arguments of the leaves the caller names, in order.
func (pb *builder) inputs(inputs []*G.Node) error {
	inGraph := make(map[*G.Node]bool, len(pb.sorted))
	for _, n := range pb.sorted {
		inGraph[n] = true
	}
	for _, n := range inputs {
		if !inGraph[n] || n.Op() != nil {
			return fmt.Errorf("xla: input %v is not a leaf of the graph", n)
		}
		if pb.vals[n] != nil {
			return fmt.Errorf("xla: input %v named twice", n)
		}
		if err := pb.nodeArg(n, Input); err != nil {
			return err
		}
	}
	return nil
}

// lowerNodes lowers every node with an op, once every leaf has its
// argument.
func (pb *builder) lowerNodes() error {
	for _, n := range pb.sorted {
		if n.Op() == nil {
			continue
		}
		var in []*stablehlo.Value
		for it := pb.g.From(n.ID()); it.Next(); {
			c := it.Node().(*G.Node)
			if pb.vals[c] == nil {
				return fmt.Errorf("xla: %v reads %v, not lowered before it", n, c)
			}
			in = append(in, pb.vals[c])
		}
		out, err := shapeOf(n)
		if err != nil {
			return err
		}
		kind := ops.KindOf(n.Op())
		v, err := lowerNode(pb.ctx.Op(in, out), n.Op(), kind)
		if err != nil {
			return fmt.Errorf("xla: lowering %s (node %v): %w", kind, n, err)
		}
		if got := v.Shape(); got.DType != out.DType || !slices.Equal(got.Dimensions, out.Dimensions) {
			return fmt.Errorf("xla: %s (node %v) lowered to %s, the node is %s", kind, n, got, out)
		}
		pb.vals[n] = v
	}
	return nil
}

// result adds v as a result for port, with v's shape.
func (pb *builder) result(v *stablehlo.Value, port Port) {
	s := v.Shape()
	port.DType, port.Shape, port.Alias = s.DType, s.Dimensions, -1
	pb.p.Outputs = append(pb.p.Outputs, port)
	pb.results = append(pb.results, v)
}

// outputs adds the results of the nodes the caller names, in order.
func (pb *builder) outputs(outputs []*G.Node) error {
	for _, n := range outputs {
		v := pb.vals[n]
		if v == nil {
			return fmt.Errorf("xla: output %v is not in the graph", n)
		}
		pb.result(v, Port{Role: Output, Name: n.Name(), Node: n})
	}
	return nil
}

// stateResults adds the arguments of the state the lowered ops read and
// the results of the state they update; with donate, each updated
// state's argument is donated to its result.
func (pb *builder) stateResults(donate bool) {
	for _, st := range pb.ctx.States() {
		s := st.Input.Shape()
		port := Port{Role: State, Name: st.Name, DType: s.DType, Shape: s.Dimensions, Key: st.Key, Alias: -1}
		pb.p.Inputs = append(pb.p.Inputs, port)
		pb.args = append(pb.args, st.Input)
		if st.Updated() {
			if donate {
				pb.donate(len(pb.p.Inputs)-1, len(pb.p.Outputs))
			}
			pb.result(st.Value, Port{Role: State, Name: st.Name, Key: st.Key})
		}
	}
}

// donate marks argument i as donated to result r, which must have its
// shape and dtype: the attribute tf.aliasing_output tells XLA to write
// the result into the argument's buffer, so that the value stays on the
// device from one run to the next without a copy.
func (pb *builder) donate(i, r int) {
	v := pb.args[i]
	if v.Attributes == nil {
		v.Attributes = map[string]any{}
	}
	v.Attributes["tf.aliasing_output"] = int32(r)
	pb.p.Inputs[i].Alias = r
}

// build returns the program once its results are all added.
func (pb *builder) build() (*Program, error) {
	if len(pb.results) == 0 {
		return nil, fmt.Errorf("xla: %s has no outputs", pb.p.Name)
	}
	for i, port := range pb.p.Inputs {
		if r := port.Alias; r >= 0 && !pb.args[i].Shape().Equal(pb.results[r].Shape()) {
			return nil, fmt.Errorf("xla: argument %s (%s) donated to result %d (%s)", port.Name, pb.args[i].Shape(), r, pb.results[r].Shape())
		}
	}
	if err := pb.fn.Return(pb.results...); err != nil {
		return nil, fmt.Errorf("xla: %w", err)
	}
	text, err := pb.b.Build()
	if err != nil {
		return nil, fmt.Errorf("xla: %w", err)
	}
	pb.p.text = string(text)
	return pb.p, nil
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

// argName is a valid, unused name for the i-th argument, named after
// name: name with every character but letters, digits and '_' made '_',
// or input<i> when that is empty, taken, or a name of the form go-xla
// gives other values (%0, %arg0, anything starting with a digit).
func argName(name string, i int, used map[string]bool) string {
	id := stablehlo.ConvertToValidName(name)
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
