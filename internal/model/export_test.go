package model_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/components/backbone"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/safetensors"
	"github.com/sslrun/sslrun/nn"
)

var exportFile = flag.String("export-file", "", "TestExportTorchvision writes its resnet18 file here and stops (for testdata/make_export_golden.py)")

// exportHashed is testdata/make_export_golden.py's (and the backbone
// goldens') exact pseudo-random u in [-0.5, 0.5).
func exportHashed(i, k int) float64 {
	return float64((uint64(i)*2654435761+uint64(k)*40503)%(1<<32))/(1<<32) - 0.5
}

// fillHashed sets every parameter and batch-norm statistic of g from
// exportHashed, tensor k with k its position in g.Params, then in
// g.BatchNorms after 500: convolutions u * sqrt(12 / fan_in), batch-norm
// scales 1 + u/4 and shifts u/16, running means u/16, running variances
// 1/4 + u/8 (about the variance of the activations, so that the features
// still depend on the input: they vary from image to image by a tenth of
// their largest value), and num_batches_tracked k + 1. Each value takes one
// rounding (the products by powers of two are exact), so the bytes are the
// same on every architecture, fused multiply-adds or not.
func fillHashed(t *testing.T, g *model.Graph, ps *nn.Params) {
	t.Helper()
	for k, p := range g.Params {
		s, d := p.Value.Shape(), p.Data()
		for i := range d {
			u := exportHashed(i, k)
			switch {
			case len(s) == 4:
				d[i] = float32(u * math.Sqrt(12/float64(s[1]*s[2]*s[3])))
			case strings.HasSuffix(p.Name, ".weight"):
				d[i] = float32(1 + u/4)
			default:
				d[i] = float32(u / 16)
			}
		}
	}
	for k, name := range g.BatchNorms {
		st := ps.BN(name, 0)
		for i := range st.Mean {
			st.Mean[i] = float32(exportHashed(i, 500+k) / 16)
			st.Var[i] = float32(0.25 + exportHashed(i, 500+k)/8)
		}
		st.Tracked = int64(k + 1)
	}
}

// goldenInput is make_golden.py's input: 2u with k = 1000.
func goldenInput(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(2 * exportHashed(i, 1000))
	}
	return x
}

// runFeatures runs evaluation graph g on x and returns a copy of the
// features.
func runFeatures(t *testing.T, g *model.Graph, x []float32) []float32 {
	t.Helper()
	if err := G.Let(g.Inputs[0], tensor.New(tensor.WithShape(g.Inputs[0].Shape()...), tensor.WithBacking(x))); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g.G)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return slices.Clone(g.Output.Value().Data().([]float32))
}

// resnet18Features builds resnet18 with the CIFAR stem over params from
// seed and its evaluation graph for (n, 3, 32, 32) images.
func resnet18Features(t *testing.T, seed uint64, n int) (*model.Model, *model.Graph) {
	t.Helper()
	m := &model.Model{
		Params:   nn.NewParams(seed),
		Backbone: build[backbone.Backbone](t, "backbone.resnet18", map[string]any{"stem": "cifar"}),
	}
	g, err := m.Features(model.Shape{n, 3, 32, 32})
	if err != nil {
		t.Fatal(err)
	}
	return m, g
}

func export(t *testing.T, g *model.Graph, ps *nn.Params, metadata map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := model.ExportBackbone(&b, g, ps, metadata); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestExportRoundTrip: a resnet18 exported and loaded into another model
// (other initial values) gives the same parameters, statistics, features
// and file.
func TestExportRoundTrip(t *testing.T) {
	m1, g1 := resnet18Features(t, 1, 2)
	fillHashed(t, g1, m1.Params)
	data := export(t, g1, m1.Params, map[string]string{"run": "test"})

	f, err := safetensors.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"format": "pt", "run": "test"}, f.Metadata); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	if want := len(g1.Params) + 3*len(g1.BatchNorms); len(f.Tensors) != want || len(g1.BatchNorms) != 20 {
		t.Errorf("%d tensors for %d parameters and %d batch norms", len(f.Tensors), len(g1.Params), len(g1.BatchNorms))
	}
	n, ok := f.Get("layer2.0.downsample.1.num_batches_tracked")
	if v, err := n.Int64s(); !ok || err != nil || len(n.Shape) != 0 || v[0] != m1.Params.BN("layer2.0.downsample.1", 0).Tracked {
		t.Errorf("layer2.0.downsample.1.num_batches_tracked: %+v, %v", n, err)
	}

	m2, g2 := resnet18Features(t, 2, 2)
	if err := model.LoadBackbone(data, g2, m2.Params); err != nil {
		t.Fatal(err)
	}
	for i, p := range g1.Params {
		if q := g2.Params[i]; q.Name != p.Name || !slices.Equal(q.Data(), p.Data()) {
			t.Errorf("parameter %s differs after loading", p.Name)
		}
	}
	for _, name := range g1.BatchNorms {
		a, b := m1.Params.BN(name, 0), m2.Params.BN(name, 0)
		if !slices.Equal(a.Mean, b.Mean) || !slices.Equal(a.Var, b.Var) || a.Tracked != b.Tracked {
			t.Errorf("batch norm %s differs after loading", name)
		}
	}
	x := goldenInput(2 * 3 * 32 * 32)
	if a, b := runFeatures(t, g1, x), runFeatures(t, g2, x); !slices.Equal(a, b) {
		t.Errorf("features differ after loading")
	}
	if again := export(t, g2, m2.Params, map[string]string{"run": "test"}); !bytes.Equal(again, data) {
		t.Errorf("exporting the loaded model gives other bytes")
	}
}

// TestExportLoadErrors: a file that does not match the backbone is refused
// with the reason, and leaves the model as it was.
func TestExportLoadErrors(t *testing.T) {
	m := &model.Model{
		Params:   nn.NewParams(3),
		Backbone: build[backbone.Backbone](t, "backbone.convnet", map[string]any{"channels": []float64{4, 8}}),
	}
	g, err := m.Features(model.Shape{2, 3, 8, 8})
	if err != nil {
		t.Fatal(err)
	}
	fillHashed(t, g, m.Params)
	good := export(t, g, m.Params, nil)
	var b bytes.Buffer
	if err := model.ExportBackbone(&b, g, m.Params, map[string]string{"format": "tf"}); err == nil || b.Len() != 0 {
		t.Errorf("exported with format tf: %v", err)
	}

	// edit returns good with the tensors changed by f.
	edit := func(f func([]safetensors.Tensor) []safetensors.Tensor) []byte {
		file, err := safetensors.Read(good)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := safetensors.Write(&out, f(slices.Clone(file.Tensors)), file.Metadata); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	replace := func(x safetensors.Tensor) func([]safetensors.Tensor) []safetensors.Tensor {
		return func(ts []safetensors.Tensor) []safetensors.Tensor {
			for i := range ts {
				if ts[i].Name == x.Name {
					ts[i] = x
				}
			}
			return ts
		}
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not safetensors", []byte("PK\x03\x04"), "safetensors: invalid file"},
		{"missing", edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			return slices.DeleteFunc(ts, func(t safetensors.Tensor) bool { return t.Name == "bn1.running_var" })
		}), "the file has no bn1.running_var"},
		{"extra", edit(func(ts []safetensors.Tensor) []safetensors.Tensor {
			return append(ts, safetensors.F32("fc.weight", []int{1}, []float32{0}))
		}), "the file holds fc.weight, which the backbone does not have"},
		{"shape", edit(replace(safetensors.F32("conv0.weight", []int{4, 3, 9}, make([]float32, 108)))), "conv0.weight is F32 [4 3 9] in the file, want F32 [4 3 3 3]"},
		{"counter dtype", edit(replace(safetensors.F32("bn0.num_batches_tracked", []int{}, []float32{1}))), "bn0.num_batches_tracked is F32 [] in the file, want I64 []"},
		{"counter shape", edit(replace(safetensors.I64("bn0.num_batches_tracked", []int{1}, []int64{1}))), "bn0.num_batches_tracked is I64 [1] in the file, want I64 []"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m2 := &model.Model{Params: nn.NewParams(4), Backbone: m.Backbone}
			g2, err := m2.Features(model.Shape{2, 3, 8, 8})
			if err != nil {
				t.Fatal(err)
			}
			before := export(t, g2, m2.Params, nil)
			err = model.LoadBackbone(tt.data, g2, m2.Params)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
			if after := export(t, g2, m2.Params, nil); !bytes.Equal(after, before) {
				t.Errorf("a refused file changed the model")
			}
		})
	}
}

type exportGolden struct {
	Torch             string
	Torchvision       string
	SHA256            string `json:"sha256"`
	Names             []string
	NumBatchesTracked map[string]int64 `json:"num_batches_tracked"`
	Metadata          map[string]string
	Shape             []int
	Features          []float64
}

// TestExportTorchvision is the proof that torchvision reads the export:
// testdata/make_export_golden.py loaded this very file (same SHA-256) into
// torchvision's resnet18 with the CIFAR stem and fc = Identity, with
// load_state_dict(strict=True), and recorded its eval-mode features of
// make_golden.py's input, which must match sslrun's. With -export-file the
// test only writes the file there, for the script.
func TestExportTorchvision(t *testing.T) {
	const n = 4
	m, g := resnet18Features(t, 0, n)
	fillHashed(t, g, m.Params)
	data := export(t, g, m.Params, nil)
	if *exportFile != "" {
		if err := os.WriteFile(*exportFile, data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", *exportFile, len(data))
		return
	}

	raw, err := os.ReadFile(filepath.Join("testdata", "export_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want exportGolden
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	tracked := map[string]int64{}
	for _, x := range f.Tensors {
		names = append(names, x.Name)
		if name, ok := strings.CutSuffix(x.Name, ".num_batches_tracked"); ok {
			tracked[name] = m.Params.BN(name, 0).Tracked
		}
	}
	sort.Strings(names)
	if diff := cmp.Diff(want.Names, names); diff != "" {
		t.Errorf("tensor names differ from torchvision's state_dict (-torchvision +sslrun):\n%s", diff)
	}
	if diff := cmp.Diff(want.NumBatchesTracked, tracked); diff != "" {
		t.Errorf("num_batches_tracked as torch loaded them (-torch +sslrun):\n%s", diff)
	}
	if diff := cmp.Diff(want.Metadata, f.Metadata); diff != "" {
		t.Errorf("metadata (-torch +sslrun):\n%s", diff)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != want.SHA256 {
		t.Fatalf("the export has SHA-256 %s, the file torchvision loaded %s: rerun testdata/make_export_golden.py if the change is meant", got, want.SHA256)
	}

	got := runFeatures(t, g, goldenInput(n*3*32*32))
	if !slices.Equal(want.Shape, []int{n, 512}) || len(got) != len(want.Features) {
		t.Fatalf("features: sslrun %d values, torchvision %v", len(got), want.Shape)
	}
	var worst, scale float64
	for i, w := range want.Features {
		worst = max(worst, math.Abs(float64(got[i])-w))
		scale = max(scale, math.Abs(w))
	}
	t.Logf("eval features against torchvision %s: max |error| %.3g, largest |value| %.3g (relative %.3g)", want.Torchvision, worst, scale, worst/scale)
	// As the backbone goldens: 1e-4 of the largest value.
	if worst > 1e-4*scale {
		t.Errorf("features differ from torchvision's by up to %.3g, more than 1e-4 of the largest |value| %.3g", worst, scale)
	}
}
