package memplan

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sslrun/sslrun/internal/engine"
)

// Part says which stage of a run holds an item.
type Part int

const (
	// Step is the training step and what outlives it: what `sslrun bench`
	// measures before it loads any data.
	Step Part = iota
	// Data is the datasets and the data loader.
	Data
	// Other is the checkpoints and the evaluation after pretraining.
	Other
)

// Item is one part of the estimate.
type Item struct {
	Name  string `json:"name"`
	Bytes int64  `json:"bytes"`
	Part  Part   `json:"-"`
}

// Plan is an estimate of what a run needs.
type Plan struct {
	Experiment string `json:"-"`
	Batch      int    `json:"batch"`
	Views      int    `json:"views"`
	// Total is the sum of the items, at most math.MaxInt64.
	Total int64  `json:"total_bytes"`
	Items []Item `json:"items"`
	// Partial marks an estimate that stopped early because its first items
	// already exceed the budget it was given: the run needs at least Total.
	Partial bool `json:"partial,omitempty"`
	// Unsized names the dataset blocks the estimate leaves out: their
	// sources do not tell how many images they have.
	Unsized []string `json:"unsized_datasets,omitempty"`
}

// add appends an item and adds it to the total.
func (p *Plan) add(part Part, bytes int64, format string, args ...any) {
	p.Items = append(p.Items, Item{Name: fmt.Sprintf(format, args...), Bytes: bytes, Part: part})
	p.Total = addSat(p.Total, bytes)
}

// Sum is the total of the items of the given parts, at most math.MaxInt64.
func (p *Plan) Sum(parts ...Part) int64 {
	var n int64
	for _, it := range p.Items {
		if slices.Contains(parts, it.Part) {
			n = addSat(n, it.Bytes)
		}
	}
	return n
}

// Breakdown lists the items, largest first, e.g. "activations of the
// training step 3.8 GiB, parameters 48.6 MiB, ...".
func (p *Plan) Breakdown() string {
	items := slices.Clone(p.Items)
	slices.SortStableFunc(items, func(a, b Item) int { return cmp.Compare(b.Bytes, a.Bytes) })
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = it.Name + " " + Size(it.Bytes)
	}
	return strings.Join(parts, ", ")
}

// About is the total for people: "about 1.3 GiB", "at least 40.0 TiB" for
// a partial estimate, or "more than 8 EiB".
func (p *Plan) About() string {
	switch {
	case p.Total == math.MaxInt64:
		return Size(p.Total)
	case p.Partial:
		return "at least " + Size(p.Total)
	}
	return "about " + Size(p.Total)
}

// Omitted says what the estimate leaves out, e.g. ` (not counting dataset
// "train", whose source does not tell its size)`, or "".
func (p *Plan) Omitted() string {
	switch len(p.Unsized) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf(" (not counting dataset %q, whose source does not tell its size)", p.Unsized[0])
	}
	q := make([]string, len(p.Unsized))
	for i, n := range p.Unsized {
		q[i] = strconv.Quote(n)
	}
	return fmt.Sprintf(" (not counting datasets %s, whose sources do not tell their size)", strings.Join(q, ", "))
}

// TooLargeError is a run refused because its estimate exceeds the memory
// the machine has available.
type TooLargeError struct {
	Plan    *Plan
	Machine Machine
}

func (e *TooLargeError) Error() string {
	p := e.Plan
	return fmt.Sprintf("experiment %q needs %s of memory at a batch of %d images in %d views%s, more than the %s this machine can give it (%s). "+
		"The estimate: %s. Lower train.batch_size, the views' count or size, the model's widths, train.prefetch or the data held in memory, or run it on a machine with more memory",
		p.Experiment, p.About(), p.Batch, p.Views, p.Omitted(), Size(e.Machine.Usable()), e.Machine, p.Breakdown())
}

// Check refuses a plan that needs more than the machine's usable memory.
func Check(p *Plan, m Machine) error {
	if p.Total > m.Usable() {
		return &TooLargeError{Plan: p, Machine: m}
	}
	return nil
}

// Size formats bytes for people in binary units: "512 B", "48.6 MiB",
// "1.3 GiB"; the saturated maximum reads "more than 8 EiB".
func Size(b int64) string {
	if b == math.MaxInt64 {
		return "more than 8 EiB"
	}
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	v, i := float64(b)/unit, 0
	for v >= unit && i < 5 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[i])
}

// addSat is a+b for a, b >= 0, at most math.MaxInt64.
func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// mulSat is the product of non-negative factors, at most math.MaxInt64.
func mulSat(factors ...int64) int64 {
	n := int64(1)
	for _, f := range factors {
		n = engine.MulSat(n, f)
	}
	return n
}
