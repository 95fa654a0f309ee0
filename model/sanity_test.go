package model_test

import (
	"context"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	_ "github.com/sslrun/sslrun/components/all"
	"github.com/sslrun/sslrun/components/backbone"
	"github.com/sslrun/sslrun/components/dataset"
	"github.com/sslrun/sslrun/components/evaluate"
	"github.com/sslrun/sslrun/components/head"
	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/components/optimizer"
	"github.com/sslrun/sslrun/model"
	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/pipeline"
	"github.com/sslrun/sslrun/registry"
	"github.com/sslrun/sslrun/spec"
)

const sanitySpec = `
experiment "sanity" { seed = 1 }
dataset "mnist" "train" {}
dataset "mnist" "test" { split = "test" }
view "global" {
  count = 2
  augment "random_resized_crop" {
    size  = 28
    scale = [0.4, 1.0]
  }
  augment "normalize" {
    mean = [0.1307]
    std  = [0.3081]
  }
}
train {
  batch_size = 64
}
`

func build[T any](t testing.TB, id string, params map[string]any) T {
	t.Helper()
	x, err := registry.Build[T](id, params)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// features runs the eval graph over the first n samples of d, the images as
// they are, normalised like the training views.
func features(t *testing.T, m *model.Model, d dataset.Dataset, n, batch int) evaluate.Features {
	t.Helper()
	img, err := d.Image(0)
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Features(model.Shape{batch, img.C, img.H, img.W})
	if err != nil {
		t.Fatal(err)
	}
	// Inputs are fed by copying into the tensor bound before the machine is
	// built.
	x := make([]float32, batch*len(img.Pix))
	if err := G.Let(g.Inputs[0], tensorOf(x, batch, img.C, img.H, img.W)); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g.G)
	defer vm.Close()
	var out evaluate.Features
	for lo := 0; lo < n; lo += batch {
		k := min(batch, n-lo)
		for j := 0; j < batch; j++ {
			im, err := d.Image(lo + min(j, k-1))
			if err != nil {
				t.Fatal(err)
			}
			for p, v := range im.Pix {
				x[j*len(im.Pix)+p] = (v - 0.1307) / 0.3081
			}
		}
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		f := g.Output.Value().Data().([]float32)
		out.Dim = len(f) / batch
		out.Data = append(out.Data, f[:k*out.Dim]...)
		for j := 0; j < k; j++ {
			out.Labels = append(out.Labels, d.Label(lo+j))
		}
	}
	return out
}

// TestTrainingSanity trains a small convnet with nt_xent on MNIST (the copy
// embedded through the GoMNIST module) for a few hundred steps: the loss
// must go down and the kNN accuracy of its features must beat the same
// network at initialisation.
func TestTrainingSanity(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few hundred steps")
	}
	ctx := context.Background()
	exp, err := spec.Load("sanity.hcl", []byte(sanitySpec), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	train, err := pipeline.OpenDataset(ctx, exp, "train")
	if err != nil {
		t.Fatal(err)
	}
	test, err := pipeline.OpenDataset(ctx, exp, "test")
	if err != nil {
		t.Fatal(err)
	}
	views, err := pipeline.BuildViews(exp)
	if err != nil {
		t.Fatal(err)
	}
	m := &model.Model{
		Params:    nn.NewParams(uint64(exp.Seed)),
		Backbone:  build[backbone.Backbone](t, "backbone.convnet", map[string]any{"channels": []float64{16, 32, 64}}),
		Heads:     []model.NamedHead{{Name: "proj", Head: build[head.Head](t, "head.projection_mlp", map[string]any{"hidden_dim": 128, "output_dim": 64})}},
		Objective: build[objective.Objective](t, "objective.nt_xent", map[string]any{"temperature": 0.2}),
	}
	bs := exp.Train.BatchSize
	shape := model.Shape{bs, 1, 28, 28}
	g, err := m.Train([]model.Shape{shape, shape})
	if err != nil {
		t.Fatal(err)
	}
	const nTrain, nTest, classes, k = 2000, 1000, 10, 20
	knn := func() float64 {
		top1, _, err := evaluate.KNN(features(t, m, train, nTrain, 200), features(t, m, test, nTest, 200), classes, k, 0.1)
		if err != nil {
			t.Fatal(err)
		}
		return top1
	}
	before := knn()

	inputs := make([][]float32, len(g.Inputs))
	for v, in := range g.Inputs {
		inputs[v] = make([]float32, shape[0]*shape[1]*shape[2]*shape[3])
		if err := G.Let(in, tensorOf(inputs[v], shape[:]...)); err != nil {
			t.Fatal(err)
		}
	}
	vm := G.NewTapeMachine(g.G)
	defer vm.Close()
	const lr = 0.1
	opt, err := registry.Build[optimizer.Optimizer]("optimizer.sgd", map[string]any{"lr": lr, "momentum": 0.9, "weight_decay": 5e-4, "scale_lr": false})
	if err != nil {
		t.Fatal(err)
	}
	loader := &pipeline.Loader{Data: train, Views: views, Seed: uint64(exp.Seed), BatchSize: bs, DropLast: true, Prefetch: 2}
	const steps, window = 200, 25
	var losses []float64
	for batch, err := range loader.Epoch(ctx, 0, 0) {
		if err != nil {
			t.Fatal(err)
		}
		for v := range g.Inputs {
			copy(inputs[v], batch.Views[v].Data)
		}
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		grads := make([][]float32, len(g.Grads))
		for i, gn := range g.Grads {
			grads[i] = gn.Value().Data().([]float32)
		}
		if err := opt.Step(g.Params, grads, lr); err != nil {
			t.Fatal(err)
		}
		losses = append(losses, float64(g.Output.Value().Data().(float32)))
		if len(losses) == steps {
			break
		}
	}
	mean := func(xs []float64) float64 {
		s := 0.0
		for _, x := range xs {
			s += x
		}
		return s / float64(len(xs))
	}
	first, last := mean(losses[:window]), mean(losses[len(losses)-window:])
	after := knn()
	t.Logf("%d steps: loss %.4f -> %.4f (means of %d steps); kNN top-1 (k %d, %d train / %d test images) %.3f at initialisation, %.3f after",
		steps, first, last, window, k, nTrain, nTest, before, after)
	if last >= first*0.9 {
		t.Errorf("loss did not go down: %.4f -> %.4f", first, last)
	}
	if after <= before {
		t.Errorf("kNN accuracy did not improve: %.3f -> %.3f", before, after)
	}
}

func tensorOf(data []float32, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}
