"""Compares the distribution of sslrun's augmented views with torchvision's.

    go run ./cmd/sslrun views experiments/simclr_cifar10_cpu.hcl \
        --images 2000 --scale 1 --out /tmp/views.png
    /usr/bin/python3 scripts/compare_views.py /tmp/views.png [--seed 0]

The sheet written by `sslrun views` has one row per training image: the
decoded original, then its views (normalisation undone, 8-bit). This script
takes each row's original, makes as many views of it with the view transform
of scripts/cifar_cpu_torch.py (torchvision, without ToTensor and Normalize),
rounds them to 8 bits as the sheet does, and prints for both sides the mean
of per-view statistics with the standard error of their difference:
brightness (mean), contrast (std), chroma (mean of max - min over channels),
sharpness (mean absolute Laplacian of the grey image), the fraction of grey
views, and how far apart the two views of one image are in mean colour.
Both sides start from the same decoded pixels, so JPEG decoders play no
part. A difference of more than about 3 standard errors is worth a look.
"""

import argparse
import math
import os
import sys

import numpy as np
import torch
from PIL import Image
from torchvision import transforms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cifar_cpu_torch  # noqa: E402

NAMES = ["brightness", "contrast", "chroma", "sharpness", "grey"]


def cells(sheet, size, gap, row):
    """The images of one sheet row, each (C, H, W) in [0, 1]."""
    y = gap + row * (size + gap)
    out, x = [], gap
    while x + size <= sheet.shape[1]:
        out.append(sheet[y : y + size, x : x + size].transpose(2, 0, 1))
        x += size + gap
    return out


def stats(v):
    """Per-view statistics of v, (C, H, W) in [0, 1]."""
    g = v.mean(0)
    lap = np.abs(4 * g[1:-1, 1:-1] - g[:-2, 1:-1] - g[2:, 1:-1] - g[1:-1, :-2] - g[1:-1, 2:]).mean()
    chroma = (v.max(0) - v.min(0)).mean()
    return np.array([v.mean(), v.std(), chroma, lap, float(chroma < 1e-3)])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sheet", help="PNG written by `sslrun views --scale 1`")
    ap.add_argument("--size", type=int, default=32, help="side of one view and of the originals, in pixels")
    ap.add_argument("--gap", type=int, default=2, help="gap between sheet cells (imaging.Sheet uses 2)")
    ap.add_argument("--seed", type=int, default=0, help="torch seed for the torchvision views")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    sheet = np.asarray(Image.open(args.sheet).convert("RGB")).astype(np.float32) / 255
    rows = (sheet.shape[0] - args.gap) // (args.size + args.gap)
    tf = cifar_cpu_torch.view_transform(args.size)
    tf = transforms.Compose([t for t in tf.transforms if not isinstance(t, (transforms.ToTensor, transforms.Normalize))])

    ours, theirs, pair_ours, pair_theirs = [], [], [], []
    for r in range(rows):
        original, *views = cells(sheet, args.size, args.gap, r)
        if len(views) < 2:
            sys.exit(f"{args.sheet}: row {r} has {len(views)} views; want at least 2")
        x = torch.from_numpy(original.copy())
        made = [np.round(tf(x).clamp(0, 1).numpy() * 255) / 255 for _ in views]
        ours += [stats(v) for v in views]
        theirs += [stats(v) for v in made]
        pair_ours.append(np.abs(views[0].mean((1, 2)) - views[1].mean((1, 2))).mean())
        pair_theirs.append(np.abs(made[0].mean((1, 2)) - made[1].mean((1, 2))).mean())

    ours, theirs = np.array(ours), np.array(theirs)
    print(f"{rows} images, {len(ours) // rows} views each: sslrun vs torchvision")
    columns = [ours[:, i] for i in range(len(NAMES))] + [np.array(pair_ours)]
    columns_t = [theirs[:, i] for i in range(len(NAMES))] + [np.array(pair_theirs)]
    for name, a, b in zip(NAMES + ["view pair apart"], columns, columns_t):
        se = math.sqrt(a.var() / len(a) + b.var() / len(b))
        d = a.mean() - b.mean()
        print(f"{name:16s} {a.mean():.4f}  {b.mean():.4f}  difference {d:+.4f} ({d / se:+.1f} se)")


if __name__ == "__main__":
    main()
