"""Golden values for the backbone tests: torchvision's resnet18 with the CIFAR
stem, forward and backward, on weights both sides can compute.

    cd components/backbone/testdata && /usr/bin/python3 make_golden.py

(Debian's python3-torch and python3-torchvision.) It also writes
resnet18_imagenet_golden.json: train-mode features with the ImageNet stem. Every parameter is filled
by an integer hash rather than a random generator, so the Go test rebuilds the
very same network without a weights file: tensor k of the sorted state-dict
names, element i, gets u = ((i * 2654435761 + k * 40503) mod 2^32) / 2^32 - 0.5,
uniform in [-0.5, 0.5) and exact in any language; convolutions take
u * sqrt(12 / fan_in) (variance 1/fan_in), batch-norm weights 1 + 0.2 u and
biases 0.2 u. (A smooth formula such as a sine makes channels nearly
constant, and batch norm then amplifies rounding without bound.) The input
(4, 3, 32, 32) is 2 u with k = 1000, and the loss is sum(features * r) with
r = u for k = 2000. (A smooth input such as a sine leaves some stem channels
with almost no batch variance, and then float32 rounding of the input alone
moves the gradient by 1e-3.) Recorded: the train-mode features, the gradient of
the loss with respect to conv1.weight (in float32, and in float64 from the same
float32 inputs: batch norm over a batch of 4 makes that gradient sensitive
enough that PyTorch's own float32 result is 3e-3 of the largest value off the
float64 one, so the Go test measures both against float64), and the eval-mode features after that
one train-mode pass updated the running statistics.
"""

import json
import math

import torch
import torchvision


def hashed(n, k):
    i = torch.arange(n, dtype=torch.int64)
    return ((i * 2654435761 + k * 40503) % (2 ** 32)).double() / 2 ** 32 - 0.5


def fill(name, t, k):
    n = t.numel()
    s = hashed(n, k)
    if name.endswith("running_mean"):
        v = torch.zeros(n, dtype=torch.float64)
    elif name.endswith("running_var"):
        v = torch.ones(n, dtype=torch.float64)
    elif t.dim() == 4:
        fan_in = t.shape[1] * t.shape[2] * t.shape[3]
        v = s * math.sqrt(12 / fan_in)
    elif t.dim() == 1 and name.endswith("weight"):
        v = 1 + 0.2 * s
    else:
        v = 0.2 * s
    return v.reshape(t.shape).to(t.dtype)


def build(stem="cifar"):
    model = torchvision.models.resnet18()
    if stem == "cifar":
        model.conv1 = torch.nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        model.maxpool = torch.nn.Identity()
    model.fc = torch.nn.Identity()
    sd = model.state_dict()
    names = sorted(n for n in sd if not n.endswith("num_batches_tracked"))
    with torch.no_grad():
        for k, name in enumerate(names):
            sd[name].copy_(fill(name, sd[name], k))
    model.load_state_dict(sd)
    return model, names


def conv1_grad_float64():
    model, _ = build()
    model = model.double().train()
    x = (2 * hashed(4 * 3 * 32 * 32, 1000)).float().double().reshape(4, 3, 32, 32)
    feats = model(x)
    r = hashed(feats.numel(), 2000).float().double().reshape(feats.shape)
    (feats * r).sum().backward()
    return model.conv1.weight.grad.flatten().tolist()


def main():
    torch.set_num_threads(2)
    model, names = build()
    x = (2 * hashed(4 * 3 * 32 * 32, 1000)).float().reshape(4, 3, 32, 32)
    model.train()
    feats = model(x)
    r = hashed(feats.numel(), 2000).float().reshape(feats.shape)
    loss = (feats * r).sum()
    loss.backward()
    model.eval()
    with torch.no_grad():
        eval_feats = model(x)
    out = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "names": names,
        "train_features": feats.detach().flatten().tolist(),
        "loss": loss.item(),
        "conv1_grad": model.conv1.weight.grad.flatten().tolist(),
        "conv1_grad_float64": conv1_grad_float64(),
        "eval_features": eval_feats.flatten().tolist(),
    }
    with open("resnet18_cifar_golden.json", "w") as f:
        json.dump(out, f)
        f.write("\n")


main()


def imagenet_stem():
    """Train-mode features of resnet18 with the ImageNet stem (7x7 stride-2
    convolution and max-pool) on a (2, 3, 64, 64) input, same fill rule."""
    model, names = build("imagenet")
    model.train()
    x = (2 * hashed(2 * 3 * 64 * 64, 1000)).float().reshape(2, 3, 64, 64)
    with torch.no_grad():
        feats = model(x)
    with open("resnet18_imagenet_golden.json", "w") as f:
        json.dump({"torch": torch.__version__, "names": names, "train_features": feats.flatten().tolist()}, f)
        f.write("\n")


imagenet_stem()
