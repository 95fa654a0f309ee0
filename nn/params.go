package nn

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"

	"gorgonia.org/tensor"

	"github.com/sslrun/sslrun/ops"
)

// Param is one learnable tensor.
type Param struct {
	Name  string
	Value *tensor.Dense // float32; nil in symbolic Params
	// NoDecay marks biases and batch-norm scales and shifts, which optimizers
	// leave out of weight decay unless asked.
	NoDecay bool
	shape   tensor.Shape // of a symbolic parameter
}

// Shape is the parameter's shape.
func (p *Param) Shape() tensor.Shape {
	if p.Value != nil {
		return p.Value.Shape()
	}
	return p.shape
}

// Data returns the parameter's float32 backing slice.
func (p *Param) Data() []float32 { return p.Value.Data().([]float32) }

// Init fills a new parameter from rng. fanIn and fanOut are the layer's, as
// PyTorch computes them (in_features * kernel area, out * kernel area).
type Init func(data []float32, fanIn, fanOut int, rng *rand.Rand)

// KaimingUniform is PyTorch's default for Linear and Conv weights:
// kaiming_uniform_(a=sqrt(5)), i.e. U(-b, b) with b = 1/sqrt(fanIn).
func KaimingUniform(data []float32, fanIn, _ int, rng *rand.Rand) {
	uniform(data, 1/math.Sqrt(float64(fanIn)), rng)
}

// FanInUniform is PyTorch's default for biases: U(-b, b), b = 1/sqrt(fanIn).
func FanInUniform(data []float32, fanIn, _ int, rng *rand.Rand) {
	uniform(data, 1/math.Sqrt(float64(fanIn)), rng)
}

// KaimingNormalFanOut is torchvision's ResNet conv init:
// kaiming_normal_(mode="fan_out", nonlinearity="relu"), N(0, 2/fanOut).
func KaimingNormalFanOut(data []float32, _, fanOut int, rng *rand.Rand) {
	std := math.Sqrt(2 / float64(fanOut))
	for i := range data {
		data[i] = float32(rng.NormFloat64() * std)
	}
}

// Ones and Zeros initialise batch-norm scales and shifts.
func Ones(data []float32, _, _ int, _ *rand.Rand) {
	for i := range data {
		data[i] = 1
	}
}

// Zeros leaves the parameter at zero.
func Zeros([]float32, int, int, *rand.Rand) {}

func uniform(data []float32, bound float64, rng *rand.Rand) {
	for i := range data {
		data[i] = float32((2*rng.Float64() - 1) * bound)
	}
}

// Params owns a model's parameters and batch-norm statistics. Parameters are
// created on first use, in the order the model asks for them, from one
// seeded generator: the same seed and architecture give the same bytes.
type Params struct {
	rng    *rand.Rand
	seed   uint64
	list   []*Param
	byName map[string]*Param
	bn     map[string]*ops.BNStats
	// symbolic parameters and statistics have shapes and no values.
	symbolic bool
}

// NewParams returns an empty set whose initial values derive from seed.
func NewParams(seed uint64) *Params {
	return &Params{
		rng:    rand.New(rand.NewPCG(seed, 0x706172616d73)), // "params"
		seed:   seed,
		byName: map[string]*Param{},
		bn:     map[string]*ops.BNStats{},
	}
}

// NewSymbolicParams returns an empty set whose parameters and batch-norm
// statistics get shapes and no values: a model built on it makes graphs
// that cannot run but whose memory engine.Footprint measures, whatever the
// sizes, without allocating them.
func NewSymbolicParams() *Params {
	return &Params{byName: map[string]*Param{}, bn: map[string]*ops.BNStats{}, symbolic: true}
}

// Stream is a generator of its own for name, derived from the seed ps
// was made with, for state a component draws beside the parameters (a
// method's queue): it leaves the parameters' draws as they are. Nil for
// symbolic parameters.
func (ps *Params) Stream(name string) *rand.Rand {
	if ps.symbolic {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(ps.seed, h.Sum64()))
}

// Symbolic reports whether ps holds shapes without values
// (NewSymbolicParams).
func (ps *Params) Symbolic() bool { return ps.symbolic }

// Get returns the parameter called name, creating it with init on first use.
// Asking again with another shape is a programming error and panics.
func (ps *Params) Get(name string, shape []int, fanIn, fanOut int, init Init, noDecay bool) *Param {
	if p, ok := ps.byName[name]; ok {
		if !p.Shape().Eq(tensor.Shape(shape)) {
			panic(fmt.Sprintf("nn: parameter %s asked for with shape %v, created with %v", name, shape, p.Shape()))
		}
		return p
	}
	p := &Param{Name: name, NoDecay: noDecay}
	if ps.symbolic {
		p.shape = tensor.Shape(shape).Clone()
	} else {
		p.Value = tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(shape...))
		init(p.Value.Data().([]float32), fanIn, fanOut, ps.rng)
	}
	ps.list = append(ps.list, p)
	ps.byName[name] = p
	return p
}

// List returns the parameters in creation order.
func (ps *Params) List() []*Param { return ps.list }

// Param returns the parameter called name, if it has been created.
func (ps *Params) Param(name string) (*Param, bool) {
	p, ok := ps.byName[name]
	return p, ok
}

// Count is the number of learnable scalars.
func (ps *Params) Count() int {
	n := 0
	for _, p := range ps.list {
		n += p.Shape().TotalSize()
	}
	return n
}

// BN returns the batch-norm statistics called name, creating them (mean 0,
// variance 1) on first use. They belong to the model: every graph built
// from these Params reads and updates the same ones.
func (ps *Params) BN(name string, channels int) *ops.BNStats {
	if s, ok := ps.bn[name]; ok {
		return s
	}
	var s *ops.BNStats
	if ps.symbolic {
		s = ops.SymbolicBNStats(channels)
	} else {
		s = ops.NewBNStats(channels)
	}
	ps.bn[name] = s
	return s
}

// BNNames returns the names of the batch-norm statistics, sorted.
func (ps *Params) BNNames() []string {
	out := make([]string, 0, len(ps.bn))
	for name := range ps.bn {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
