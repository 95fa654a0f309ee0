package xla

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/xla/internal/hloeval"
)

// bf16LossTol bounds the bf16 step's loss relative to the float32 CPU
// engine's: bf16 keeps 8 bits of mantissa (a relative rounding of up to
// 2^-9 ≈ 2e-3 on every product operand), compounded through the network.
const bf16LossTol = 1e-2

// bf16ParamTol bounds the parameters after one bf16 step relative to the
// CPU engine's (diff.rel): the update moves them by lr times a gradient
// computed from bf16 products, and those gradients are far less precise
// than the loss: measured on these steps with SGD, a gradient is 3% (the
// projection's last layer) to 20% (the convolution, the batch norms)
// away from the float32 gradient in norm, its errors amplified by
// differences of nearly equal terms in the backward of the L2
// normalisation and of batch norm over 8 samples. The largest measured
// here is 7.1e-2, a batch norm's bias under LARS.
const bf16ParamTol = 0.1

// TestBF16StepMatchesEngine runs one bf16 training step (LowerStep
// WithPrecision(BF16), LARS) of the convnet SimCLR and SwAV multi-crop
// (a full queue, prototypes frozen) on the evaluator against one float32
// step of the CPU engine and optimizer.Step: the loss within bf16LossTol
// and the parameters within bf16ParamTol, the program's arguments and
// results float32 as in the float32 program. The views are normally
// distributed, as normalised images are: the smooth inputs newStep puts
// in make the batch's pooled features nearly equal, so that every batch
// norm divides a difference of nearly equal bf16 products by a tiny
// deviation (the loss then comes out 4-7% off).
func TestBF16StepMatchesEngine(t *testing.T) {
	simclr := []model.Shape{{4, 3, 16, 16}, {4, 3, 16, 16}}
	swav := []model.Shape{{4, 3, 16, 16}, {4, 3, 16, 16}, {4, 3, 8, 8}, {4, 3, 8, 8}}
	lars := map[string]any{"lr": 0.4, "weight_decay": 1e-4, "scale_lr": false}
	cases := []struct {
		name   string
		src    string
		shapes []model.Shape
		frozen bool
	}{
		{"simclr", simclrSpec, simclr, false},
		{"swav multi-crop", swavSpec, swav, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStep(t, c.src, c.shapes)
			for v, in := range s.g.Inputs {
				sh := tensor.Shape(c.shapes[v][:])
				rng := rand.New(rand.NewPCG(7, uint64(v)))
				x := make([]float32, sh.TotalSize())
				for i := range x {
					x[i] = float32(rng.NormFloat64())
				}
				if err := G.Let(in, tensor.New(tensor.WithShape(sh...), tensor.WithBacking(x))); err != nil {
					t.Fatal(err)
				}
			}
			opt := buildOptimizer(t, "optimizer.lars", lars)
			freeze, heads := freezeGroups(s.m, s.g)
			for _, h := range heads {
				h.Head.(renormalized).Normalize(s.m.Params, h.Name)
			}
			p, err := LowerStep(s.g, opt, freeze, "bf16_step", WithPrecision(BF16))
			if err != nil {
				t.Fatal(err)
			}
			f32, err := LowerStep(s.g, opt, freeze, "bf16_step")
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(p.Inputs) != fmt.Sprint(f32.Inputs) || fmt.Sprint(p.Outputs) != fmt.Sprint(f32.Outputs) {
				t.Errorf("the bf16 program's ports differ from the float32 program's:\n%v -> %v\n%v -> %v", p.Inputs, p.Outputs, f32.Inputs, f32.Outputs)
			}
			mod, err := hloeval.Parse(p.Text())
			if err != nil {
				t.Fatal(err)
			}
			lr := lars["lr"].(float64)
			got, err := mod.Run(stepFeed(t, p, opt, lr, c.frozen)...)
			if err != nil {
				t.Fatal(err)
			}
			cpuStep(t, s, opt, freeze, c.frozen, lr)
			var worstParam diff
			for i, o := range p.Outputs {
				var want *hloeval.Tensor
				var tol float64
				switch {
				case o.Role == Output && o.Node == s.g.Output:
					want, err = tensorOf(o.Node.Value())
					tol = bf16LossTol
				case o.Role == Parameter:
					want, err = tensorOf(o.Node.Value())
					tol = bf16ParamTol
				default:
					continue
				}
				if err != nil {
					t.Fatalf("result %s: %v", o.Name, err)
				}
				d, err := distance(fmt.Sprintf("%s %s", o.Role, o.Name), got[i], want)
				if err != nil {
					t.Fatal(err)
				}
				if o.Role == Output {
					// The loss's relative error, not its error relative
					// to max(1, |loss|).
					d.rel = d.abs / max(math.Abs(want.F[0]), 1e-30)
					t.Logf("loss %.6g, the CPU engine's %.6g: %.2g relative", got[i].F[0], want.F[0], d.rel)
				} else if d.rel >= worstParam.rel {
					worstParam = d
				}
				if d.rel > tol {
					t.Errorf("%s: %.3g from the CPU engine's (%.3g relative, tolerance %.g)", d.name, d.abs, d.rel, tol)
				}
			}
			t.Logf("worst %s: %.2g relative", worstParam.name, worstParam.rel)
		})
	}
}

// statementRE matches the start of a statement of a program's text, its
// op in group 1; signatureRE a statement's type signature, its operand
// types in group 1 and its result types in group 2.
var (
	statementRE = regexp.MustCompile(`^(?:%\S+ = )?"stablehlo\.(\w+)"`)
	signatureRE = regexp.MustCompile(` : \((.*)\) -> (.*)$`)
)

// statementType is one statement's op and types as a program's text has them.
type statementType struct {
	op, operands, results string
	line                  int
}

// statementTypes lists every statement of text with its types; a statement
// spread over several lines (attributes, a reduction's body) has its
// types on the line that closes it.
func statementTypes(text string) []statementType {
	var out []statementType
	var open []statementType
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		m := statementRE.FindStringSubmatch(line)
		sig := signatureRE.FindStringSubmatch(line)
		switch {
		case m != nil && sig != nil:
			out = append(out, statementType{m[1], sig[1], sig[2], i + 1})
		case m != nil:
			open = append(open, statementType{op: m[1], line: i + 1})
		case sig != nil && strings.HasPrefix(line, "}") && len(open) > 0:
			s := open[len(open)-1]
			open = open[:len(open)-1]
			s.operands, s.results = sig[1], sig[2]
			out = append(out, s)
		}
	}
	return out
}

// isBF16 reports whether a list of types holds a bf16 tensor.
func isBF16(types string) bool { return strings.Contains(types, "bf16>") }

// TestBF16ProductsOnly checks the text of bf16 steps (the golden SimCLR,
// the convnet SimCLR and SwAV multi-crop with LARS): every convolution
// and dot_general takes bf16 operands, each dot_general gives float32,
// and no other op but convert touches a bf16 value, so that batch norm,
// softmax, the loss, Sinkhorn, the reductions and the optimizer's update
// compute in float32 (or float64 where the float32 program does).
func TestBF16ProductsOnly(t *testing.T) {
	cases := []struct {
		name   string
		src    string
		shapes []model.Shape
	}{
		{"golden simclr", goldenSpec, []model.Shape{{2, 3, 8, 8}, {2, 3, 8, 8}}},
		{"simclr", simclrSpec, []model.Shape{{4, 3, 16, 16}, {4, 3, 16, 16}}},
		{"swav multi-crop", swavSpec, []model.Shape{{4, 3, 16, 16}, {4, 3, 16, 16}, {4, 3, 8, 8}, {4, 3, 8, 8}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStep(t, c.src, c.shapes)
			opt := buildOptimizer(t, "optimizer.lars", map[string]any{"lr": 0.4, "weight_decay": 1e-4, "scale_lr": false})
			freeze, _ := freezeGroups(s.m, s.g)
			p, err := LowerStep(s.g, opt, freeze, "bf16_step", WithPrecision(BF16))
			if err != nil {
				t.Fatal(err)
			}
			count := map[string]int{}
			for _, sg := range statementTypes(p.Text()) {
				count[sg.op]++
				where := fmt.Sprintf("line %d: %s (%s) -> %s", sg.line, sg.op, sg.operands, sg.results)
				switch sg.op {
				case "convolution", "dot_general":
					for _, typ := range strings.Split(sg.operands, ", ") {
						if !isBF16(typ) {
							t.Errorf("%s: an operand is not bf16", where)
						}
					}
					if sg.op == "dot_general" && !strings.HasSuffix(sg.results, "xf32>") && sg.results != "tensor<f32>" {
						t.Errorf("%s: the result is not float32", where)
					}
				case "convert":
				default:
					if isBF16(sg.operands) || isBF16(sg.results) {
						t.Errorf("%s: bf16 outside a product", where)
					}
				}
			}
			if count["convolution"] == 0 || count["dot_general"] == 0 || count["reduce"] == 0 {
				t.Errorf("the text has %d convolutions, %d dot_generals, %d reduces: statements not found", count["convolution"], count["dot_general"], count["reduce"])
			}
			t.Logf("%d convolutions, %d dot_generals, %d converts", count["convolution"], count["dot_general"], count["convert"])
		})
	}
}
