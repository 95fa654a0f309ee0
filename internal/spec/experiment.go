package spec

import (
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/hashicorp/hcl/v2"

	"github.com/sslrun/sslrun/registry"
)

// Experiment is a fully resolved spec: variables substituted, every default
// filled and every component named by its full ID. Its JSON form is what
// `sslrun validate --print` prints and what a run logs.
type Experiment struct {
	Name        string `json:"name"`
	Seed        int    `json:"seed"`
	Description string `json:"description"`
	// File is the spec's path as given; Dir is the absolute folder relative
	// paths were resolved from.
	File string `json:"file"`
	Dir  string `json:"-"`
	// Variables holds the value of every declared variable after --var
	// overrides, as JSON.
	Variables map[string]json.RawMessage `json:"variables"`

	Datasets  []Component `json:"datasets"`
	Views     []View      `json:"views"`
	Backbone  *Component  `json:"backbone,omitempty"`
	Heads     []Component `json:"heads,omitempty"`
	Objective *Component  `json:"objective,omitempty"`
	Optimizer *Component  `json:"optimizer,omitempty"`
	Schedule  *Component  `json:"schedule,omitempty"`
	Train     Train       `json:"train"`
	Evaluate  []Component `json:"evaluate,omitempty"`
}

// Component is one resolved component block.
type Component struct {
	ID     string          `json:"id"`
	Name   string          `json:"name,omitempty"`
	Params registry.Values `json:"params"`
	// Range is the block's header in the spec, for diagnostics raised when
	// components are wired together; Attrs the ranges of the values its
	// attributes were given, for a wiring error about one of them.
	Range hcl.Range            `json:"-"`
	Attrs map[string]hcl.Range `json:"-"`
}

// View is one view block: an ordered augmentation pipeline applied Count
// times to every image. Several views make multi-crop.
type View struct {
	Name    string      `json:"name"`
	Count   int         `json:"count"`
	Augment []Component `json:"augment"`
	Range   hcl.Range   `json:"-"`
}

// Train holds the training loop's settings.
type Train struct {
	Epochs    int  `json:"epochs"`
	BatchSize int  `json:"batch_size"`
	DropLast  bool `json:"drop_last"`
	// Workers is the number of data-pipeline goroutines (0: GOMAXPROCS).
	Workers int `json:"workers"`
	// Prefetch is the number of batches prepared ahead of the consumer.
	Prefetch int `json:"prefetch"`
	// Dataset names the dataset block pretraining reads.
	Dataset string `json:"dataset"`
	// CheckpointEvery is how often the latest checkpoint is rewritten.
	CheckpointEvery Interval `json:"checkpoint_every"`
	// KeepEvery keeps every KeepEvery-th checkpoint besides the latest (0:
	// only the latest).
	KeepEvery int `json:"keep_every"`
	// LogEvery is the number of steps between logged steps.
	LogEvery int `json:"log_every"`
	// Precision is what the training step computes in: "fp32", or "bf16"
	// (mixed precision: matrix products and convolutions on bf16
	// operands, float32 master weights and loss), which only the XLA
	// engine runs.
	Precision string `json:"precision"`
}

// Interval is a period counted in optimizer steps or in epochs, written
// "500 steps" or "1 epoch" in a spec.
type Interval struct {
	N      int
	Epochs bool // false: steps
}

// ParseInterval reads "N step(s)" or "N epoch(s)" with N >= 1.
func ParseInterval(s string) (Interval, error) {
	var n int
	var unit string
	if _, err := fmt.Sscanf(s, "%d %s", &n, &unit); err != nil || fmt.Sprintf("%d %s", n, unit) != s {
		return Interval{}, fmt.Errorf("%q is not an interval: write a count and a unit, e.g. \"500 steps\" or \"1 epoch\"", s)
	}
	if n < 1 {
		return Interval{}, fmt.Errorf("interval %q: the count must be at least 1", s)
	}
	switch unit {
	case "step", "steps":
		return Interval{N: n}, nil
	case "epoch", "epochs":
		return Interval{N: n, Epochs: true}, nil
	}
	return Interval{}, fmt.Errorf("interval %q: the unit is %q, want steps or epochs", s, unit)
}

// String is the interval as a spec writes it.
func (i Interval) String() string {
	unit := "step"
	if i.Epochs {
		unit = "epoch"
	}
	if i.N != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", i.N, unit)
}

// MarshalText writes the interval as a spec does.
func (i Interval) MarshalText() ([]byte, error) { return []byte(i.String()), nil }

// UnmarshalText reads an interval as a spec writes it.
func (i *Interval) UnmarshalText(b []byte) error {
	v, err := ParseInterval(string(b))
	if err != nil {
		return err
	}
	*i = v
	return nil
}

// Due reports whether a checkpoint falls after step (1-based count of steps
// done) when epochEnd says that step closed an epoch (epoch is then the
// 0-based epoch that ended).
func (i Interval) Due(step int, epochEnd bool, epoch int) bool {
	if i.Epochs {
		return epochEnd && (epoch+1)%i.N == 0
	}
	return step%i.N == 0
}

// Dataset returns the dataset block called name.
func (e *Experiment) Dataset(name string) (*Component, bool) {
	for i := range e.Datasets {
		if e.Datasets[i].Name == name {
			return &e.Datasets[i], true
		}
	}
	return nil, false
}

// ViewCount is the number of views made of each image, over all view blocks.
func (e *Experiment) ViewCount() int {
	n := 0
	for _, v := range e.Views {
		n += v.Count
	}
	return n
}

// MaxExperimentName bounds the bytes of an experiment's name.
const MaxExperimentName = 100

var experimentNameRE = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*$`)

// validExperimentName reports whether name can name a run folder as is: it
// cannot climb out of runs/ ("../x"), hide (".x") or hold bytes a file
// system or a terminal would trip on.
func validExperimentName(name string) bool {
	return len(name) <= MaxExperimentName && experimentNameRE.MatchString(name)
}

// Block schemas of the parts of a spec that are not components. They use the
// same declarative params as components, so they get the same checks and the
// same reference documentation.
var (
	experimentParams = []registry.Param{
		{Name: "seed", Type: registry.Int, Default: 0, Range: registry.AtLeast(0), Doc: "seed of every random draw in the run"},
		{Name: "description", Type: registry.String, Default: "", Doc: "what the experiment is, for people"},
	}
	// variableParams are a variable's typed attributes; its default takes
	// any value and is read apart.
	variableParams = []registry.Param{
		{Name: "description", Type: registry.String, Default: "", Doc: "what the variable is for, for people"},
	}
	viewParams = []registry.Param{
		{Name: "count", Type: registry.Int, Default: 1, Range: registry.AtLeast(1), Doc: "how many views of each image this pipeline makes"},
	}
	trainParams = []registry.Param{
		{Name: "epochs", Type: registry.Int, Default: 100, Range: registry.AtLeast(1), Doc: "passes over the training set"},
		{Name: "batch_size", Type: registry.Int, Default: 256, Range: registry.AtLeast(1), Doc: "source images per step (each with all its views)"},
		{Name: "drop_last", Type: registry.Bool, Default: true, Doc: "drop the last incomplete batch of an epoch"},
		{Name: "workers", Type: registry.Int, Default: 0, Range: registry.AtLeast(0), Doc: "data-pipeline goroutines; 0 uses GOMAXPROCS (results do not depend on it)"},
		{Name: "prefetch", Type: registry.Int, Default: 2, Range: registry.AtLeast(1), Doc: "batches prepared ahead of training"},
		{Name: "dataset", Type: registry.String, Default: "train", Doc: "the dataset block pretraining reads"},
		{Name: "checkpoint_every", Type: registry.String, Default: "1 epoch", Doc: "how often the latest checkpoint is rewritten: \"N steps\" or \"N epochs\""},
		{Name: "keep_every", Type: registry.Int, Default: 0, Range: registry.AtLeast(0), Doc: "also keep every N-th checkpoint, and the one at step 0 (the initialisation), as checkpoints/step-NNNNNNNN.safetensors (0: only the latest)"},
		{Name: "log_every", Type: registry.Int, Default: 10, Range: registry.AtLeast(1), Doc: "optimizer steps between logged steps"},
		{Name: "precision", Type: registry.String, Default: "fp32", Enum: []string{"fp32", "bf16"}, Doc: "what the training step computes in: fp32, or bf16 (matrix products and convolutions in bf16, float32 master weights and loss; the XLA engine only, the CPU engine refuses it)"},
	}
)
