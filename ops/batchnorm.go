package ops

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"slices"
	"sync/atomic"

	"github.com/chewxy/hm"
	"github.com/gomlx/go-xla/pkg/stablehlo"
	"github.com/gomlx/go-xla/pkg/types/dtypes"
	"github.com/gomlx/go-xla/pkg/types/shapes"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Batch normalisation over the channel axis of (N, C) and (N, C, H, W)
// inputs, with running statistics owned by the model (BNStats), not by the
// graph.
//
// One BatchNorm call makes one forward node; differentiating it adds two
// own backward nodes and takes a row of one of them for each parameter
// (gorgonia ops return one value each):
//
//	y      = sslrun.batchnorm(x, gamma, beta)                // (N, C[, H, W])
//	sums   = sslrun.batchnorm_grad_params(x, dy)             // (2, C): rows dgamma, dbeta
//	dgamma = reshape(rows(sums, 0, 1), C)                    // (C), sslrun.rows, gorgonia.reshapeOp
//	dbeta  = reshape(rows(sums, 1, 2), C)                    // (C), sslrun.rows, gorgonia.reshapeOp
//	dx     = sslrun.batchnorm_grad_input(x, gamma, dy, sums) // like x, training
//	dx     = sslrun.batchnorm_grad_input(gamma, dy)          // like x, eval
//
// grad_params makes both per-channel reductions in one pass over x and dy;
// in training grad_input reuses them (dx needs exactly Σdy and Σdy·x̂), so
// nothing is reduced twice. Both backward ops read the batch mean and
// inverse standard deviation the forward saved in the state the three ops
// share (training), or the running statistics the forward normalised with
// (eval); neither recomputes them. Every node of the differentiated graph is
// an own kind or gorgonia.reshapeOp, all in Allowed.
//
// Reductions accumulate in float64, channel by channel, each channel in a
// fixed order by one goroutine; channels are spread over goroutines when the
// tensor is large, so results are bitwise the same for any GOMAXPROCS.
//
// The ops keep per-call state (the saved statistics) and update BNStats in
// Do: a graph holding them must be run by one machine at a time. Each op
// also owns its output buffer and rewrites it on every run, so a training
// loop allocates nothing here after the first step (gorgonia's tape machine
// hands an op a buffer through UsePreallocDo only while the destination
// register is still filled, which Reset clears; the ops take that path
// too when offered). A value read from these nodes is therefore valid until
// the graph runs again: copy it to keep it.

func init() {
	Register(
		bnOp{bnBase{opBase: opBase{"sslrun.batchnorm"}}},
		bnParamsGradOp{bnBase{opBase: opBase{"sslrun.batchnorm_grad_params"}}},
		bnInputGradOp{bnBase{opBase: opBase{"sslrun.batchnorm_grad_input"}}},
	)
}

// BNStats are one batch-norm layer's running statistics, per channel, and
// its hyper-parameters. Training forwards update Mean and Var in place,
// like PyTorch's running_mean and running_var; eval forwards read them.
type BNStats struct {
	Mean, Var []float32 // (C)
	// Momentum weighs a batch's statistics into the running ones:
	// running = (1 - Momentum) * running + Momentum * batch.
	Momentum float64
	// Eps is added to the variance before its square root.
	Eps float64
	// Tracked counts the training forwards that updated Mean and Var, one
	// per run of a training node, like PyTorch's num_batches_tracked. Eval
	// forwards leave it alone.
	Tracked int64
	// symbolic is the channel count of statistics that hold no values
	// (SymbolicBNStats), 0 for real ones.
	symbolic int
}

// SymbolicBNStats returns statistics for channels channels that hold no
// values: enough to build a graph whose memory is measured before anything
// is allocated (engine.Footprint), not to run it.
func SymbolicBNStats(channels int) *BNStats {
	return &BNStats{Momentum: 0.1, Eps: 1e-5, symbolic: channels}
}

// Channels is the number of channels the statistics are for, -1 when
// Mean and Var differ in length.
func (s *BNStats) Channels() int {
	if s.symbolic > 0 {
		return s.symbolic
	}
	if len(s.Mean) != len(s.Var) {
		return -1
	}
	return len(s.Mean)
}

// NewBNStats returns statistics for channels channels with PyTorch's
// defaults: mean 0, variance 1, momentum 0.1, eps 1e-5.
func NewBNStats(channels int) *BNStats {
	s := &BNStats{Mean: make([]float32, channels), Var: make([]float32, channels), Momentum: 0.1, Eps: 1e-5}
	for i := range s.Var {
		s.Var[i] = 1
	}
	return s
}

// BatchNorm normalises x, (N, C) or (N, C, H, W), per channel and applies
// the per-channel scale gamma (C) and shift beta (C):
//
//	y = (x - mean) / sqrt(var + eps) * gamma + beta
//
// With training, mean and var are the batch's (the biased variance) and
// every execution of the node updates stats with them, using the unbiased
// variance for stats.Var as torch.nn.BatchNorm2d does. Without training,
// mean and var are stats.Mean and stats.Var and nothing is updated. A train
// graph and an eval graph of one model share gamma, beta and stats.
func BatchNorm(x, gamma, beta *G.Node, stats *BNStats, training bool) (*G.Node, error) {
	xs := x.Shape()
	if len(xs) != 2 && len(xs) != 4 {
		return nil, fmt.Errorf("BatchNorm: want x (N, C) or (N, C, H, W), got shape %v", xs)
	}
	if x.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("BatchNorm: want float32 x, got %v", x.Dtype())
	}
	c := xs[1]
	if xs.TotalSize() == 0 {
		return nil, fmt.Errorf("BatchNorm: x of shape %v is empty", xs)
	}
	for _, p := range []*G.Node{gamma, beta} {
		if !p.Shape().Eq(tensor.Shape{c}) {
			return nil, fmt.Errorf("BatchNorm: want gamma and beta of shape (%d), got %v and %v", c, gamma.Shape(), beta.Shape())
		}
	}
	if stats == nil || stats.Channels() != c {
		return nil, fmt.Errorf("BatchNorm: want statistics for %d channels", c)
	}
	s := &bnState{
		id:       bnSeq.Add(1),
		stats:    stats,
		training: training,
		shape:    xs.Clone(),
		n:        xs[0],
		c:        c,
		inner:    xs.TotalSize() / (xs[0] * c),
	}
	if training && s.n*s.inner < 2 {
		return nil, fmt.Errorf("BatchNorm: training needs more than one value per channel, x has shape %v", xs)
	}
	return G.ApplyOp(bnOp{bnBase{opBase{"sslrun.batchnorm"}, s}}, x, gamma, beta)
}

// bnSeq numbers BatchNorm calls, so that no two calls' nodes hash alike:
// each holds its own state and must stay its own node.
var bnSeq atomic.Uint64

// bnState is shared by the forward and backward ops of one BatchNorm call.
type bnState struct {
	id       uint64
	stats    *BNStats
	training bool
	shape    tensor.Shape // x: (N, C) or (N, C, H, W)
	n, c     int
	inner    int // H*W, 1 for (N, C): x is (N, C, inner) in memory
	// What the last forward normalised with: the batch's mean and
	// 1/sqrt(var+eps) in training, the running ones in eval; made by the
	// first forward, so that building a graph allocates nothing per channel.
	mean, invstd []float64 // (C)
	// The ops' own output buffers, reused from run to run.
	y, sums, dx []float32
}

// channel returns channel ch of sample i of a (N, C, inner) buffer.
func (s *bnState) channel(buf []float32, i, ch int) []float32 {
	off := (i*s.c + ch) * s.inner
	return buf[off : off+s.inner]
}

// count is the number of values per channel, N*H*W.
func (s *bnState) count() int { return s.n * s.inner }

// forward writes y (N, C, inner) = (x - mean) * invstd * gamma + beta. In
// training it takes mean and invstd from x, saves them and updates the
// running statistics (and counts the update); in eval it takes them from
// the running statistics.
func (s *bnState) forward(y, x, gamma, beta []float32) {
	st := s.stats
	if s.mean == nil {
		s.mean, s.invstd = make([]float64, s.c), make([]float64, s.c)
	}
	if s.training {
		st.Tracked++
	}
	m := float64(s.count())
	bnChannels(s.c, len(x), func(ch int) {
		if s.training {
			// Sums shifted by the channel's first value: one pass, no
			// cancellation when |mean| is large against the spread.
			k := float64(s.channel(x, 0, ch)[0])
			var s1, s2 float64
			for i := 0; i < s.n; i++ {
				a, b := bnMoments(s.channel(x, i, ch), k)
				s1 += a
				s2 += b
			}
			mean := k + s1/m
			v := max((s2-s1*s1/m)/m, 0) // biased: what the batch is normalised with
			s.mean[ch], s.invstd[ch] = mean, 1/math.Sqrt(v+st.Eps)
			mom := st.Momentum
			st.Mean[ch] = float32((1-mom)*float64(st.Mean[ch]) + mom*mean)
			st.Var[ch] = float32((1-mom)*float64(st.Var[ch]) + mom*v*m/(m-1))
		} else {
			s.mean[ch], s.invstd[ch] = float64(st.Mean[ch]), 1/math.Sqrt(float64(st.Var[ch])+st.Eps)
		}
		mean, a, b := s.mean[ch], s.invstd[ch]*float64(gamma[ch]), float64(beta[ch])
		for i := 0; i < s.n; i++ {
			xr, yr := s.channel(x, i, ch), s.channel(y, i, ch)
			yr = yr[:len(xr)]
			for j, v := range xr {
				yr[j] = float32((float64(v)-mean)*a + b)
			}
		}
	})
}

// bnMoments returns Σ(v-k) and Σ(v-k)² over row, in float64, in a fixed
// order (four interleaved partial sums, then added left to right).
func bnMoments(row []float32, k float64) (s1, s2 float64) {
	var a0, a1, a2, a3, b0, b1, b2, b3 float64
	j := 0
	for ; j+4 <= len(row); j += 4 {
		r := row[j : j+4 : j+4]
		d0, d1, d2, d3 := float64(r[0])-k, float64(r[1])-k, float64(r[2])-k, float64(r[3])-k
		a0, a1, a2, a3 = a0+d0, a1+d1, a2+d2, a3+d3
		b0, b1, b2, b3 = b0+d0*d0, b1+d1*d1, b2+d2*d2, b3+d3*d3
	}
	for ; j < len(row); j++ {
		d := float64(row[j]) - k
		a0 += d
		b0 += d * d
	}
	return a0 + a1 + a2 + a3, b0 + b1 + b2 + b3
}

// bnDots returns Σdy and Σdy·(x-mean) over a channel row, like bnMoments.
func bnDots(x, dy []float32, mean float64) (sdy, sdyx float64) {
	dy = dy[:len(x)]
	var a0, a1, a2, a3, b0, b1, b2, b3 float64
	j := 0
	for ; j+4 <= len(x); j += 4 {
		xr, gr := x[j:j+4:j+4], dy[j:j+4:j+4]
		g0, g1, g2, g3 := float64(gr[0]), float64(gr[1]), float64(gr[2]), float64(gr[3])
		a0, a1, a2, a3 = a0+g0, a1+g1, a2+g2, a3+g3
		b0 += g0 * (float64(xr[0]) - mean)
		b1 += g1 * (float64(xr[1]) - mean)
		b2 += g2 * (float64(xr[2]) - mean)
		b3 += g3 * (float64(xr[3]) - mean)
	}
	for ; j < len(x); j++ {
		g := float64(dy[j])
		a0 += g
		b0 += g * (float64(x[j]) - mean)
	}
	return a0 + a1 + a2 + a3, b0 + b1 + b2 + b3
}

// paramGrads writes sums (2, C): row 0 dgamma = Σdy·x̂, row 1 dbeta = Σdy,
// per channel over N, H and W, with x̂ = (x - mean) * invstd as saved by
// the forward.
func (s *bnState) paramGrads(sums, x, dy []float32) {
	bnChannels(s.c, len(x), func(ch int) {
		var sdy, sdyx float64
		for i := 0; i < s.n; i++ {
			a, b := bnDots(s.channel(x, i, ch), s.channel(dy, i, ch), s.mean[ch])
			sdy += a
			sdyx += b
		}
		sums[ch] = float32(sdyx * s.invstd[ch])
		sums[s.c+ch] = float32(sdy)
	})
}

// inputGrad writes dx (N, C, inner). In training, with M = N*H*W,
//
//	dx = gamma * invstd * (dy - dbeta/M - x̂ * dgamma/M)
//
// (the batch statistics depend on x); in eval, dx = gamma * invstd * dy.
// sums is grad_params' (2, C) output; eval does not read it.
func (s *bnState) inputGrad(dx, x, gamma, dy, sums []float32) {
	m := float64(s.count())
	bnChannels(s.c, len(dy), func(ch int) {
		a := float64(gamma[ch]) * s.invstd[ch]
		if !s.training {
			for i := 0; i < s.n; i++ {
				gr, dr := s.channel(dy, i, ch), s.channel(dx, i, ch)
				dr = dr[:len(gr)]
				for j, g := range gr {
					dr[j] = float32(float64(g) * a)
				}
			}
			return
		}
		mean := s.mean[ch]
		cb := float64(sums[s.c+ch]) / m            // dbeta / M
		cg := float64(sums[ch]) * s.invstd[ch] / m // dgamma / M, per unit of x - mean
		for i := 0; i < s.n; i++ {
			xr, gr, dr := s.channel(x, i, ch), s.channel(dy, i, ch), s.channel(dx, i, ch)
			gr, dr = gr[:len(xr)], dr[:len(xr)]
			for j, v := range xr {
				dr[j] = float32(a * (float64(gr[j]) - cb - (float64(v)-mean)*cg))
			}
		}
	})
}

// bnChannels calls f for each of c channels of a tensor of size elements,
// contiguous blocks of channels spread over the cores when it is large;
// every channel is still done by one call of f, so the results do not
// depend on the number of goroutines.
func bnChannels(c, size int, f func(ch int)) {
	parallel(c, size, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			f(ch)
		}
	})
}

// ---- lowering ---------------------------------------------------------

// The lowered ops work as the CPU ops do: each channel's statistics and
// sums in float64 (cheap on any device: a reduction reads far more than it
// computes, and the per-channel vectors are small), around a shift, each
// channel's values less its first one, and the element-wise normalisation
// in x's dtype (float32). The running statistics are program state (see
// Lowering.State): the training forward reads Mean, Var and Tracked and
// sets their new values, so the program returns them; the eval forward and
// backward only read Mean and Var. Two forwards sharing one BNStats (views
// of two sizes through one layer) update it one after the other, in the
// graph's order, as on the CPU.

// bnPrefix names the state inputs of batch-norm statistics.
const bnPrefix = "batchnorm"

// axes are the axes a per-channel reduction of x runs over.
func (s *bnState) axes() []int {
	if len(s.shape) == 2 {
		return []int{0}
	}
	return []int{0, 2, 3}
}

// f64 is x in float64.
func f64(l *Lowering, x *stablehlo.Value) *stablehlo.Value { return l.Convert(x, dtypes.Float64) }

// sum is Σ over the call's per-channel axes of the product of xs, in
// float64: (C).
func (s *bnState) sum(l *Lowering, xs ...*stablehlo.Value) *stablehlo.Value {
	if !l.ok(xs...) {
		return nil
	}
	p := f64(l, xs[0])
	for _, x := range xs[1:] {
		p = l.Mul(p, f64(l, x))
	}
	return l.Sum(p, s.axes()...)
}

// bnLowered is what the ops of one lowered call normalise with, each (C):
// x - mean is (x - shift) - offset, shift in x's dtype, offset (nil in
// eval, where shift is the running mean), the inverse standard deviation
// and the variance (the batch's, biased, in training) in float64.
type bnLowered struct {
	shift, offset, invstd, variance *stablehlo.Value
}

// lowered returns the call's bnLowered, computed by the first of the
// call's ops to be lowered (from x in training, from the running
// statistics in eval) and saved for the others.
func (s *bnState) lowered(l *Lowering, x *stablehlo.Value) bnLowered {
	if v := l.Saved(s); v != nil {
		return bnLowered{v[0], v[1], v[2], v[3]}
	}
	var b bnLowered
	c := shapes.Make(l.Out.DType, s.c)
	c64 := shapes.Make(dtypes.Float64, s.c)
	if s.training {
		first := make([]int, len(s.shape))
		limits := slices.Clone(s.shape)
		for i := range limits {
			if i != 1 {
				limits[i] = 1
			}
		}
		b.shift = l.Reshape(l.Slice(x, first, limits, nil), s.c) // x[0, :, 0, 0]
		m := l.Full(float64(s.count()), c64)
		b.offset = l.Div(s.sum(l, b.centered64(l, x)), m)
		d := b.centered64(l, x)
		b.variance = l.Div(s.sum(l, d, d), m)
	} else {
		b.shift = l.State(StateKey{s.stats, "mean"}, bnPrefix, c)
		b.variance = f64(l, l.State(StateKey{s.stats, "var"}, bnPrefix, c))
	}
	b.invstd = l.Div(l.Full(1, c64), l.Sqrt(l.Add(b.variance, l.Full(s.stats.Eps, c64))))
	l.Save(s, b.shift, b.offset, b.invstd, b.variance)
	return b
}

// centered64 is x - mean in float64 (x - shift while offset is unknown).
func (b bnLowered) centered64(l *Lowering, x *stablehlo.Value) *stablehlo.Value {
	s := shapes.Make(dtypes.Float64, x.Shape().Dimensions...)
	d := l.Sub(f64(l, x), l.Broadcast(f64(l, b.shift), s, 1))
	if b.offset == nil {
		return d
	}
	return l.Sub(d, l.Broadcast(b.offset, s, 1))
}

// centered is x - mean in x's dtype.
func (b bnLowered) centered(l *Lowering, x *stablehlo.Value) *stablehlo.Value {
	d := l.Sub(x, l.Broadcast(b.shift, x.Shape(), 1))
	if b.offset == nil {
		return d
	}
	return l.Sub(d, l.Broadcast(l.Convert(b.offset, x.Shape().DType), x.Shape(), 1))
}

// lowerUpdate sets the running statistics from the batch's (training), in
// float64 rounded once: running = (1 - momentum) running + momentum batch,
// with the unbiased variance; and one more batch tracked.
func (s *bnState) lowerUpdate(l *Lowering, b bnLowered) {
	st := s.stats
	c := shapes.Make(l.Out.DType, s.c)
	c64 := shapes.Make(dtypes.Float64, s.c)
	m := float64(s.count())
	keep, mom := l.Full(1-st.Momentum, c64), l.Full(st.Momentum, c64)
	for _, f := range []struct {
		field string
		batch *stablehlo.Value
	}{{"mean", l.Add(f64(l, b.shift), b.offset)}, {"var", l.Mul(b.variance, l.Full(m/(m-1), c64))}} {
		key := StateKey{st, f.field}
		run := f64(l, l.State(key, bnPrefix, c))
		l.SetState(key, l.Convert(l.Add(l.Mul(keep, run), l.Mul(mom, f.batch)), c.DType))
	}
	key := StateKey{st, "tracked"}
	n := l.State(key, bnPrefix, shapes.Make(dtypes.Int64))
	l.SetState(key, l.Add(n, l.Const(1, dtypes.Int64)))
}

// Lower: y = (x - mean) * invstd * gamma + beta, per channel; in training
// the running statistics are updated.
func (o bnOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	x, gamma, beta := l.In[0], l.In[1], l.In[2] // (N, C[, H, W]), (C), (C)
	b := o.s.lowered(l, x)
	if o.s.training {
		o.s.lowerUpdate(l, b)
	}
	s := x.Shape()
	a := l.Broadcast(l.Mul(l.Convert(b.invstd, s.DType), gamma), s, 1)
	return l.Add(l.Mul(b.centered(l, x), a), l.Broadcast(beta, s, 1)), l.Err()
}

// Lower: rows dgamma = Σdy·(x - mean)·invstd and dbeta = Σdy, (2, C).
func (o bnParamsGradOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	x, dy := l.In[0], l.In[1]
	b := o.s.lowered(l, x)
	dt := l.Out.DType
	dgamma := l.Convert(l.Mul(o.s.sum(l, dy, b.centered64(l, x)), b.invstd), dt) // (C)
	dbeta := l.Convert(o.s.sum(l, dy), dt)                                       // (C)
	return l.Concat(0, l.Reshape(dgamma, 1, o.s.c), l.Reshape(dbeta, 1, o.s.c)), l.Err()
}

// Lower: dx = gamma * invstd * (dy - dbeta/M - (x - mean) * invstd *
// dgamma/M) in training, gamma * invstd * dy in eval.
func (o bnInputGradOp) Lower(l *Lowering) (*stablehlo.Value, error) {
	dt := l.Out.DType
	if !o.s.training {
		gamma, dy := l.In[0], l.In[1]
		b := o.s.lowered(l, nil)
		return l.Mul(dy, l.Broadcast(l.Mul(gamma, l.Convert(b.invstd, dt)), dy.Shape(), 1)), l.Err()
	}
	x, gamma, dy, sums := l.In[0], l.In[1], l.In[2], l.In[3] // like x, (C), like x, (2, C)
	b := o.s.lowered(l, x)
	s := x.Shape()
	c := shapes.Make(dt, o.s.c)
	m := l.Full(float64(o.s.count()), c)
	invstd := l.Convert(b.invstd, dt)
	dgamma, dbeta := l.Reshape(l.Rows(sums, 0, 1), o.s.c), l.Reshape(l.Rows(sums, 1, 2), o.s.c)
	cb := l.Div(dbeta, m)                 // (C)
	cg := l.Div(l.Mul(dgamma, invstd), m) // (C)
	inner := l.Sub(l.Sub(dy, l.Broadcast(cb, s, 1)), l.Mul(b.centered(l, x), l.Broadcast(cg, s, 1)))
	return l.Mul(l.Broadcast(l.Mul(gamma, invstd), s, 1), inner), l.Err()
}

// ---- the ops ----------------------------------------------------------

// bnBase is what the three ops share: the kind and the call's state. The
// hash names the call, so nodes of different BatchNorm calls never merge.
type bnBase struct {
	opBase
	s *bnState
}

func (o bnBase) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s/%d/%t", o.kind, o.s.id, o.s.training) }
func (o bnBase) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}

func (o bnBase) String() string {
	if o.s.training {
		return o.kind + "(train)"
	}
	return o.kind + "(eval)"
}

// xType is the type of x and of tensors shaped like it.
func (o bnBase) xType() hm.Type { return G.TensorType{Dims: len(o.s.shape), Of: hm.TypeVariable('a')} }

// sumsShape is grad_params' output shape.
func (o bnBase) sumsShape() tensor.Shape { return tensor.Shape{2, o.s.c} }

// checkShapes compares input shapes at graph building.
func (o bnBase) checkShapes(in []G.DimSizer, want ...tensor.Shape) error {
	if len(in) != len(want) {
		return fmt.Errorf("%s: want %d inputs, got %d", o.kind, len(want), len(in))
	}
	for i, w := range want {
		if s, ok := in[i].(tensor.Shape); !ok || !s.Eq(w) {
			return fmt.Errorf("%s: input %d has shape %v, want %v", o.kind, i, in[i], w)
		}
	}
	return nil
}

// inputs returns the float32 data of in, checking the count and each shape
// against want; views that need an iterator are materialised first.
func (o bnBase) inputs(in []G.Value, want ...tensor.Shape) ([][]float32, error) {
	if len(in) != len(want) {
		return nil, fmt.Errorf("%s: want %d inputs, got %d", o.kind, len(want), len(in))
	}
	out := make([][]float32, len(in))
	for i, v := range in {
		d, ok := v.(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("%s: input %d is %T, want a float32 tensor", o.kind, i, v)
		}
		if !d.Shape().Eq(want[i]) {
			return nil, fmt.Errorf("%s: input %d has shape %v, want %v", o.kind, i, d.Shape(), want[i])
		}
		if d.RequiresIterator() {
			d = d.Materialize().(*tensor.Dense)
		}
		f, ok := d.Data().([]float32)
		if !ok {
			return nil, fmt.Errorf("%s: input %d holds %T, want []float32", o.kind, i, d.Data())
		}
		out[i] = f[:want[i].TotalSize()]
	}
	return out, nil
}

// output returns the tensor an op writes its result into: prealloc when
// the machine offers one that fits, else a new header on the op's own
// buffer *buf, made on the first run and reused by every later one.
func (o bnBase) output(prealloc G.Value, buf *[]float32, shape tensor.Shape) (*tensor.Dense, []float32, error) {
	if prealloc == nil {
		if len(*buf) != shape.TotalSize() {
			*buf = make([]float32, shape.TotalSize())
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(*buf)), *buf, nil
	}
	d, ok := prealloc.(*tensor.Dense)
	if !ok || d.Dtype() != tensor.Float32 || !d.Shape().Eq(shape) || d.RequiresIterator() {
		return nil, nil, fmt.Errorf("%s: cannot write into %v, want a float32 tensor of shape %v", o.kind, prealloc, shape)
	}
	return d, d.Data().([]float32)[:shape.TotalSize()], nil
}

// bnOp is the forward: x (N, C[, H, W]), gamma (C), beta (C) -> y like x.
type bnOp struct{ bnBase }

func (bnOp) Arity() int { return 3 }
func (o bnOp) Type() hm.Type {
	return hm.NewFnType(o.xType(), vecType(), vecType(), o.xType())
}
func (o bnOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	c := tensor.Shape{o.s.c}
	if err := o.checkShapes(in, o.s.shape, c, c); err != nil {
		return nil, err
	}
	return o.s.shape.Clone(), nil
}

func (o bnOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

// ScratchBytes is the state's saved mean and inverse standard deviation
// (engine.Scratcher).
func (o bnOp) ScratchBytes() map[string]int64 { return map[string]int64{"": 16 * int64(o.s.c)} }

// UsePreallocDo writes y into prealloc (a new tensor when nil). It checks
// everything before the running statistics are touched, so a failed call
// (the machine then falls back to Do) does not update them twice.
func (o bnOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	c := tensor.Shape{o.s.c}
	v, err := o.inputs(in, o.s.shape, c, c)
	if err != nil {
		return nil, err
	}
	if st := o.s.stats; len(st.Mean) != o.s.c || len(st.Var) != o.s.c {
		return nil, fmt.Errorf("%s: statistics have %d means and %d variances, want %d", o.kind, len(st.Mean), len(st.Var), o.s.c)
	}
	out, y, err := o.output(prealloc, &o.s.y, o.s.shape)
	if err != nil {
		return nil, err
	}
	o.s.forward(y, v[0], v[1], v[2])
	return out, nil
}

func (bnOp) DiffWRT(int) []bool { return []bool{true, true, true} }

// SymDiff builds the backward described at the top of the file.
func (o bnOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	x, gamma := in[0], in[1]
	sums, err := G.ApplyOp(bnParamsGradOp{bnBase{opBase{"sslrun.batchnorm_grad_params"}, o.s}}, x, grad) // (2, C)
	if err != nil {
		return nil, err
	}
	gi := bnInputGradOp{bnBase{opBase{"sslrun.batchnorm_grad_input"}, o.s}}
	var dx *G.Node // like x
	if o.s.training {
		dx, err = G.ApplyOp(gi, x, gamma, grad, sums)
	} else {
		dx, err = G.ApplyOp(gi, gamma, grad)
	}
	if err != nil {
		return nil, err
	}
	dgamma, err := sumsRow(sums, 0, o.s.c) // (C)
	if err != nil {
		return nil, err
	}
	dbeta, err := sumsRow(sums, 1, o.s.c) // (C)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dgamma, dbeta}, nil
}

// sumsRow is row i of sums (2, C) as a (C) vector: Rows, not gorgonia's
// Slice, which Allowed leaves out.
func sumsRow(sums *G.Node, i, c int) (*G.Node, error) {
	row, err := Rows(sums, i, i+1) // (1, C)
	if err != nil {
		return nil, err
	}
	return G.Reshape(row, tensor.Shape{c}) // (C)
}

// bnParamsGradOp: x (N, C[, H, W]), dy like x -> (2, C), rows dgamma and
// dbeta.
type bnParamsGradOp struct{ bnBase }

func (bnParamsGradOp) Arity() int { return 2 }
func (o bnParamsGradOp) Type() hm.Type {
	return hm.NewFnType(o.xType(), o.xType(), matType())
}
func (o bnParamsGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if err := o.checkShapes(in, o.s.shape, o.s.shape); err != nil {
		return nil, err
	}
	return o.sumsShape(), nil
}

func (o bnParamsGradOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o bnParamsGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if o.s.mean == nil {
		return nil, fmt.Errorf("%s: the forward has not run", o.kind)
	}
	v, err := o.inputs(in, o.s.shape, o.s.shape)
	if err != nil {
		return nil, err
	}
	out, sums, err := o.output(prealloc, &o.s.sums, o.sumsShape())
	if err != nil {
		return nil, err
	}
	o.s.paramGrads(sums, v[0], v[1])
	return out, nil
}

// bnInputGradOp gives dx like x from x, gamma (C), dy like x and sums
// (2, C) in training, from gamma and dy alone in eval.
type bnInputGradOp struct{ bnBase }

func (o bnInputGradOp) Arity() int {
	if o.s.training {
		return 4
	}
	return 2
}

func (o bnInputGradOp) Type() hm.Type {
	if o.s.training {
		return hm.NewFnType(o.xType(), vecType(), o.xType(), matType(), o.xType())
	}
	return hm.NewFnType(vecType(), o.xType(), o.xType())
}

// shapes are the input shapes, in order.
func (o bnInputGradOp) shapes() []tensor.Shape {
	c := tensor.Shape{o.s.c}
	if o.s.training {
		return []tensor.Shape{o.s.shape, c, o.s.shape, o.sumsShape()}
	}
	return []tensor.Shape{c, o.s.shape}
}

func (o bnInputGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if err := o.checkShapes(in, o.shapes()...); err != nil {
		return nil, err
	}
	return o.s.shape.Clone(), nil
}

func (o bnInputGradOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o bnInputGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if o.s.mean == nil {
		return nil, fmt.Errorf("%s: the forward has not run", o.kind)
	}
	v, err := o.inputs(in, o.shapes()...)
	if err != nil {
		return nil, err
	}
	out, dx, err := o.output(prealloc, &o.s.dx, o.s.shape)
	if err != nil {
		return nil, err
	}
	if o.s.training {
		o.s.inputGrad(dx, v[0], v[1], v[2], v[3])
	} else {
		o.s.inputGrad(dx, nil, v[0], v[1], nil)
	}
	return out, nil
}
