"""Copy an image folder as PNG files holding the pixels PIL decodes.

    /usr/bin/python3 scripts/pil_decode.py SRC DST

SRC is an image folder (<split>/<class>/<name>.jpg, e.g.
../shared/datasets/cifar10); DST receives the same tree with every image as
<name>.png, decoded by PIL (libjpeg-turbo: fancy chroma upsampling) and
converted to RGB, as torchvision's ImageFolder loads it. PNG is lossless, so
sslrun reading DST sees exactly the pixels PyTorch sees, and the files keep
their order. It showed that the JPEG decoder decided a difference between
sslrun and scripts/cifar_cpu_torch.py when sslrun still used Go's colour
conversion, which repeats each chroma sample over its 2x2 block; sslrun now
converts as libjpeg-turbo does (imaging/ycbcr.go), and over CIFAR-10's
60,000 images its pixel values are within 3 levels of this script's (97%
equal; the rest is the IDCT's rounding).
"""

import os
import sys

from PIL import Image

EXTS = (".jpg", ".jpeg", ".png")


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__.split("\n\n")[1])
    src, dst = sys.argv[1], sys.argv[2]
    if not os.path.isdir(src):
        raise SystemExit(f"{src} is not a folder")
    n = 0
    for root, _, files in sorted(os.walk(src)):
        out = os.path.join(dst, os.path.relpath(root, src))
        for f in sorted(files):
            if not f.lower().endswith(EXTS):
                continue
            os.makedirs(out, exist_ok=True)
            path = os.path.join(root, f)
            try:
                img = Image.open(path).convert("RGB")
            except OSError as e:
                raise SystemExit(f"{path}: {e}")
            img.save(os.path.join(out, os.path.splitext(f)[0] + ".png"))
            n += 1
    print(f"{n} images written under {dst}", file=sys.stderr)


if __name__ == "__main__":
    main()
