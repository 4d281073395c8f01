"""Minimal safetensors reader/writer (numpy), the same format SegBridge's C# SafeTensors class reads and writes.

Debian 12 ships no python3-safetensors, and the format is small: an 8-byte little-endian header length, a JSON
header {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}}, then raw little-endian data.
"""
import json
import struct

import numpy as np

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read(path):
    """Returns ({name: numpy array}, {metadata key: value}); F16 stays float16 (callers widen)."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    tensors = {}
    base = 8 + length
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = _DTYPES[entry["dtype"]]
        tensors[name] = np.frombuffer(data[base + begin:base + end], dtype=dtype).reshape(entry["shape"]).copy()
    return tensors, metadata


def write(path, tensors, metadata, half=False):
    """Writes numpy arrays; floating arrays as F16 when half, else F32; integer arrays as I64."""
    header = {"__metadata__": dict(metadata)}
    blobs, offset = [], 0
    for name in sorted(tensors):
        array = np.asarray(tensors[name])
        if np.issubdtype(array.dtype, np.integer):
            array, dtype = array.astype("<i8"), "I64"
        elif half:
            array, dtype = array.astype("<f2"), "F16"
        else:
            array, dtype = array.astype("<f4"), "F32"
        blob = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
