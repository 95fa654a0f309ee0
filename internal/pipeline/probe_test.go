package pipeline

import (
	"math/rand/v2"
	"testing"

	"github.com/sslrun/sslrun/components/augment"
	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/registry"
)

// halve is a transform that does not tell its output size (no
// augment.Shaper), as plugins written without it: it keeps every other
// row and column.
type halve struct{}

func (halve) Apply(m *imaging.Image, _ *rand.Rand) *imaging.Image {
	out := imaging.New(m.C, m.H/2, m.W/2)
	for c := range m.C {
		for y := range out.H {
			for x := range out.W {
				out.Pix[(c*out.H+y)*out.W+x] = m.Pix[(c*m.H+2*y)*m.W+2*x]
			}
		}
	}
	return out
}

// TestOutputShapeProbes checks that a step without Shaper is sized by
// running it once, between steps that tell their size, and that a probe
// too large is refused rather than made.
func TestOutputShapeProbes(t *testing.T) {
	flip, err := registry.Build[augment.Transform]("augment.horizontal_flip", nil)
	if err != nil {
		t.Fatal(err)
	}
	v := View{Name: "v", Steps: []augment.Transform{flip, halve{}, flip}}
	c, h, w, err := OutputShape(v, 3, 32, 24)
	if err != nil || c != 3 || h != 16 || w != 12 {
		t.Errorf("OutputShape = %d, %d, %d, %v; want 3, 16, 12", c, h, w, err)
	}
	if _, _, _, err := OutputShape(v, 3, 8192, 8192); err == nil {
		t.Error("a 3x8192x8192 probe was made")
	}
}
