package backbone

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/registry"
)

type resnetGolden struct {
	Names         []string
	TrainFeatures []float64 `json:"train_features"`
	Loss          float64
	Conv1Grad     []float64 `json:"conv1_grad"`
	Conv1Grad64   []float64 `json:"conv1_grad_float64"`
	EvalFeatures  []float64 `json:"eval_features"`
}

func newBackbone(t *testing.T, id string, params map[string]any) Backbone {
	t.Helper()
	b, err := registry.Build[Backbone](id, params)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fillWith(n int, f func(i int) float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(f(i))
	}
	return out
}

// fillLikeGolden sets every parameter and statistic by the formula of
// testdata/make_golden.py.
func fillLikeGolden(t *testing.T, ps *nn.Params, want []string) {
	t.Helper()
	byName := map[string][]float32{}
	shapes := map[string]tensor.Shape{}
	for _, p := range ps.List() {
		byName[p.Name] = p.Data()
		shapes[p.Name] = p.Value.Shape()
	}
	for _, name := range ps.BNNames() {
		s := ps.BN(name, 0)
		byName[name+".running_mean"], byName[name+".running_var"] = s.Mean, s.Var
	}
	var names []string
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("parameter names differ from torchvision's (-torchvision +sslrun):\n%s", diff)
	}
	for k, name := range names {
		d := byName[name]
		for i := range d {
			s := hashed(i, k)
			var v float64
			switch sh := shapes[name]; {
			case filepath.Ext(name) == ".running_mean":
				v = 0
			case filepath.Ext(name) == ".running_var":
				v = 1
			case len(sh) == 4:
				v = s * math.Sqrt(12/float64(sh[1]*sh[2]*sh[3]))
			case len(sh) == 1 && filepath.Ext(name) == ".weight":
				v = 1 + 0.2*s
			default:
				v = 0.2 * s
			}
			d[i] = float32(v)
		}
	}
}

// hashed is make_golden.py's exact pseudo-random u in [-0.5, 0.5).
func hashed(i, k int) float64 {
	return float64((uint64(i)*2654435761+uint64(k)*40503)%(1<<32))/(1<<32) - 0.5
}

func closeTo(t *testing.T, what string, got []float32, want []float64, rel float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	scale := 0.0
	for _, w := range want {
		scale = max(scale, math.Abs(w))
	}
	for i := range got {
		if math.Abs(float64(got[i])-want[i]) > rel*scale {
			t.Fatalf("%s[%d] = %.7g, PyTorch %.7g (tolerance %.2g of the largest |value| %.4g)", what, i, got[i], want[i], rel, scale)
		}
	}
}

// TestResNet18CIFARGolden runs torchvision's resnet18 (CIFAR stem) on the
// same weights and input as testdata/make_golden.py: train-mode features,
// the gradient of a loss with respect to conv1's weights, and eval-mode
// features after the running statistics took one update.
func TestResNet18CIFARGolden(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "resnet18_cifar_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want resnetGolden
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	bb := newBackbone(t, "backbone.resnet18", map[string]any{"stem": "cifar"})
	if bb.FeatureDim() != 512 {
		t.Errorf("feature dim %d, want 512", bb.FeatureDim())
	}
	ps := nn.NewParams(0)
	xv := tensor.New(tensor.WithShape(4, 3, 32, 32), tensor.WithBacking(fillWith(4*3*32*32, func(i int) float64 { return 2 * hashed(i, 1000) })))
	rv := tensor.New(tensor.WithShape(4, 512), tensor.WithBacking(fillWith(4*512, func(i int) float64 { return hashed(i, 2000) })))
	// build returns a graph computing the features of xv, and with loss set
	// sum(features ⊙ r). (A node's value is only defined after a run if
	// nothing downstream may reuse its buffer: read features from a graph
	// that ends with them.)
	build := func(training, withLoss bool) (*G.ExprGraph, *nn.Builder, *G.Node, *G.Node) {
		g := G.NewGraph()
		b := nn.NewBuilder(g, ps, training)
		x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(4, 3, 32, 32), G.WithName("x"), G.WithValue(xv))
		feats, err := bb.Features(b, x)
		if err != nil {
			t.Fatal(err)
		}
		if !withLoss {
			return g, b, feats, nil
		}
		loss := G.Must(G.Sum(G.Must(G.HadamardProd(feats, G.NewConstant(rv)))))
		return g, b, feats, loss
	}
	run := func(g *G.ExprGraph) {
		vm := G.NewTapeMachine(g)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
	}

	// Train-mode forward (this also moves the running statistics once, as
	// PyTorch's single train-mode pass did), then eval mode.
	g, _, feats, _ := build(true, false)
	fillLikeGolden(t, ps, want.Names)
	run(g)
	closeTo(t, "train features", feats.Value().Data().([]float32), want.TrainFeatures, 1e-4)
	eg, _, efeats, _ := build(false, false)
	run(eg)
	closeTo(t, "eval features", efeats.Value().Data().([]float32), want.EvalFeatures, 1e-4)

	// Gradient of the loss with respect to the first convolution.
	gg, gb, _, gloss := build(true, true)
	params, nodes := gb.Learnables()
	if params[0].Name != "conv1.weight" {
		t.Fatalf("first parameter is %s", params[0].Name)
	}
	grads, err := G.Grad(gloss, nodes[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := ops.CheckGraph(gg); err != nil {
		t.Error(err)
	}
	run(gg)
	if got := float64(gloss.Value().Data().(float32)); math.Abs(got-want.Loss) > 1e-4*math.Abs(want.Loss) {
		t.Errorf("loss %.7g, PyTorch %.7g", got, want.Loss)
	}
	// The float64 gradient is the reference. sslrun's float32 error is about
	// twice PyTorch's float32 error (its convolutions sum up to 4608
	// products in plain sequence; PyTorch's kernels block the sums), so the
	// test allows three times PyTorch's.
	got := grads[0].Value().Data().([]float32)
	var sslrunErr, torchErr, scale float64
	for i, ref := range want.Conv1Grad64 {
		sslrunErr = max(sslrunErr, math.Abs(float64(got[i])-ref))
		torchErr = max(torchErr, math.Abs(want.Conv1Grad[i]-ref))
		scale = max(scale, math.Abs(ref))
	}
	t.Logf("d loss / d conv1.weight, max error vs float64: sslrun %.3g, PyTorch float32 %.3g (largest value %.3g)", sslrunErr, torchErr, scale)
	if sslrunErr > 3*torchErr+1e-5*scale {
		t.Errorf("conv1 gradient error %.3g, more than three times PyTorch float32's %.3g", sslrunErr, torchErr)
	}
}

// TestParamNamesAndCounts checks the torchvision layout of every depth and
// stem by parameter counts (torchvision without fc: 11,176,512 for
// resnet18, 21,284,672 for resnet34 and 23,508,032 for resnet50; resnet10,
// one block per stage, is torchvision's ResNet(BasicBlock, [1, 1, 1, 1]):
// 4,905,792).
func TestParamNamesAndCounts(t *testing.T) {
	tests := []struct {
		id    string
		stem  string
		size  int
		count int
		dim   int
	}{
		{"backbone.resnet18", "imagenet", 64, 11176512, 512},
		{"backbone.resnet34", "imagenet", 64, 21284672, 512},
		{"backbone.resnet50", "imagenet", 64, 23508032, 2048},
		{"backbone.resnet18", "cifar", 32, 11176512 - 64*3*49 + 64*3*9, 512},
		{"backbone.resnet10", "imagenet", 64, 4905792, 512},
	}
	for _, tt := range tests {
		t.Run(tt.id+"/"+tt.stem, func(t *testing.T) {
			bb := newBackbone(t, tt.id, map[string]any{"stem": tt.stem})
			ps := nn.NewParams(0)
			g := G.NewGraph()
			x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 3, tt.size, tt.size), G.WithName("x"))
			y, err := bb.Features(nn.NewBuilder(g, ps, true), x)
			if err != nil {
				t.Fatal(err)
			}
			if ps.Count() != tt.count {
				t.Errorf("%d parameters, torchvision has %d", ps.Count(), tt.count)
			}
			if !y.Shape().Eq(tensor.Shape{2, tt.dim}) || bb.FeatureDim() != tt.dim {
				t.Errorf("features %v, FeatureDim %d, want (2, %d)", y.Shape(), bb.FeatureDim(), tt.dim)
			}
		})
	}
}

// TestResNet18ImageNetStemGolden checks the 7x7 stride-2 stem and the
// max-pool against torchvision on a 64x64 input (train-mode features).
func TestResNet18ImageNetStemGolden(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "resnet18_imagenet_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want resnetGolden
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	bb := newBackbone(t, "backbone.resnet18", map[string]any{"stem": "imagenet"})
	ps := nn.NewParams(0)
	g := G.NewGraph()
	xv := tensor.New(tensor.WithShape(2, 3, 64, 64), tensor.WithBacking(fillWith(2*3*64*64, func(i int) float64 { return 2 * hashed(i, 1000) })))
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 3, 64, 64), G.WithName("x"), G.WithValue(xv))
	feats, err := bb.Features(nn.NewBuilder(g, ps, true), x)
	if err != nil {
		t.Fatal(err)
	}
	if err := ops.CheckGraph(g); err != nil {
		t.Error(err)
	}
	fillLikeGolden(t, ps, want.Names)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	closeTo(t, "train features", feats.Value().Data().([]float32), want.TrainFeatures, 1e-4)
}
