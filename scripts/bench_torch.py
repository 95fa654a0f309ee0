"""PyTorch twin of `sslrun bench`: the same experiment's training step and
augmentation, timed the same way, printed as one JSON line with the same
field names.

    go run ./cmd/sslrun validate --print --no-data experiments/X.hcl > spec.json
    /usr/bin/python3 scripts/bench_torch.py --spec-json spec.json \
        [--steps 5] [--batch B] [--threads 2] [--augment-images 2048] [--images DIR]
        [--device cpu|cuda] [--precision fp32|bf16]

(Debian's python3-torch 1.13 and python3-torchvision 0.14, CPU; the spec
JSON may also come on stdin.) scripts/bench_compare.py runs both sides and
prints the ratios.

The resolved experiment decides everything, as in runner/bench.go:
- the step: backbone (resnet10/18/34 of any width on RGB images as
  cifar_cpu_torch.py's ResNet, torchvision's class; resnet50, and gray
  images, from torchvision's constructors at width 1; the "cifar" stem is a
  3x3 stride-1 conv1 and no max-pool, else torchvision's own stem; convnet),
  heads in order (projection_mlp, prototypes on L2-normalised input, linear),
  objective (nt_xent, swav without its queue, which a run only uses from
  queue_start_epoch), optimizer (sgd, lars, adamw, biases and batch norm
  without weight decay unless asked) at its peak learning rate (lr scaled by
  batch/256 unless scale_lr is false). Views of one size go through the
  network together, as sslrun's model.Train does. Prototypes are normalised
  before every step and frozen as at the start of a run. One untimed warm-up
  step, then --steps timed steps (forward, backward, update) on torch.randn
  inputs of the views' shapes, with torch.set_num_threads(--threads);
  peak_rss_mb is ru_maxrss right after them, before the images are read.
- augmentation: the spec's views as torchvision transforms on 8-bit PIL
  images, as solo-learn's loaders do (RandomResizedCrop bilinear, PIL
  Gaussian blur, ToTensor before Normalize), in this one process with one
  thread, so the figure is per core (augment_images_per_s_per_core). Images
  come from --images, else the training image_folder's path, else random
  images of the dataset's shape (cifar10/100 32x32 RGB, mnist 28x28 gray,
  synthetic image_size RGB); they are decoded before the clock starts, as
  sslrun's preloaded sets are.
- --device cuda runs the step on the GPU (inputs made there, the clock
  stopped after torch.cuda.synchronize()) and adds "device" (the GPU's name)
  and "precision" to the JSON; --precision bf16 (CUDA only) runs forward and
  loss under torch.autocast(bfloat16), weights and optimizer in fp32.
Images are source images, each with all its views. solo-learn's LARS here always clips and excludes biases and
batch norm (sslrun's defaults).
"""

import argparse
import json
import os
import random
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from PIL import Image
from torchvision import transforms

from bench_augment_torchvision import GaussianBlur
from cifar_cpu_torch import LARS, RESNET_LAYERS, ConvNet, ResNet, nt_xent, projection_mlp, swav_loss


def die(msg):
    raise SystemExit(f"bench_torch.py: {msg}")


# ---------------------------------------------------------------- views


def view_transform(augments):
    """One view block's augment list as torchvision transforms on PIL images,
    ending in a float tensor (ToTensor goes before normalize, or last)."""
    steps, tensor = [], False
    for a in augments:
        kind, p = a["id"].removeprefix("augment."), a["params"]
        if kind == "random_resized_crop":
            steps.append(transforms.RandomResizedCrop(p["size"], scale=tuple(p["scale"]), ratio=tuple(p["ratio"])))
        elif kind == "center_crop":
            steps.append(transforms.CenterCrop(p["size"]))
        elif kind == "resize":
            steps.append(transforms.Resize(p["size"]))
        elif kind == "color_jitter":
            jitter = transforms.ColorJitter(p["brightness"], p["contrast"], p["saturation"], p["hue"])
            steps.append(transforms.RandomApply([jitter], p=p["p"]))
        elif kind == "grayscale":
            steps.append(transforms.RandomGrayscale(p=p["p"]))
        elif kind == "gaussian_blur":
            steps.append(transforms.RandomApply([GaussianBlur(tuple(p["sigma"]))], p=p["p"]))
        elif kind == "horizontal_flip":
            steps.append(transforms.RandomHorizontalFlip(p=p["p"]))
        elif kind == "solarize":
            steps.append(transforms.RandomSolarize(round(255 * p["threshold"]), p=p["p"]))
        elif kind == "equalize":
            steps.append(transforms.RandomEqualize(p=p["p"]))
        elif kind == "normalize":
            if tensor:
                die("a view normalizes twice")
            steps += [transforms.ToTensor(), transforms.Normalize(p["mean"], p["std"])]
            tensor = True
        else:
            die(f"augment.{kind} has no torchvision twin here")
    if not tensor:
        steps.append(transforms.ToTensor())
    return transforms.Compose(steps)


def views_label(spec, shapes):
    """runner.BenchResult.Views: COUNTxSIZE per view block, joined by "+"."""
    out, k = [], 0
    for v in spec["views"]:
        _, h, w = shapes[k]
        out.append(f"{v['count']}x{h}" + (f"x{w}" if w != h else ""))
        k += v["count"]
    return "+".join(out)


# ---------------------------------------------------------------- images


def folder_files(root):
    """The images of an image folder, sorted as sslrun lists them (hidden
    names skipped)."""
    exts = (".png", ".jpg", ".jpeg")
    files = []
    for dirpath, dirnames, names in os.walk(root, followlinks=True):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        files += [os.path.join(dirpath, n) for n in sorted(names) if not n.startswith(".") and n.lower().endswith(exts)]
    if not files:
        die(f"{root} holds no .png, .jpg or .jpeg files")
    return files


def images(spec, images_dir, n):
    """n PIL images of the training dataset (see the module doc)."""
    name = spec["train"]["dataset"]
    ds = next((d for d in spec["datasets"] if d["name"] == name), None)
    if ds is None:
        die(f"the spec has no dataset called {name!r}")
    root = images_dir or (ds["params"]["path"] if ds["id"] == "dataset.image_folder" else None)
    if root:
        files = folder_files(root)
        picked = [files[i * len(files) // n] for i in range(min(n, len(files)))]
        out = []
        for f in picked:
            with Image.open(f) as img:
                img.load()
                out.append(img)
        mode = "L" if out[0].mode == "L" else "RGB"  # the first image fixes the channels, as in sslrun
        return [m.convert(mode) for m in out]
    shapes = {"dataset.cifar10": (32, 3), "dataset.cifar100": (32, 3), "dataset.mnist": (28, 1)}
    side, c = shapes.get(ds["id"], (ds["params"].get("image_size", 32), 3))
    rng = np.random.default_rng(spec["seed"])
    if c == 1:
        return [Image.fromarray(rng.integers(0, 256, (side, side), dtype=np.uint8), "L") for _ in range(n)]
    return [Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=np.uint8), "RGB") for _ in range(n)]


# ---------------------------------------------------------------- model


def backbone(comp, in_channels):
    """The backbone block as a module returning (N, D) features, and D."""
    kind, p = comp["id"].removeprefix("backbone."), comp["params"]
    if kind == "convnet":
        net = ConvNet([int(c) for c in p["channels"]], in_channels)
        return net, net.dim
    if kind in RESNET_LAYERS and in_channels == 3:
        net = ResNet(RESNET_LAYERS[kind], width=p["width"], stem=p["stem"])
        return net, net.dim
    if kind not in ("resnet18", "resnet34", "resnet50"):
        die(f"backbone.{kind} has no twin here")
    if p["width"] != 1:
        die(f"backbone.{kind} with width {p['width']}: the twin builds width 1 only")
    net = getattr(torchvision.models, kind)()
    if p["stem"] == "cifar":
        net.conv1 = nn.Conv2d(in_channels, 64, 3, 1, 1, bias=False)
        net.maxpool = nn.Identity()
    elif in_channels != 3:
        net.conv1 = nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)
    dim = net.fc.in_features
    net.fc = nn.Identity()
    return net, dim


class Prototypes(nn.Module):
    """head.prototypes: L2-normalised input times the prototype matrix."""

    def __init__(self, dim, count):
        super().__init__()
        self.layer = nn.Linear(dim, count, bias=False)

    def forward(self, x):
        return self.layer(F.normalize(x, dim=1))


def heads(specs, dim):
    """The head blocks in order as one nn.Sequential, and the prototypes
    head if there is one."""
    mods, protos = [], None
    for h in specs:
        kind, p = h["id"].removeprefix("head."), h["params"]
        if kind == "projection_mlp":
            mods.append(projection_mlp(dim, p["hidden_dim"], p["output_dim"], p["layers"], p["batch_norm"]))
            dim = p["output_dim"]
        elif kind == "prototypes":
            protos = Prototypes(dim, p["count"])
            protos.freeze = (p["freeze_steps"], p["freeze_epochs"])
            mods.append(protos)
            dim = p["count"]
        elif kind == "linear":
            mods.append(nn.Linear(dim, p["output_dim"]))
            dim = p["output_dim"]
        else:
            die(f"head.{kind} has no twin here")
    return nn.Sequential(*mods), protos


def optimizer(comp, modules, batch):
    """The optimizer block at its peak learning rate; biases and batch norm
    (parameters of one dimension) are not decayed unless asked."""
    kind, p = comp["id"].removeprefix("optimizer."), comp["params"]
    lr = p["lr"] * batch / 256 if p.get("scale_lr", True) else p["lr"]
    params = [q for m in modules for q in m.parameters()]
    if kind == "lars":
        if not p["clip"] or not p["exclude_bias_and_norm"] or p["nesterov"]:
            die("optimizer.lars: the twin's LARS always clips, excludes biases and batch norm and has no Nesterov")
        return LARS(params, lr=lr, momentum=p["momentum"], weight_decay=p["weight_decay"], eta=p["eta"])
    if p["decay_bias_and_norm"]:
        groups = [dict(params=params)]
    else:
        groups = [dict(params=[q for q in params if q.ndim > 1]),
                  dict(params=[q for q in params if q.ndim <= 1], weight_decay=0.0)]
    if kind == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=p["momentum"], nesterov=p["nesterov"], weight_decay=p["weight_decay"])
    if kind == "adamw":
        return torch.optim.AdamW(groups, lr=lr, betas=tuple(p["betas"]), eps=p["eps"], weight_decay=p["weight_decay"])
    die(f"optimizer.{kind} has no twin here")


def loss_fn(comp, n_views):
    """The objective block as loss(z, batch, prototypes)."""
    kind, p = comp["id"].removeprefix("objective."), comp["params"]
    if kind == "nt_xent":
        return lambda z, b, protos: nt_xent(z, n_views, p["temperature"])
    if kind == "swav":
        cfg = dict(p, crops_for_assign=[int(v) for v in p["crops_for_assign"]])
        return lambda z, b, protos: swav_loss(z, b, cfg, protos.layer.weight.detach(), None)
    die(f"objective.{kind} has no twin here")


# ---------------------------------------------------------------- timing


def bench_steps(spec, shapes, batch, steps, device="cpu", precision="fp32"):
    """One warm-up and steps timed training steps; returns their seconds."""
    torch.manual_seed(spec["seed"])
    body, dim = backbone(spec["backbone"], shapes[0][0])
    head, protos = heads(spec["heads"], dim)
    if device != "cpu":
        body, head = body.to(device), head.to(device)
    opt = optimizer(spec["optimizer"], (body, head), batch)
    loss_of = loss_fn(spec["objective"], len(shapes))
    xs = [torch.randn(batch, *s) for s in shapes]
    if device != "cpu":
        xs = [x.to(device) for x in xs]
    groups = {}  # views of one shape go through the network together, in order of first appearance
    for i, s in enumerate(shapes):
        groups.setdefault(s, []).append(i)

    def step(k):
        if protos is not None:
            with torch.no_grad():
                protos.layer.weight.copy_(F.normalize(protos.layer.weight, dim=1))
        with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=precision == "bf16"):
            z = [None] * len(xs)
            for idx in groups.values():
                out = head(body(torch.cat([xs[i] for i in idx])))
                for i, part in zip(idx, out.split(batch)):
                    z[i] = part
            loss = loss_of(torch.cat(z), batch, protos)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if protos is not None and (k < protos.freeze[0] or protos.freeze[1] > 0):
            protos.layer.weight.grad = None  # frozen at the start of a run, as in sslrun
        opt.step()

    step(0)  # warm-up: buffers are allocated on the first step
    if device != "cpu":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for k in range(1, steps + 1):
        step(k)
    if device != "cpu":
        torch.cuda.synchronize()
    return time.perf_counter() - t0


def bench_augment(views, imgs, n):
    """Makes every view of n source images, one after the other."""
    t0 = time.perf_counter()
    for i in range(n):
        img = imgs[i % len(imgs)]
        for count, t in views:
            for _ in range(count):
                t(img)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec-json", default="-", help="resolved experiment from `sslrun validate --print` (- or absent: stdin)")
    ap.add_argument("--steps", type=int, default=5, help="timed training steps after one warm-up step")
    ap.add_argument("--batch", type=int, default=0, help="source images per step (0: the spec's batch_size)")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads for the step")
    ap.add_argument("--augment-images", type=int, default=2048, help="source images to augment")
    ap.add_argument("--images", default=None, help="folder of images to augment (default: see the module doc)")
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"), help="where the step runs")
    ap.add_argument("--precision", default="fp32", choices=("fp32", "bf16"), help="bf16: autocast forward and loss (CUDA only)")
    args = ap.parse_args()
    if args.precision == "bf16" and args.device != "cuda":
        ap.error("--precision bf16 needs --device cuda")
    if args.device == "cuda" and not torch.cuda.is_available():
        die("--device cuda: torch sees no CUDA device")
    if args.steps < 1 or args.batch < 0 or args.augment_images < 1 or args.threads < 1:
        ap.error("--steps, --augment-images and --threads must be at least 1, --batch at least 0")
    if args.spec_json == "-":
        spec = json.load(sys.stdin)
    else:
        with open(args.spec_json) as f:
            spec = json.load(f)
    batch = args.batch or spec["train"]["batch_size"]
    random.seed(spec["seed"])

    views = [(v["count"], view_transform(v["augment"])) for v in spec["views"]]
    if not views:
        die("the spec has no view blocks")
    sample = images(spec, args.images, 1)[0]
    shapes = [tuple(t(sample).shape) for count, t in views for _ in range(count)]

    torch.set_num_threads(args.threads)
    secs = bench_steps(spec, shapes, batch, args.steps, args.device, args.precision)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    torch.set_num_threads(1)
    imgs = images(spec, args.images, min(args.augment_images, 1024))
    bench_augment(views, imgs, min(64, args.augment_images))  # warm-up
    aug_secs = bench_augment(views, imgs, args.augment_images)

    result = {
        "experiment": spec["name"],
        "backbone": spec["backbone"]["id"],
        "views": views_label(spec, shapes),
        "batch": batch,
        "steps": args.steps,
        "threads": args.threads,
        "step_images_per_s": batch * args.steps / secs,
        "seconds_per_step": secs / args.steps,
        "peak_rss_mb": peak,
        "augment_images": args.augment_images,
        "augment_images_per_s_per_core": args.augment_images / aug_secs,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
    }
    if args.device == "cuda":
        result["device"] = torch.cuda.get_device_name()
        result["precision"] = args.precision
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
