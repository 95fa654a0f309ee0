package xlatest_test

import (
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/internal/xla"
	"github.com/sslrun/sslrun/internal/xla/xlatest"
)

// TestSession runs a small lowered program: results as the evaluator
// computes them, copies kept of what is set (the caller may reuse its
// slices), and errors for what the program does not take.
func TestSession(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("x"))
	y := G.Must(G.Mul(x, G.NewConstant(float32(2))))
	p, err := xla.Lower(g, G.Nodes{x}, G.Nodes{y}, "double")
	if err != nil {
		t.Fatal(err)
	}
	var rt xla.Runtime = &xlatest.Runtime{}
	s, err := rt.Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Run(0); err == nil || !strings.Contains(err.Error(), "not set") {
		t.Errorf("run before its argument is set: %v", err)
	}
	in := []float32{1, 2, 3, 4, 5, 6}
	if err := s.Set(0, xla.Array{Shape: []int{2, 3}, Data: in}); err != nil {
		t.Fatal(err)
	}
	in[0] = 100 // the session holds its own copy
	out, err := s.Run(0)
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].Data.([]float32); got[0] != 2 || got[5] != 12 {
		t.Errorf("2x = %v", got)
	}
	bad := []struct {
		name string
		err  func() error
	}{
		{"argument out of range", func() error { return s.Set(1, xla.Array{Shape: []int{2, 3}, Data: in}) }},
		{"wrong shape", func() error { return s.Set(0, xla.Array{Shape: []int{3, 2}, Data: in}) }},
		{"wrong type", func() error { return s.Set(0, xla.Array{Shape: []int{2, 3}, Data: make([]float64, 6)}) }},
		{"result out of range", func() error { _, err := s.Run(1); return err }},
		{"get out of range", func() error { _, err := s.Get(3); return err }},
	}
	for _, b := range bad {
		if err := b.err(); err == nil {
			t.Errorf("%s: no error", b.name)
		}
	}
	got, err := s.Get(0)
	if err != nil || got.Data.([]float32)[0] != 1 {
		t.Errorf("argument 0 is %v (%v), want what was set", got.Data, err)
	}
}
