package backbone

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/registry"
)

func init() {
	registry.Register(registry.Component{
		ID:  "backbone.convnet",
		Doc: "a small stack of 3x3 convolution + batch norm + ReLU blocks and a global average pool, for quick runs and tests",
		Params: []registry.Param{
			{Name: "channels", Type: registry.Floats, Default: []float64{32, 64, 128}, Range: registry.AtLeast(1),
				Doc: "output channels of each block; every block after the first halves the resolution (stride 2)"},
		},
		New: func(v registry.Values) (any, error) {
			var ch []int
			for i, c := range v.Floats("channels") {
				if c != float64(int(c)) {
					return nil, &registry.ParamError{Param: "channels", Msg: fmt.Sprintf("element %d (%v) is not a whole number", i, c)}
				}
				ch = append(ch, int(c))
			}
			return &convnet{channels: ch}, nil
		},
	})
}

type convnet struct{ channels []int }

func (n *convnet) FeatureDim() int { return n.channels[len(n.channels)-1] }

// Features: for each block i, conv{i} (3x3, stride 1 for the first block and
// 2 after) -> bn{i} -> ReLU; then the mean over H and W.
func (n *convnet) Features(b *nn.Builder, x *G.Node) (*G.Node, error) {
	y := x // (N, C, H, W)
	for i, c := range n.channels {
		stride := 2
		if i == 0 {
			stride = 1
		}
		var err error
		if y, err = b.Conv(y, fmt.Sprintf("conv%d", i), c, 3, stride, 1, nn.KaimingUniform); err != nil {
			return nil, err
		}
		if y, err = b.BatchNorm(y, fmt.Sprintf("bn%d", i)); err != nil {
			return nil, err
		}
		if y, err = b.ReLU(y); err != nil { // (N, c, H/2^i, W/2^i)
			return nil, err
		}
	}
	return b.GlobalAvgPool(y) // (N, channels[-1])
}
