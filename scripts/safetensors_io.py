"""Reads safetensors files (sslrun's checkpoints and exports) by hand from the
format, for the scripts and golden generators that run where the safetensors
package is not installed: an 8-byte little-endian header length, a JSON
header, then the little-endian data of every tensor."""

import hashlib
import json
import struct

import numpy as np
import torch

DTYPES = {"F32": np.dtype("<f4"), "I64": np.dtype("<i8")}


def parse_by_hand(data):
    """The tensors (name -> torch tensor) and metadata of a safetensors file,
    checking that the data ranges tile the buffer. Malformed data raises
    AssertionError, KeyError, ValueError or struct.error."""
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    buf = data[8 + n:]
    metadata = header.pop("__metadata__", None)
    tensors, end = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, stop = info["data_offsets"]
        assert begin == end, f"{name}: data at {begin}, previous tensor ends at {end}"
        dtype = DTYPES[info["dtype"]]
        count = int(np.prod(info["shape"], dtype=np.int64))
        assert stop - begin == count * dtype.itemsize, f"{name}: size"
        a = np.frombuffer(buf, dtype=dtype, count=count, offset=begin)
        tensors[name] = torch.from_numpy(a.reshape(info["shape"]).copy())
        end = stop
    assert end == len(buf), "trailing bytes"
    return tensors, metadata


def write_by_hand(path, tensors, metadata, checksum_key=None):
    """Writes tensors (name -> torch tensor, float32 or int64) and string
    metadata as a safetensors file, tensors in name order. With checksum_key,
    the metadata gets the hex sha256 of the data under that key, as sslrun
    writes and checks it in its checkpoints."""
    names = {torch.float32: "F32", torch.int64: "I64"}
    header, chunks, end = {"__metadata__": dict(metadata)}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        if t.dtype not in names:
            raise ValueError(f"{name}: dtype {t.dtype}, want float32 or int64")
        raw = t.numpy().astype(DTYPES[names[t.dtype]]).tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [end, end + len(raw)]}
        chunks.append(raw)
        end += len(raw)
    if checksum_key:
        header["__metadata__"][checksum_key] = hashlib.sha256(b"".join(chunks)).hexdigest()
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for c in chunks:
            f.write(c)
