package nn

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
)

// Builder adds layers to one graph, binding each parameter of P to a single
// node of G. Training selects batch statistics (and their update) in batch
// norm.
type Builder struct {
	G        *G.ExprGraph
	P        *Params
	Training bool
	// Scope prefixes the names of the parameter nodes it makes. A second
	// copy of the network in one graph (a method's momentum teacher) needs
	// one: gorgonia merges leaves of one name and shape into one node, so
	// without it the copy would read the first copy's weights.
	Scope  string
	nodes  map[*Param]*G.Node
	order  []*Param
	bn     []string
	taps   map[string]*G.Node
	tapped map[string]string
}

// NewBuilder returns a builder for graph g over params p.
func NewBuilder(g *G.ExprGraph, p *Params, training bool) *Builder {
	return &Builder{G: g, P: p, Training: training, nodes: map[*Param]*G.Node{}}
}

// Node returns the graph node of p, named Scope+p.Name, creating it on
// first use. The node's value is p's tensor itself, not a copy; a symbolic
// parameter's node has none.
func (b *Builder) Node(p *Param) *G.Node {
	if n, ok := b.nodes[p]; ok {
		return n
	}
	s := p.Shape()
	opts := []G.NodeConsOpt{G.WithShape(s...), G.WithName(b.Scope + p.Name)}
	if p.Value != nil {
		opts = append(opts, G.WithValue(p.Value))
	}
	n := G.NewTensor(b.G, tensor.Float32, s.Dims(), opts...)
	b.nodes[p] = n
	b.order = append(b.order, p)
	return n
}

// Tap publishes x under key, for an objective that reads it after each
// step (objective.Method.Taps): a component names what it offers, e.g.
// the prototypes head its normalised input. A later Tap of the same key
// replaces the node (the model reads the taps of each forward pass).
func (b *Builder) Tap(key string, x *G.Node) {
	if b.taps == nil {
		b.taps = map[string]*G.Node{}
	}
	b.taps[key] = x
}

// TapParam publishes the parameter called name under key, for an
// objective that reads it on the host before each step.
func (b *Builder) TapParam(key, name string) {
	if b.tapped == nil {
		b.tapped = map[string]string{}
	}
	b.tapped[key] = name
}

// Taps returns the nodes published with Tap and forgets them.
func (b *Builder) Taps() map[string]*G.Node {
	t := b.taps
	b.taps = nil
	return t
}

// TappedParams returns the parameter names published with TapParam, by
// key.
func (b *Builder) TappedParams() map[string]string { return b.tapped }

// Learnables returns the parameters used in this graph and their nodes, in
// the order they were first used.
func (b *Builder) Learnables() ([]*Param, G.Nodes) {
	nodes := make(G.Nodes, len(b.order))
	for i, p := range b.order {
		nodes[i] = b.nodes[p]
	}
	return b.order, nodes
}

// Linear is x Wᵀ + bias for x (N, in), with W (out, in) as in PyTorch and
// PyTorch's default initialisation.
func (b *Builder) Linear(x *G.Node, name string, in, out int, bias bool) (*G.Node, error) {
	if x.Dims() != 2 || x.Shape()[1] != in {
		return nil, fmt.Errorf("%s: want input (N, %d), got %v", name, in, x.Shape())
	}
	w := b.Node(b.P.Get(name+".weight", []int{out, in}, in, out, KaimingUniform, false))
	y, err := G.Mul(x, G.Must(G.Transpose(w))) // (N, out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !bias {
		return y, nil
	}
	bv := b.Node(b.P.Get(name+".bias", []int{out}, in, out, FanInUniform, true))
	return G.BroadcastAdd(y, bv, nil, []byte{0}) // (N, out)
}

// BatchNorms returns the names of the batch-norm statistics the graph uses,
// in the order the layers were added.
func (b *Builder) BatchNorms() []string { return b.bn }

// BatchNorm normalises x (N, C) or (N, C, H, W) per channel, with a learned
// scale (ones) and shift (zeros) and statistics owned by P.
func (b *Builder) BatchNorm(x *G.Node, name string) (*G.Node, error) {
	if x.Dims() != 2 && x.Dims() != 4 {
		return nil, fmt.Errorf("%s: batch norm wants (N, C) or (N, C, H, W), got %v", name, x.Shape())
	}
	c := x.Shape()[1]
	gamma := b.Node(b.P.Get(name+".weight", []int{c}, c, c, Ones, true))
	beta := b.Node(b.P.Get(name+".bias", []int{c}, c, c, Zeros, true))
	if !slices.Contains(b.bn, name) {
		b.bn = append(b.bn, name)
	}
	y, err := ops.BatchNorm(x, gamma, beta, b.P.BN(name, c), b.Training)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return y, nil
}

// ReLU is max(x, 0).
func (b *Builder) ReLU(x *G.Node) (*G.Node, error) { return ops.ReLU(x) }

// Conv is a 2-D convolution without bias of x (N, C, H, W) to out channels
// with a k x k kernel; init picks PyTorch's default (KaimingUniform) or
// torchvision's ResNet one (KaimingNormalFanOut).
func (b *Builder) Conv(x *G.Node, name string, out, k, stride, pad int, init Init) (*G.Node, error) {
	if x.Dims() != 4 {
		return nil, fmt.Errorf("%s: convolution wants (N, C, H, W), got %v", name, x.Shape())
	}
	in := x.Shape()[1]
	w := b.Node(b.P.Get(name+".weight", []int{out, in, k, k}, in*k*k, out*k*k, init, false))
	y, err := ops.Conv2D(x, w, stride, pad) // (N, out, OH, OW)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return y, nil
}

// GlobalAvgPool averages each channel of x (N, C, H, W) to (N, C). It
// reshapes to (N, C, H*W) and averages the last axis: gorgonia v0.9.18's
// Mean over the two axes (2, 3) at once gives wrong values.
func (b *Builder) GlobalAvgPool(x *G.Node) (*G.Node, error) {
	if x.Dims() != 4 {
		return nil, fmt.Errorf("global average pool wants (N, C, H, W), got %v", x.Shape())
	}
	s := x.Shape()
	flat, err := G.Reshape(x, tensor.Shape{s[0], s[1], s[2] * s[3]}) // (N, C, H*W)
	if err != nil {
		return nil, err
	}
	return G.Mean(flat, 2) // (N, C)
}

// MaxPool is 2-D max pooling of x (N, C, H, W) over k x k windows moved by
// stride, x padded by pad on every side (padding never wins a window), as
// PyTorch's MaxPool2d: (N, C, (H+2*pad-k)/stride+1, (W+2*pad-k)/stride+1),
// rounded down. ResNet's stem is MaxPool(x, 3, 2, 1).
func (b *Builder) MaxPool(x *G.Node, k, stride, pad int) (*G.Node, error) {
	if x.Dims() != 4 {
		return nil, fmt.Errorf("max pool wants (N, C, H, W), got %v", x.Shape())
	}
	s := x.Shape()
	if k < 1 || stride < 1 || pad < 0 || 2*pad > k || s[2]+2*pad < k || s[3]+2*pad < k {
		return nil, fmt.Errorf("max pool: kernel %d, stride %d, padding %d do not fit %v (want kernel and stride at least 1, padding at most half the kernel, windows inside the padded input)", k, stride, pad, s)
	}
	y, err := G.MaxPool2D(x, tensor.Shape{k, k}, []int{pad, pad}, []int{stride, stride}) // (N, C, OH, OW)
	if err != nil {
		return nil, fmt.Errorf("max pool: %w", err)
	}
	return y, nil
}

// Add is x + y element-wise, for x and y of one shape, (N, C, H, W) or any
// other (a residual connection); it does not broadcast.
func (b *Builder) Add(x, y *G.Node) (*G.Node, error) {
	if !x.Shape().Eq(y.Shape()) {
		return nil, fmt.Errorf("add: shapes %v and %v differ", x.Shape(), y.Shape())
	}
	return G.Add(x, y) // like x
}

// Concat stacks xs (N_i, ...), of equal trailing shape, along the first
// (batch) axis: (ΣN_i, ...). It is ops.ConcatRows, the only concatenation a
// graph may hold: gorgonia's Concat splits its gradient with its Slice,
// whose hash keeps one byte of each bound, so the row blocks of inputs of
// 256 rows merge into one node and the gradient is silently wrong.
func (b *Builder) Concat(xs ...*G.Node) (*G.Node, error) { return ops.ConcatRows(xs...) }

// Rows is rows lo..hi-1 of x (N, ...) along the first axis: (hi-lo, ...).
// It is ops.Rows, the slice a graph may hold (not gorgonia's Slice, whose
// hash merges S(0, 256) with S(256, 512)).
func (b *Builder) Rows(x *G.Node, lo, hi int) (*G.Node, error) { return ops.Rows(x, lo, hi) }
