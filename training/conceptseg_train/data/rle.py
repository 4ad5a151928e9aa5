"""COCO run-length encoding, bit-exact with pycocotools' compressed string form.

A mask of h x w is read column-major (Fortran order); ``counts`` are run lengths that alternate
0-runs and 1-runs, starting with a (possibly empty) 0-run. The compressed string stores each count
(from the fourth on, as the difference to the count two before it) in 5-bit little-endian chunks,
6 bits per character (bit 0x20 = "more chunks follow", bit 0x10 of the last chunk = sign), offset
by 48 ('0'), exactly as ``rleToString`` / ``rleFrString`` in pycocotools' maskApi.c.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple, Union

import numpy as np


def mask_to_counts(mask: np.ndarray) -> List[int]:
    """Uncompressed COCO counts of a 2-D mask (any dtype; nonzero = on)."""
    m = np.asarray(mask)
    if m.ndim != 2:
        raise ValueError("mask must be 2-D, got shape %r" % (m.shape,))
    flat = (m.T.reshape(-1) != 0)
    n = flat.size
    if n == 0:
        return [0]
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate(([0], change, [n]))
    runs = np.diff(bounds).tolist()
    if flat[0]:
        runs.insert(0, 0)
    return runs


def counts_to_string(counts: Sequence[int]) -> str:
    """pycocotools ``rleToString``: counts -> compressed ASCII string."""
    out = []
    for i, c in enumerate(counts):
        x = int(c)
        if i > 2:
            x -= int(counts[i - 2])
        more = True
        while more:
            ch = x & 0x1F
            x >>= 5  # arithmetic shift, like the C code on a signed long
            more = (x != -1) if (ch & 0x10) else (x != 0)
            if more:
                ch |= 0x20
            out.append(chr(ch + 48))
    return "".join(out)


def string_to_counts(s: Union[str, bytes]) -> List[int]:
    """pycocotools ``rleFrString``: compressed string -> counts."""
    if isinstance(s, bytes):
        s = s.decode("ascii")
    counts: List[int] = []
    p = 0
    n = len(s)
    while p < n:
        x = 0
        k = 0
        more = True
        while more:
            if p >= n:
                raise ValueError("truncated RLE string")
            c = ord(s[p]) - 48
            if c < 0 or c > 63:
                raise ValueError("invalid character in RLE string: %r" % s[p])
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def counts_to_mask(counts: Sequence[int], h: int, w: int) -> np.ndarray:
    """Counts -> bool mask of shape (h, w)."""
    total = int(sum(counts))
    if total != h * w:
        raise ValueError("RLE counts sum to %d, expected %d x %d = %d" % (total, h, w, h * w))
    if any(c < 0 for c in counts):
        raise ValueError("negative run length in RLE")
    values = np.zeros(len(counts), dtype=bool)
    values[1::2] = True
    flat = np.repeat(values, np.asarray(counts, dtype=np.int64))
    return flat.reshape(w, h).T.copy()


def encode(mask: np.ndarray) -> dict:
    """Mask (h, w) -> {"size": [h, w], "counts": "<compressed string>"} (pycocotools' form)."""
    m = np.asarray(mask)
    h, w = m.shape
    return {"size": [int(h), int(w)], "counts": counts_to_string(mask_to_counts(m))}


def decode(rle: dict) -> np.ndarray:
    """RLE dict (compressed string, bytes or uncompressed list counts) -> bool mask (h, w)."""
    h, w = (int(v) for v in rle["size"])
    counts = rle["counts"]
    if isinstance(counts, (str, bytes)):
        counts = string_to_counts(counts)
    return counts_to_mask(counts, h, w)


def area(rle: dict) -> int:
    counts = rle["counts"]
    if isinstance(counts, (str, bytes)):
        counts = string_to_counts(counts)
    return int(sum(counts[1::2]))


def mask_bbox(mask: np.ndarray) -> Tuple[int, int, int, int]:
    """[x, y, w, h] of the on pixels (as pycocotools' toBbox); (0, 0, 0, 0) for an empty mask."""
    m = np.asarray(mask) != 0
    ys = np.flatnonzero(m.any(axis=1))
    xs = np.flatnonzero(m.any(axis=0))
    if ys.size == 0:
        return (0, 0, 0, 0)
    return (int(xs[0]), int(ys[0]), int(xs[-1] - xs[0] + 1), int(ys[-1] - ys[0] + 1))


__all__ = ["encode", "decode", "area", "mask_bbox", "mask_to_counts", "counts_to_string",
           "string_to_counts", "counts_to_mask"]
