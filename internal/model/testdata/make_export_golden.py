"""Golden values for TestExportTorchvision: torchvision loads sslrun's export.

    cd model/testdata && /usr/bin/python3 make_export_golden.py [FILE]

(Debian's python3-torch and python3-torchvision.) Without FILE the script
has Go write it, running from the repository root

    go test ./model -run '^TestExportTorchvision$' -count=1 -args -export-file TMP

which exports resnet18 with the CIFAR stem, every parameter and batch-norm
statistic set by the hash rule of TestExportTorchvision (no random numbers, so
the bytes are the same on every machine). The script parses the safetensors
file by hand from the format (an 8-byte little-endian header length, a JSON
header, the little-endian data; the safetensors package, when installed,
must read the same tensors), builds torchvision.models.resnet18() with
conv1 = Conv2d(3, 64, 3, 1, 1, bias=False), maxpool = Identity and
fc = Identity, loads the tensors with load_state_dict(strict=True) (every
name, shape and dtype must match, nothing missing or extra), and in eval mode
computes the features of the input of components/backbone/testdata/
make_golden.py: (4, 3, 32, 32), element i = 2u with
u = ((i * 2654435761 + 1000 * 40503) mod 2^32) / 2^32 - 0.5. It writes
export_golden.json: the file's SHA-256 (the Go test checks its export is
these very bytes), the state_dict names, num_batches_tracked as torch holds
them, the file's metadata and the (4, 512) features.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile

import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from safetensors_io import parse_by_hand  # noqa: E402


def hashed(n, k):
    i = torch.arange(n, dtype=torch.int64)
    return ((i * 2654435761 + k * 40503) % (2 ** 32)).double() / 2 ** 32 - 0.5


def go_export(path):
    subprocess.run(
        ["go", "test", "./model", "-run", "^TestExportTorchvision$", "-count=1",
         "-args", "-export-file", path],
        cwd=ROOT, check=True)


def parse(data):
    """parse_by_hand's result; when the safetensors package is installed,
    its tensors, after checking that the two parses agree."""
    tensors, metadata = parse_by_hand(data)
    try:
        import safetensors.torch
    except ImportError:
        return tensors, metadata
    ref = safetensors.torch.load(data)
    assert ref.keys() == tensors.keys(), "the safetensors package reads other names"
    for name, t in ref.items():
        assert t.dtype == tensors[name].dtype and torch.equal(t, tensors[name]), name
    return ref, metadata


def main():
    torch.set_num_threads(2)
    if len(sys.argv) > 1:
        with open(sys.argv[1], "rb") as f:
            data = f.read()
    else:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "resnet18.safetensors")
            go_export(path)
            with open(path, "rb") as f:
                data = f.read()
    tensors, metadata = parse(data)

    model = torchvision.models.resnet18()
    model.conv1 = torch.nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    model.maxpool = torch.nn.Identity()
    model.fc = torch.nn.Identity()
    model.load_state_dict(tensors, strict=True)
    sd = model.state_dict()
    for name, t in tensors.items():
        assert sd[name].dtype == t.dtype and torch.equal(sd[name], t), name
    model.eval()
    x = (2 * hashed(4 * 3 * 32 * 32, 1000)).float().reshape(4, 3, 32, 32)
    with torch.no_grad():
        feats = model(x)

    out = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "sha256": hashlib.sha256(data).hexdigest(),
        "names": sorted(sd),
        "num_batches_tracked": {
            name[: -len(".num_batches_tracked")]: int(t.item())
            for name, t in sd.items() if name.endswith(".num_batches_tracked")
        },
        "metadata": metadata,
        "shape": list(feats.shape),
        "features": feats.flatten().tolist(),
    }
    with open(os.path.join(HERE, "export_golden.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")


main()
