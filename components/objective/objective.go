package objective

import (
	G "gorgonia.org/gorgonia"
)

// Objective is what an objective component builds.
type Objective interface {
	// Loss adds the loss to the graph of z: one (B, D) projection per view,
	// in spec order, row i of every view coming from the same source image.
	Loss(z []*G.Node) (*G.Node, error)
}
