package ops_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/ops/opstest"
)

// convCase is one convolution geometry: x (N, C, H, W), w (O, C, KH, KW).
type convCase struct {
	n, c, h, w, o, kh, kw, stride, pad int
}

func (cc convCase) String() string {
	return fmt.Sprintf("x%v_w%v_s%d_p%d", cc.xShape(), cc.wShape(), cc.stride, cc.pad)
}
func (cc convCase) xShape() []int { return []int{cc.n, cc.c, cc.h, cc.w} }
func (cc convCase) wShape() []int { return []int{cc.o, cc.c, cc.kh, cc.kw} }
func (cc convCase) yShape() []int {
	return []int{cc.n, cc.o, (cc.h+2*cc.pad-cc.kh)/cc.stride + 1, (cc.w+2*cc.pad-cc.kw)/cc.stride + 1}
}

// flops is 2·N·O·OH·OW·C·KH·KW, the forward's multiply-adds counted twice.
func (cc convCase) flops() float64 {
	y := cc.yShape()
	return 2 * float64(cc.n*cc.o*y[2]*y[3]*cc.c*cc.kh*cc.kw)
}

func TestConv2DGrad(t *testing.T) {
	for _, cc := range []convCase{
		{n: 2, c: 2, h: 5, w: 5, o: 3, kh: 3, kw: 3, stride: 1, pad: 1},
		{n: 2, c: 3, h: 5, w: 6, o: 2, kh: 3, kw: 3, stride: 1, pad: 0},
		{n: 2, c: 3, h: 6, w: 6, o: 2, kh: 3, kw: 3, stride: 2, pad: 1},
		{n: 2, c: 2, h: 3, w: 3, o: 12, kh: 3, kw: 3, stride: 1, pad: 1}, // more filters than positions
		{n: 2, c: 2, h: 4, w: 4, o: 3, kh: 1, kw: 1, stride: 1, pad: 0},
		{n: 2, c: 2, h: 5, w: 5, o: 3, kh: 1, kw: 1, stride: 2, pad: 0},
		{n: 2, c: 2, h: 7, w: 7, o: 2, kh: 7, kw: 7, stride: 2, pad: 3},
		{n: 2, c: 2, h: 6, w: 5, o: 2, kh: 3, kw: 2, stride: 2, pad: 1},
	} {
		t.Run(cc.String(), func(t *testing.T) {
			opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
				x := input(g, "x", 61, cc.xShape()...)
				w := input(g, "w", 62, cc.wShape()...)
				y, err := ops.Conv2D(x, w, cc.stride, cc.pad)
				if err != nil {
					t.Fatal(err)
				}
				return weighted(g, y, 63), []*G.Node{x, w}
			}, opstest.Float32)
		})
	}
}

// convNet is the graph cost = sum(Conv2D(x, w) ⊙ r), differentiated with
// respect to x and w.
type convNet struct {
	x, w, y *G.Node
	grads   G.Nodes // dx, dw
	vm      G.VM
}

func newConvNet(t testing.TB, cc convCase, x, w, r []float32) *convNet {
	t.Helper()
	g := G.NewGraph()
	xn := G.NewTensor(g, tensor.Float32, 4, G.WithShape(cc.xShape()...), G.WithName("x"), G.WithValue(dense(x, cc.xShape()...)))
	wn := G.NewTensor(g, tensor.Float32, 4, G.WithShape(cc.wShape()...), G.WithName("w"), G.WithValue(dense(w, cc.wShape()...)))
	y, err := ops.Conv2D(xn, wn, cc.stride, cc.pad)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal([]int(y.Shape()), cc.yShape()) {
		t.Fatalf("output shape %v, want %v", y.Shape(), cc.yShape())
	}
	r4 := G.NewTensor(g, tensor.Float32, 4, G.WithShape(cc.yShape()...), G.WithName("r"), G.WithValue(dense(r, cc.yShape()...)))
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(y, r4))))
	grads, err := G.Grad(cost, xn, wn)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	t.Cleanup(func() { vm.Close() })
	return &convNet{x: xn, w: wn, y: y, grads: grads, vm: vm}
}

// run runs forward and backward once and returns copies of y, dx and dw.
func (n *convNet) run(t testing.TB) [][]float32 {
	t.Helper()
	n.vm.Reset()
	if err := n.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return [][]float32{values(n.y), values(n.grads[0]), values(n.grads[1])}
}

type convGolden struct {
	Name                   string
	XShape, WShape, YShape []int `json:"-"`
	Stride, Pad            int
	X, W, R, Y, Dx, Dw     []float32
}

func (gc *convGolden) UnmarshalJSON(b []byte) error {
	type plain convGolden
	var v struct {
		plain
		XShape []int `json:"x_shape"`
		WShape []int `json:"w_shape"`
		YShape []int `json:"y_shape"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*gc = convGolden(v.plain)
	gc.XShape, gc.WShape, gc.YShape = v.XShape, v.WShape, v.YShape
	return nil
}

func (gc *convGolden) geometry() convCase {
	x, w := gc.XShape, gc.WShape
	return convCase{n: x[0], c: x[1], h: x[2], w: x[3], o: w[0], kh: w[2], kw: w[3], stride: gc.Stride, pad: gc.Pad}
}

// convTol bounds |got - want| <= convTol * max(1, |want|) against PyTorch.
const convTol = 1e-4

// convErr returns the largest error of got against want in units of
// max(1, |want|), and where it is.
func convErr(got, want []float32) (float64, int) {
	worst, at := 0.0, 0
	for i := range want {
		e := math.Abs(float64(got[i])-float64(want[i])) / math.Max(1, math.Abs(float64(want[i])))
		if e > worst || math.IsNaN(e) {
			worst, at = e, i
		}
	}
	return worst, at
}

// TestConv2DGolden compares the output and both gradients with PyTorch's
// (testdata/make_conv2d_golden.py, exact values rounded to float32).
func TestConv2DGolden(t *testing.T) {
	b, err := os.ReadFile("testdata/conv2d_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Cases []convGolden }
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("no golden cases")
	}
	for _, gc := range f.Cases {
		t.Run(gc.Name, func(t *testing.T) {
			cc := gc.geometry()
			if !slices.Equal(cc.yShape(), gc.YShape) {
				t.Fatalf("output shape %v, PyTorch's %v", cc.yShape(), gc.YShape)
			}
			got := newConvNet(t, cc, gc.X, gc.W, gc.R).run(t)
			worst := 0.0
			for i, want := range [][]float32{gc.Y, gc.Dx, gc.Dw} {
				what := []string{"y", "dx", "dw"}[i]
				if len(got[i]) != len(want) {
					t.Fatalf("%s: %d values, want %d", what, len(got[i]), len(want))
				}
				e, at := convErr(got[i], want)
				if !(e <= convTol) {
					t.Errorf("%s[%d] = %v, want %v (error %.3g)", what, at, got[i][at], want[at], e)
				}
				worst = max(worst, e)
			}
			t.Logf("largest error against PyTorch: %.3g (of max(1, |value|))", worst)
		})
	}
}

// naiveConv is the convolution and both gradients of sum(y ⊙ r), straight
// from the definition, in float64.
func naiveConv(cc convCase, x, w, r []float32) (y, dx, dw []float64) {
	ys := cc.yShape()
	oh, ow := ys[2], ys[3]
	y, dx, dw = make([]float64, len(r)), make([]float64, len(x)), make([]float64, len(w))
	for n := 0; n < cc.n; n++ {
		for o := 0; o < cc.o; o++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					yi := ((n*cc.o+o)*oh+i)*ow + j
					for c := 0; c < cc.c; c++ {
						for ki := 0; ki < cc.kh; ki++ {
							for kj := 0; kj < cc.kw; kj++ {
								ih, iw := i*cc.stride+ki-cc.pad, j*cc.stride+kj-cc.pad
								if ih < 0 || ih >= cc.h || iw < 0 || iw >= cc.w {
									continue
								}
								xi := ((n*cc.c+c)*cc.h+ih)*cc.w + iw
								wi := ((o*cc.c+c)*cc.kh+ki)*cc.kw + kj
								y[yi] += float64(x[xi]) * float64(w[wi])
								dx[xi] += float64(r[yi]) * float64(w[wi])
								dw[wi] += float64(r[yi]) * float64(x[xi])
							}
						}
					}
				}
			}
		}
	}
	return y, dx, dw
}

// TestConv2DNaive compares with naiveConv on random geometries: strides,
// paddings (also wider than the kernel), non-square kernels and images.
func TestConv2DNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	var cases []convCase
	for range 40 {
		cc := convCase{n: 1 + rng.IntN(3), c: 1 + rng.IntN(4), o: 1 + rng.IntN(6),
			kh: 1 + rng.IntN(4), kw: 1 + rng.IntN(4), stride: 1 + rng.IntN(3), pad: rng.IntN(4)}
		cc.h = max(1, cc.kh-2*cc.pad) + rng.IntN(7)
		cc.w = max(1, cc.kw-2*cc.pad) + rng.IntN(7)
		cases = append(cases, cc)
	}
	// Column buffers over the budget: chunks of 3 samples, then 2; and one
	// sample per chunk.
	cases = append(cases,
		convCase{n: 5, c: 64, h: 32, w: 32, o: 7, kh: 3, kw: 3, stride: 1, pad: 1},
		convCase{n: 3, c: 2, h: 70, w: 70, o: 17, kh: 3, kw: 3, stride: 1, pad: 1})
	for i, cc := range cases {
		t.Run(cc.String(), func(t *testing.T) {
			x := opstest.Tensor(randn(uint64(100+i)), cc.xShape()...).Data().([]float32)
			w := opstest.Tensor(randn(uint64(200+i)), cc.wShape()...).Data().([]float32)
			r := opstest.Tensor(randn(uint64(300+i)), cc.yShape()...).Data().([]float32)
			got := newConvNet(t, cc, x, w, r).run(t)
			y, dx, dw := naiveConv(cc, x, w, r)
			for j, want := range [][]float64{y, dx, dw} {
				w32 := make([]float32, len(want))
				for k, v := range want {
					w32[k] = float32(v)
				}
				if e, at := convErr(got[j], w32); !(e <= convTol) {
					t.Errorf("%s[%d] = %v, want %v", []string{"y", "dx", "dw"}[j], at, got[j][at], w32[at])
				}
			}
		})
	}
}

func TestConv2DKinds(t *testing.T) {
	g := G.NewGraph()
	cc := convCase{n: 2, c: 3, h: 6, w: 6, o: 4, kh: 3, kw: 3, stride: 2, pad: 1}
	x, w := input(g, "x", 81, cc.xShape()...), input(g, "w", 82, cc.wShape()...)
	y, err := ops.Conv2D(x, w, cc.stride, cc.pad)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(weighted(g, y, 83), x, w)
	if err != nil {
		t.Fatal(err)
	}
	if err := ops.CheckGraph(g); err != nil {
		t.Errorf("differentiated conv graph: %v", err)
	}
	for _, c := range []struct {
		n    *G.Node
		kind string
	}{{y, "sslrun.conv2d"}, {grads[0], "sslrun.conv2d_grad_input"}, {grads[1], "sslrun.conv2d_grad_weight"}} {
		if k := ops.KindOf(c.n.Op()); k != c.kind {
			t.Errorf("KindOf(%v) = %s, want %s", c.n.Op(), k, c.kind)
		}
		if !slices.Contains(ops.Allowed(), c.kind) {
			t.Errorf("%s not in Allowed", c.kind)
		}
	}
	if !slices.Equal([]int(grads[0].Shape()), cc.xShape()) || !slices.Equal([]int(grads[1].Shape()), cc.wShape()) {
		t.Errorf("gradient shapes %v and %v, want %v and %v", grads[0].Shape(), grads[1].Shape(), cc.xShape(), cc.wShape())
	}
	seen := map[string]int{}
	for _, n := range g.AllNodes() {
		if n.Op() != nil && strings.HasPrefix(ops.KindOf(n.Op()), "sslrun.conv2d") {
			seen[ops.KindOf(n.Op())]++
		}
	}
	for _, k := range []string{"sslrun.conv2d", "sslrun.conv2d_grad_input", "sslrun.conv2d_grad_weight"} {
		if seen[k] != 1 {
			t.Errorf("%d nodes of kind %s, want 1", seen[k], k)
		}
	}
}

// TestConv2DDeterministic: two runs of a graph give bitwise the same output
// and gradients, and so does every GOMAXPROCS, on tensors large enough to
// be spread over workers (the first geometry computes y along its
// positions, the second along its filters).
func TestConv2DDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, cc := range []convCase{
		{n: 8, c: 16, h: 16, w: 16, o: 16, kh: 3, kw: 3, stride: 1, pad: 1},
		{n: 8, c: 32, h: 8, w: 8, o: 64, kh: 3, kw: 3, stride: 2, pad: 1},
		{n: 8, c: 4, h: 16, w: 16, o: 32, kh: 3, kw: 3, stride: 1, pad: 1}, // short dw rows with 3 or more workers
	} {
		t.Run(cc.String(), func(t *testing.T) {
			x := opstest.Tensor(randn(91), cc.xShape()...).Data().([]float32)
			w := opstest.Tensor(randn(92), cc.wShape()...).Data().([]float32)
			r := opstest.Tensor(randn(93), cc.yShape()...).Data().([]float32)
			var ref [][]float32
			for _, procs := range []int{1, 2, 3, 8} {
				runtime.GOMAXPROCS(procs)
				net := newConvNet(t, cc, x, w, r)
				for run := range 2 {
					got := net.run(t)
					if ref == nil {
						ref = got
						continue
					}
					for i := range ref {
						if !slices.Equal(got[i], ref[i]) {
							t.Errorf("GOMAXPROCS=%d, run %d: %s differs from the first run's (GOMAXPROCS=1)", procs, run+1, []string{"y", "dx", "dw"}[i])
						}
					}
				}
			}
		})
	}
}

// TestConv2DBuffers: every op writes into the same buffer run after run
// and allocates (almost) nothing after the first; UsePreallocDo writes into
// a buffer it is given and refuses one of the wrong shape.
func TestConv2DBuffers(t *testing.T) {
	cc := convCase{n: 4, c: 8, h: 12, w: 12, o: 8, kh: 3, kw: 3, stride: 1, pad: 1}
	x := opstest.Tensor(randn(101), cc.xShape()...).Data().([]float32)
	w := opstest.Tensor(randn(102), cc.wShape()...).Data().([]float32)
	r := opstest.Tensor(randn(103), cc.yShape()...).Data().([]float32)
	net := newConvNet(t, cc, x, w, r)
	want := net.run(t)
	dy := dense(r, cc.yShape()...)
	for i, c := range []struct {
		n  *G.Node
		in []G.Value
	}{
		{net.y, []G.Value{net.x.Value(), net.w.Value()}},
		{net.grads[0], []G.Value{net.w.Value(), dy}},
		{net.grads[1], []G.Value{net.x.Value(), dy}},
	} {
		op, ok := c.n.Op().(G.UsePreallocDoer)
		if !ok {
			t.Fatalf("%T is not a UsePreallocDoer", c.n.Op())
		}
		first, err := op.UsePreallocDo(nil, c.in...)
		if err != nil {
			t.Fatal(err)
		}
		per := bytesPerRun(5, func() {
			v, err := op.UsePreallocDo(nil, c.in...)
			if err != nil {
				t.Fatal(err)
			}
			if &v.Data().([]float32)[0] != &first.Data().([]float32)[0] {
				t.Errorf("%v: a later run wrote a new buffer", c.n.Op())
			}
		})
		if per > 4096 {
			t.Errorf("%v: %d bytes allocated per run after the first", c.n.Op(), per)
		}
		if !slices.Equal(first.Data().([]float32), want[i]) {
			t.Errorf("%v: direct call gives other values than the graph", c.n.Op())
		}
		shape := first.Shape()
		if _, err := op.UsePreallocDo(tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(shape[0]+1, shape[1], shape[2], shape[3])), c.in...); err == nil {
			t.Errorf("%v: UsePreallocDo accepted a buffer of the wrong shape", c.n.Op())
		}
		buf := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(shape...))
		got, err := op.UsePreallocDo(buf, c.in...)
		if err != nil || got != buf {
			t.Fatalf("%v: UsePreallocDo = %v, %v; want the given buffer", c.n.Op(), got, err)
		}
		if !slices.Equal(buf.Data().([]float32), want[i]) {
			t.Errorf("%v: UsePreallocDo wrote other values", c.n.Op())
		}
	}
}

// bytesPerRun calls run once, then runs times, and returns the bytes
// allocated per call after the first. gemm takes its packing workspaces
// from a sync.Pool, which may make a new one whenever a worker runs on
// another processor than the one that put one back, and drops them at a
// collection: on one processor with the collector off, what is left is
// run's own. Both settings come back however run ends (t.Fatal included).
func bytesPerRun(runs int, run func()) uint64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	run()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		run()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
}

func TestConv2DErrors(t *testing.T) {
	g := G.NewGraph()
	x := input(g, "x", 1, 2, 3, 5, 5)
	w := input(g, "w", 2, 4, 3, 3, 3)
	for _, tc := range []struct {
		name        string
		x, w        *G.Node
		stride, pad int
		want        string
	}{
		{"3-D x", input(g, "x3", 3, 3, 5, 5), w, 1, 1, "(N, C, H, W)"},
		{"3-D w", x, input(g, "w3", 4, 3, 3, 3), 1, 1, "(O, C, KH, KW)"},
		{"channels", x, input(g, "w2", 5, 4, 2, 3, 3), 1, 1, "3 channels"},
		{"stride 0", x, w, 0, 1, "stride"},
		{"negative pad", x, w, 1, -1, "pad"},
		{"kernel too large", x, input(g, "w7", 6, 4, 3, 7, 7), 1, 0, "larger than the padded input"},
		{"float64", G.NewTensor(g, tensor.Float64, 4, G.WithShape(2, 3, 5, 5), G.WithName("x64")), w, 1, 1, "float32"},
	} {
		_, err := ops.Conv2D(tc.x, tc.w, tc.stride, tc.pad)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
	// A kernel as large as the padded input is fine: one output position.
	y, err := ops.Conv2D(x, input(g, "w7p", 7, 4, 3, 7, 7), 1, 1)
	if err != nil || !slices.Equal([]int(y.Shape()), []int{2, 4, 1, 1}) {
		t.Errorf("7x7 kernel, pad 1, on 5x5: %v, %v; want shape (2, 4, 1, 1)", y, err)
	}
}

// benchConvs are the benchmarked convolutions: a ResNet-18 (CIFAR) layer-1
// convolution over 32 images, and the resnet10 of width 0.25 (SimCLR's CPU
// recipe) over its batch of 64 images in two views: layer 1's, and the
// stride-2 one that opens layer 2 (whose input gradient is col2im's).
var benchConvs = []struct {
	name string
	cc   convCase
}{
	{"resnet18_layer1", convCase{n: 32, c: 64, h: 32, w: 32, o: 64, kh: 3, kw: 3, stride: 1, pad: 1}},
	{"resnet10w0.25_layer1", convCase{n: 128, c: 16, h: 32, w: 32, o: 16, kh: 3, kw: 3, stride: 1, pad: 1}},
	{"resnet10w0.25_down", convCase{n: 128, c: 16, h: 32, w: 32, o: 32, kh: 3, kw: 3, stride: 2, pad: 1}},
}

// convBenchOps returns the three ops of cc, differentiated with respect to
// x and w for a given dy, and their inputs.
func convBenchOps(b *testing.B, cc convCase) (fwd, gi, gw G.UsePreallocDoer, x, w, dy G.Value) {
	g := G.NewGraph()
	xn, wn := input(g, "x", 111, cc.xShape()...), input(g, "w", 112, cc.wShape()...)
	dyn := input(g, "dy", 113, cc.yShape()...)
	y, err := ops.Conv2D(xn, wn, cc.stride, cc.pad)
	if err != nil {
		b.Fatal(err)
	}
	grads, err := G.Backpropagate(G.Nodes{y}, G.Nodes{dyn}, G.Nodes{xn, wn})
	if err != nil {
		b.Fatal(err)
	}
	return y.Op().(G.UsePreallocDoer), grads[0].Op().(G.UsePreallocDoer), grads[1].Op().(G.UsePreallocDoer),
		xn.Value(), wn.Value(), dyn.Value()
}

// BenchmarkConv2DForward runs the forward op alone, after a first run that
// allocates its buffers.
func BenchmarkConv2DForward(b *testing.B) {
	for _, bc := range benchConvs {
		b.Run(bc.name, func(b *testing.B) {
			fwd, _, _, x, w, _ := convBenchOps(b, bc.cc)
			benchConvRuns(b, bc.cc.flops(), func() error {
				_, err := fwd.UsePreallocDo(nil, x, w)
				return err
			})
		})
	}
}

// BenchmarkConv2DBackward runs grad_input and grad_weight (twice the
// forward's flops), after a first run that allocates.
func BenchmarkConv2DBackward(b *testing.B) {
	for _, bc := range benchConvs {
		b.Run(bc.name, func(b *testing.B) {
			_, gi, gw, x, w, dy := convBenchOps(b, bc.cc)
			benchConvRuns(b, 2*bc.cc.flops(), func() error {
				if _, err := gi.UsePreallocDo(nil, w, dy); err != nil {
					return err
				}
				_, err := gw.UsePreallocDo(nil, x, dy)
				return err
			})
		})
	}
}

// benchConvRuns times run, flops a call, after a first call, and reports
// GFLOP/s.
func benchConvRuns(b *testing.B, flops float64, run func() error) {
	if err := run(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
