package head

import (
	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/nn"
)

// Head is what a head component builds.
type Head interface {
	// Apply adds the head to b's graph: x (N, in) -> (N, OutputDim()).
	// name prefixes its parameters ("proj" gives proj.0.weight, ...).
	Apply(b *nn.Builder, name string, x *G.Node) (*G.Node, error)
	// OutputDim is the width of the head's output.
	OutputDim() int
}
