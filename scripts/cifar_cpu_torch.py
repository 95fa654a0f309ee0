"""PyTorch reference for sslrun's CPU-budget CIFAR-10 recipes.

Reproduces experiments/simclr_cifar10_cpu.hcl (solo-learn's CIFAR-10 SimCLR
recipe with a resnet10 of width 0.25, milder crops and jitter, and 4 epochs)
and experiments/swav_cifar10_cpu.hcl (solo-learn's SwAV recipe cut to what
learns in 8 epochs of a small convnet: multi-crop, 100 prototypes, milder
jitter, no queue, SGD) in plain PyTorch, so that sslrun's accuracies can be
checked against an independent implementation of the same recipe (a gap of
more than about 2 points is worth a bug hunt).

    /usr/bin/python3 scripts/cifar_cpu_torch.py --recipe simclr|swav \
        [--data ../shared/datasets/cifar10] [--epochs 4|8] [--batch-size 256] \
        [--seed 0] [--threads 2] [--workers 2] [--max-steps N] [--log-every N] \
        [--limit N] [--test-limit N] [--init step-00000000.safetensors] \
        [--out results.json]
    /usr/bin/python3 scripts/cifar_cpu_torch.py --recipe simclr|swav \
        --evaluate CHECKPOINT [--data ...] [--workers 2] [--out results.json]
    /usr/bin/python3 scripts/cifar_cpu_torch.py --recipe simclr|swav [--seed 0] \
        --export-init SSLRUN_STEP0 OUT

(Debian's python3-torch 1.13 and python3-torchvision 0.14, CPU.) Progress goes
to stderr; the result is one JSON object on stdout (and in --out): recipe,
backbone (the spec's backbone type), backbone_params, epochs, steps,
batch_size, threads, wall_seconds (pretraining + evaluation), train_seconds,
images_per_s (source images per second of pretraining), final_loss,
epoch_losses, eval {knn, linear: {top1, top5, baseline}} as fractions, and
the torch/torchvision versions. --epochs defaults to the recipe's (simclr 4,
swav 8). --limit and --test-limit take evenly spaced
images of each split (so that every class appears), and --max-steps stops
pretraining early (the schedule still spans all --epochs), for tests.
--init starts from sslrun's initialisation instead of PyTorch's: the
checkpoint an sslrun run with keep_every writes at step 0 (backbone,
projector and prototypes, with batch-norm statistics), so that the two
implementations can be compared from the same weights; the baseline is then
that initialisation too. --evaluate skips pretraining and runs only this
script's kNN and linear probe on the backbone of an sslrun checkpoint from
any step (e.g. checkpoints/latest.safetensors of a finished run), so that
sslrun's evaluation of trained weights can be checked; the JSON then holds
evaluate, step and eval {knn, linear} without baselines. --export-init goes
the other way: it writes the initialisation this script would train from (the
same seed) as an sslrun step-0 checkpoint, with the metadata of the sslrun
step-0 checkpoint SSLRUN_STEP0; copied into that run's folder as
checkpoints/latest.safetensors, `sslrun resume` then trains from PyTorch's
weights with sslrun's own data streams.

What it mirrors, piece by piece (sslrun sources in brackets):
- data: ImageFolder train/ and test/, shuffled, drop_last, seeded
  [components/dataset/image_folder.go, pipeline/loader.go, spec drop_last];
- views: torchvision's transforms on float tensors (sslrun decodes to [0, 1]
  first and mirrors the tensor code, not PIL), view blocks in spec order
  [components/augment/*.go, pipeline/build.go]:
  SimCLR, 2 views of RandomResizedCrop(32, (0.2, 1), antialiased bilinear),
  ColorJitter(0.4, 0.4, 0.2, 0.1) with p 0.8, RandomGrayscale(0.2), Gaussian
  blur p 0.5 with sigma U(0.1, 2) and kernel 2*ceil(3 sigma)+1, flip,
  Normalize;
  SwAV, multi-crop: 2 views of RandomResizedCrop(32, (0.14, 1)) then 4 of
  RandomResizedCrop(16, (0.05, 0.14)), each with ColorJitter(0.4, 0.4, 0.4,
  0.1) with p 0.8, RandomGrayscale(0.2), flip, Normalize, no blur;
- backbone [components/backbone/resnet.go, convnet.go]:
  SimCLR, resnet10 with the CIFAR stem and width 0.25: torchvision's ResNet
  class with one BasicBlock per stage ([1, 1, 1, 1]) of 16, 32, 64 and 128
  channels, the stem a 3x3 stride-1 conv (no bias) + BN + ReLU without
  max-pool, global average pool to 128 features, torchvision's
  initialisation (kaiming_normal fan_out convolutions, batch norm ones and
  zeros, no zero-initialised last BN), 307,536 parameters;
  SwAV, convnet [16, 32, 64], 3x3 conv (no bias) + BN + ReLU, strides 1, 2,
  2, global average pool to 64 features;
- views of one size go through the backbone and projector as one batch, so
  batch norm sees 2B rows for SimCLR and, for SwAV, 2B rows of 32x32 and then
  4B of 16x16, with statistics per resolution group [model/model.go, Train,
  groupBySize];
- projector: Linear(features, 2048) + BN + ReLU + Linear(2048, out), with
  biases; out 256 for SimCLR, 128 for SwAV [components/head/projection_mlp.go];
- SimCLR: NT-Xent at 0.2 (solo-learn's simclr_loss_func)
  [components/objective/nt_xent.go];
- SwAV: 100 prototypes on L2-normalised projections, normalised before every
  step, frozen (gradient dropped) for the first 50 steps, Sinkhorn (float64,
  0.05, 3 iterations) on views [0, 1] (the large crops), each predicted at
  temperature 0.1 from every other view, the 5 terms averaged, then the two;
  no queue (main_swav.py) [components/head/prototypes.go,
  components/objective/swav.go, queue.go, ops/sinkhorn.go, runner/train.go];
- optimizer, lr scaled by batch/256 [components/optimizer/common.go]:
  SimCLR, LARS (solo-learn's: eta 0.02, clip, biases and BN excluded from
  weight decay and the trust ratio), momentum 0.9, weight decay 1e-4
  [components/optimizer/lars.go];
  SwAV, torch.optim.SGD (momentum 0.9, dampening 0, no Nesterov, weight decay
  1e-4 added to the gradient) with every parameter in one group, biases, BN
  and prototypes included (decay_bias_and_norm = true)
  [components/optimizer/sgd.go];
- schedule: solo-learn's LinearWarmupCosineAnnealingLR per step, in sslrun's
  closed form: 1 warmup epoch for SimCLR, none for SwAV (the cosine starts at
  the peak on step 0) [components/schedule/warmup_cosine.go];
- evaluation: backbone features in eval mode (ToTensor + Normalize), weighted
  kNN (k 200, T 0.1) and an L-BFGS softmax-regression probe on standardised
  features, after training and at initialisation (baseline)
  [runner/features.go, runner/run.go, components/evaluate/knn.go, linear.go].
"""

import argparse
import copy
import json
import math
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
import torchvision.transforms.functional as TF
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms

from safetensors_io import parse_by_hand, write_by_hand

CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)

# Settings shared by both spec files (warmup_epochs and eta are SimCLR's;
# a recipe below overrides what it sets differently).
COMMON = dict(
    image_size=32,
    hidden_dim=2048,
    momentum=0.9,
    eta=0.02,
    warmup_epochs=1,
    warmup_start_lr=3e-5,
    final_lr=0.0,
    log_every=20,
    knn_k=200,
    knn_temperature=0.1,
    linear_l2=1e-4,
    linear_max_iter=1000,
    linear_tolerance=1e-5,
)

# What differs between simclr_cifar10_cpu.hcl and swav_cifar10_cpu.hcl.
# views: the spec's view blocks in order, (count, size, RandomResizedCrop
# scale); jitter: ColorJitter's (brightness, contrast, saturation, hue), with
# p 0.8; blur: whether the views have the Gaussian blur (p 0.5); backbone:
# the spec's backbone block, (type, its settings) (make_backbone).
RECIPES = {
    "simclr": dict(
        epochs=4,
        views=((2, 32, (0.2, 1.0)),),
        jitter=(0.4, 0.4, 0.2, 0.1),
        blur=True,
        backbone=("resnet10", dict(stem="cifar", width=0.25)),
        output_dim=256,
        optimizer="lars",
        lr=0.4,
        weight_decay=1e-4,
        temperature=0.2,
    ),
    "swav": dict(
        epochs=8,
        views=((2, 32, (0.14, 1.0)), (4, 16, (0.05, 0.14))),  # view "global", view "local"
        jitter=(0.4, 0.4, 0.4, 0.1),
        blur=False,
        backbone=("convnet", dict(channels=(16, 32, 64))),
        output_dim=128,
        optimizer="sgd",
        lr=0.6,
        weight_decay=1e-4,
        decay_bias_and_norm=True,
        warmup_epochs=0,
        temperature=0.1,
        prototypes=100,
        freeze_steps=50,
        epsilon=0.05,
        sinkhorn_iterations=3,
        crops_for_assign=(0, 1),
        queue_length=0,  # no queue (objective.swav's default)
        queue_start_epoch=15,  # objective.swav's default; used only with --queue-length
    ),
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- data


class RandomGaussianBlur:
    """RandomApply(GaussianBlur) with p, sigma ~ U(sigma_min, sigma_max) and
    sslrun's kernel_size = 0 rule: side 2*ceil(3 sigma)+1 for each drawn sigma,
    capped at 2*side-1 so the reflect padding fits (augment/gaussian_blur.go)."""

    def __init__(self, p=0.5, sigma=(0.1, 2.0)):
        self.p, self.sigma = p, sigma

    def __call__(self, img):
        if torch.rand(1).item() >= self.p:
            return img
        sigma = torch.empty(1).uniform_(*self.sigma).item()
        k = 2 * math.ceil(3 * sigma) + 1
        w, h = TF.get_image_size(img)
        return TF.gaussian_blur(img, [min(k, 2 * w - 1), min(k, 2 * h - 1)], [sigma, sigma])

    def __repr__(self):
        return f"RandomGaussianBlur(p={self.p}, sigma={self.sigma}, kernel=2*ceil(3*sigma)+1)"


def view_transform(size, scale=(0.2, 1.0), jitter=(0.4, 0.4, 0.2, 0.1), blur=True):
    """One view of a spec's view block, on float tensors as in sslrun: by
    default simclr_cifar10_cpu.hcl's view "global" (crops of 20-100%, jitter
    (0.4, 0.4, 0.2, 0.1)); swav_cifar10_cpu.hcl's views "global" and "local"
    have their own size and scale, jitter (0.4, 0.4, 0.4, 0.1) and no blur."""
    steps = [
        transforms.ToTensor(),  # sslrun decodes to float [0, 1] before any augmentation
        transforms.RandomResizedCrop(size, scale=scale, ratio=(3 / 4, 4 / 3), antialias=True),
        transforms.RandomApply([transforms.ColorJitter(*jitter)], p=0.8),
        transforms.RandomGrayscale(p=0.2),
    ]
    if blur:
        steps.append(RandomGaussianBlur(p=0.5, sigma=(0.1, 2.0)))
    steps += [transforms.RandomHorizontalFlip(p=0.5), transforms.Normalize(CIFAR_MEAN, CIFAR_STD)]
    return transforms.Compose(steps)


class MultiView:
    """The views of one source image (pipeline/build.go, Apply): for each
    view block in order, its transform applied count times. blocks is a list
    of (transform, count); MultiView(transform, count) is one block."""

    def __init__(self, transform, count=None):
        self.blocks = [(transform, count)] if count is not None else list(transform)

    def __call__(self, img):
        return [t(img) for t, count in self.blocks for _ in range(count)]


def recipe_views(cfg):
    """The recipe's view blocks as MultiView blocks."""
    return [
        (view_transform(size, scale, cfg["jitter"], cfg["blur"]), count) for count, size, scale in cfg["views"]
    ]


def eval_transform(sample, size):
    """runner/features.go evalTransforms: images already size x size only get
    ToTensor + Normalize; others are resized to size/0.875 and centre-cropped."""
    steps = []
    if sample.size != (size, size):
        steps += [transforms.Resize(round(size / 0.875), antialias=True), transforms.CenterCrop(size)]
    return transforms.Compose(steps + [transforms.ToTensor(), transforms.Normalize(CIFAR_MEAN, CIFAR_STD)])


def spread_subset(dataset, limit):
    """limit evenly spaced items of dataset (all of it when limit is 0)."""
    n = len(dataset)
    if not limit or limit >= n:
        return dataset
    return Subset(dataset, [i * n // limit for i in range(limit)])


# ---------------------------------------------------------------- model


class ConvNet(nn.Module):
    """backbone.convnet: per width, conv 3x3 (stride 1 first, then 2, no bias)
    -> BN -> ReLU; then the global average pool."""

    def __init__(self, channels, in_channels=3):
        super().__init__()
        layers, cin = [], in_channels
        for i, c in enumerate(channels):
            layers += [
                nn.Conv2d(cin, c, 3, stride=1 if i == 0 else 2, padding=1, bias=False),
                nn.BatchNorm2d(c),
                nn.ReLU(inplace=True),
            ]
            cin = c
        self.body = nn.Sequential(*layers)
        self.dim = cin

    def forward(self, x):
        return self.body(x).mean(dim=(2, 3))


# backbone.resnet10/18/34: blocks per stage of torchvision's basic-block
# ResNets (resnet10 is its ResNet class with one block per stage).
RESNET_LAYERS = {"resnet10": (1, 1, 1, 1), "resnet18": (2, 2, 2, 2), "resnet34": (3, 4, 6, 3)}


class ResNet(torchvision.models.resnet.ResNet):
    """backbone.resnet10/18/34 (components/backbone/resnet.go): torchvision's
    ResNet class with BasicBlock, its _make_layer and forward, the stages'
    channels 64, 128, 256, 512 times width, the classifier dropped (features
    are the global average pool, 8 * base channels). stem "cifar" is a 3x3
    stride-1 conv (no bias) + BN + ReLU without max-pool, "imagenet"
    torchvision's 7x7 stride-2 conv and max-pool. Initialised as torchvision
    does (and sslrun): kaiming_normal fan_out convolutions, batch norm ones
    and zeros, zero_init_residual off. Module names are sslrun's parameter
    names (conv1, bn1, layerS.I.conv1, layerS.I.downsample.0, ...)."""

    def __init__(self, layers, width=1.0, stem="imagenet"):
        super().__init__(torchvision.models.resnet.BasicBlock, list(layers))
        base = int(64 * width)
        if base < 1:
            raise ValueError(f"width {width} leaves {base} channels in the first stage")
        if stem not in ("imagenet", "cifar"):
            raise ValueError(f"stem {stem!r}: want imagenet or cifar")
        # torchvision's ResNet fixes the stem at 64 channels: rebuild the stem
        # and the stages at base with its own _make_layer, then initialise
        # the rebuilt network as its __init__ does.
        block = torchvision.models.resnet.BasicBlock
        self.inplanes = base
        if stem == "cifar":
            self.conv1 = nn.Conv2d(3, base, kernel_size=3, stride=1, padding=1, bias=False)
            self.maxpool = nn.Identity()
        else:
            self.conv1 = nn.Conv2d(3, base, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = self._norm_layer(base)
        self.layer1 = self._make_layer(block, base, layers[0])
        self.layer2 = self._make_layer(block, 2 * base, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 4 * base, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 8 * base, layers[3], stride=2)
        self.fc = nn.Identity()
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        self.dim = 8 * base * block.expansion


def make_backbone(cfg):
    """The recipe's backbone block: ("convnet", {channels}) or
    ("resnet10" | "resnet18" | "resnet34", {stem, width})."""
    kind, settings = cfg["backbone"]
    if kind == "convnet":
        return ConvNet(settings["channels"])
    if kind in RESNET_LAYERS:
        return ResNet(RESNET_LAYERS[kind], **settings)
    raise ValueError(f"unknown backbone {kind!r}")


def projection_mlp(in_dim, hidden_dim, out_dim, layers=2, batch_norm=True):
    """head.projection_mlp: (Linear, BatchNorm1d if batch_norm, ReLU) x
    (layers-1), then Linear to out_dim; linear layers have biases."""
    mods, d = [], in_dim
    for _ in range(layers - 1):
        mods.append(nn.Linear(d, hidden_dim))
        if batch_norm:
            mods.append(nn.BatchNorm1d(hidden_dim))
        mods.append(nn.ReLU(inplace=True))
        d = hidden_dim
    return nn.Sequential(*mods, nn.Linear(d, out_dim))


# ---------------------------------------------------------------- optimisation


class LARS(torch.optim.Optimizer):
    """solo-learn's LARS (solo/utils/lars.py, from Lightning Bolts) with
    clip_lars_lr and exclude_bias_n_norm_lars on: a parameter with more than
    one dimension, non-zero norm and non-zero gradient gets
    d = (g + wd*w) * min(eta*||w|| / (||g|| + wd*||w|| + eps) / lr, 1);
    every other one plain g (no weight decay). Then SGD momentum, dampening 0.
    Parameters whose grad is None (frozen prototypes) are left alone."""

    def __init__(self, params, lr, momentum, weight_decay, eta, eps=1e-8):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, eta=eta, eps=eps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, wd, mom = group["lr"], group["weight_decay"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                d = p.grad
                if p.ndim != 1:
                    p_norm, g_norm = torch.norm(p), torch.norm(p.grad)
                    if p_norm != 0 and g_norm != 0:
                        ratio = group["eta"] * p_norm / (g_norm + p_norm * wd + group["eps"])
                        ratio = min(ratio / lr, 1)  # clip_lars_lr
                        d = d.add(p, alpha=wd) * ratio
                state = self.state[p]
                if "momentum_buffer" not in state:
                    buf = state["momentum_buffer"] = d.clone()
                else:
                    buf = state["momentum_buffer"]
                    buf.mul_(mom).add_(d)
                p.add_(buf, alpha=-lr)


def no_decay(p):
    """nn.Param.NoDecay: biases and batch-norm scales and shifts, the
    one-dimensional parameters of these modules."""
    return p.ndim <= 1


def make_optimizer(cfg, modules, lr):
    """The recipe's optimizer over the modules' parameters at peak lr.
    lars: LARS above, one group (it leaves one-dimensional parameters out of
    weight decay itself) [components/optimizer/lars.go]. sgd:
    torch.optim.SGD, which is optimizer.sgd (d = g + wd*w, v = mu*v + d,
    w -= lr*v, dampening 0, no Nesterov): with decay_bias_and_norm every
    parameter is in one weight-decay group, prototypes included; without it
    biases and batch-norm scales and shifts go to a weight_decay 0 group
    [components/optimizer/sgd.go]. Parameters without a gradient (frozen
    prototypes) are skipped by both, momentum included."""
    params = [p for m in modules for p in m.parameters()]
    if cfg["optimizer"] == "lars":
        return LARS(params, lr=lr, momentum=cfg["momentum"], weight_decay=cfg["weight_decay"], eta=cfg["eta"])
    if cfg["optimizer"] == "sgd":
        groups = [dict(params=params)]
        if not cfg.get("decay_bias_and_norm", False):
            groups = [
                dict(params=[p for p in params if not no_decay(p)]),
                dict(params=[p for p in params if no_decay(p)], weight_decay=0.0),
            ]
        return torch.optim.SGD(groups, lr=lr, momentum=cfg["momentum"], dampening=0,
                               weight_decay=cfg["weight_decay"], nesterov=False)
    raise ValueError(f"unknown optimizer {cfg['optimizer']!r}")


def warmup_cosine_lr(step, peak, steps_per_epoch, total_steps, warmup_epochs, start_lr, final_lr):
    """schedule.warmup_cosine (solo-learn's LinearWarmupCosineAnnealingLR,
    stepped per optimizer step) in sslrun's closed form: with W warmup steps
    and T steps in all, step 0 is start_lr, step W-1 and W the peak, then the
    cosine reaches final_lr at T; without warmup (W = 0) step 0 is the peak."""
    w, k = warmup_epochs * steps_per_epoch, min(step, total_steps)
    if k == w:
        return peak
    if k == 0:
        return start_lr
    if k < w:
        return start_lr + k * (peak - start_lr) / (w - 1)
    return final_lr + 0.5 * (peak - final_lr) * (1 + math.cos(math.pi * (k - w) / (total_steps - w)))


# ---------------------------------------------------------------- objectives


def nt_xent(z, n_views, temperature):
    """solo-learn's simclr_loss_func: for each of the V*B normalised
    projections, -log(sum over its positives (the other views of its image) of
    exp(sim/T) / sum over all other rows), averaged."""
    z = F.normalize(z, dim=1)
    n = z.shape[0]
    logits = z @ z.t() / temperature
    idx = torch.arange(n) % (n // n_views)
    self_mask = torch.eye(n, dtype=torch.bool)
    pos_mask = (idx[:, None] == idx[None, :]) & ~self_mask
    logits = logits.masked_fill(self_mask, float("-inf"))
    pos = torch.logsumexp(logits.masked_fill(~pos_mask, float("-inf")), dim=1)
    return (torch.logsumexp(logits, dim=1) - pos).mean()


@torch.no_grad()
def sinkhorn(scores, iterations, epsilon):
    """main_swav.py's distributed_sinkhorn on one process, in float64 with the
    largest score subtracted first (ops/sinkhorn.go): codes (N, K), each row
    summing to 1."""
    s = scores.double()
    q = torch.exp((s - s.max()) / epsilon).t()  # (K, N)
    q /= q.sum()
    k, b = q.shape
    for _ in range(iterations):
        q /= q.sum(dim=1, keepdim=True)
        q /= k
        q /= q.sum(dim=0, keepdim=True)
        q /= b
    q *= b
    return q.t().float()


class SwAVQueue:
    """SwAV's queue (objective/queue.go): per assigned view, the normalised
    embeddings of the last `length` source images, newest first."""

    def __init__(self, n_assigned, length, dim):
        self.emb = torch.zeros(n_assigned, length, dim)
        self.length, self.filled = length, 0

    def full(self):
        return self.filled >= self.length

    def push(self, embeddings):
        b = embeddings[0].shape[0]
        for i, e in enumerate(embeddings):
            self.emb[i, b:] = self.emb[i, :-b].clone()
            self.emb[i, :b] = e
        self.filled = min(self.length, self.filled + b)


def swav_loss(scores, batch, cfg, prototypes_weight, queue):
    """Swapped prediction (main_swav.py): codes of each assigned view by
    Sinkhorn (after the queue's scores under the current prototypes when the
    queue is full), predicted by the softmax(scores/T) of every other view."""
    n_views = scores.shape[0] // batch
    views = scores.split(batch)
    log_p = [F.log_softmax(v / cfg["temperature"], dim=1) for v in views]
    loss = 0
    for i, a in enumerate(cfg["crops_for_assign"]):
        with torch.no_grad():
            out = views[a].detach()
            if queue is not None and queue.full():
                out = torch.cat((queue.emb[i] @ prototypes_weight.t(), out))
            q = sinkhorn(out, cfg["sinkhorn_iterations"], cfg["epsilon"])[-batch:]
        sub = 0
        for v in range(n_views):
            if v != a:
                sub = sub - torch.mean(torch.sum(q * log_p[v], dim=1))
        loss = loss + sub / (n_views - 1)
    return loss / len(cfg["crops_for_assign"])


# ---------------------------------------------------------------- one step


def project_views(backbone, projector, views):
    """Backbone then projector over the views, those of one shape as one batch
    so that they share batch-norm statistics (model/model.go, groupBySize:
    groups in order of first appearance): (V*B, out), rows in view order."""
    groups = {}
    for i, v in enumerate(views):
        groups.setdefault(tuple(v.shape), []).append(i)
    out = [None] * len(views)
    for idx in groups.values():
        z = projector(backbone(torch.cat([views[i] for i in idx])))  # (len(idx)*B, out)
        for i, part in zip(idx, z.split(views[0].shape[0])):
            out[i] = part
    return torch.cat(out)


class Pretrainer:
    """One pretraining step of either recipe (runner/train.go, step): the
    forward pass, the loss, the backward pass, the frozen prototypes' gradient
    dropped, the optimizer step at lr, then the queue. It keeps the queue."""

    def __init__(self, cfg, backbone, projector, prototypes, opt, batch_size):
        self.cfg, self.opt = cfg, opt
        self.backbone, self.projector, self.prototypes = backbone, projector, prototypes
        self.queue, self.qlen = None, 0
        if prototypes is not None and cfg["queue_length"]:
            self.qlen = cfg["queue_length"] - cfg["queue_length"] % batch_size
            if self.qlen < batch_size:
                raise SystemExit(f"queue_length {cfg['queue_length']} is shorter than a batch of {batch_size}")
        for m in (backbone, projector, prototypes):
            if m is not None:
                m.train()

    def step(self, views, step, epoch, lr):
        """Trains on views (a list of (B, C, H, W), one per view) and returns
        the loss before the update."""
        cfg, swav = self.cfg, self.prototypes is not None
        for g in self.opt.param_groups:
            g["lr"] = lr
        b = views[0].shape[0]
        z = project_views(self.backbone, self.projector, views)  # (V*B, out)
        if swav:
            with torch.no_grad():
                self.prototypes.weight.copy_(F.normalize(self.prototypes.weight, dim=1))
            emb = F.normalize(z, dim=1)
            scores = self.prototypes(emb)  # (V*B, K)
            queue_on = epoch >= cfg["queue_start_epoch"]
            loss = swav_loss(scores, b, cfg, self.prototypes.weight.detach(), self.queue if queue_on else None)
        else:
            loss = nt_xent(z, len(views), cfg["temperature"])
        if not torch.isfinite(loss):
            raise SystemExit(f"loss is {loss.item()} at step {step + 1} (epoch {epoch})")
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        if swav and step < cfg["freeze_steps"]:
            self.prototypes.weight.grad = None  # main_swav.py: p.grad = None while frozen
        self.opt.step()
        if swav and self.qlen and queue_on:
            if self.queue is None:
                self.queue = SwAVQueue(len(cfg["crops_for_assign"]), self.qlen, emb.shape[1])
            was_full = self.queue.full()
            embs = emb.detach().split(b)
            self.queue.push([embs[a] for a in cfg["crops_for_assign"]])
            if self.queue.full() and not was_full:
                log(f"queue of {self.queue.length} full after step {step + 1}: used from step {step + 2}")
        return loss.item()


# ---------------------------------------------------------------- evaluation


@torch.no_grad()
def extract_features(backbone, dataset, workers, batch=200):
    """Backbone features (batch norm in eval mode) and labels of every image."""
    backbone.eval()
    feats, labels = [], []
    for x, y in DataLoader(dataset, batch_size=batch, shuffle=False, num_workers=workers):
        feats.append(backbone(x))
        labels.append(y)
    return torch.cat(feats), torch.cat(labels)


@torch.no_grad()
def knn_eval(train_f, train_y, test_f, test_y, classes, k, temperature, chunk=200):
    """Weighted kNN (solo-learn's WeightedKNNClassifier, evaluate/knn.go): the
    k most cosine-similar train vectors vote exp(sim/T) for their class."""
    tr = F.normalize(train_f, dim=1).double()
    te = F.normalize(test_f, dim=1).double()
    k, top = min(k, len(tr)), min(5, classes)
    hit1 = hit5 = 0
    for lo in range(0, len(te), chunk):
        sim, idx = (te[lo : lo + chunk] @ tr.t()).topk(k, dim=1)
        votes = torch.zeros(len(sim), classes, dtype=torch.float64)
        votes.scatter_add_(1, train_y[idx], torch.exp(sim / temperature))
        pred = votes.topk(top, dim=1).indices
        y = test_y[lo : lo + chunk, None]
        hit1 += (pred[:, :1] == y).sum().item()
        hit5 += (pred == y).any(dim=1).sum().item()
    return dict(top1=hit1 / len(te), top5=hit5 / len(te))


def linear_eval(train_f, train_y, test_f, test_y, classes, l2, max_iter, tolerance):
    """evaluate/linear.go: standardise with the train split's mean and
    population std, then minimise mean cross-entropy + l2/2 ||W||^2 (bias not
    penalised) over (W, b) from zeros with L-BFGS (history 10, strong Wolfe)
    in float64, until no gradient entry exceeds tolerance."""
    x = train_f.double()
    mean = x.mean(dim=0)
    std = x.std(dim=0, unbiased=False)
    inv_std = torch.where(std <= 1e-12 * mean.abs(), torch.ones_like(std), 1 / std)
    x = (x - mean) * inv_std
    xt = (test_f.double() - mean) * inv_std
    d = x.shape[1]
    w = torch.zeros(classes, d, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(classes, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS(
        [w, b],
        lr=1,
        max_iter=max_iter,
        max_eval=25 * max_iter,  # sslrun caps iterations only
        tolerance_grad=tolerance,
        tolerance_change=64 * 2.0**-52,  # sslrun's (SciPy's) ftol
        history_size=10,
        line_search_fn="strong_wolfe",
    )

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(x @ w.t() + b, train_y) + l2 / 2 * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    objective = closure().item()
    with torch.no_grad():
        scores = xt @ w.t() + b
        pred = scores.topk(min(5, classes), dim=1).indices
        y = test_y[:, None]
        top1 = (pred[:, :1] == y).sum().item() / len(y)
        top5 = (pred == y).any(dim=1).sum().item() / len(y)
    n_iter = opt.state[opt._params[0]].get("n_iter", 0)
    return dict(top1=top1, top5=top5, iterations=n_iter, objective=objective)


def evaluate(backbone, initial_backbone, train_ds, test_ds, classes, workers):
    """Linear then kNN (the spec's order), each also on the backbone at its
    seeded initialisation unless that is None; features are extracted once
    per model and split."""
    out = {"linear": {}, "knn": {}}
    models = [("trained", backbone)]
    if initial_backbone is not None:
        models.append(("baseline", initial_backbone))
    for name, model in models:
        t0 = time.perf_counter()
        tr_f, tr_y = extract_features(model, train_ds, workers)
        te_f, te_y = extract_features(model, test_ds, workers)
        log(f"features ({name}): train {tuple(tr_f.shape)}, test {tuple(te_f.shape)}, {time.perf_counter() - t0:.1f}s")
        t0 = time.perf_counter()
        lin = linear_eval(
            tr_f, tr_y, te_f, te_y, classes, COMMON["linear_l2"], COMMON["linear_max_iter"], COMMON["linear_tolerance"]
        )
        log(f"linear ({name}): top-1 {100 * lin['top1']:.2f}%, top-5 {100 * lin['top5']:.2f}%, "
            f"{lin['iterations']} L-BFGS iterations, {time.perf_counter() - t0:.1f}s")
        t0 = time.perf_counter()
        knn = knn_eval(tr_f, tr_y, te_f, te_y, classes, COMMON["knn_k"], COMMON["knn_temperature"])
        log(f"knn ({name}): top-1 {100 * knn['top1']:.2f}%, top-5 {100 * knn['top5']:.2f}%, "
            f"{time.perf_counter() - t0:.1f}s")
        for proto, res in (("linear", lin), ("knn", knn)):
            if name == "trained":
                out[proto].update(res)
            else:
                out[proto]["baseline"] = res
    return out


# ---------------------------------------------------------------- sslrun weights


def backbone_sslrun_modules(backbone):
    """(sslrun module name, torch module) for the backbone's convolutions and
    batch norms: a ConvNet's body.3i / body.3i+1 are convI / bnI
    (backbone/convnet.go); a ResNet's module names are sslrun's
    (backbone/resnet.go: conv1, bn1, layer2.0.conv1, layer2.0.downsample.1,
    ...)."""
    if isinstance(backbone, ConvNet):
        return [(f"{'conv' if isinstance(m, nn.Conv2d) else 'bn'}{i // 3}", m)
                for i, m in enumerate(backbone.body) if isinstance(m, (nn.Conv2d, nn.BatchNorm2d))]
    return [(name, m) for name, m in backbone.named_modules() if isinstance(m, (nn.Conv2d, nn.BatchNorm2d))]


def sslrun_names(backbone, projector, prototypes):
    """(sslrun name, torch module, attribute) for every parameter and
    batch-norm buffer: backbone names from backbone_sslrun_modules,
    projector k is proj.k, the prototype layer is prototypes. Every
    parameter of the modules must have a name (a convolution bias would
    not), so that no weight is silently left at PyTorch's initialisation."""
    out = []
    for name, m in backbone_sslrun_modules(backbone):
        if isinstance(m, nn.Conv2d):
            if m.bias is not None:
                raise ValueError(f"{name}: sslrun's convolutions have no bias")
            out.append((f"param/{name}.weight", m, "weight"))
        else:
            out += [(f"param/{name}.{a}", m, a) for a in ("weight", "bias")]
            out += [(f"bn/{name}.{a}", m, a) for a in ("running_mean", "running_var", "num_batches_tracked")]
    for k, m in enumerate(projector):
        if isinstance(m, (nn.Linear, nn.BatchNorm1d)):
            out += [(f"param/proj.{k}.{a}", m, a) for a in ("weight", "bias")]
        if isinstance(m, nn.BatchNorm1d):
            out += [(f"bn/proj.{k}.{a}", m, a) for a in ("running_mean", "running_var", "num_batches_tracked")]
    if prototypes is not None:
        out.append(("param/prototypes.weight", prototypes, "weight"))
    named = {id(getattr(m, a)) for _, m, a in out}
    for mod in (backbone, projector, prototypes):
        for pname, p in (mod.named_parameters() if mod is not None else ()):
            if id(p) not in named:
                raise ValueError(f"parameter {pname} of {type(mod).__name__} has no sslrun name")
    return out


def read_sslrun_checkpoint(path, step0):
    """The tensors and metadata of an sslrun checkpoint; with step0, it must
    be the one a run writes at step 0. Bad files exit with the path."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        tensors, meta = parse_by_hand(data)
    except OSError as e:
        raise SystemExit(f"{path}: {e.strerror}")
    except (AssertionError, KeyError, ValueError, struct.error) as e:
        raise SystemExit(f"{path}: not a safetensors file sslrun wrote: {e!r}")
    meta = meta or {}
    if step0 and meta.get("sslrun.step") != "0":
        raise SystemExit(f"{path}: checkpoint at step {meta.get('sslrun.step')}, want sslrun's step-0 checkpoint "
                         "(checkpoints/step-00000000.safetensors of a run with keep_every)")
    return tensors, meta


def match_sslrun_tensors(path, tensors, backbone, projector, prototypes):
    """(checkpoint tensor, module tensor) under every sslrun name of the
    modules: every one must be in the checkpoint with its shape, and the
    checkpoint must hold no other parameter or batch-norm tensor."""
    pairs = {}
    for name, m, attr in sslrun_names(backbone, projector, prototypes):
        dst = getattr(m, attr)
        if name not in tensors:
            raise SystemExit(f"{path}: no tensor {name} (this recipe's model has it)")
        src = tensors[name]
        if tuple(src.shape) != tuple(dst.shape):
            raise SystemExit(f"{path}: {name} has shape {tuple(src.shape)}, this recipe's model {tuple(dst.shape)}")
        pairs[name] = (src, dst)
    extra = sorted(n for n in tensors if n.startswith(("param/", "bn/")) and n not in pairs)
    if extra:
        raise SystemExit(f"{path}: tensors this recipe's model does not have: {', '.join(extra)}")
    return pairs


def load_sslrun_init(path, backbone, projector, prototypes, any_step=False):
    """Copies sslrun's step-0 checkpoint (with any_step, a checkpoint from
    any step) into the modules; every parameter must be there with its shape,
    and the checkpoint must hold nothing more. Returns the step."""
    tensors, meta = read_sslrun_checkpoint(path, step0=not any_step)
    pairs = match_sslrun_tensors(path, tensors, backbone, projector, prototypes)
    with torch.no_grad():
        for src, dst in pairs.values():
            dst.copy_(src)
    log(f"weights from {path} ({len(pairs)} tensors, experiment {meta.get('sslrun.experiment')}, "
        f"step {meta.get('sslrun.step')})")
    return int(meta.get("sslrun.step", "-1"))


def export_sslrun_init(like, out, backbone, projector, prototypes):
    """Writes this script's seeded initialisation as an sslrun step-0
    checkpoint: the modules' parameters and batch-norm buffers under sslrun's
    names, with the metadata (experiment, config hash, step 0) of the sslrun
    step-0 checkpoint like, whose tensors it must match name for name and
    shape for shape. In a copy of like's run folder, it lets `sslrun resume`
    train from PyTorch's weights with sslrun's data streams."""
    tensors, meta = read_sslrun_checkpoint(like, step0=True)
    pairs = match_sslrun_tensors(like, tensors, backbone, projector, prototypes)
    write_by_hand(out, {name: dst for name, (_, dst) in pairs.items()}, meta, checksum_key="sslrun.data_sha256")
    log(f"wrote this script's initialisation to {out} ({len(pairs)} tensors, metadata of {like})")


# ---------------------------------------------------------------- training


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--recipe", choices=sorted(RECIPES), required=True)
    ap.add_argument("--data", default="../shared/datasets/cifar10",
                    help="folder with train/<class>/*.jpg and test/<class>/*.jpg")
    ap.add_argument("--epochs", type=int, default=None, help="default: the recipe's (simclr 4, swav 8)")
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    ap.add_argument("--workers", type=int, default=2, help="DataLoader worker processes")
    ap.add_argument("--max-steps", type=int, default=0, help="stop pretraining after this many steps (0: no limit)")
    ap.add_argument("--log-every", type=int, default=None, help="log the loss every N steps (default: the spec's 20)")
    ap.add_argument("--limit", type=int, default=0, help="use N evenly spaced train images (tests)")
    ap.add_argument("--test-limit", type=int, default=0, help="use N evenly spaced test images (tests)")
    ap.add_argument("--queue-length", type=int, default=None,
                    help="SwAV queue length override (tests; the recipe has no queue; used from epoch 15, "
                         "objective.swav's default)")
    ap.add_argument("--init", default=None, help="start from sslrun's step-0 checkpoint (step-00000000.safetensors)")
    ap.add_argument("--evaluate", default=None, help="only evaluate the backbone of this sslrun checkpoint (any step)")
    ap.add_argument("--export-init", nargs=2, metavar=("SSLRUN_STEP0", "OUT"), default=None,
                    help="write this script's seeded initialisation to OUT as an sslrun step-0 checkpoint "
                         "with SSLRUN_STEP0's metadata, and stop")
    ap.add_argument("--out", default=None, help="also write the JSON result here")
    args = ap.parse_args()

    cfg = dict(COMMON, **RECIPES[args.recipe])
    if args.epochs is None:
        args.epochs = cfg["epochs"]
    if args.log_every is not None:
        cfg["log_every"] = max(1, args.log_every)
    if args.queue_length is not None:
        cfg["queue_length"] = args.queue_length
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    swav = args.recipe == "swav"

    # ---- data
    train_root, test_root = f"{args.data}/train", f"{args.data}/test"
    multi_view = MultiView(recipe_views(cfg))
    train_folder = datasets.ImageFolder(train_root, transform=multi_view)
    classes = len(train_folder.classes)
    etf = eval_transform(train_folder.loader(train_folder.samples[0][0]), cfg["image_size"])
    train_eval_folder = copy.copy(train_folder)  # same file list, evaluation transform
    train_eval_folder.transform = etf
    test_folder = datasets.ImageFolder(test_root, transform=etf)
    if test_folder.classes != train_folder.classes:
        raise SystemExit(f"train classes {train_folder.classes} differ from test classes {test_folder.classes}")
    pretrain_ds = spread_subset(train_folder, args.limit)
    train_eval_ds = spread_subset(train_eval_folder, args.limit)
    test_eval_ds = spread_subset(test_folder, args.test_limit)
    loader = DataLoader(
        pretrain_ds,
        batch_size=args.batch_size,
        shuffle=True,
        drop_last=True,
        num_workers=args.workers,
        generator=torch.Generator().manual_seed(args.seed),
    )
    per_epoch = len(loader)
    if per_epoch == 0:
        raise SystemExit(f"{len(pretrain_ds)} train images make no batch of {args.batch_size} with drop_last")
    total_steps = per_epoch * args.epochs

    # ---- model
    backbone = make_backbone(cfg)
    projector = projection_mlp(backbone.dim, cfg["hidden_dim"], cfg["output_dim"])
    modules = [backbone, projector]
    prototypes = None
    if swav:
        prototypes = nn.Linear(cfg["output_dim"], cfg["prototypes"], bias=False)
        modules.append(prototypes)
    if sum(x is not None for x in (args.init, args.evaluate, args.export_init)) > 1:
        raise SystemExit("--init, --evaluate and --export-init exclude each other")
    if args.export_init:
        export_sslrun_init(*args.export_init, backbone, projector, prototypes)
        return
    if args.evaluate:
        began = time.perf_counter()
        ckpt_step = load_sslrun_init(args.evaluate, backbone, projector, prototypes, any_step=True)
        results = evaluate(backbone, None, train_eval_ds, test_eval_ds, classes, args.workers)
        emit(args.out, dict(recipe=args.recipe, evaluate=args.evaluate, step=ckpt_step,
                            train_images=len(train_eval_ds), test_images=len(test_eval_ds),
                            wall_seconds=time.perf_counter() - began, eval=results,
                            torch=torch.__version__, torchvision=torchvision.__version__))
        return
    if args.init:
        load_sslrun_init(args.init, backbone, projector, prototypes)
    initial_backbone = copy.deepcopy(backbone)  # the baseline: the same seeded initialisation
    peak = cfg["lr"] * args.batch_size / 256  # scale_lr = true
    opt = make_optimizer(cfg, modules, peak)
    n_params = sum(p.numel() for p in backbone.parameters())
    views = " + ".join(f"{count}x{size}" for count, size, _ in cfg["views"])
    log(f"{args.recipe}: {len(pretrain_ds)} train images, views {views}, {per_epoch} steps/epoch, "
        f"{total_steps} steps, {cfg['optimizer']} peak lr {peak:g}, backbone {cfg['backbone'][0]} "
        f"{n_params} parameters, "
        f"torch {torch.__version__}, threads {args.threads}")

    # ---- pretraining
    trainer = Pretrainer(cfg, backbone, projector, prototypes, opt, args.batch_size)
    step, images, epoch_losses, last_loss = 0, 0, [], float("nan")
    began = time.perf_counter()
    for epoch in range(args.epochs):
        if args.max_steps and step >= args.max_steps:
            break
        t0, loss_sum, n_steps = time.perf_counter(), 0.0, 0
        for views, _ in loader:
            lr = warmup_cosine_lr(step, peak, per_epoch, total_steps, cfg["warmup_epochs"],
                                  cfg["warmup_start_lr"], cfg["final_lr"])
            last_loss = trainer.step(views, step, epoch, lr)
            step += 1
            n_steps += 1
            images += views[0].shape[0]
            loss_sum += last_loss
            if step % cfg["log_every"] == 0:
                log(f"epoch {epoch} step {step} loss {last_loss:.4f} lr {lr:.5f}")
            if args.max_steps and step >= args.max_steps:
                break
        secs = time.perf_counter() - t0
        epoch_losses.append(loss_sum / n_steps)
        log(f"epoch {epoch}: {n_steps} steps, loss {epoch_losses[-1]:.4f}, "
            f"{n_steps * args.batch_size / secs:.1f} images/s, {secs:.1f}s")
    train_seconds = time.perf_counter() - began

    # ---- evaluation
    results = evaluate(backbone, initial_backbone, train_eval_ds, test_eval_ds, classes, args.workers)
    wall_seconds = time.perf_counter() - began

    out = dict(
        recipe=args.recipe,
        backbone=cfg["backbone"][0],
        backbone_params=n_params,
        epochs=args.epochs,
        steps=step,
        steps_per_epoch=per_epoch,
        batch_size=args.batch_size,
        seed=args.seed,
        init=args.init,
        threads=args.threads,
        workers=args.workers,
        train_images=len(pretrain_ds),
        test_images=len(test_eval_ds),
        optimizer=cfg["optimizer"],
        peak_lr=peak,
        wall_seconds=wall_seconds,
        train_seconds=train_seconds,
        images_per_s=images / train_seconds if train_seconds > 0 else 0.0,
        final_loss=last_loss,
        epoch_losses=epoch_losses,
        eval=results,
        torch=torch.__version__,
        torchvision=torchvision.__version__,
    )
    emit(args.out, out)


def emit(path, result):
    """Prints the JSON result on stdout and, with a path, writes it there."""
    text = json.dumps(result)
    print(text, flush=True)
    if path:
        with open(path, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
