package runner

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPositionCheck(t *testing.T) {
	tests := []struct {
		pos  position
		want string // "" for a position the run can reach
	}{
		{position{}, ""},
		{position{Step: 5, Epoch: 1, EpochStep: 2, EpochLoss: 1.5}, ""},
		{position{Step: 6, Epoch: 2}, ""}, // finished
		{position{Step: 2, EpochStep: 3}, "of an epoch of 3 steps"},
		{position{Step: 3000003, Epoch: 1000000}, "of a run of 2 epochs"},
		{position{Step: 7, Epoch: 2, EpochStep: 1}, "of a run of 2 epochs"},
		{position{Step: 2000000000, Epoch: 1}, "says step 2000000000"},
		{position{Step: 1, EpochStep: 1, EpochLoss: math.Inf(1)}, "epoch loss"},
	}
	for _, tt := range tests {
		err := tt.pos.check(3, 2)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v: %v", tt.pos, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%+v: got %v, want an error containing %q", tt.pos, err, tt.want)
		}
	}
}

func TestTrimTornLine(t *testing.T) {
	long := strings.Repeat("x", 5000)
	tests := []struct{ in, want string }{
		{"", ""},
		{"a\n", "a\n"},
		{"a\nb", "a\n"},
		{"torn", ""},
		{"a\n" + long, "a\n"},
		{long + "\n" + long, long + "\n"},
		{"a\nb\n", "a\nb\n"},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "log.jsonl")
		if err := os.WriteFile(path, []byte(tt.in), 0o644); err != nil {
			t.Fatal(err)
		}
		w, err := openLog(path)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("next\n"))
		if err := w.close(); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if string(got) != tt.want+"next\n" {
			t.Errorf("%.20q then a line: %.40q, want %.40q", tt.in, got, tt.want+"next\n")
		}
	}
}
