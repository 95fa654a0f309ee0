package xla

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
)

// opOf is the op of the last node of kind added to g.
func opOf(g *G.ExprGraph, kind string) (G.Op, error) {
	var last *G.Node
	for _, n := range g.AllNodes() {
		if n.Op() != nil && ops.KindOf(n.Op()) == kind && (last == nil || n.ID() > last.ID()) {
			last = n
		}
	}
	if last == nil {
		return nil, fmt.Errorf("no %s in the graph", kind)
	}
	return last.Op(), nil
}

// TestReflectedFields reads every unexported field the built-in lowerings
// read by reflection from ops gorgonia built, and compares it with what the
// op was built with: a gorgonia that renames or retypes a field fails
// here.
func TestReflectedFields(t *testing.T) {
	cases := []struct {
		name  string
		kind  string
		build func(g *G.ExprGraph, x *G.Node) error
		read  func(op G.Op) (any, error)
		want  any
	}{
		{"sumOp.along", "gorgonia.sumOp",
			func(_ *G.ExprGraph, x *G.Node) error { _, err := G.Sum(x, 1, 2); return err },
			func(op G.Op) (any, error) { return intsField(op, "along") }, []int{1, 2}},
		{"sizeOp.axis", "gorgonia.sizeOp",
			func(_ *G.ExprGraph, x *G.Node) error { _, err := G.SizeOf(2, x); return err },
			func(op G.Op) (any, error) { return intField(op, "axis") }, 2},
		{"repeatOp.along", "gorgonia.repeatOp",
			func(g *G.ExprGraph, x *G.Node) error {
				b := leaf(g, "b", 2, 2, 4)
				_, err := G.BroadcastAdd(x, b, nil, []byte{1})
				return err
			},
			func(op G.Op) (any, error) { return intField(op, "along") }, 1},
		{"transposeOp.pattern", "gorgonia.transposeOp",
			func(_ *G.ExprGraph, x *G.Node) error { _, err := G.Transpose(x, 2, 0, 1); return err },
			func(op G.Op) (any, error) { return intsField(op, "pattern") }, []int{2, 0, 1}},
		{"softmaxOp.axis and isLog", "gorgonia.softmaxOp",
			func(_ *G.ExprGraph, x *G.Node) error { _, err := G.LogSoftMax(x, 1); return err },
			func(op G.Op) (any, error) {
				axis, err := intField(op, "axis")
				if err != nil {
					return nil, err
				}
				isLog, err := boolField(op, "isLog")
				return fmt.Sprint(axis, isLog), err
			}, "1 true"},
		{"maxPoolOp's geometry", "gorgonia.maxPoolOp",
			func(g *G.ExprGraph, _ *G.Node) error {
				_, err := G.MaxPool2D(leaf(g, "img", 1, 1, 1, 6, 6), tensor.Shape{3, 2}, []int{1, 0}, []int{2, 1})
				return err
			},
			func(op G.Op) (any, error) { return poolOf(op) }, pool{h: 3, w: 2, strideH: 2, strideW: 1, padH: 1, padW: 0}},
		{"maxPoolOp's explicit padding", "gorgonia.maxPoolOp",
			func(g *G.ExprGraph, _ *G.Node) error {
				_, err := G.MaxPool2D(leaf(g, "img", 1, 1, 1, 6, 6), tensor.Shape{2, 2}, []int{1, 2, 0, 1}, []int{1, 1})
				return err
			},
			func(op G.Op) (any, error) { return poolOf(op) }, pool{h: 2, w: 2, strideH: 1, strideW: 1, padH: 2, padW: 1}},
		{"linAlgBinOp's operator and flags", "gorgonia.linAlgBinOp matmul",
			func(g *G.ExprGraph, _ *G.Node) error {
				_, err := G.BatchedMatMul(leaf(g, "a", 1, 2, 4, 3), leaf(g, "b", 2, 2, 4, 5), true, false)
				return err
			},
			func(op G.Op) (any, error) {
				f, err := field(op, "āBinaryOperator")
				if err != nil {
					return nil, err
				}
				var transA, transB bool
				err = fields(op, nil, map[string]*bool{"transA": &transA, "transB": &transB})
				return fmt.Sprint(f.Uint() == batchedMatMulOperator, transA, transB), err
			}, "true true false"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := G.NewGraph()
			if err := c.build(g, leaf(g, "x", 1, 2, 3, 4)); err != nil {
				t.Fatal(err)
			}
			op, err := opOf(g, c.kind)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.read(op)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("read %v, want %v", got, c.want)
			}
		})
	}
}

// TestFieldErrors: a field that is not there, or not of the type read,
// fails with the op's type and the field's name.
func TestFieldErrors(t *testing.T) {
	g := G.NewGraph()
	if _, err := G.Sum(leaf(g, "x", 1, 2, 3), 1); err != nil {
		t.Fatal(err)
	}
	op, err := opOf(g, "gorgonia.sumOp")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		read func() error
		want string
	}{
		{func() error { _, err := intField(op, "axis"); return err }, "has no field axis"},
		{func() error { _, err := intField(op, "along"); return err }, "along is slice, not an integer"},
		{func() error { _, err := boolField(op, "d"); return err }, "d is int, not a bool"},
		{func() error { _, err := intsField(op, "d"); return err }, "d is int, not []int"},
	} {
		err := c.read()
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "sumOp") {
			t.Errorf("got error %v, want one naming sumOp and saying %q", err, c.want)
		}
	}
	if !slices.Contains(ops.Allowed(), "gorgonia.sumOp") {
		t.Error("gorgonia.sumOp is no longer allowed: pick another op here")
	}
}
