package backbone

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/registry"
)

// resnets are torchvision's ResNet depths: blocks per stage and block type.
// resnet10, one basic block per stage, is not a torchvision model but its
// ResNet class with the shallowest stages (MONAI's resnet10), a backbone
// small enough for a CPU budget.
var resnets = []struct {
	name       string
	what       string
	blocks     [4]int
	bottleneck bool
}{
	{"resnet10", "torchvision's ResNet class with one block per stage", [4]int{1, 1, 1, 1}, false},
	{"resnet18", "torchvision's resnet18", [4]int{2, 2, 2, 2}, false},
	{"resnet34", "torchvision's resnet34", [4]int{3, 4, 6, 3}, false},
	{"resnet50", "torchvision's resnet50", [4]int{3, 4, 6, 3}, true},
}

func init() {
	for _, r := range resnets {
		block := "basic blocks"
		if r.bottleneck {
			block = "bottleneck blocks"
		}
		registry.Register(registry.Component{
			ID:  "backbone." + r.name,
			Doc: fmt.Sprintf("%s (%v %s), with an ImageNet or CIFAR stem and a width multiplier", r.what, r.blocks, block),
			Params: []registry.Param{
				{Name: "stem", Type: registry.String, Default: "imagenet", Enum: []string{"imagenet", "cifar"},
					Doc: `"imagenet": 7x7 stride-2 conv and max-pool; "cifar": 3x3 stride-1 conv, no max-pool (for 32x32 inputs)`},
				{Name: "width", Type: registry.Float, Default: 1.0, Range: registry.Above(0), Doc: "multiplies every stage's channels (64, 128, 256, 512)"},
			},
			New: func(v registry.Values) (any, error) {
				base := int(64 * v.Float("width"))
				if base < 1 {
					return nil, &registry.ParamError{Param: "width", Msg: fmt.Sprintf("%v leaves %d channels in the first stage", v.Float("width"), base)}
				}
				return &resnet{blocks: r.blocks, bottleneck: r.bottleneck, cifar: v.String("stem") == "cifar", base: base}, nil
			},
		})
	}
}

// resnet is torchvision.models.ResNet (v1.5: stride on the 3x3 convolution
// of bottlenecks) initialised as torchvision does: kaiming_normal fan_out
// convolutions, batch norm ones and zeros.
type resnet struct {
	blocks     [4]int
	bottleneck bool
	cifar      bool
	base       int // channels of the first stage
}

func (r *resnet) expansion() int {
	if r.bottleneck {
		return 4
	}
	return 1
}

func (r *resnet) FeatureDim() int { return 8 * r.base * r.expansion() }

func (r *resnet) Features(b *nn.Builder, x *G.Node) (*G.Node, error) {
	var y *G.Node
	var err error
	if r.cifar {
		y, err = b.Conv(x, "conv1", r.base, 3, 1, 1, nn.KaimingNormalFanOut) // (N, 64, H, W)
	} else {
		y, err = b.Conv(x, "conv1", r.base, 7, 2, 3, nn.KaimingNormalFanOut) // (N, 64, H/2, W/2)
	}
	if err != nil {
		return nil, err
	}
	if y, err = bnReLU(b, y, "bn1"); err != nil {
		return nil, err
	}
	if !r.cifar {
		if y, err = b.MaxPool(y, 3, 2, 1); err != nil { // (N, 64, H/4, W/4)
			return nil, fmt.Errorf("maxpool: %w", err)
		}
	}
	for stage, n := range r.blocks {
		planes := r.base << stage
		for i := 0; i < n; i++ {
			stride := 1
			if i == 0 && stage > 0 {
				stride = 2
			}
			name := fmt.Sprintf("layer%d.%d", stage+1, i)
			if r.bottleneck {
				y, err = r.bottleneckBlock(b, y, name, planes, stride)
			} else {
				y, err = r.basicBlock(b, y, name, planes, stride)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return b.GlobalAvgPool(y) // (N, 8*base*expansion)
}

func bnReLU(b *nn.Builder, x *G.Node, name string) (*G.Node, error) {
	y, err := b.BatchNorm(x, name)
	if err != nil {
		return nil, err
	}
	return b.ReLU(y)
}

// shortcut is the identity, or a strided 1x1 convolution and batch norm
// when the block changes resolution or width (torchvision's downsample).
func (r *resnet) shortcut(b *nn.Builder, x *G.Node, name string, out, stride int) (*G.Node, error) {
	if stride == 1 && x.Shape()[1] == out {
		return x, nil
	}
	y, err := b.Conv(x, name+".downsample.0", out, 1, stride, 0, nn.KaimingNormalFanOut)
	if err != nil {
		return nil, err
	}
	return b.BatchNorm(y, name+".downsample.1")
}

// basicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).
func (r *resnet) basicBlock(b *nn.Builder, x *G.Node, name string, planes, stride int) (*G.Node, error) {
	id, err := r.shortcut(b, x, name, planes, stride) // (N, planes, H/s, W/s)
	if err != nil {
		return nil, err
	}
	y, err := b.Conv(x, name+".conv1", planes, 3, stride, 1, nn.KaimingNormalFanOut)
	if err != nil {
		return nil, err
	}
	if y, err = bnReLU(b, y, name+".bn1"); err != nil {
		return nil, err
	}
	if y, err = b.Conv(y, name+".conv2", planes, 3, 1, 1, nn.KaimingNormalFanOut); err != nil {
		return nil, err
	}
	if y, err = b.BatchNorm(y, name+".bn2"); err != nil {
		return nil, err
	}
	if y, err = b.Add(y, id); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b.ReLU(y)
}

// bottleneckBlock: 1x1 reduce, 3x3 (strided), 1x1 expand to 4*planes.
func (r *resnet) bottleneckBlock(b *nn.Builder, x *G.Node, name string, planes, stride int) (*G.Node, error) {
	id, err := r.shortcut(b, x, name, 4*planes, stride) // (N, 4*planes, H/s, W/s)
	if err != nil {
		return nil, err
	}
	y, err := b.Conv(x, name+".conv1", planes, 1, 1, 0, nn.KaimingNormalFanOut)
	if err != nil {
		return nil, err
	}
	if y, err = bnReLU(b, y, name+".bn1"); err != nil {
		return nil, err
	}
	if y, err = b.Conv(y, name+".conv2", planes, 3, stride, 1, nn.KaimingNormalFanOut); err != nil {
		return nil, err
	}
	if y, err = bnReLU(b, y, name+".bn2"); err != nil {
		return nil, err
	}
	if y, err = b.Conv(y, name+".conv3", 4*planes, 1, 1, 0, nn.KaimingNormalFanOut); err != nil {
		return nil, err
	}
	if y, err = b.BatchNorm(y, name+".bn3"); err != nil {
		return nil, err
	}
	if y, err = b.Add(y, id); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b.ReLU(y)
}
