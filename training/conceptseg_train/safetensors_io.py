"""Minimal, deterministic safetensors reader/writer (no safetensors package on this machine).

Layout: u64 little-endian header length n, n bytes of JSON header
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}} padded with
spaces to a multiple of 8, then the raw little-endian tensor bytes. Tensors are written in sorted
name order, contiguous, with no gaps, so the same tensors always give the same bytes.
"""
from __future__ import annotations

import json
import struct
from typing import Dict, Mapping, Optional, Tuple

import numpy as np

_DTYPES = {
    np.dtype("float32"): "F32", np.dtype("float64"): "F64", np.dtype("float16"): "F16",
    np.dtype("int64"): "I64", np.dtype("int32"): "I32", np.dtype("int16"): "I16",
    np.dtype("int8"): "I8", np.dtype("uint8"): "U8", np.dtype("bool"): "BOOL",
}
_NP = {v: k for k, v in _DTYPES.items()}


def _to_numpy(t) -> np.ndarray:
    if hasattr(t, "detach"):
        t = t.detach().cpu().contiguous().numpy()
    a = np.asarray(t)
    if a.dtype not in _DTYPES:
        raise TypeError(f"unsupported dtype {a.dtype}")
    return np.ascontiguousarray(a.astype(a.dtype.newbyteorder("<"), copy=False))


def dumps(tensors: Mapping[str, object], metadata: Optional[Mapping[str, str]] = None) -> bytes:
    arrays = {k: _to_numpy(v) for k, v in tensors.items()}
    header: Dict[str, object] = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in sorted(metadata.items())}
    offset = 0
    names = sorted(arrays)
    for name in names:
        a = arrays[name]
        header[name] = {"dtype": _DTYPES[a.dtype], "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * ((8 - len(hb) % 8) % 8)
    parts = [struct.pack("<Q", len(hb)), hb] + [arrays[n].tobytes() for n in names]
    return b"".join(parts)


def save(path: str, tensors: Mapping[str, object], metadata: Optional[Mapping[str, str]] = None):
    with open(path, "wb") as f:
        f.write(dumps(tensors, metadata))


def loads(data: bytes) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {}) or {}
    base = 8 + n
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        dt = _NP[info["dtype"]].newbyteorder("<")
        out[name] = np.frombuffer(data[base + b:base + e], dtype=dt).reshape(info["shape"]).copy()
    return out, meta


def load(path: str) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    with open(path, "rb") as f:
        return loads(f.read())


def load_torch(path: str):
    import torch
    arrays, meta = load(path)
    return {k: torch.from_numpy(v.astype(v.dtype.newbyteorder("="))) for k, v in arrays.items()}, meta
