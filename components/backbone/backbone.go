package backbone

import (
	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/nn"
)

// Backbone is what a backbone component builds.
type Backbone interface {
	// Features adds the network to b's graph: images x (N, C, H, W) to
	// features (N, FeatureDim()). Parameter names follow torchvision's
	// (conv1.weight, layer1.0.bn1.running_mean, ...) where there is one.
	Features(b *nn.Builder, x *G.Node) (*G.Node, error)
	// FeatureDim is the width of the features.
	FeatureDim() int
}
