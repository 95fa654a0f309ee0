"""Throughput of torchvision for the view pipelines of BenchmarkSimCLRPipeline
and BenchmarkSwAVMultiCrop (components/augment/bench_test.go).

    /usr/bin/python3 scripts/bench_augment_torchvision.py [--seconds 10]

Inputs are 32x32 RGB PIL images, as solo-learn's CIFAR loader feeds them, and
the pipeline is solo-learn's CifarTransform (symmetric.yaml): RandomResizedCrop,
RandomApply(ColorJitter(0.8, 0.8, 0.8, 0.2), p=0.8), RandomGrayscale(0.2),
RandomApply(PIL Gaussian blur of radius U(0.1, 2)), p=0.5), RandomHorizontalFlip,
ToTensor and Normalize, with torchvision's default bilinear crop interpolation
(solo-learn uses bicubic) so that both sides do the same work. One process,
one thread (torch.set_num_threads(1)). Each line of output is JSON with the
source images per second, every view of an image included.
"""

import argparse
import json
import random
import time

import numpy as np
import torch
import torchvision
from PIL import Image, ImageFilter
from torchvision import transforms

CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)


class GaussianBlur:
    """solo-learn's blur: PIL's Gaussian filter with radius U(min, max)."""

    def __init__(self, sigma=(0.1, 2.0)):
        self.sigma = sigma

    def __call__(self, img):
        return img.filter(ImageFilter.GaussianBlur(radius=random.uniform(*self.sigma)))


def view(size, scale):
    return transforms.Compose(
        [
            transforms.RandomResizedCrop(size, scale=scale),
            transforms.RandomApply([transforms.ColorJitter(0.8, 0.8, 0.8, 0.2)], p=0.8),
            transforms.RandomGrayscale(p=0.2),
            transforms.RandomApply([GaussianBlur()], p=0.5),
            transforms.RandomHorizontalFlip(p=0.5),
            transforms.ToTensor(),
            transforms.Normalize(CIFAR_MEAN, CIFAR_STD),
        ]
    )


PIPELINES = {
    # name: list of (count, transform)
    "simclr_cifar": [(2, view(32, (0.08, 1.0)))],
    "swav_multicrop_cifar": [(2, view(32, (0.2, 1.0))), (6, view(18, (0.08, 0.5)))],
}


def bench(views, images, seconds):
    n, start = 0, time.perf_counter()
    while True:
        img = images[n % len(images)]
        for count, t in views:
            for _ in range(count):
                t(img)
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n, elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="time per pipeline")
    args = ap.parse_args()
    torch.set_num_threads(1)
    random.seed(0)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    images = [Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8), "RGB") for _ in range(64)]
    for name, views in PIPELINES.items():
        bench(views, images, 1.0)  # warm-up
        n, elapsed = bench(views, images, args.seconds)
        print(json.dumps({
            "pipeline": name,
            "images_per_s": round(n / elapsed, 1),
            "images": n,
            "seconds": round(elapsed, 2),
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
        }), flush=True)


if __name__ == "__main__":
    main()
