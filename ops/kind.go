package ops

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	G "gorgonia.org/gorgonia"
)

// Kinded is implemented by this project's ops: Kind names the op kind, the
// same for every shape and configuration of the op.
type Kinded interface {
	Kind() string
}

// KindOf names the kind of any op in a graph. Own ops name themselves
// ("sslrun.conv2d"); gorgonia's built-ins are named by their Go type, with
// the operator for the element-wise and linear-algebra families
// ("gorgonia.elemBinOp +", "gorgonia.linAlgBinOp A").
func KindOf(op G.Op) string {
	if k, ok := op.(Kinded); ok {
		return k.Kind()
	}
	t := strings.TrimPrefix(fmt.Sprintf("%T", op), "*")
	switch t {
	case "gorgonia.elemBinOp", "gorgonia.elemUnaryOp":
		if f := strings.Fields(op.String()); len(f) > 0 {
			t += " " + f[0]
		}
	case "gorgonia.linAlgBinOp":
		// "A × B", "Aᵀ × B", "A × Bᵀ": all one matmul kind (dot_general).
		t += " matmul"
	}
	return t
}

// builtins are the gorgonia ops a training graph may use: element-wise
// arithmetic, exp/log/sqrt/neg, matmul, reductions, softmax, reshapes,
// broadcasting and max pooling. Each has a direct counterpart in StableHLO.
// gorgonia's concatOp, sliceOp and sliceIncrOp are left out: sliceOp hashes
// its bounds as single bytes, so S(0, 256) and S(256, 512) merge into one
// node and a gradient (concatOp's is split by sliceOp) comes out silently
// wrong at 256 rows. Rows and ConcatRows take their place.
var builtins = []string{
	"gorgonia.elemBinOp +",
	"gorgonia.elemBinOp -",
	"gorgonia.elemBinOp ⊙",
	"gorgonia.elemBinOp ÷",
	"gorgonia.elemBinOp ^",

	"gorgonia.elemUnaryOp exp",
	"gorgonia.elemUnaryOp ln",
	"gorgonia.elemUnaryOp sqrt",
	"gorgonia.elemUnaryOp neg",
	"gorgonia.elemUnaryOp square",
	"gorgonia.linAlgBinOp matmul",
	"gorgonia.sumOp",
	"gorgonia.sizeOp",
	"gorgonia.constantScalar",
	"gorgonia.constantTensor",
	"gorgonia.reshapeOp",
	"gorgonia.repeatOp",
	"gorgonia.softmaxOp",
	"gorgonia.softmaxDiffOp",
	"gorgonia.transposeOp",
	"gorgonia.maxPoolOp",
	"gorgonia.maxPoolDiffOp",
}

// own holds an op of each registered kind, by kind: this package's op
// files and plugins add theirs with Register.
var own = map[string]G.Op{}

// Register adds op kinds to Allowed, an op of each (its configuration does
// not matter), so that what a kind implements (Lowerer) can be checked
// without building a graph. This package's op files call it from init(),
// and so does a package outside ops (a plugin) to add an op kind of its
// own: a graph holding its nodes then passes CheckGraph.
//
// Each op must implement Kinded, and its Kind should be namespaced by its
// package ("myplugin.clip"; "sslrun." is this project's). Register panics on
// an op that does not implement Kinded or has an empty Kind, and on a kind
// already allowed (registered before, or one of gorgonia's built-ins). To
// run on the XLA engine the op also implements Lowerer; without it, lowering
// a graph that holds it fails, naming the kind. Its backward, when it has
// one, must be built of allowed kinds too (register the gradient op's kind
// alongside). Call Register only from init(): Allowed and CheckGraph read
// the registry without locking.
func Register(ops ...G.Op) {
	for _, op := range ops {
		kd, ok := op.(Kinded)
		if !ok {
			panic(fmt.Sprintf("ops: Register(%T): the op does not implement ops.Kinded", op))
		}
		k := kd.Kind()
		if k == "" {
			panic(fmt.Sprintf("ops: Register(%T): empty kind", op))
		}
		if _, ok := own[k]; ok {
			panic("ops: kind " + k + " registered twice")
		}
		if slices.Contains(builtins, k) {
			panic("ops: kind " + k + " is a gorgonia built-in's, already allowed")
		}
		own[k] = op
	}
}

// Own returns an op of the registered kind kind (this package's or a
// plugin's), configured for no graph: it answers Kind and tells which
// interfaces the kind implements, nothing more. ok is false for any other
// kind, gorgonia's built-ins included.
func Own(kind string) (op G.Op, ok bool) {
	op, ok = own[kind]
	return op, ok
}

// Allowed returns every op kind a training graph may contain, sorted.
func Allowed() []string {
	out := append([]string(nil), builtins...)
	for k := range own {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CheckGraph returns an error naming every node whose op kind is not in
// Allowed.
func CheckGraph(g *G.ExprGraph) error {
	allowed := map[string]bool{}
	for _, k := range Allowed() {
		allowed[k] = true
	}
	var bad []string
	for _, n := range g.AllNodes() {
		if n.Op() == nil {
			continue
		}
		if k := KindOf(n.Op()); !allowed[k] {
			bad = append(bad, fmt.Sprintf("%s (node %s)", k, n.Name()))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("graph uses op kinds outside ops.Allowed: %s", strings.Join(bad, ", "))
	}
	return nil
}
