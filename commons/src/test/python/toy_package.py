"""What the backends' synthetic toy packages share (backend-onnx and backend-cuda/backend
src/test/python/make_toy_package.py): the fixture tensors, the safetensors writer, and the
package's files other than its stage modules, model.json around the stages.

The stages take `features` (float32 [B, 3, 4]) and `ids` (int64 [B, L]) and return
`scaled` = features * 2 + 0.5 and `id_sum` = the sum of ids over L (int64 [B, 1]); the fixture is
computed with numpy (exact arithmetic) in the safetensors layout the model packages use.
"""
import json
import os
import struct

import numpy as np

FEATURES_IN = {"name": "features", "dtype": "float32", "shape": ["B", 3, 4]}
IDS_IN = {"name": "ids", "dtype": "int64", "shape": ["B", "L"]}
SCALED_OUT = {"name": "scaled", "dtype": "float32", "shape": ["B", 3, 4]}
ID_SUM_OUT = {"name": "id_sum", "dtype": "int64", "shape": ["B", 1]}


def fixture_tensors():
    """features [2, 3, 4] and ids [2, 5] (seed 7), and the outputs the stages must give for them."""
    rng = np.random.default_rng(7)
    features = rng.standard_normal((2, 3, 4)).astype(np.float32)
    ids = rng.integers(0, 1000, size=(2, 5)).astype(np.int64)
    scaled = (features * np.float32(2.0) + np.float32(0.5)).astype(np.float32)
    id_sum = ids.sum(axis=1, keepdims=True).astype(np.int64)
    return features, ids, scaled, id_sum


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, arr in tensors.items():
        dtype = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64"}[arr.dtype]
        raw = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def write_package(out, backend, tolerance, stages):
    """The unused weights, the vocabulary and model.json of a toy package in `out` (its stage
    modules and fixtures are the caller's). `backend` names it in the description ("ONNX");
    `tolerance` is model.json's tolerance object."""
    os.makedirs(os.path.join(out, "tokenizer"), exist_ok=True)
    write_safetensors(os.path.join(out, "weights.safetensors"), {"unused": np.zeros((1,), np.float32)})
    with open(os.path.join(out, "tokenizer", "vocab.txt"), "w") as f:
        f.write("[PAD]\n[UNK]\n[BOS]\n[EOS]\n")
    model = {
        "format_version": 1,
        "id": "toy",
        "architecture": "conceptseg-test-toy",
        "description": "synthetic package for the " + backend + " backend's unit tests (make_toy_package.py)",
        "image": {"size": 16, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]},
        "text": {"tokenizer": "wordpiece", "vocab": "tokenizer/vocab.txt", "context_length": 5,
                 "pad": "[PAD]", "unk": "[UNK]", "bos": "[BOS]", "eos": "[EOS]"},
        "dims": {"d_model": 4},
        "thresholds": {"score": 0.5, "mask_logit": 0.0},
        "weights": {"file": "weights.safetensors", "dtype": "float32"},
        "tolerance": tolerance,
        "stages": stages,
    }
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(model, f, indent=2)
        f.write("\n")
