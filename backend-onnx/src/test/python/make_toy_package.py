"""Writes the synthetic model package the ONNX backend's unit tests use (src/test/resources/toy-package).

A tiny graph with the features the backend must handle: a float input with a symbolic batch axis
and fixed axes, an int64 input with two symbolic axes, a float and an int64 output. The fixture is
computed with numpy (exact arithmetic), written in the safetensors layout the model packages use.
Run with Debian's python3 (python3-onnx, python3-numpy): /usr/bin/python3 make_toy_package.py
"""
import json
import os
import struct

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "toy-package")


def toy_graph():
    features = helper.make_tensor_value_info("features", TensorProto.FLOAT, ["B", 3, 4])
    ids = helper.make_tensor_value_info("ids", TensorProto.INT64, ["B", "L"])
    scaled = helper.make_tensor_value_info("scaled", TensorProto.FLOAT, ["B", 3, 4])
    id_sum = helper.make_tensor_value_info("id_sum", TensorProto.INT64, ["B", 1])
    two = helper.make_tensor("two", TensorProto.FLOAT, [], [2.0])
    half = helper.make_tensor("half", TensorProto.FLOAT, [], [0.5])
    axes = helper.make_tensor("axes", TensorProto.INT64, [1], [1])
    nodes = [
        helper.make_node("Mul", ["features", "two"], ["doubled"]),
        helper.make_node("Add", ["doubled", "half"], ["scaled"]),
        helper.make_node("ReduceSum", ["ids", "axes"], ["id_sum"], keepdims=1),
    ]
    graph = helper.make_graph(nodes, "toy", [features, ids], [scaled, id_sum], initializer=[two, half, axes])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="conceptseg-test")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


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


def main():
    for d in ("onnx", "fixtures", "tokenizer"):
        os.makedirs(os.path.join(OUT, d), exist_ok=True)
    onnx.save(toy_graph(), os.path.join(OUT, "onnx", "toy.onnx"))

    rng = np.random.default_rng(7)
    features = rng.standard_normal((2, 3, 4)).astype(np.float32)
    ids = rng.integers(0, 1000, size=(2, 5)).astype(np.int64)
    write_safetensors(os.path.join(OUT, "fixtures", "toy.safetensors"), {
        "input.features": features,
        "input.ids": ids,
        "output.scaled": (features * np.float32(2.0) + np.float32(0.5)).astype(np.float32),
        "output.id_sum": ids.sum(axis=1, keepdims=True).astype(np.int64),
    })
    write_safetensors(os.path.join(OUT, "weights.safetensors"), {"unused": np.zeros((1,), np.float32)})
    with open(os.path.join(OUT, "tokenizer", "vocab.txt"), "w") as f:
        f.write("[PAD]\n[UNK]\n[BOS]\n[EOS]\n")

    toy_inputs = [
        {"name": "features", "dtype": "float32", "shape": ["B", 3, 4]},
        {"name": "ids", "dtype": "int64", "shape": ["B", "L"]},
    ]
    toy_outputs = [
        {"name": "scaled", "dtype": "float32", "shape": ["B", 3, 4]},
        {"name": "id_sum", "dtype": "int64", "shape": ["B", 1]},
    ]

    def stage(inputs=None, outputs=None, onnx_file="onnx/toy.onnx"):
        return {"onnx": onnx_file, "fixture": "fixtures/toy.safetensors",
                "inputs": inputs or toy_inputs, "outputs": outputs or toy_outputs}

    model = {
        "format_version": 1,
        "id": "toy",
        "architecture": "conceptseg-test-toy",
        "description": "synthetic package for the ONNX backend's unit tests (make_toy_package.py)",
        "image": {"size": 16, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]},
        "text": {"tokenizer": "wordpiece", "vocab": "tokenizer/vocab.txt", "context_length": 5,
                 "pad": "[PAD]", "unk": "[UNK]", "bos": "[BOS]", "eos": "[EOS]"},
        "dims": {"d_model": 4},
        "thresholds": {"score": 0.5, "mask_logit": 0.0},
        "weights": {"file": "weights.safetensors", "dtype": "float32"},
        "tolerance": {"onnx": 1e-6},
        "stages": {
            "toy": stage(),
            # stages whose model.json signature disagrees with the graph, for the load-time checks
            "renamed_input": stage(inputs=[toy_inputs[0], {"name": "token_ids", "dtype": "int64", "shape": ["B", "L"]}]),
            "wrong_dtype": stage(inputs=[toy_inputs[0], {"name": "ids", "dtype": "float32", "shape": ["B", "L"]}]),
            "wrong_fixed_dim": stage(inputs=[{"name": "features", "dtype": "float32", "shape": ["B", 3, 5]}, toy_inputs[1]]),
            "unknown_output": stage(outputs=toy_outputs + [{"name": "logits", "dtype": "float32", "shape": ["B", 1]}]),
            "missing_file": stage(onnx_file="onnx/absent.onnx"),
            "no_onnx": {"inputs": toy_inputs, "outputs": toy_outputs},
        },
    }
    with open(os.path.join(OUT, "model.json"), "w") as f:
        json.dump(model, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
