"""Golden values for TestTrajectoryMatchesPyTorch: whole training steps.

    cd runner/testdata && /usr/bin/python3 make_trajectory_golden.py

(Debian's python3-torch.) The component tests check each piece against
PyTorch on its own; this checks them put together, the way the runner puts
them together: the convnet and the projection MLP (with the prototypes for
SwAV), views of one shape sharing the backbone's batch norm, the objective,
the backward pass, the prototypes frozen for their first steps, LARS with
weight decay and the trust ratio skipped for one-dimensional parameters, the
warmup-cosine schedule across an epoch boundary, and SwAV's queue filling in
the second epoch and used from the step after it is full.

The PyTorch side is scripts/cifar_cpu_torch.py itself (its ConvNet,
projection_mlp, LARS, warmup_cosine_lr and Pretrainer.step), so the reference
the README's CPU-budget comparison rests on is what is checked here.

Both sides start from the same parameters and see the same inputs, set by a
hash rule with no random generator: with u(i, k) = splitmix64(k * 2^32 + i)
as a number in [-0.5, 0.5), element i of parameter j (in creation order) is
2 u(i, j+1) / sqrt(fan_in) for a parameter of two or more dimensions
(fan_in: the product of all but the first) and 0.5 + u(i, j+1) for a
one-dimensional one, and element i of view v at step s is
2 u(i, 1000 + 10 s + v), rounded to float32.

Each case runs twice in PyTorch: in float64, the reference, and in float32.
How far the float32 run ends from the float64 one, step by step, is the
yardstick for sslrun (a float32 implementation) against the reference.

It writes trajectory_golden.json: per case the spec the Go test builds the
run from, the view shapes, the steps per epoch and the number of steps, the
parameter shapes in creation order, per step the learning rate, the loss in
float64 and in float32, and per step and parameter the float32 run's
relative L2 distance from the float64 one; and trajectory_golden.bin: the
float64 run's parameters after every step, rounded to little-endian
float32, case after case, step after step, parameter after parameter.
"""

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import cifar_cpu_torch as ref  # noqa: E402

BATCH = 8
STEPS_PER_EPOCH = 3
EPOCHS = 2

# The PyTorch side's settings; spec() writes the same ones as the spec the
# Go test runs, so the two cannot drift apart.
SIMCLR = dict(output_dim=16, lr=0.4, weight_decay=1e-4, temperature=0.2)
SWAV = dict(output_dim=16, lr=0.6, weight_decay=1e-6, temperature=0.1, prototypes=24, freeze_steps=2,
            epsilon=0.05, sinkhorn_iterations=3, crops_for_assign=(0, 1), queue_length=16, queue_start_epoch=1)
CHANNELS, HIDDEN = (8, 16), 32

# name, view sizes (two global views, then any local ones), recipe
CASES = [
    ("simclr", [16, 16], SIMCLR),
    ("swav", [16, 16], SWAV),
    ("swav_multicrop", [16, 16, 8, 8], SWAV),
]


def spec(sizes, r):
    """The HCL spec of a case: a synthetic dataset, views of the given sizes
    (grouped by size), the convnet, the projection MLP, the prototypes and
    SwAV when r has prototypes, else NT-Xent, LARS without lr scaling, the
    warmup-cosine schedule and a batch of BATCH for EPOCHS epochs."""
    out = [
        'experiment "trajectory" { seed = 0 }',
        f'dataset "synthetic" "train" {{\n  size = {BATCH * STEPS_PER_EPOCH}\n  image_size = {sizes[0]}\n}}',
    ]
    for size in dict.fromkeys(sizes):
        name = "global" if size == sizes[0] else f"local{size}"
        out.append(f'view "{name}" {{\n  count = {sizes.count(size)}\n'
                   f'  augment "random_resized_crop" {{ size = {size} }}\n}}')
    out.append(f'backbone "convnet" {{ channels = [{", ".join(map(str, CHANNELS))}] }}')
    out.append(f'head "projection_mlp" "proj" {{\n  hidden_dim = {HIDDEN}\n  output_dim = {r["output_dim"]}\n}}')
    if "prototypes" in r:
        out.append(f'head "prototypes" "prototypes" {{\n  count = {r["prototypes"]}\n'
                   f'  freeze_steps = {r["freeze_steps"]}\n}}')
        out.append(
            'objective "swav" {\n'
            f'  temperature = {r["temperature"]}\n  epsilon = {r["epsilon"]}\n'
            f'  sinkhorn_iterations = {r["sinkhorn_iterations"]}\n'
            f'  crops_for_assign = [{", ".join(map(str, r["crops_for_assign"]))}]\n'
            f'  queue_length = {r["queue_length"]}\n  queue_start_epoch = {r["queue_start_epoch"]}\n}}')
    else:
        out.append(f'objective "nt_xent" {{ temperature = {r["temperature"]} }}')
    out.append(f'optimizer "lars" {{\n  lr = {r["lr"]}\n  momentum = {ref.COMMON["momentum"]}\n'
               f'  weight_decay = {r["weight_decay"]}\n  eta = {ref.COMMON["eta"]}\n  scale_lr = false\n}}')
    out.append(f'schedule "warmup_cosine" {{\n  warmup_epochs = {ref.COMMON["warmup_epochs"]}\n'
               f'  start_lr = {ref.COMMON["warmup_start_lr"]}\n  final_lr = {ref.COMMON["final_lr"]}\n}}')
    out.append(f'train {{\n  epochs = {EPOCHS}\n  batch_size = {BATCH}\n}}')
    return "\n".join(out) + "\n"


def u(n, k):
    """u(i, k) for i in [0, n): splitmix64 of k * 2^32 + i, as a float64 in
    [-0.5, 0.5) from its top 53 bits."""
    with np.errstate(over="ignore"):
        z = np.uint64(k) * np.uint64(2**32) + np.arange(n, dtype=np.uint64)
        z = z * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / 2**53 - 0.5


def fill(p, j):
    n = p.numel()
    if p.ndim >= 2:
        v = 2 * u(n, j + 1) / math.sqrt(n // p.shape[0])
    else:
        v = 0.5 + u(n, j + 1)
    with torch.no_grad():
        p.copy_(torch.from_numpy(v.astype(np.float32)).reshape(p.shape))


def view_input(step, v, size, dtype):
    x = 2 * u(BATCH * 3 * size * size, 1000 + 10 * step + v)
    return torch.from_numpy(x.astype(np.float32)).to(dtype).reshape(BATCH, 3, size, size)


def run(sizes, recipe, dtype):
    """The case's steps in dtype: losses, learning rates, parameters after
    every step."""
    torch.set_default_dtype(dtype)
    cfg = dict(ref.COMMON, channels=CHANNELS, hidden_dim=HIDDEN, **recipe)
    backbone = ref.ConvNet(cfg["channels"])
    projector = ref.projection_mlp(backbone.dim, cfg["hidden_dim"], cfg["output_dim"])
    prototypes = None
    modules = [backbone, projector]
    if "prototypes" in cfg:
        prototypes = nn.Linear(cfg["output_dim"], cfg["prototypes"], bias=False)
        modules.append(prototypes)
    params = [p for m in modules for p in m.parameters()]
    for j, p in enumerate(params):
        fill(p, j)
    opt = ref.LARS(params, lr=cfg["lr"], momentum=cfg["momentum"], weight_decay=cfg["weight_decay"], eta=cfg["eta"])
    trainer = ref.Pretrainer(cfg, backbone, projector, prototypes, opt, BATCH)
    total = STEPS_PER_EPOCH * EPOCHS
    lrs, losses, after = [], [], []
    for step in range(total):
        epoch = step // STEPS_PER_EPOCH
        lr = ref.warmup_cosine_lr(step, cfg["lr"], STEPS_PER_EPOCH, total, cfg["warmup_epochs"],
                                  cfg["warmup_start_lr"], cfg["final_lr"])
        views = [view_input(step, v, s, dtype) for v, s in enumerate(sizes)]
        losses.append(trainer.step(views, step, epoch, lr))
        lrs.append(lr)
        after.append([p.detach().double().flatten().numpy().copy() for p in params])
    torch.set_default_dtype(torch.float32)
    return [list(p.shape) for p in params], lrs, losses, after


def deviation(a, b):
    """Per parameter, ||a - b|| / ||b||."""
    return [float(np.linalg.norm(x - y) / max(np.linalg.norm(y), 1e-30)) for x, y in zip(a, b)]


def main():
    torch.set_num_threads(1)
    cases, blob = [], []
    for name, sizes, recipe in CASES:
        shapes, lrs, exact, after = run(sizes, recipe, torch.float64)
        _, _, single, after32 = run(sizes, recipe, torch.float32)
        for step in after:
            blob += [p.astype("<f4").tobytes() for p in step]
        cases.append(dict(
            name=name,
            spec=spec(sizes, recipe),
            views=[[BATCH, 3, s, s] for s in sizes],
            steps_per_epoch=STEPS_PER_EPOCH,
            steps=len(lrs),
            shapes=shapes,
            lrs=lrs,
            losses=exact,
            float32_losses=single,
            float32_deviation=[deviation(a, b) for a, b in zip(after32, after)],
        ))
        print(name, "losses", " ".join(f"{x:.5f}" for x in exact))
        print(name, "float32 deviation, largest per step",
              " ".join(f"{max(d):.1e}" for d in cases[-1]["float32_deviation"]))
    with open(os.path.join(HERE, "trajectory_golden.json"), "w") as f:
        json.dump(dict(torch=torch.__version__, cases=cases), f, indent=1)
        f.write("\n")
    with open(os.path.join(HERE, "trajectory_golden.bin"), "wb") as f:
        f.write(b"".join(blob))


if __name__ == "__main__":
    main()
