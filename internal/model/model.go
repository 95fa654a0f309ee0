package model

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/components/backbone"
	"github.com/sslrun/sslrun/components/head"
	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
)

// NamedHead is a head with the name its block gave it.
type NamedHead struct {
	Name string
	Head head.Head
}

// Model is a backbone, the heads stacked on it in order, an objective and
// the parameters they share.
type Model struct {
	Params    *nn.Params
	Backbone  backbone.Backbone
	Heads     []NamedHead
	Objective objective.Objective
}

// Graph is one built graph with its input nodes and the parameters it uses.
type Graph struct {
	G      *G.ExprGraph
	Inputs []*G.Node // one per view (B, C, H, W), in view order
	Output *G.Node   // the loss (training) or the features (evaluation)
	Params []*nn.Param
	Nodes  G.Nodes // the parameters' nodes, same order
	Grads  G.Nodes // d loss / d parameter, same order (training graphs)
	// BatchNorms names the batch-norm statistics (in Model.Params) the
	// graph uses, in layer order.
	BatchNorms []string
	// Taps are the nodes the objective asks to read after each step
	// (objective.Method.Taps), by key, one per view (B, ...), in view
	// order; TapKeys lists the keys in the objective's order.
	Taps    map[string][]*G.Node
	TapKeys []string
	// TappedParams are the parameters the objective reads before each
	// step, by key.
	TappedParams map[string]*nn.Param
	// Followers are the parameters of the objective's branches
	// (objective.Brancher) the graph reads, FollowerNodes their nodes and
	// Follows the index in Params of the trained parameter of the same
	// name each follows after every step (Follow).
	Followers     []*nn.Param
	FollowerNodes G.Nodes
	Follows       []int
}

// Follow moves the branches' parameters towards the trained ones, as an
// engine does after each optimizer step: nn.Follow with momentum tau
// (objective.Brancher.Momentum).
func (g *Graph) Follow(tau float64) error {
	for i, p := range g.Followers {
		if err := nn.Follow(p.Data(), g.Params[g.Follows[i]].Data(), tau); err != nil {
			return fmt.Errorf("model: %s: %w", p.Name, err)
		}
	}
	return nil
}

// TapNodes are the tapped nodes in TapKeys order, each key's in view
// order: what an engine keeps and returns besides the loss.
func (g *Graph) TapNodes() G.Nodes {
	var out G.Nodes
	for _, k := range g.TapKeys {
		out = append(out, g.Taps[k]...)
	}
	return out
}

// TapShapes are the shapes of the taps by key, for
// objective.Method.StateBytes: a node's per view, a parameter's own.
func (g *Graph) TapShapes() map[string][]int {
	out := map[string][]int{}
	for _, k := range g.TapKeys {
		if v := g.Taps[k]; len(v) > 0 {
			out[k] = []int(v[0].Shape().Clone())
		}
	}
	for k, p := range g.TappedParams {
		out[k] = []int(p.Shape().Clone())
	}
	return out
}

// Shape is an input's (N, C, H, W).
type Shape [4]int

// Train builds the training graph for views of the given shapes (all with
// the same batch size): views of equal shape go through the backbone
// together, as multi-crop implementations do, then through the heads, and
// the objective turns the per-view projections into the loss. Gradients of
// the loss with respect to every parameter are added.
func (m *Model) Train(views []Shape) (*Graph, error) {
	if len(views) == 0 {
		return nil, fmt.Errorf("model: no views")
	}
	g := G.NewGraph()
	b := nn.NewBuilder(g, m.Params, true)
	out := &Graph{G: g}
	for i, s := range views {
		if s[0] != views[0][0] {
			return nil, fmt.Errorf("model: view %d has batch %d, view 0 %d", i, s[0], views[0][0])
		}
		out.Inputs = append(out.Inputs, G.NewTensor(g, tensor.Float32, 4, G.WithShape(s[:]...), G.WithName(fmt.Sprintf("view%d", i))))
	}
	z := make([]*G.Node, len(views))
	branches, err := m.branches(g)
	if err != nil {
		return nil, err
	}
	var paramKeys []string
	if meth, ok := m.Objective.(objective.Method); ok {
		out.TapKeys, paramKeys = meth.Taps()
	}
	out.Taps = map[string][]*G.Node{}
	for _, k := range out.TapKeys {
		out.Taps[k] = make([]*G.Node, len(views))
	}
	for _, group := range groupBySize(views) {
		y, err := m.forward(b, out.Inputs, group, m.Heads) // (len(group)*B, D)
		if err != nil {
			return nil, err
		}
		taps := b.Taps()
		bs := views[0][0]
		for _, br := range branches {
			if err := br.run(m, out.Inputs, group, bs); err != nil {
				return nil, err
			}
		}
		for j, v := range group {
			if z[v], err = rows(y, j, bs, len(group)); err != nil { // (B, D)
				return nil, err
			}
			for _, k := range out.TapKeys {
				if branchTap(branches, k) != nil {
					continue
				}
				t, ok := taps[k]
				if !ok {
					return nil, fmt.Errorf("model: the objective reads %q, which no component of the model publishes", k)
				}
				if out.Taps[k][v], err = rows(t, j, bs, len(group)); err != nil { // (B, ...)
					return nil, err
				}
			}
		}
	}
	for _, k := range out.TapKeys {
		br := branchTap(branches, k)
		if br == nil {
			continue
		}
		for v, n := range br.out {
			if n == nil {
				return nil, fmt.Errorf("model: the objective reads its branch's output %q for view %d, which the branch does not run", k, v)
			}
			out.Taps[k][v] = n
		}
	}
	out.TappedParams = map[string]*nn.Param{}
	for _, k := range paramKeys {
		name, ok := b.TappedParams()[k]
		p, found := m.Params.Param(name)
		if !ok || !found {
			return nil, fmt.Errorf("model: the objective reads the parameter %q, which no component of the model publishes", k)
		}
		out.TappedParams[k] = p
	}
	var loss *G.Node
	if bm, ok := m.Objective.(objective.Brancher); ok {
		outs := make([][]*G.Node, len(branches))
		for i, br := range branches {
			outs[i] = br.out
		}
		loss, err = bm.BranchLoss(z, outs)
	} else {
		loss, err = m.Objective.Loss(z)
	}
	if err != nil {
		return nil, err
	}
	out.Output = loss
	out.Params, out.Nodes = b.Learnables()
	out.BatchNorms = b.BatchNorms()
	if err := out.follow(branches); err != nil {
		return nil, err
	}
	if out.Grads, err = G.Grad(loss, out.Nodes...); err != nil {
		return nil, fmt.Errorf("model: differentiating the loss: %w", err)
	}
	if err := ops.CheckGraph(g); err != nil {
		return nil, err
	}
	return out, nil
}

// branch is one objective.Branch being built into a training graph.
type branch struct {
	objective.Branch
	b     *nn.Builder
	heads []NamedHead
	out   []*G.Node // per view, nil where it does not run
}

// branches are the objective's branches (objective.Brancher) with a
// builder each on g, in training mode over their own parameters.
func (m *Model) branches(g *G.ExprGraph) ([]*branch, error) {
	bm, ok := m.Objective.(objective.Brancher)
	if !ok {
		return nil, nil
	}
	names := make([]string, len(m.Heads))
	for i, h := range m.Heads {
		names[i] = h.Name
	}
	spec, err := bm.Branches(m.Params, names)
	if err != nil {
		return nil, err
	}
	out := make([]*branch, len(spec))
	for i, s := range spec {
		br := &branch{Branch: s, b: nn.NewBuilder(g, s.Params, true)}
		br.b.Scope = fmt.Sprintf("branch%d/", i) // nodes of its own, not the trained network's of the same names
		for _, name := range s.Heads {
			j := slices.Index(names, name)
			if j < 0 {
				return nil, fmt.Errorf("model: a branch of the objective runs head %q, which the spec does not have", name)
			}
			br.heads = append(br.heads, m.Heads[j])
		}
		out[i] = br
	}
	return out, nil
}

// follow sets g's Followers from the branches' parameters, each paired
// with the trained parameter of its name and shape.
func (g *Graph) follow(branches []*branch) error {
	for _, br := range branches {
		params, nodes := br.b.Learnables()
		for i, p := range params {
			if slices.Contains(g.Followers, p) {
				return fmt.Errorf("model: two branches of the objective read %s; an engine keeps one node per parameter", p.Name)
			}
			j := slices.IndexFunc(g.Params, func(q *nn.Param) bool { return q.Name == p.Name })
			if j < 0 || !slices.Equal(g.Params[j].Shape(), p.Shape()) {
				return fmt.Errorf("model: the branch's parameter %s %v has no trained parameter of its name and shape to follow", p.Name, p.Shape())
			}
			g.Followers = append(g.Followers, p)
			g.FollowerNodes = append(g.FollowerNodes, nodes[i])
			g.Follows = append(g.Follows, j)
		}
	}
	return nil
}

// run adds the branch's forward pass over the views of group it runs on,
// which go through it together, as the trained network's do; its outputs
// take no gradient.
func (br *branch) run(m *Model, inputs []*G.Node, group []int, bs int) error {
	if br.out == nil {
		br.out = make([]*G.Node, len(inputs))
	}
	var sel []int
	for _, v := range group {
		if slices.Contains(br.Views, v) {
			sel = append(sel, v)
		}
	}
	if len(sel) == 0 {
		return nil
	}
	y, err := m.forward(br.b, inputs, sel, br.heads) // (len(sel)*B, D)
	if err != nil {
		return fmt.Errorf("branch: %w", err)
	}
	for j, v := range sel {
		r, err := rows(y, j, bs, len(sel)) // (B, D)
		if err != nil {
			return err
		}
		if br.out[v], err = ops.StopGradient(r); err != nil {
			return err
		}
	}
	return nil
}

// branchTap is the branch that publishes its outputs under key, nil for
// none.
func branchTap(branches []*branch, key string) *branch {
	for _, br := range branches {
		if br.Tap == key {
			return br
		}
	}
	return nil
}

// rows is the j-th of n blocks of bs rows of x, or x itself when n is 1.
func rows(x *G.Node, j, bs, n int) (*G.Node, error) {
	if n == 1 {
		return x, nil
	}
	return ops.Rows(x, j*bs, (j+1)*bs) // not G.Slice: its hash merges S(0, 256) with S(256, 512)
}

// forward runs the given views of inputs, stacked in that order, through
// the backbone and heads on b: (len(views)*B, C, H, W) to (len(views)*B, D).
func (m *Model) forward(b *nn.Builder, inputs []*G.Node, views []int, heads []NamedHead) (*G.Node, error) {
	parts := make([]*G.Node, len(views))
	for j, v := range views {
		parts[j] = inputs[v]
	}
	x := parts[0] // (B, C, H, W)
	if len(parts) > 1 {
		var err error
		if x, err = ops.ConcatRows(parts...); err != nil { // (len(views)*B, C, H, W)
			return nil, err
		}
	}
	y, err := m.Backbone.Features(b, x)
	if err != nil {
		return nil, fmt.Errorf("backbone: %w", err)
	}
	for _, h := range heads {
		if y, err = h.Head.Apply(b, h.Name, y); err != nil {
			return nil, fmt.Errorf("head %q: %w", h.Name, err)
		}
	}
	return y, nil
}

// Features builds the evaluation graph: images (N, C, H, W) to backbone
// features, with batch norm in eval mode.
func (m *Model) Features(s Shape) (*Graph, error) {
	g := G.NewGraph()
	b := nn.NewBuilder(g, m.Params, false)
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(s[:]...), G.WithName("images"))
	y, err := m.Backbone.Features(b, x)
	if err != nil {
		return nil, fmt.Errorf("backbone: %w", err)
	}
	out := &Graph{G: g, Inputs: []*G.Node{x}, Output: y, BatchNorms: b.BatchNorms()}
	out.Params, out.Nodes = b.Learnables()
	return out, nil
}

// groupBySize groups view indices by input shape, in order of first
// appearance.
func groupBySize(views []Shape) [][]int {
	var groups [][]int
	index := map[Shape]int{}
	for i, s := range views {
		g, ok := index[s]
		if !ok {
			g = len(groups)
			index[s] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}
