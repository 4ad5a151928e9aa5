"""Writes the synthetic model package the CUDA backend's unit tests use (src/test/resources/toy-package).

Two TorchScript modules traced the way the exporter traces stages (torch.jit.trace, positional
inputs in signature order): `toy.pt` takes a float tensor with a symbolic batch axis and fixed
axes and an int64 tensor with two symbolic axes, and returns a tuple (a float and an int64
tensor); `single.pt` returns one tensor, not a tuple. The fixture is computed with numpy (exact
arithmetic) in the safetensors layout the model packages use. Further stages point at the same
modules with a model.json signature that disagrees with them, for the run-time checks. What the
ONNX and CUDA toy packages share is commons/src/test/python/toy_package.py.
Run with Debian's python3 (python3-torch 1.13, python3-numpy): /usr/bin/python3 make_toy_package.py
"""
import io
import os
import struct
import sys
import zipfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "toy-package")
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "..", "commons", "src", "test", "python"))
import toy_package  # noqa: E402


class Toy(torch.nn.Module):
    def forward(self, features, ids):
        return features * 2.0 + 0.5, ids.sum(dim=1, keepdim=True)


class Single(torch.nn.Module):
    def forward(self, features):
        return features * 2.0 + 0.5


def save_traced(module, args, path):
    """torch.jit.trace + save, without the *.debug_pkl records (they hold absolute paths of this
    checkout, which would make the bytes depend on where the script ran) and with fixed timestamps."""
    traced = torch.jit.trace(module, args)
    buf = io.BytesIO()
    torch.jit.save(traced, buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            if info.filename.endswith(".debug_pkl"):
                continue
            data = src.read(info.filename)
            name = info.filename.encode("utf-8")
            offset = out.tell() + 30 + len(name) + 4
            pad = (64 - offset % 64) % 64
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_STORED
            zi.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
            dst.writestr(zi, data)
    with open(path, "wb") as f:
        f.write(out.getvalue())


def main():
    for d in ("torchscript", "fixtures"):
        os.makedirs(os.path.join(OUT, d), exist_ok=True)
    features, ids, scaled, id_sum = toy_package.fixture_tensors()
    # traced at another batch and length than the fixture's: the symbolic axes must stay free
    save_traced(Toy().eval(), (torch.zeros(1, 3, 4), torch.zeros(1, 7, dtype=torch.int64)),
                os.path.join(OUT, "torchscript", "toy.pt"))
    save_traced(Single().eval(), (torch.zeros(1, 3, 4),), os.path.join(OUT, "torchscript", "single.pt"))

    toy_package.write_safetensors(os.path.join(OUT, "fixtures", "toy.safetensors"), {
        "input.features": features,
        "input.ids": ids,
        "output.scaled": scaled,
        "output.id_sum": id_sum,
    })
    toy_package.write_safetensors(os.path.join(OUT, "fixtures", "single.safetensors"), {
        "input.features": features,
        "output.scaled": scaled,
    })

    features_in, ids_in = toy_package.FEATURES_IN, toy_package.IDS_IN
    scaled_out, id_sum_out = toy_package.SCALED_OUT, toy_package.ID_SUM_OUT

    def stage(inputs=None, outputs=None, ts="torchscript/toy.pt", fixture="fixtures/toy.safetensors"):
        return {"torchscript": ts, "fixture": fixture,
                "inputs": inputs or [features_in, ids_in], "outputs": outputs or [scaled_out, id_sum_out]}

    toy_package.write_package(OUT, "CUDA", {"torchscript": 1e-6}, {
        "toy": stage(),
        "single": stage(inputs=[features_in], outputs=[scaled_out], ts="torchscript/single.pt",
                        fixture="fixtures/single.safetensors"),
        # signatures that disagree with the module, for the run-time checks
        "extra_output": stage(outputs=[scaled_out, id_sum_out,
                                       {"name": "logits", "dtype": "float32", "shape": ["B", 1]}]),
        "wrong_output_dim": stage(outputs=[{"name": "scaled", "dtype": "float32", "shape": ["B", 3, 5]},
                                           id_sum_out]),
        "wrong_output_dtype": stage(outputs=[scaled_out, {"name": "id_sum", "dtype": "float32",
                                                          "shape": ["B", 1]}]),
        "missing_file": stage(ts="torchscript/absent.pt"),
        "no_torchscript": {"inputs": [features_in, ids_in], "outputs": [scaled_out, id_sum_out]},
    })


if __name__ == "__main__":
    main()
