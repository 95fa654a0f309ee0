"""Golden values of torch.nn.BatchNorm1d / BatchNorm2d for ops/batchnorm_test.go.

Regenerate (needs torch 1.13; the Go tests need no Python):

    cd ops/testdata && /usr/bin/python3 make_batchnorm_golden.py

It writes batchnorm_golden.json: a list of cases, each with the input shape,
momentum and eps, the inputs (x1 and x2 for two training passes, x3 for the
eval pass, weight, bias and the cost weights r, all flattened row-major) and
PyTorch's results:

  train1, running_mean1, running_var1   forward of x1 in train mode, stats after it
  train2, running_mean2, running_var2   forward of x2 in train mode, stats after it
  train1_dx, train1_dweight, train1_dbias
                                        gradients of sum(train1 * r)
  eval, eval_dx, eval_dweight, eval_dbias
                                        forward of x3 in eval mode (with the stats
                                        after both passes) and gradients of sum(eval * r)
"""

import json

import numpy as np
import torch

assert torch.__version__.startswith("1.13"), torch.__version__
torch.manual_seed(20240611)
torch.set_num_threads(1)

CASES = [
    # name, input shape, momentum, eps
    ("conv", (4, 3, 5, 6), 0.1, 1e-5),
    ("conv_momentum", (2, 5, 3, 4), 0.3, 1e-3),
    ("mlp", (8, 6), 0.1, 1e-5),
    ("mlp_small_batch", (2, 4), 0.25, 1e-5),
]


def flat(t):
    # The shortest decimal that reads back as the same float32.
    return [float(str(np.float32(v))) for v in t.detach().reshape(-1).tolist()]


def make(name, shape, momentum, eps):
    c = shape[1]
    cls = torch.nn.BatchNorm2d if len(shape) == 4 else torch.nn.BatchNorm1d
    bn = cls(c, eps=eps, momentum=momentum)
    with torch.no_grad():
        bn.weight.copy_(1 + 0.5 * torch.randn(c))
        bn.bias.copy_(torch.randn(c))
    # Per-channel offsets and scales, so the batch mean is far from zero.
    bshape = (1, c) + (1,) * (len(shape) - 2)
    offset = (4 * torch.randn(c)).view(bshape)
    scale = (0.5 + 2 * torch.rand(c)).view(bshape)
    x1 = torch.randn(shape) * scale + offset
    x2 = torch.randn(shape) * scale + offset + 0.5
    x3 = torch.randn(shape) * scale + offset
    r = torch.randn(shape)
    weight0, bias0 = flat(bn.weight), flat(bn.bias)

    out = {"name": name, "shape": list(shape), "momentum": momentum, "eps": eps,
           "x1": flat(x1), "x2": flat(x2), "x3": flat(x3), "r": flat(r),
           "weight": weight0, "bias": bias0}

    bn.train()
    x = x1.clone().requires_grad_(True)
    y = bn(x)
    (y * r).sum().backward()
    out.update(train1=flat(y), running_mean1=flat(bn.running_mean), running_var1=flat(bn.running_var),
               train1_dx=flat(x.grad), train1_dweight=flat(bn.weight.grad), train1_dbias=flat(bn.bias.grad))

    with torch.no_grad():
        y = bn(x2)
    out.update(train2=flat(y), running_mean2=flat(bn.running_mean), running_var2=flat(bn.running_var))

    bn.eval()
    bn.zero_grad()
    x = x3.clone().requires_grad_(True)
    y = bn(x)
    (y * r).sum().backward()
    out.update(eval=flat(y), eval_dx=flat(x.grad), eval_dweight=flat(bn.weight.grad), eval_dbias=flat(bn.bias.grad))
    # Eval mode must leave the statistics alone.
    assert flat(bn.running_mean) == out["running_mean2"] and flat(bn.running_var) == out["running_var2"]
    return out


with open("batchnorm_golden.json", "w") as f:
    json.dump({"torch": torch.__version__, "cases": [make(*c) for c in CASES]}, f, separators=(",", ":"))
    f.write("\n")
