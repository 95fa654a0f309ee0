"""Golden values of torch.nn.functional.conv2d for ops/conv2d_test.go.

Regenerate (needs torch 1.13; the Go tests need no Python):

    cd ops/testdata && /usr/bin/python3 make_conv2d_golden.py

It writes conv2d_golden.json: a list of cases, each with the shapes of x
(N, C, H, W) and w (O, C, KH, KW), stride and padding, the float32 inputs
x, w and the cost weights r (shaped like the output), all flattened
row-major, and PyTorch's results:

  y       conv2d(x, w, stride=stride, padding=pad)
  dx, dw  gradients of sum(y * r) with respect to x and w

The inputs are float32 values; the results are computed in float64 from
them and rounded to float32, so they are the exact answers to about 6e-8
relative, and the Go test measures its own float32 error against them.
"""

import json

import numpy as np
import torch

assert torch.__version__.startswith("1.13"), torch.__version__
torch.manual_seed(20240612)
torch.set_num_threads(1)

CASES = [
    # name, x shape, w shape, stride, pad
    ("3x3_s1_p1", (2, 3, 7, 7), (4, 3, 3, 3), 1, 1),
    ("3x3_s2_p1", (2, 4, 8, 8), (5, 4, 3, 3), 2, 1),
    ("3x3_s1_p1_more_filters_than_positions", (2, 6, 4, 4), (20, 6, 3, 3), 1, 1),
    ("3x3_s1_p2", (2, 2, 4, 5), (3, 2, 3, 3), 1, 2),
    ("7x7_s2_p3_stem", (2, 3, 11, 11), (4, 3, 7, 7), 2, 3),
    ("5x5_s3_p0_leftover", (2, 2, 10, 9), (3, 2, 5, 5), 3, 0),
    ("3x1_s2_p0", (2, 3, 8, 7), (4, 3, 3, 1), 2, 0),
    ("1x1_s2_p0_shortcut", (2, 4, 6, 6), (6, 4, 1, 1), 2, 0),
    ("1x1_s1_p0", (2, 5, 2, 3), (8, 5, 1, 1), 1, 0),
    ("1x1_s1_p1", (2, 3, 3, 3), (2, 3, 1, 1), 1, 1),
]


def flat(t):
    # The shortest decimal that reads back as the same float32.
    return [float(str(np.float32(v))) for v in t.detach().reshape(-1).tolist()]


def make(name, xshape, wshape, stride, pad):
    x = torch.randn(xshape)
    w = torch.randn(wshape) / np.sqrt(wshape[1] * wshape[2] * wshape[3])
    with torch.no_grad():
        yshape = torch.nn.functional.conv2d(x, w, stride=stride, padding=pad).shape
    r = torch.randn(yshape)

    xd = x.double().requires_grad_(True)
    wd = w.double().requires_grad_(True)
    y = torch.nn.functional.conv2d(xd, wd, stride=stride, padding=pad)
    (y * r.double()).sum().backward()
    return {"name": name, "x_shape": list(xshape), "w_shape": list(wshape), "y_shape": list(yshape),
            "stride": stride, "pad": pad,
            "x": flat(x), "w": flat(w), "r": flat(r),
            "y": flat(y), "dx": flat(xd.grad), "dw": flat(wd.grad)}


with open("conv2d_golden.json", "w") as f:
    json.dump({"torch": torch.__version__, "cases": [make(*c) for c in CASES]}, f, separators=(",", ":"))
    f.write("\n")
