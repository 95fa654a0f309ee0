package progress

import (
	"fmt"
	"io"
	"time"
)

// Progress shows a long job's progress to a person: one line redrawn in
// place on a terminal, plain lines otherwise. A nil *Progress shows
// nothing.
type Progress struct {
	w        io.Writer
	terminal bool
	drawn    time.Time
	steps    int  // training steps shown by Step
	open     bool // a redrawn line is on the terminal
}

// New shows progress on w, redrawing one line in place when terminal; nil
// when w is nil.
func New(w io.Writer, terminal bool) *Progress {
	if w == nil {
		return nil
	}
	return &Progress{w: w, terminal: terminal}
}

// Terminal says whether lines are redrawn in place.
func (p *Progress) Terminal() bool { return p != nil && p.terminal }

// TrainStep is what a training step's line shows.
type TrainStep struct {
	Epoch, Epochs int // Epoch 0-based
	Step, End     int // the steps done, and the step training stops after
	// LogEvery is how often a line is printed off a terminal, in steps.
	LogEvery int
	Loss, LR float64
	// Images and Busy are the source images trained on and the time spent
	// in steps by this process.
	Images int
	Busy   time.Duration
}

// Step reports the training step just done: on a terminal at most every
// 200 ms (and always the last), otherwise every LogEvery steps.
func (p *Progress) Step(s TrainStep) {
	if p == nil {
		return
	}
	p.steps++
	now := time.Now()
	if p.terminal && now.Sub(p.drawn) < 200*time.Millisecond && s.Step != s.End {
		return
	}
	if !p.terminal && s.Step%s.LogEvery != 0 {
		return
	}
	p.drawn = now
	rate := float64(s.Images) / s.Busy.Seconds()
	left := time.Duration(float64(s.End-s.Step) * float64(s.Busy) / float64(p.steps)).Round(time.Second)
	p.Show(fmt.Sprintf("epoch %d/%d  step %d/%d  loss %.4f  lr %.4g  %.1f img/s  %s left",
		s.Epoch+1, s.Epochs, s.Step, s.End, s.Loss, s.LR, rate, left))
}

// Show draws a progress line: in place of the last on a terminal, else as a
// line of its own.
func (p *Progress) Show(line string) {
	if p == nil {
		return
	}
	if p.terminal {
		fmt.Fprintf(p.w, "\r\x1b[K%s", line)
		p.open = true
		return
	}
	fmt.Fprintln(p.w, line)
}

// Done ends the redrawn line on a terminal.
func (p *Progress) Done() {
	if p != nil && p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
}

// Say prints a message for people, below any redrawn line.
func (p *Progress) Say(format string, args ...any) {
	if p == nil {
		return
	}
	p.Done()
	fmt.Fprintf(p.w, format+"\n", args...)
}
