"""Golden pixels for TestJPEGLikePIL: what PIL decodes from JPEG files.

    cd imaging/testdata && /usr/bin/python3 make_jpeg_golden.py [CIFAR10]

(Debian's python3-pil, which decodes with libjpeg-turbo's defaults: islow
IDCT, fancy chroma upsampling; torchvision's ImageFolder loads images this
way.) The script writes jpeg/<name>.jpg and, beside each, <name>.png: PIL's
decoded pixels (Image.open(f).convert("RGB"), or "L" for a gray file),
stored losslessly.

Synthetic files: a seeded pattern of colour edges, gradients and noise (no
clock, the bytes are the same on every run of the same PIL), saved by PIL
at quality 90 with 4:2:0, 4:2:2 and 4:4:4 chroma, at sizes that reach the
upsampler's edge cases: odd widths and heights, chroma planes of one and
two samples (libjpeg then repeats samples instead of filtering) and gray.
With CIFAR10 (a folder such as ../shared/datasets/cifar10) the script also
copies four of its training JPEGs (4:2:0, 32x32) as they are.
"""

import os
import random
import shutil
import sys

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "jpeg")

# name: (width, height, PIL subsampling or "gray")
SYNTHETIC = {
    "s420_32x32": (32, 32, "4:2:0"),
    "s420_33x17": (33, 17, "4:2:0"),
    "s420_6x7": (6, 7, "4:2:0"),
    "s420_4x5": (4, 5, "4:2:0"),
    "s420_1x1": (1, 1, "4:2:0"),
    "s422_32x32": (32, 32, "4:2:2"),
    "s422_21x9": (21, 9, "4:2:2"),
    "s422_3x6": (3, 6, "4:2:2"),
    "s444_19x13": (19, 13, "4:4:4"),
    "gray_15x10": (15, 10, "gray"),
}

CIFAR = ["train/airplane/0000.jpg", "train/cat/0000.jpg",
         "train/frog/0000.jpg", "train/truck/0000.jpg"]


def pattern(w, h, rng):
    """Colour blocks, a diagonal gradient and noise, in RGB."""
    img = Image.new("RGB", (w, h))
    px = img.load()
    blocks = [tuple(rng.randrange(256) for _ in range(3)) for _ in range(9)]
    for y in range(h):
        for x in range(w):
            b = blocks[(3 * y // max(h, 1)) * 3 + 3 * x // max(w, 1)]
            g = (x + y) * 255 // max(w + h - 2, 1)
            px[x, y] = tuple(min(255, max(0, (c + g) // 2 + rng.randrange(-20, 21)))
                             for c in b)
    return img


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(20261127)
    for name, (w, h, sub) in SYNTHETIC.items():
        img = pattern(w, h, rng)
        path = os.path.join(OUT, name + ".jpg")
        if sub == "gray":
            img.convert("L").save(path, quality=90)
        else:
            img.save(path, quality=90, subsampling=sub)
    if len(sys.argv) > 1:
        for rel in CIFAR:
            name = "cifar_" + rel.split("/")[1]
            shutil.copyfile(os.path.join(sys.argv[1], rel), os.path.join(OUT, name + ".jpg"))
    for f in sorted(os.listdir(OUT)):
        if not f.endswith(".jpg"):
            continue
        img = Image.open(os.path.join(OUT, f))
        img = img.convert("L" if img.mode == "L" else "RGB")
        img.save(os.path.join(OUT, f[:-4] + ".png"))
        print(f, img.mode, img.size)


if __name__ == "__main__":
    main()
