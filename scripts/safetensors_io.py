"""Reads safetensors files (sslrun's checkpoints and exports) by hand from the
format, for the scripts and golden generators that run where the safetensors
package is not installed: an 8-byte little-endian header length, a JSON
header, then the little-endian data of every tensor."""

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
