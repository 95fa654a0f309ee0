package progress

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestStep: off a terminal a line every LogEvery steps; on a terminal the
// line is redrawn (here every step lands in the same 200 ms, so only the
// first and the last are drawn), and Say ends a redrawn line first.
func TestStep(t *testing.T) {
	step := func(i int) TrainStep {
		return TrainStep{Epoch: 0, Epochs: 1, Step: i, End: 4, LogEvery: 2, Loss: 1.5, LR: 0.1, Images: 64 * i, Busy: time.Duration(i) * time.Second}
	}
	tests := []struct {
		terminal bool
		want     string
	}{
		{false, "epoch 1/1  step 2/4  loss 1.5000  lr 0.1  64.0 img/s  2s left\n" +
			"epoch 1/1  step 4/4  loss 1.5000  lr 0.1  64.0 img/s  0s left\n" +
			"done\n"},
		{true, "\r\x1b[Kepoch 1/1  step 1/4  loss 1.5000  lr 0.1  64.0 img/s  3s left" +
			"\r\x1b[Kepoch 1/1  step 4/4  loss 1.5000  lr 0.1  64.0 img/s  0s left\n" +
			"done\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		p := New(&buf, tt.terminal)
		for i := 1; i <= 4; i++ {
			p.Step(step(i))
		}
		p.Say("done")
		if diff := cmp.Diff(tt.want, buf.String()); diff != "" {
			t.Errorf("terminal=%t (-want +got):\n%s", tt.terminal, diff)
		}
	}
	var none *Progress
	none.Step(step(1)) // a nil Progress shows nothing
	none.Say("x")
	if New(nil, true) != nil {
		t.Error("New(nil) is not nil")
	}
}
