package report

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// Step is a "step" event: the loss and learning rate after a global
// optimizer step.
type Step struct {
	Epoch int     // epoch of the step, 0-based
	Step  int     // global optimizer steps done, 1-based
	Loss  float64 // NaN or ±Inf when the loss was not finite
	LR    float64 // learning rate used for the step
}

// Epoch is an "epoch" event: how an epoch went.
type Epoch struct {
	Epoch      int     // 0-based
	Steps      int     // optimizer steps in the epoch
	Loss       float64 // mean loss over the epoch
	ImagesPerS float64 // training throughput; 0 when not logged
	Seconds    float64 // wall time of the epoch; 0 when not logged
}

// Eval is an "eval" event: the score of an evaluation protocol.
type Eval struct {
	Protocol string  // "knn", "linear", ...
	Top1     float64 // fraction in [0, 1]
	Top5     float64 // fraction in [0, 1]
	Baseline bool    // the score of the randomly initialised network
	Pixels   bool    // the score of the raw pixels (the preprocessed images)
}

// Log is the content of a run log that this package uses.
type Log struct {
	// Experiment and Seed are config.experiment.name and
	// config.experiment.seed of the last "start" event; they stay "" and
	// nil when there is no start event or its config lacks them or gives
	// them with other types.
	Experiment string
	Seed       *int64
	// Steps holds one entry per logged step, ordered by Step. When a step
	// was logged more than once, as after a resume, the last line wins.
	Steps []Step
	// Epochs holds one entry per logged epoch, ordered by Epoch; the last
	// line logged for an epoch wins.
	Epochs []Epoch
	// Evals holds the "eval" events in log order.
	Evals []Eval
}

// ReadLog parses a run log: zerolog JSON, one object per line. A last line
// that is not JSON and has no newline, a write cut short by a full disk or a
// kill, is skipped, as are blank lines,
// lines without an "event" field, events other than "start", "step",
// "epoch" and "eval", and unknown fields are skipped. Errors name the line as
// name:LINE, so name should be the path of the log.
//
// A "step" event needs the fields epoch, step, loss and lr; an "epoch" event
// epoch, steps and loss (images_per_s and seconds are optional); an "eval"
// event protocol, top1 and top5 (baseline and pixels are optional); a
// missing field or
// one of another type is an error. Numbers may also be the strings "NaN",
// "+Inf" and "-Inf", which zerolog writes for non-finite floats. The config
// of a "start" event is the runner's, so it is read only for the experiment
// and seed, when it has them.
func ReadLog(r io.Reader, name string) (*Log, error) {
	p := parser{steps: map[int]Step{}, epochs: map[int]Epoch{}}
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		torn := errors.Is(err, io.EOF) && !json.Valid(line) // a last write cut short
		if len(bytes.TrimSpace(line)) > 0 && !torn {
			if perr := p.parse(line); perr != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, n, perr)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
	}
	l := &p.log
	for _, s := range p.steps {
		l.Steps = append(l.Steps, s)
	}
	slices.SortFunc(l.Steps, func(a, b Step) int { return cmp.Compare(a.Step, b.Step) })
	for _, e := range p.epochs {
		l.Epochs = append(l.Epochs, e)
	}
	slices.SortFunc(l.Epochs, func(a, b Epoch) int { return cmp.Compare(a.Epoch, b.Epoch) })
	return l, nil
}

// parser collects the events of a log, line by line.
type parser struct {
	steps  map[int]Step  // by step
	epochs map[int]Epoch // by epoch
	log    Log           // the experiment, seed and evals so far
}

// parse parses one non-blank log line.
func (p *parser) parse(line []byte) error {
	var d decoder
	if err := json.Unmarshal(line, &d.fields); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if d.fields == nil {
		return errors.New("not a JSON object")
	}
	event := d.text("event", false)
	if d.err != nil {
		return d.err
	}
	switch event {
	case "start":
		// The config belongs to the runner; what of it is missing or
		// different only leaves the experiment and seed unknown.
		var config struct {
			Experiment struct {
				Name string `json:"name"`
				Seed *int64 `json:"seed"`
			} `json:"experiment"`
		}
		if json.Unmarshal(d.fields["config"], &config) == nil {
			p.log.Experiment, p.log.Seed = config.Experiment.Name, config.Experiment.Seed
		} else {
			p.log.Experiment, p.log.Seed = "", nil
		}
	case "step":
		s := Step{
			Epoch: d.integer("epoch"),
			Step:  d.integer("step"),
			Loss:  d.number("loss", true),
			LR:    d.number("lr", true),
		}
		if d.err == nil && (s.Step < 1 || s.Epoch < 0) {
			d.err = fmt.Errorf("step %d of epoch %d: want step ≥ 1 and epoch ≥ 0", s.Step, s.Epoch)
		}
		if d.err != nil {
			return fmt.Errorf("step event: %w", d.err)
		}
		p.steps[s.Step] = s
	case "epoch":
		e := Epoch{
			Epoch:      d.integer("epoch"),
			Steps:      d.integer("steps"),
			Loss:       d.number("loss", true),
			ImagesPerS: d.number("images_per_s", false),
			Seconds:    d.number("seconds", false),
		}
		if d.err == nil && (e.Epoch < 0 || e.Steps < 0) {
			d.err = fmt.Errorf("epoch %d with %d steps: want both ≥ 0", e.Epoch, e.Steps)
		}
		if d.err != nil {
			return fmt.Errorf("epoch event: %w", d.err)
		}
		p.epochs[e.Epoch] = e
	case "eval":
		e := Eval{
			Protocol: d.text("protocol", true),
			Top1:     d.number("top1", true),
			Top5:     d.number("top5", true),
			Baseline: d.flag("baseline"),
			Pixels:   d.flag("pixels"),
		}
		if d.err != nil {
			return fmt.Errorf("eval event: %w", d.err)
		}
		p.log.Evals = append(p.log.Evals, e)
	}
	return nil
}

// decoder decodes the fields of a JSON object one by one, keeping the first
// error; after an error it decodes nothing more.
type decoder struct {
	fields map[string]json.RawMessage
	err    error
}

// integer decodes the required integer field key.
func (d *decoder) integer(key string) int {
	var v int
	d.decode(key, true, &v)
	return v
}

// text decodes the string field key.
func (d *decoder) text(key string, required bool) string {
	var v string
	d.decode(key, required, &v)
	return v
}

// flag decodes the optional boolean field key.
func (d *decoder) flag(key string) bool {
	var v bool
	d.decode(key, false, &v)
	return v
}

// number decodes the float field key, which may also be one of the strings
// "NaN", "+Inf" and "-Inf" that zerolog writes for non-finite floats.
func (d *decoder) number(key string, required bool) float64 {
	if raw := d.fields[key]; len(raw) == 0 || raw[0] != '"' {
		var v float64
		d.decode(key, required, &v)
		return v
	}
	var s string
	d.decode(key, required, &s)
	switch s {
	case "NaN":
		return math.NaN()
	case "+Inf":
		return math.Inf(1)
	case "-Inf":
		return math.Inf(-1)
	}
	if d.err == nil {
		d.err = fmt.Errorf("field %q: %q is not a number", key, s)
	}
	return 0
}

// decode decodes the field key into dst. A null value counts as absent;
// an absent required field is an error.
func (d *decoder) decode(key string, required bool, dst any) {
	if d.err != nil {
		return
	}
	raw, ok := d.fields[key]
	if !ok || string(raw) == "null" {
		if required {
			d.err = fmt.Errorf("no %q field", key)
		}
		return
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		d.err = fmt.Errorf("field %q: %w", key, err)
	}
}
