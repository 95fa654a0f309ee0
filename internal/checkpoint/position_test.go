package checkpoint

import (
	"math"
	"strings"
	"testing"
)

func TestPositionCheck(t *testing.T) {
	tests := []struct {
		pos  Position
		want string // "" for a Position the run can reach
	}{
		{Position{}, ""},
		{Position{Step: 5, Epoch: 1, EpochStep: 2, EpochLoss: 1.5}, ""},
		{Position{Step: 6, Epoch: 2}, ""}, // finished
		{Position{Step: 2, EpochStep: 3}, "of an epoch of 3 steps"},
		{Position{Step: 3000003, Epoch: 1000000}, "of a run of 2 epochs"},
		{Position{Step: 7, Epoch: 2, EpochStep: 1}, "of a run of 2 epochs"},
		{Position{Step: 2000000000, Epoch: 1}, "says step 2000000000"},
		{Position{Step: 1, EpochStep: 1, EpochLoss: math.Inf(1)}, "epoch loss"},
	}
	for _, tt := range tests {
		err := tt.pos.Check(3, 2)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v: %v", tt.pos, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%+v: got %v, want an error containing %q", tt.pos, err, tt.want)
		}
	}
}
