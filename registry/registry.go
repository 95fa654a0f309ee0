package registry

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/agext/levenshtein"
)

// Kind names a family of components. The kind is the first part of a
// component ID and the block name that selects it in a spec.
type Kind string

// The kinds a spec can name. Every kind exists from the start so that later
// work only adds components, never new plumbing.
const (
	Dataset   Kind = "dataset"
	Augment   Kind = "augment"
	Backbone  Kind = "backbone"
	Head      Kind = "head"
	Objective Kind = "objective"
	Optimizer Kind = "optimizer"
	Schedule  Kind = "schedule"
	Evaluate  Kind = "evaluate"
)

// Kinds lists every kind in the order a spec usually names them.
var Kinds = []Kind{Dataset, Augment, Backbone, Head, Objective, Optimizer, Schedule, Evaluate}

var kindDocs = map[Kind]string{
	Dataset:   "a source of images (and labels) read from disk or generated",
	Augment:   "one random image transformation inside a view pipeline",
	Backbone:  "the network whose features are learned",
	Head:      "a layer stack on top of the backbone (projection MLP, prototypes, classifier)",
	Objective: "the self-supervised loss",
	Optimizer: "the parameter update rule",
	Schedule:  "the learning-rate schedule",
	Evaluate:  "a protocol that scores the learned features",
}

// Doc returns a one-line description of the kind.
func (k Kind) Doc() string { return kindDocs[k] }

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { _, ok := kindDocs[k]; return ok }

// Component is the registration record of one component: its ID, its
// documentation, its parameter schema and its constructor.
type Component struct {
	// ID is "kind.type", for example "augment.color_jitter".
	ID string
	// Doc is a one-line description shown by `sslrun components`.
	Doc string
	// Params is the schema of the block body, in the order users read it.
	Params []Param
	// Method, for an objective that is a self-supervised method (it keeps
	// state across steps: objective.Method), says what it adds to the
	// training loop: the copies of the network it builds, the state it
	// keeps in checkpoints and what it does around each step. `sslrun
	// components` prints it; empty for every other component.
	Method string
	// New builds an instance from decoded, range-checked values. It reports
	// cross-parameter problems as *ParamError so they point at the attribute.
	New func(v Values) (any, error)
}

// Kind returns the kind part of the ID.
func (c *Component) Kind() Kind { k, _, _ := strings.Cut(c.ID, "."); return Kind(k) }

// Type returns the type part of the ID (the label users write in a block).
func (c *Component) Type() string { _, t, _ := strings.Cut(c.ID, "."); return t }

// Param returns the parameter called name.
func (c *Component) Param(name string) (Param, bool) {
	for _, p := range c.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

var (
	mu         sync.RWMutex
	components = map[string]*Component{}
)

// Register adds a component. It is meant to be called from init() in the
// component's own file, and panics on an empty, malformed or duplicate ID,
// a missing constructor or an inconsistent schema: those are programming
// errors that must stop the binary at start-up.
func Register(c Component) {
	kind, typ, ok := strings.Cut(c.ID, ".")
	switch {
	case c.ID == "":
		panic("registry: component registered with an empty ID")
	case !ok || typ == "" || strings.Contains(typ, "."):
		panic(fmt.Sprintf("registry: component ID %q is not of the form kind.type", c.ID))
	case !Kind(kind).Valid():
		panic(fmt.Sprintf("registry: component %q has unknown kind %q", c.ID, kind))
	case c.New == nil:
		panic(fmt.Sprintf("registry: component %q has no constructor", c.ID))
	}
	seen := map[string]bool{}
	for _, p := range c.Params {
		if seen[p.Name] {
			panic(fmt.Sprintf("registry: component %q declares parameter %q twice", c.ID, p.Name))
		}
		seen[p.Name] = true
		if err := p.check(); err != nil {
			panic(fmt.Sprintf("registry: component %q: %v", c.ID, err))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := components[c.ID]; dup {
		panic(fmt.Sprintf("registry: component %q registered twice", c.ID))
	}
	components[c.ID] = &c
}

// Lookup returns the component with the given ID.
func Lookup(id string) (*Component, bool) {
	mu.RLock()
	defer mu.RUnlock()
	c, ok := components[id]
	return c, ok
}

// List returns the components of one kind sorted by ID, or all of them
// (sorted by kind order, then ID) when kind is empty.
func List(kind Kind) []*Component {
	mu.RLock()
	defer mu.RUnlock()
	order := map[Kind]int{}
	for i, k := range Kinds {
		order[k] = i
	}
	var out []*Component
	for _, c := range components {
		if kind == "" || c.Kind() == kind {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		ki, kj := order[out[i].Kind()], order[out[j].Kind()]
		if ki != kj {
			return ki < kj
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Types returns the sorted type names registered for kind.
func Types(kind Kind) []string {
	var out []string
	for _, c := range List(kind) {
		out = append(out, c.Type())
	}
	return out
}

// Suggest returns the registered type of kind closest to typ, or "" when
// nothing is close enough to be a plausible typo.
func Suggest(kind Kind, typ string) string {
	return closest(typ, Types(kind))
}

// closest returns the candidate with the smallest edit distance to name,
// provided the distance is small relative to the name's length.
func closest(name string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := levenshtein.Distance(name, c, nil)
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist < 0 || bestDist > max(2, len(name)/3) {
		return ""
	}
	return best
}

// New builds an instance of the component id from values and checks that it
// implements T, the interface of its kind.
func New[T any](id string, v Values) (T, error) {
	var zero T
	c, ok := Lookup(id)
	if !ok {
		return zero, fmt.Errorf("unknown component %q (forgotten import of its package?)", id)
	}
	inst, err := c.New(v)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", id, err)
	}
	t, ok := inst.(T)
	if !ok {
		return zero, fmt.Errorf("%s: constructor returned %T, which does not implement %T", id, inst, (*T)(nil))
	}
	return t, nil
}

// ValuesOf makes the values of c from params given in Go, filling in the
// defaults of the parameters params leaves out, in schema order. Unknown
// names, missing required parameters and values that fail the schema are
// errors, so a configuration written in Go gets the checks a spec gets.
func (c *Component) ValuesOf(params map[string]any) (Values, error) {
	for name := range params {
		if _, ok := c.Param(name); !ok {
			return nil, fmt.Errorf("%s has no parameter %q", c.ID, name)
		}
	}
	vs := make(Values, 0, len(c.Params))
	for _, p := range c.Params {
		v, ok := params[p.Name]
		if !ok {
			if p.Required() {
				return nil, fmt.Errorf("%s: required parameter %q not given", c.ID, p.Name)
			}
			v = p.Default
		}
		if err := p.Validate(v); err != nil {
			return nil, fmt.Errorf("%s.%s: %w", c.ID, p.Name, err)
		}
		vs = append(vs, Value{p.Name, v})
	}
	return vs, nil
}

// Build builds component id from params given in Go (defaults filled, see
// ValuesOf) and checks that it implements T.
func Build[T any](id string, params map[string]any) (T, error) {
	var zero T
	c, ok := Lookup(id)
	if !ok {
		return zero, fmt.Errorf("unknown component %q (forgotten import of its package?)", id)
	}
	vs, err := c.ValuesOf(params)
	if err != nil {
		return zero, err
	}
	return New[T](id, vs)
}
