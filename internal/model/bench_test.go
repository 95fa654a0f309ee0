package model_test

import (
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/components/backbone"
	"github.com/sslrun/sslrun/components/head"
	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/components/optimizer"
	"github.com/sslrun/sslrun/internal/engine"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/procstat"
	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/registry"
)

// BenchmarkSimCLRStep is one SimCLR training step as `sslrun bench FILE
// --batch 64` and its PyTorch twin (scripts/bench_torch.py) time it,
// without the data, for the backbones of experiments/simclr_cifar10.hcl
// (resnet18, CIFAR stem) and simclr_cifar10_cpu.hcl (resnet10 of width
// 0.25, CIFAR stem): projection MLP -> 2048 (BN, ReLU) -> 256, NT-Xent,
// SGD, 2 views of 64 images of 32x32, run by the engine. It reports
// source images per second and the peak resident memory of the whole test
// process.
func BenchmarkSimCLRStep(b *testing.B) {
	for _, c := range []struct {
		name, backbone string
		params         map[string]any
	}{
		{"resnet18", "backbone.resnet18", map[string]any{"stem": "cifar"}},
		{"resnet10_w0.25", "backbone.resnet10", map[string]any{"stem": "cifar", "width": 0.25}},
	} {
		b.Run(c.name, func(b *testing.B) { benchSimCLRStep(b, c.backbone, c.params) })
	}
}

func benchSimCLRStep(b *testing.B, backboneID string, params map[string]any) {
	const batch = 64
	bb := build[backbone.Backbone](b, backboneID, params)
	m := &model.Model{
		Params:    nn.NewParams(0),
		Backbone:  bb,
		Heads:     []model.NamedHead{{Name: "proj", Head: build[head.Head](b, "head.projection_mlp", map[string]any{"output_dim": 256})}},
		Objective: build[objective.Objective](b, "objective.nt_xent", map[string]any{"temperature": 0.2}),
	}
	shape := model.Shape{batch, 3, 32, 32}
	g, err := m.Train([]model.Shape{shape, shape})
	if err != nil {
		b.Fatal(err)
	}
	for v, in := range g.Inputs {
		x := make([]float32, batch*3*32*32)
		for i := range x {
			x[i] = float32((i*7+v*13)%17)/8 - 1
		}
		if err := G.Let(in, tensorOf(x, shape[:]...)); err != nil {
			b.Fatal(err)
		}
	}
	vm, err := engine.New(g.G, append(G.Nodes{g.Output}, g.Grads...)...)
	if err != nil {
		b.Fatal(err)
	}
	defer vm.Close()
	const lr = 0.1
	opt, err := registry.Build[optimizer.Optimizer]("optimizer.sgd", map[string]any{"lr": lr, "momentum": 0.9, "scale_lr": false})
	if err != nil {
		b.Fatal(err)
	}
	grads := make([][]float32, len(g.Grads))
	step := func() {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		for i, gn := range g.Grads {
			grads[i] = gn.Value().Data().([]float32)
		}
		if err := opt.Step(g.Params, grads, lr); err != nil {
			b.Fatal(err)
		}
	}
	step() // warm-up: buffers are allocated on the first step
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step()
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "images/s")
	mib, err := procstat.PeakRSSMiB()
	if err != nil {
		b.Log(err) // the speed stands without it
		return
	}
	b.ReportMetric(mib, "peak_rss_MB")
}
