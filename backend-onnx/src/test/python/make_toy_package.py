"""Writes the synthetic model package the ONNX backend's unit tests use (src/test/resources/toy-package).

A tiny graph with the features the backend must handle: a float input with a symbolic batch axis
and fixed axes, an int64 input with two symbolic axes, a float and an int64 output. The fixture is
computed with numpy (exact arithmetic), written in the safetensors layout the model packages use;
what the ONNX and CUDA toy packages share is commons/src/test/python/toy_package.py.
Run with Debian's python3 (python3-onnx, python3-numpy): /usr/bin/python3 make_toy_package.py
"""
import os
import sys

import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "toy-package")
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "commons", "src", "test", "python"))
import toy_package  # noqa: E402


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


def main():
    for d in ("onnx", "fixtures"):
        os.makedirs(os.path.join(OUT, d), exist_ok=True)
    onnx.save(toy_graph(), os.path.join(OUT, "onnx", "toy.onnx"))

    features, ids, scaled, id_sum = toy_package.fixture_tensors()
    toy_package.write_safetensors(os.path.join(OUT, "fixtures", "toy.safetensors"), {
        "input.features": features,
        "input.ids": ids,
        "output.scaled": scaled,
        "output.id_sum": id_sum,
    })

    toy_inputs = [toy_package.FEATURES_IN, toy_package.IDS_IN]
    toy_outputs = [toy_package.SCALED_OUT, toy_package.ID_SUM_OUT]

    def stage(inputs=None, outputs=None, onnx_file="onnx/toy.onnx"):
        return {"onnx": onnx_file, "fixture": "fixtures/toy.safetensors",
                "inputs": inputs or toy_inputs, "outputs": outputs or toy_outputs}

    toy_package.write_package(OUT, "ONNX", {"onnx": 1e-6}, {
        "toy": stage(),
        # stages whose model.json signature disagrees with the graph, for the load-time checks
        "renamed_input": stage(inputs=[toy_inputs[0], {"name": "token_ids", "dtype": "int64", "shape": ["B", "L"]}]),
        "wrong_dtype": stage(inputs=[toy_inputs[0], {"name": "ids", "dtype": "float32", "shape": ["B", "L"]}]),
        "wrong_fixed_dim": stage(inputs=[{"name": "features", "dtype": "float32", "shape": ["B", 3, 5]}, toy_inputs[1]]),
        "unknown_output": stage(outputs=toy_outputs + [{"name": "logits", "dtype": "float32", "shape": ["B", 1]}]),
        "missing_file": stage(onnx_file="onnx/absent.onnx"),
        "no_onnx": {"inputs": toy_inputs, "outputs": toy_outputs},
    })


if __name__ == "__main__":
    main()
