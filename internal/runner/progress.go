package runner

import (
	"fmt"
	"io"
	"time"
)

// progress shows training progress to a person: one line redrawn in place
// on a terminal, plain lines every log_every steps otherwise.
type progress struct {
	w        io.Writer
	terminal bool
	drawn    time.Time
	steps    int  // steps done by this process
	open     bool // a redrawn line is on the terminal
}

// step reports the step just done; a nil progress shows nothing.
func (p *progress) step(t *trainer, lr float64) {
	if p == nil {
		return
	}
	p.steps++
	now := time.Now()
	if p.terminal && now.Sub(p.drawn) < 200*time.Millisecond && t.pos.Step != t.end() {
		return
	}
	if !p.terminal && t.pos.Step%t.exp.Train.LogEvery != 0 {
		return
	}
	p.drawn = now
	rate := float64(t.images) / t.busy.Seconds()
	left := time.Duration(float64(t.end()-t.pos.Step) * float64(t.busy) / float64(p.steps)).Round(time.Second)
	p.show(fmt.Sprintf("epoch %d/%d  step %d/%d  loss %.4f  lr %.4g  %.1f img/s  %s left",
		t.pos.Epoch+1, t.exp.Train.Epochs, t.pos.Step, t.end(), t.lastLoss, lr, rate, left))
}

// show draws a progress line: in place of the last on a terminal, else as a
// line of its own.
func (p *progress) show(line string) {
	if p.terminal {
		fmt.Fprintf(p.w, "\r\x1b[K%s", line)
		p.open = true
		return
	}
	fmt.Fprintln(p.w, line)
}

// done ends the redrawn line on a terminal.
func (p *progress) done() {
	if p != nil && p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
}

// say prints a message for people.
func (p *progress) say(format string, args ...any) {
	if p == nil {
		return
	}
	p.done()
	fmt.Fprintf(p.w, format+"\n", args...)
}

// end is the step pretraining stops after.
func (t *trainer) end() int {
	if t.maxSteps > 0 {
		return min(t.maxSteps, t.total)
	}
	return t.total
}
