package ops_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/ops/opstest"
)

// renamedOp is doubleOp (example_register_test.go, registered from init
// as a plugin does) under another kind.
type renamedOp struct {
	doubleOp
	kind string
}

func (o renamedOp) Kind() string   { return o.kind }
func (o renamedOp) String() string { return o.kind }

// TestRegister: a kind registered from outside ops is in Allowed and Own,
// a graph holding it (and its gradient) passes CheckGraph, and its
// gradient is right.
func TestRegister(t *testing.T) {
	const kind = "myplugin.double"
	if !slices.Contains(ops.Allowed(), kind) {
		t.Fatalf("%s not in Allowed: %v", kind, ops.Allowed())
	}
	if !slices.IsSorted(ops.Allowed()) {
		t.Error("Allowed is not sorted")
	}
	op, ok := ops.Own(kind)
	if !ok || ops.KindOf(op) != kind {
		t.Fatalf("Own(%s) = %v, %t", kind, op, ok)
	}
	if _, ok := op.(ops.Lowerer); !ok {
		t.Errorf("Own(%s) does not implement Lowerer", kind)
	}
	if _, ok := ops.Own("gorgonia.sumOp"); ok {
		t.Error("Own answers for a gorgonia built-in")
	}

	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("x"), G.WithValue(opstest.Tensor(randn(7), 2, 3)))
	y, err := Double(x)
	if err != nil {
		t.Fatal(err)
	}
	if k := ops.KindOf(y.Op()); k != kind {
		t.Errorf("KindOf = %s, want %s", k, kind)
	}
	if _, err := G.Grad(G.Must(G.Sum(G.Must(G.Square(y)))), x); err != nil {
		t.Fatal(err)
	}
	if err := ops.CheckGraph(g); err != nil {
		t.Error(err)
	}

	opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
		x := G.NewTensor(g, tensor.Float32, 3, G.WithShape(2, 3, 2), G.WithName("x"), G.WithValue(opstest.Tensor(randn(8), 2, 3, 2)))
		return weighted(g, G.Must(Double(x)), 9), []*G.Node{x}
	}, opstest.Float32)
}

// TestCheckGraphRejectsUnregistered: a Kinded op nobody registered is not
// allowed.
func TestCheckGraphRejectsUnregistered(t *testing.T) {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("x"))
	if _, err := G.ApplyOp(renamedOp{doubleOp{1}, "myplugin.unregistered"}, x); err != nil {
		t.Fatal(err)
	}
	err := ops.CheckGraph(g)
	if err == nil || !strings.Contains(err.Error(), "myplugin.unregistered") {
		t.Errorf("CheckGraph = %v, want an error naming myplugin.unregistered", err)
	}
}

// TestRegisterPanics: registering a kind twice (a plugin's, an own one or a
// gorgonia built-in's name), an op without a kind, or an empty kind
// panics, and leaves Allowed as it was.
func TestRegisterPanics(t *testing.T) {
	g := G.NewGraph()
	a := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("a"))
	sum := G.Must(G.Add(a, a))
	before := ops.Allowed()
	for _, c := range []struct {
		name string
		op   G.Op
		want string
	}{
		{"a plugin's kind again", doubleOp{}, "myplugin.double registered twice"},
		{"an own kind", renamedOp{kind: "sslrun.relu"}, "sslrun.relu registered twice"},
		{"a built-in's name", renamedOp{kind: "gorgonia.sumOp"}, "gorgonia.sumOp is a gorgonia built-in's"},
		{"a gorgonia op", sum.Op(), "does not implement ops.Kinded"},
		{"an empty kind", renamedOp{}, "empty kind"},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(fmt.Sprint(r), c.want) {
					t.Errorf("panic %v, want one saying %q", r, c.want)
				}
			}()
			ops.Register(c.op)
		})
	}
	if after := ops.Allowed(); !slices.Equal(after, before) {
		t.Errorf("Allowed changed: %v, was %v", after, before)
	}
}

// TestUnsafeBuiltinsLeftOut: gorgonia's Concat and Slice are not allowed
// (sliceOp's hash merges the row blocks S(0, 256) and S(256, 512)); Rows and
// ConcatRows are.
func TestUnsafeBuiltinsLeftOut(t *testing.T) {
	allowed := ops.Allowed()
	for _, k := range []string{"gorgonia.concatOp", "gorgonia.sliceOp", "gorgonia.sliceIncrOp"} {
		if slices.Contains(allowed, k) {
			t.Errorf("%s is allowed", k)
		}
	}
	for _, k := range []string{"sslrun.rows", "sslrun.rows_grad", "sslrun.concat_rows"} {
		if !slices.Contains(allowed, k) {
			t.Errorf("%s is not allowed", k)
		}
	}
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 3), G.WithName("x"))
	if _, err := G.Concat(0, G.Must(G.Slice(x, G.S(0, 2))), x); err != nil {
		t.Fatal(err)
	}
	err := ops.CheckGraph(g)
	if err == nil || !strings.Contains(err.Error(), "gorgonia.sliceOp") || !strings.Contains(err.Error(), "gorgonia.concatOp") {
		t.Errorf("CheckGraph = %v, want an error naming gorgonia.sliceOp and gorgonia.concatOp", err)
	}
}
