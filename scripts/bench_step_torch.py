"""PyTorch reference for one SimCLR training step: resnet18 with the CIFAR
stem, projection MLP 512 -> 2048 (BN, ReLU) -> 256, NT-Xent (T 0.2), SGD,
on 2 views of a batch of 32x32 images.

    /usr/bin/python3 scripts/bench_step_torch.py [--batch 64] [--steps 5] [--threads 2]

(Debian's python3-torch and python3-torchvision, CPU.) Prints one JSON line:
source images per second over the timed steps (forward, backward, update;
each image with both views) and the peak resident memory of the process.
"""

import argparse
import json
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


def nt_xent(z, batch, temperature):
    z = F.normalize(z, dim=-1)
    sim = torch.exp(z @ z.t() / temperature)
    idx = torch.arange(batch).repeat(len(z) // batch).unsqueeze(0)
    pos = (idx.t() == idx).float().fill_diagonal_(0)
    neg = (idx.t() != idx).float()
    p, n = (sim * pos).sum(1), (sim * neg).sum(1)
    return -(torch.log(p / (p + n))).mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    backbone = torchvision.models.resnet18()
    backbone.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    backbone.maxpool = nn.Identity()
    backbone.fc = nn.Identity()
    proj = nn.Sequential(nn.Linear(512, 2048), nn.BatchNorm1d(2048), nn.ReLU(), nn.Linear(2048, 256))
    params = list(backbone.parameters()) + list(proj.parameters())
    opt = torch.optim.SGD(params, lr=0.1, momentum=0.9)
    x = torch.randn(2 * args.batch, 3, 32, 32)

    def step():
        opt.zero_grad()
        loss = nt_xent(proj(backbone(x)), args.batch, 0.2)
        loss.backward()
        opt.step()

    step()  # warm-up
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    dt = time.perf_counter() - t0
    print(json.dumps({
        "step_images_per_s": round(args.batch * args.steps / dt, 1),
        "seconds_per_step": round(dt / args.steps, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "batch": args.batch, "threads": args.threads, "torch": torch.__version__,
    }))


main()
