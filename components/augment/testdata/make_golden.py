"""Golden outputs of torchvision for the augment tests.

Regenerate (needs torch 1.13 and torchvision 0.14; the Go tests need no Python):

    cd components/augment/testdata && /usr/bin/python3 make_golden.py

It writes golden.json (the index: inputs and cases, each with an offset
into golden.bin counted in float32 values, and a shape) and golden.bin (all
the images as little-endian float32, (C, H, W) each). Cases call
torchvision.transforms.functional with fixed parameters on float tensors;
golden_test.go maps each op to the Go function under test (and, for the
deterministic ones, to the registered component). "auto" marks a blur whose
kernel side is the automatic one of augment.gaussian_blur.
"""

import json
import math

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode

assert torchvision.__version__.startswith("0.14"), torchvision.__version__

torch.manual_seed(0)

H, W = 20, 24
ys = torch.arange(H, dtype=torch.float32).view(H, 1).expand(H, W)
xs = torch.arange(W, dtype=torch.float32).view(1, W).expand(H, W)

two_level = torch.full((1, H, W), 0.9)
two_level.view(-1)[:100] = 0.2  # fewer than 255 pixels below the top value: step 0

inputs = {
    "rand3": torch.rand(3, H, W),
    "grad3": torch.stack([xs / (W - 1), ys / (H - 1), 0.5 + 0.4 * torch.sin(xs * 0.5) * torch.cos(ys * 0.3)]),
    "quant3": torch.floor(torch.rand(3, H, W) * 8) / 7,  # many ties between channels
    "rand1": torch.rand(1, 17, 13),
    "tiny3": torch.rand(3, 5, 7),
    "skew3": torch.rand(3, H, W) ** 3,
    "twolevel1": two_level,
}

BILINEAR = InterpolationMode.BILINEAR


def to_u8(img):
    return F.convert_image_dtype(img, torch.uint8)


def from_u8(img):
    return F.convert_image_dtype(img, torch.float32)


def run(op, img, a):
    if op == "resized_crop":
        return F.resized_crop(img, a["top"], a["left"], a["h"], a["w"], [a["out_h"], a["out_w"]], BILINEAR, antialias=True)
    if op == "resize":
        return F.resize(img, a["size"], BILINEAR, antialias=True)
    if op == "center_crop":
        return F.center_crop(img, a["size"])
    if op == "hflip":
        return F.hflip(img)
    if op == "brightness":
        return F.adjust_brightness(img, a["factor"])
    if op == "contrast":
        return F.adjust_contrast(img, a["factor"])
    if op == "saturation":
        return F.adjust_saturation(img, a["factor"])
    if op == "hue":
        return F.adjust_hue(img, a["factor"])
    if op == "grayscale":
        return F.rgb_to_grayscale(img, num_output_channels=img.shape[0])
    if op == "gaussian_blur":
        return F.gaussian_blur(img, [a["kx"], a["ky"]], [a["sigma"], a["sigma"]])
    if op == "solarize":
        return F.solarize(img, a["threshold"])
    if op == "equalize":
        return from_u8(F.equalize(to_u8(img)))
    if op == "normalize":
        return F.normalize(img, a["mean"], a["std"])
    raise ValueError(op)


def rc(top, left, h, w, out_h, out_w):
    return dict(top=top, left=left, h=h, w=w, out_h=out_h, out_w=out_w)


def auto_kernel(sigma):
    return 2 * math.ceil(3 * sigma) + 1


CIFAR = dict(mean=[0.4914, 0.4822, 0.4465], std=[0.2470, 0.2435, 0.2616])

cases = [
    ("rrc_up", "resized_crop", "rand3", rc(2, 3, 10, 12, 16, 16)),
    ("rrc_down", "resized_crop", "rand3", rc(0, 0, 20, 24, 7, 9)),
    ("rrc_mixed", "resized_crop", "rand3", rc(5, 4, 13, 17, 8, 20)),
    ("rrc_heavy_down", "resized_crop", "rand3", rc(1, 0, 19, 24, 3, 2)),
    ("rrc_grad_up", "resized_crop", "grad3", rc(1, 2, 15, 11, 32, 32)),
    ("rrc_gray", "resized_crop", "rand1", rc(2, 1, 12, 11, 5, 5)),
    ("rrc_same", "resized_crop", "rand3", rc(3, 3, 8, 8, 8, 8)),
    ("rrc_one_pixel", "resized_crop", "rand3", rc(4, 5, 1, 1, 3, 3)),
    ("rrc_outside", "resized_crop", "rand3", rc(-2, 20, 10, 12, 6, 7)),
    ("resize_down", "resize", "rand3", dict(size=10)),
    ("resize_up", "resize", "rand3", dict(size=31)),
    ("resize_gray", "resize", "rand1", dict(size=7)),
    ("resize_same", "resize", "rand3", dict(size=20)),
    ("center_crop_9", "center_crop", "rand3", dict(size=9)),
    ("center_crop_15", "center_crop", "rand3", dict(size=15)),
    ("center_crop_pad_h", "center_crop", "rand3", dict(size=23)),
    ("center_crop_pad_both", "center_crop", "rand3", dict(size=27)),
    ("center_crop_gray", "center_crop", "rand1", dict(size=16)),
    ("hflip", "hflip", "rand3", {}),
    ("hflip_gray", "hflip", "rand1", {}),
    ("brightness_0.3", "brightness", "rand3", dict(factor=0.3)),
    ("brightness_1.7", "brightness", "rand3", dict(factor=1.7)),
    ("brightness_gray", "brightness", "rand1", dict(factor=1.4)),
    ("contrast_0.2", "contrast", "rand3", dict(factor=0.2)),
    ("contrast_1.8", "contrast", "rand3", dict(factor=1.8)),
    ("contrast_0_grad", "contrast", "grad3", dict(factor=0.0)),
    ("contrast_gray", "contrast", "rand1", dict(factor=0.5)),
    ("saturation_0", "saturation", "rand3", dict(factor=0.0)),
    ("saturation_0.5", "saturation", "rand3", dict(factor=0.5)),
    ("saturation_2.5", "saturation", "rand3", dict(factor=2.5)),
    ("saturation_quant", "saturation", "quant3", dict(factor=1.7)),
    ("saturation_gray", "saturation", "rand1", dict(factor=0.3)),
    ("hue_-0.45", "hue", "rand3", dict(factor=-0.45)),
    ("hue_0.25", "hue", "rand3", dict(factor=0.25)),
    ("hue_0.5", "hue", "rand3", dict(factor=0.5)),
    ("hue_grad", "hue", "grad3", dict(factor=-0.1)),
    ("hue_quant", "hue", "quant3", dict(factor=0.3)),
    ("hue_quant_-0.5", "hue", "quant3", dict(factor=-0.5)),
    ("hue_gray", "hue", "rand1", dict(factor=0.2)),
    ("grayscale", "grayscale", "rand3", {}),
    ("grayscale_quant", "grayscale", "quant3", {}),
    ("grayscale_gray", "grayscale", "rand1", {}),
    ("blur_3_0.5", "gaussian_blur", "rand3", dict(kx=3, ky=3, sigma=0.5)),
    ("blur_5_1.3", "gaussian_blur", "rand3", dict(kx=5, ky=5, sigma=1.3)),
    ("blur_13_2_grad", "gaussian_blur", "grad3", dict(kx=13, ky=13, sigma=2.0)),
    ("blur_gray", "gaussian_blur", "rand1", dict(kx=7, ky=7, sigma=1.0)),
    ("blur_rect_tiny", "gaussian_blur", "tiny3", dict(kx=13, ky=9, sigma=2.0)),
    ("blur_auto_1.3", "gaussian_blur", "rand3", dict(kx=auto_kernel(1.3), ky=auto_kernel(1.3), sigma=1.3, auto=True)),
    ("solarize_0.5", "solarize", "rand3", dict(threshold=0.5)),
    ("solarize_0.2", "solarize", "rand3", dict(threshold=0.2)),
    ("solarize_quant", "solarize", "quant3", dict(threshold=3 / 7)),
    ("solarize_gray", "solarize", "rand1", dict(threshold=0.7)),
    ("equalize_skew", "equalize", "skew3", {}),
    ("equalize_quant", "equalize", "quant3", {}),
    ("equalize_gray", "equalize", "rand1", {}),
    ("equalize_step0", "equalize", "twolevel1", {}),
    ("normalize_cifar", "normalize", "rand3", CIFAR),
    ("normalize_gray", "normalize", "rand1", dict(mean=[0.1307], std=[0.3081])),
    ("normalize_broadcast", "normalize", "rand3", dict(mean=[0.5], std=[0.25])),
]

chunks, offset = [], 0


def add(t):
    global offset
    a = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").ravel()
    chunks.append(a)
    start = offset
    offset += a.size
    return {"shape": list(t.shape), "offset": start}


index = {
    "torch": torch.__version__,
    "torchvision": torchvision.__version__,
    "inputs": {name: add(t) for name, t in inputs.items()},
    "cases": [],
}
for name, op, inp, args in cases:
    out = run(op, inputs[inp].clone(), args)
    assert torch.isfinite(out).all(), name
    index["cases"].append(dict(name=name, op=op, input=inp, args=args, **add(out)))

np.concatenate(chunks).tofile("golden.bin")
with open("golden.json", "w") as f:  # one input or case a line, for readable diffs
    f.write('{"torch": %s, "torchvision": %s,\n "inputs": {\n' % (json.dumps(torch.__version__), json.dumps(torchvision.__version__)))
    f.write(",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in index["inputs"].items()))
    f.write('},\n "cases": [\n')
    f.write(",\n".join(f"  {json.dumps(c)}" for c in index["cases"]))
    f.write("]}\n")
print(f"{len(index['cases'])} cases, {offset * 4} bytes")
