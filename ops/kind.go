package ops

import (
	"fmt"
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
// arithmetic, exp/log/sqrt/neg, matmul, reductions, softmax, reshapes and
// broadcasting. Each has a direct counterpart in StableHLO.
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
	"gorgonia.concatOp",
	"gorgonia.sliceOp", // its hash keeps one byte of each bound: take row blocks with Rows
	"gorgonia.sliceIncrOp",
	"gorgonia.maxPoolOp",
	"gorgonia.maxPoolDiffOp",
}

// own holds an op of each of this project's kinds, by kind. An op file
// adds its kinds here.
var own = map[string]G.Op{}

// register records own op kinds, an op of each (its configuration does not
// matter), so that what a kind implements (Lowerer) can be checked without
// building a graph; op files call it from init().
func register(ops ...G.Op) {
	for _, op := range ops {
		k := KindOf(op)
		if _, ok := own[k]; ok {
			panic("ops: kind " + k + " registered twice")
		}
		own[k] = op
	}
}

// Own returns an op of the own kind kind, configured for no graph: it
// answers Kind and tells which interfaces the kind implements, nothing
// more. ok is false for any other kind.
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
