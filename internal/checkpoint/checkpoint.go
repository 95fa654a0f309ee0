package checkpoint

import (
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/sslrun/sslrun/components/objective"
	"github.com/sslrun/sslrun/components/optimizer"
	"github.com/sslrun/sslrun/internal/atomicfile"
	"github.com/sslrun/sslrun/internal/safetensors"
	"github.com/sslrun/sslrun/nn"
)

// Position is where training stands between two steps.
type Position struct {
	Step      int     // optimizer steps done
	Epoch     int     // epoch of the next step (0-based)
	EpochStep int     // steps done in that epoch
	EpochLoss float64 // sum of the losses of those steps
}

// Checkpoint is everything a run needs to continue exactly: the parameters,
// batch-norm statistics, optimizer state, the objective's state
// (objective.Method) and the position in the data (which, with the seed,
// fixes every later random draw).
type Checkpoint struct {
	Experiment string // the experiment's name
	Config     string // sha256 of the resolved experiment
	Pos        Position
	Params     *nn.Params
	Optimizer  optimizer.State
	Method     objective.State // empty when the objective keeps none
	LastLoss   float64         // the loss of the last step, for the summary
}

// Checkpoint metadata keys.
const (
	metaExperiment = "sslrun.experiment"
	metaConfig     = "sslrun.config_sha256"
	metaStep       = "sslrun.step"
	metaEpoch      = "sslrun.epoch"
	metaEpochStep  = "sslrun.epoch_step"
	metaEpochLoss  = "sslrun.epoch_loss"
	metaLastLoss   = "sslrun.last_loss"
	// MetaData is the sha256 of the file's tensor data, checked on read: a
	// changed byte is refused, not resumed from.
	MetaData = "sslrun.data_sha256"
)

// Write stores c at path atomically: a reader sees the old file or the new
// one, never a part.
func (c *Checkpoint) Write(path string) error {
	var ts []safetensors.Tensor
	for _, p := range c.Params.List() {
		ts = append(ts, safetensors.F32("param/"+p.Name, p.Value.Shape(), p.Data()))
	}
	for _, name := range c.Params.BNNames() {
		s := c.Params.BN(name, 0)
		ts = append(ts,
			safetensors.F32("bn/"+name+".running_mean", []int{len(s.Mean)}, s.Mean),
			safetensors.F32("bn/"+name+".running_var", []int{len(s.Var)}, s.Var),
			safetensors.I64("bn/"+name+".num_batches_tracked", []int{}, []int64{s.Tracked}))
	}
	for k, v := range c.Optimizer.Buffers {
		ts = append(ts, safetensors.F32("optim/"+k, []int{len(v)}, v))
	}
	for k, v := range c.Optimizer.Counters {
		ts = append(ts, safetensors.I64("optim_count/"+k, []int{}, []int64{v}))
	}
	meta := map[string]string{
		metaExperiment: c.Experiment,
		metaConfig:     c.Config,
		metaStep:       strconv.Itoa(c.Pos.Step),
		metaEpoch:      strconv.Itoa(c.Pos.Epoch),
		metaEpochStep:  strconv.Itoa(c.Pos.EpochStep),
		metaEpochLoss:  strconv.FormatFloat(c.Pos.EpochLoss, 'g', -1, 64),
		metaLastLoss:   strconv.FormatFloat(c.LastLoss, 'g', -1, 64),
	}
	for k, v := range c.Method.Buffers {
		ts = append(ts, safetensors.F32("method/"+k, []int{len(v)}, v))
	}
	for k, v := range c.Method.Counters {
		ts = append(ts, safetensors.I64("method_count/"+k, []int{}, []int64{v}))
	}
	meta[MetaData] = safetensors.DataSHA256(ts)
	return atomicfile.Write(path, func(w io.Writer) error { return safetensors.Write(w, ts, meta) })
}

// Read loads the checkpoint at path into params, which must hold
// every parameter and batch norm the checkpoint does with the same shapes
// (build the run's graphs first), and returns the rest of its state.
func Read(path string, params *nn.Params) (*Checkpoint, error) {
	f, err := open(path)
	if err != nil {
		return nil, err
	}
	c, err := Decode(f, params)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return c, nil
}

// ReadPosition reads only where the checkpoint at path stands: its
// position and the loss of its last step (its data checked against its
// checksum, its tensors not loaded). Summaries written after an
// interrupted evaluation take their steps and final loss from it.
func ReadPosition(path string) (Position, float64, error) {
	f, err := open(path)
	if err != nil {
		return Position{}, 0, err
	}
	var c Checkpoint
	if err := decodeMeta(f, &c); err != nil {
		return Position{}, 0, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return c.Pos, c.LastLoss, nil
}

// open reads and parses the safetensors file at path.
func open(path string) (*safetensors.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading checkpoint: %w", err)
	}
	f, err := safetensors.Read(data)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s is corrupt: %w", path, err)
	}
	return f, nil
}

// Decode is Read on a file already parsed.
func Decode(f *safetensors.File, params *nn.Params) (*Checkpoint, error) {
	c := &Checkpoint{Params: params, Optimizer: optimizer.State{Buffers: map[string][]float32{}, Counters: map[string]int64{}}}
	if err := decodeMeta(f, c); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, p := range params.List() {
		if err := copyF32(f, "param/"+p.Name, p.Data(), seen); err != nil {
			return nil, err
		}
	}
	for _, name := range params.BNNames() {
		s := params.BN(name, 0)
		if err := copyF32(f, "bn/"+name+".running_mean", s.Mean, seen); err != nil {
			return nil, err
		}
		if err := copyF32(f, "bn/"+name+".running_var", s.Var, seen); err != nil {
			return nil, err
		}
		n, err := int64At(f, "bn/"+name+".num_batches_tracked", seen)
		if err != nil {
			return nil, err
		}
		s.Tracked = n
	}
	for _, t := range f.Tensors {
		if seen[t.Name] {
			continue
		}
		kind, key, _ := strings.Cut(t.Name, "/")
		switch kind {
		case "optim":
			v, err := t.Float32s()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", t.Name, err)
			}
			c.Optimizer.Buffers[key] = v
		case "optim_count":
			v, err := t.Int64s()
			if err != nil || len(v) != 1 {
				return nil, fmt.Errorf("%s: not an integer counter", t.Name)
			}
			c.Optimizer.Counters[key] = v[0]
		case "method":
			v, err := t.Float32s()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", t.Name, err)
			}
			if c.Method.Buffers == nil {
				c.Method.Buffers = map[string][]float32{}
			}
			c.Method.Buffers[key] = v
		case "method_count":
			v, err := t.Int64s()
			if err != nil || len(v) != 1 {
				return nil, fmt.Errorf("%s: not an integer counter", t.Name)
			}
			if c.Method.Counters == nil {
				c.Method.Counters = map[string]int64{}
			}
			c.Method.Counters[key] = v[0]
		default:
			return nil, fmt.Errorf("holds %s, which this experiment's model does not have", t.Name)
		}
	}
	return c, nil
}

// decodeMeta checks f's checksum and reads its metadata into c: the
// experiment, the configuration, the position and the last loss.
func decodeMeta(f *safetensors.File, c *Checkpoint) error {
	c.Experiment, c.Config = f.Metadata[metaExperiment], f.Metadata[metaConfig]
	if c.Experiment == "" || c.Config == "" {
		return fmt.Errorf("not an sslrun checkpoint (no %s metadata)", metaExperiment)
	}
	switch sum := f.Metadata[MetaData]; {
	case sum == "":
		return fmt.Errorf("has no checksum of its data (metadata %s)", MetaData)
	case sum != f.DataSHA256():
		return fmt.Errorf("is corrupt: its tensor data does not match the checksum written with it")
	}
	ints := []struct {
		key string
		dst *int
	}{{metaStep, &c.Pos.Step}, {metaEpoch, &c.Pos.Epoch}, {metaEpochStep, &c.Pos.EpochStep}}
	for _, m := range ints {
		v, err := strconv.Atoi(f.Metadata[m.key])
		if err != nil || v < 0 {
			return fmt.Errorf("metadata %s = %q is not a count", m.key, f.Metadata[m.key])
		}
		*m.dst = v
	}
	floats := []struct {
		key string
		dst *float64
	}{{metaEpochLoss, &c.Pos.EpochLoss}, {metaLastLoss, &c.LastLoss}}
	for _, m := range floats {
		v, err := strconv.ParseFloat(f.Metadata[m.key], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("metadata %s = %q is not a finite number", m.key, f.Metadata[m.key])
		}
		*m.dst = v
	}
	return nil
}

// check refuses a Position that a run of perEpoch steps per epoch and
// epochs epochs cannot reach: resuming from it would train past the data or
// the run's end.
func (p Position) Check(perEpoch, epochs int) error {
	switch {
	case p.Epoch > epochs || p.Epoch == epochs && p.EpochStep > 0:
		return fmt.Errorf("is at epoch %d of a run of %d epochs", p.Epoch+1, epochs)
	case p.EpochStep >= perEpoch:
		return fmt.Errorf("is at step %d of an epoch of %d steps", p.EpochStep+1, perEpoch)
	case p.Step != p.Epoch*perEpoch+p.EpochStep:
		return fmt.Errorf("says step %d, but epoch %d and step %d in it make %d at %d steps per epoch",
			p.Step, p.Epoch, p.EpochStep, p.Epoch*perEpoch+p.EpochStep, perEpoch)
	case math.IsNaN(p.EpochLoss) || math.IsInf(p.EpochLoss, 0):
		return fmt.Errorf("holds an epoch loss of %v", p.EpochLoss)
	}
	return nil
}

// NonFinite names the first tensor of the state c would write that holds a
// NaN or an infinity, or returns "" when every value is finite.
func (c *Checkpoint) NonFinite() string {
	for _, p := range c.Params.List() {
		if !finite(p.Data()) {
			return "parameter " + p.Name
		}
	}
	for _, name := range c.Params.BNNames() {
		s := c.Params.BN(name, 0)
		if !finite(s.Mean) || !finite(s.Var) {
			return "batch-norm statistics of " + name
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.Optimizer.Buffers)) {
		if !finite(c.Optimizer.Buffers[k]) {
			return "optimizer buffer " + k
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.Method.Buffers)) {
		if !finite(c.Method.Buffers[k]) {
			return "the objective's state " + k
		}
	}
	return ""
}

func finite(v []float32) bool {
	for _, x := range v {
		if x-x != 0 { // NaN - NaN and Inf - Inf are NaN
			return false
		}
	}
	return true
}

// copyF32 copies the float32 tensor name of f into dst, which must be as long.
func copyF32(f *safetensors.File, name string, dst []float32, seen map[string]bool) error {
	t, ok := f.Get(name)
	if !ok {
		return fmt.Errorf("lacks %s, which this experiment's model has", name)
	}
	v, err := t.Float32s()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(v) != len(dst) {
		return fmt.Errorf("%s holds %d values, the model's %d", name, len(v), len(dst))
	}
	copy(dst, v)
	seen[name] = true
	return nil
}

// int64At reads the integer scalar name of f.
func int64At(f *safetensors.File, name string, seen map[string]bool) (int64, error) {
	t, ok := f.Get(name)
	if !ok {
		return 0, fmt.Errorf("lacks %s, which this experiment's model has", name)
	}
	v, err := t.Int64s()
	if err != nil || len(v) != 1 {
		return 0, fmt.Errorf("%s: not an integer scalar", name)
	}
	seen[name] = true
	return v[0], nil
}
