package xla

import (
	"math"
	"path/filepath"
	"testing"
	"time"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	_ "github.com/sslrun/sslrun/components/all"
	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/nn"
)

// nodeTol bounds the error of one node of a training graph lowered alone
// relative to its scale (diff.rel): the largest measured is 1.2e-5, a
// convolution's weight gradient, sums of 2,048 float32 products added in
// another order than the engine's.
const nodeTol = 5e-5

// graphTol bounds the error of a whole lowered training step's loss,
// embeddings and running statistics relative to their scale (diff.rel):
// a few float32 roundings per op, compounded through the network and
// amplified by each batch norm's 1/std.
const graphTol = 5e-5

// simclrSpec is SimCLR with the small convnet: two 16x16 views of a batch
// of 4 (runner's tinySpec at a smaller batch).
const simclrSpec = `
experiment "xla_simclr" { seed = 1 }
dataset "synthetic" "train" {
  size       = 8
  classes    = 2
  image_size = 16
}
view "global" {
  count = 2
  augment "random_resized_crop" { size = 16 }
}
backbone "convnet" { channels = [8] }
head "projection_mlp" "proj" {
  hidden_dim = 16
  output_dim = 8
}
objective "nt_xent" { temperature = 0.2 }
train { batch_size = 4 }
`

// swavSpec is SwAV multi-crop with the small convnet: two 16x16 and two
// 8x8 views of a batch of 4, ten prototypes, a queue of two batches
// (runner's swavSpec at a smaller batch).
const swavSpec = `
experiment "xla_swav" { seed = 3 }
dataset "synthetic" "train" {
  size       = 8
  classes    = 2
  image_size = 16
}
view "global" {
  count = 2
  augment "random_resized_crop" { size = 16 }
}
view "local" {
  count = 2
  augment "random_resized_crop" {
    size  = 8
    scale = [0.1, 0.5]
  }
}
backbone "convnet" { channels = [8] }
head "projection_mlp" "proj" {
  hidden_dim = 16
  output_dim = 8
}
head "prototypes" "prototypes" {
  count        = 10
  freeze_steps = 2
}
objective "swav" {
  queue_length      = 8
  queue_start_epoch = 0
}
train { batch_size = 4 }
`

// resnetSpec is SimCLR with ResNet-18 and its CIFAR stem on two 16x16
// views of a batch of 2.
const resnetSpec = `
experiment "xla_resnet" { seed = 5 }
dataset "synthetic" "train" {
  size       = 8
  classes    = 2
  image_size = 16
}
view "global" {
  count = 2
  augment "random_resized_crop" { size = 16 }
}
backbone "resnet18" { stem = "cifar" }
head "projection_mlp" "proj" {
  hidden_dim = 32
  output_dim = 16
}
objective "nt_xent" { temperature = 0.2 }
train { batch_size = 2 }
`

// step is a training graph built from a spec, ready to run: inputs hold
// values, batch-norm statistics are away from their defaults, a queue,
// if the objective keeps one, is full.
type step struct {
	m   *model.Model
	g   *model.Graph
	out []*G.Node // the loss, every gradient, the embeddings if any
}

// newStep builds src's model and its training graph for views of shapes.
func newStep(t testing.TB, src string, shapes []model.Shape) *step {
	t.Helper()
	exp, err := spec.Load(filepath.Join(t.TempDir(), "step.hcl"), []byte(src), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.FromSpec(exp, nn.NewParams(uint64(exp.Seed)))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Train(shapes)
	if err != nil {
		t.Fatal(err)
	}
	for v, in := range g.Inputs {
		s := tensor.Shape(shapes[v][:])
		if err := G.Let(in, tensor.New(tensor.WithShape(s...), tensor.WithBacking(values(s.TotalSize(), float64(v))))); err != nil {
			t.Fatal(err)
		}
	}
	for i, name := range g.BatchNorms {
		w, ok := m.Params.Param(name + ".weight")
		if !ok {
			t.Fatalf("no weight for batch norm %s", name)
		}
		st := m.Params.BN(name, w.Shape()[0])
		for c := range st.Mean {
			st.Mean[c] = float32(0.1 * math.Sin(float64(c+i)))
			st.Var[c] = float32(1.5 + math.Cos(float64(c*i)))
		}
		st.Tracked = int64(3 + i)
	}
	s := &step{m: m, g: g, out: append(append([]*G.Node{g.Output}, g.Grads...), g.TapNodes()...)}
	if sw, ok := m.Objective.(*objective.Swav); ok && sw.Queues() {
		s.fillQueue(t, sw, shapes[0][0])
	}
	return s
}

// fillQueue fills SwAV's queue with embeddings and scores it with the
// prototypes, as the runner does once the queue is full: the Sinkhorn ops
// then read queue scores.
func (s *step) fillQueue(t testing.TB, sw *objective.Swav, batch int) {
	t.Helper()
	protos, ok := s.m.Params.Param("prototypes.weight")
	if !ok {
		t.Fatal("no prototypes")
	}
	k, dim := protos.Shape()[0], protos.Shape()[1]
	q, err := sw.NewQueue(dim, batch)
	if err != nil {
		t.Fatal(err)
	}
	for c := range q.Emb {
		copy(q.Emb[c], values(len(q.Emb[c]), float64(10+c)))
	}
	q.Filled = q.Length
	if err := sw.UseQueue(q, protos.Data(), k); err != nil {
		t.Fatal(err)
	}
}

// TestTrainingStepsMatchEngine lowers whole training graphs (forward and
// backward: the loss, every gradient, the embeddings a queue keeps, the
// batch-norm running statistics) and checks them against engine.Machine
// twice: node by node, each node lowered alone on the engine's values of
// its inputs, within nodeTol; and end to end, the whole program on the
// evaluator, the loss, embeddings and running statistics within graphTol
// and the gradients within the case's gradTol.
func TestTrainingStepsMatchEngine(t *testing.T) {
	cases := []struct {
		name   string
		src    string
		shapes []model.Shape
		states int // state results: three per batch-norm layer
		// gradTol bounds the gradients end to end. A ReLU whose input is
		// within a few ulps of 0 may be on in one engine and off in the
		// other, and the gradient element it passes or stops then differs
		// whole, in every gradient before it in the network. The convnets
		// have no such ReLU (largest error 2.7e-5); ResNet-18's 557,184
		// ReLU inputs here have one, after layer1.1.bn1 (7e-7 on the
		// engine, -1.7e-6 lowered): the gradients of layer1.1.conv1 (0.048
		// relative), of layer1.0 and of the stem (0.004 to 0.03) differ by
		// it, every later one is within 2.1e-5. Node by node, every
		// gradient is within nodeTol.
		gradTol float64
	}{
		{"simclr convnet", simclrSpec, []model.Shape{{4, 3, 16, 16}, {4, 3, 16, 16}}, 2 * 3, 2e-4},
		{"swav multi-crop, full queue", swavSpec, []model.Shape{{4, 3, 16, 16}, {4, 3, 16, 16}, {4, 3, 8, 8}, {4, 3, 8, 8}}, 2 * 3, 2e-4},
		{"simclr resnet18", resnetSpec, []model.Shape{{2, 3, 16, 16}, {2, 3, 16, 16}}, 21 * 3, 0.2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			s := newStep(t, c.src, c.shapes)
			nodes := nodeByNode(t, s.g.G)
			w := worst(nodes)
			t.Logf("%d nodes one by one in %v, worst %s: %.2g absolute, %.2g relative", len(nodes), time.Since(start).Round(time.Millisecond), w.name, w.abs, w.rel)
			for _, d := range nodes {
				if d.rel > nodeTol {
					t.Errorf("%s: %.3g from the engine's (%.3g relative)", d.name, d.abs, d.rel)
				}
			}

			start = time.Now()
			s = newStep(t, c.src, c.shapes)
			ds := lowered(t, s.g.G, s.g.Inputs, s.out, c.name)
			if got := len(ds) - len(s.out); got != c.states {
				t.Errorf("%d state results, want %d", got, c.states)
			}
			grads := ds[1 : 1+len(s.g.Grads)]
			for i := range grads {
				grads[i].name = "d/d " + s.g.Params[i].Name
			}
			ds[0].name = "loss"
			fwd := append([]diff{ds[0]}, ds[1+len(s.g.Grads):]...)
			wf, wg := worst(fwd), worst(grads)
			t.Logf("whole step in %v: worst of the loss, embeddings and statistics %s: %.2g relative; worst gradient %s: %.2g relative",
				time.Since(start).Round(time.Millisecond), wf.name, wf.rel, wg.name, wg.rel)

			for _, d := range fwd {
				if d.rel > graphTol {
					t.Errorf("%s: %.3g from the engine's (%.3g relative)", d.name, d.abs, d.rel)
				}
			}
			for _, d := range grads {
				if d.rel > c.gradTol {
					t.Errorf("gradient %s: %.3g from the engine's (%.3g relative)", d.name, d.abs, d.rel)
				}
			}
		})
	}
}

// TestFeaturesMatchEngine lowers the evaluation graph of the convnet and
// of ResNet-18 (batch norm in eval mode: the running statistics are
// arguments the program reads, not results) and compares its features
// with the engine's.
func TestFeaturesMatchEngine(t *testing.T) {
	for _, c := range []struct {
		name string
		src  string
	}{{"convnet", simclrSpec}, {"resnet18", resnetSpec}} {
		t.Run(c.name, func(t *testing.T) {
			s := newStep(t, c.src, []model.Shape{{2, 3, 16, 16}, {2, 3, 16, 16}})
			f, err := s.m.Features(model.Shape{2, 3, 16, 16})
			if err != nil {
				t.Fatal(err)
			}
			x := f.Inputs[0]
			if err := G.Let(x, tensor.New(tensor.WithShape(2, 3, 16, 16), tensor.WithBacking(values(2*3*16*16, 4)))); err != nil {
				t.Fatal(err)
			}
			ds := lowered(t, f.G, f.Inputs, []*G.Node{f.Output}, c.name+"_features")
			if len(ds) != 1 {
				t.Fatalf("%d results, want the features alone", len(ds))
			}
			t.Logf("features: %.2g absolute, %.2g relative", ds[0].abs, ds[0].rel)
			if ds[0].rel > graphTol {
				t.Errorf("features: %.3g from the engine's (%.3g relative)", ds[0].abs, ds[0].rel)
			}
		})
	}
}
