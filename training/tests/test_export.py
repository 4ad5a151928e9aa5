import os as _os
import sys as _sys

_HERE = _os.path.dirname(_os.path.abspath(__file__))
for _p in (_HERE, _os.path.dirname(_HERE)):      # _common, conceptseg_train (with or without -t .)
    if _p not in _sys.path:
        _sys.path.insert(0, _p)

import filecmp
import json
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

from _common import TINY_PACKAGE, TRAINING
from conceptseg_train import onnx_ref, safetensors_io
from conceptseg_train.export import export_package, verify_package
from conceptseg_train.numpy_ref import Reference


def files_under(root):
    out = []
    for d, _, fs in os.walk(root):
        out += [os.path.relpath(os.path.join(d, f), root) for f in fs]
    return sorted(out)


class ExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.a = os.path.join(cls.tmp.name, "a")
        cls.b = os.path.join(cls.tmp.name, "b")
        quiet = lambda *a, **k: None  # noqa: E731
        cls.model = export_package(cls.a, "tiny", 0, verify=True, log=quiet)
        # the second export runs in a fresh process, as a user would run it (within one process
        # TorchScript mangles the names of classes compiled a second time)
        subprocess.run([sys.executable, "-m", "conceptseg_train.export", "--preset", "tiny", "--seed", "0",
                        "--out", cls.b, "--no-verify"], check=True, cwd=TRAINING,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(os.path.join(cls.a, "model.json")) as f:
            cls.desc = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_layout(self):
        want = ["fixtures/tokenizer.json", "fixtures/tokenizer_errors.json", "model.json",
                "tokenizer/vocab.txt", "weights.safetensors"]
        for st in ("vision", "text", "geometry", "fusion", "decoder"):
            want += [f"onnx/{st}.onnx", f"torchscript/{st}.pt", f"fixtures/{st}.safetensors"]
        self.assertEqual(files_under(self.a), sorted(want))

    def test_deterministic_bytes(self):
        names = files_under(self.a)
        self.assertEqual(names, files_under(self.b))
        match, mismatch, errors = filecmp.cmpfiles(self.a, self.b, names, shallow=False)
        self.assertEqual((mismatch, errors), ([], []))

    def test_model_json(self):
        d = self.desc
        self.assertEqual(d["format_version"], 1)
        self.assertEqual(d["architecture"], "conceptseg-sam3-mini")
        self.assertEqual(d["thresholds"], {"score": 0.5, "mask_logit": 0.0})
        self.assertEqual((d["text"]["pad_id"], d["text"]["unk_id"], d["text"]["bos_id"], d["text"]["eos_id"]),
                         (0, 1, 2, 3))
        self.assertEqual(d["dims"]["d_model"], 32)
        self.assertEqual(d["stages"]["decoder"]["outputs"][0],
                         {"name": "pred_masks", "dtype": "float32", "shape": ["B", 16, 32, 32]})
        self.assertEqual(d["stages"]["geometry"]["inputs"][0]["shape"], ["B", "N", 4])
        self.assertEqual(d["stages"]["fusion"]["inputs"][2]["shape"], ["B", "P", 32])

    def test_safetensors_format(self):
        import struct
        with open(os.path.join(self.a, "weights.safetensors"), "rb") as f:
            data = f.read()
        (n,) = struct.unpack("<Q", data[:8])
        self.assertEqual(n % 8, 0)
        header = json.loads(data[8:8 + n])
        end = max(v["data_offsets"][1] for k, v in header.items() if k != "__metadata__")
        self.assertEqual(8 + n + end, len(data))
        w, meta = safetensors_io.load(os.path.join(self.a, "weights.safetensors"))
        self.assertEqual(set(w), set(self.model.state_dict()))
        self.assertTrue(all(v.dtype == np.float32 for v in w.values()))
        self.assertEqual(json.loads(meta["config"])["d_model"], 32)

    def test_onnx_numerics_match_fixtures(self):
        import onnx
        for st, s in self.desc["stages"].items():
            m = onnx.load(os.path.join(self.a, s["onnx"]))
            fx, _ = safetensors_io.load(os.path.join(self.a, s["fixture"]))
            for b in (2, 1):
                outs = onnx_ref.run(m, {i["name"]: fx["input." + i["name"]][:b] for i in s["inputs"]})
                for o, spec in zip(outs, s["outputs"]):
                    err = np.abs(o - fx["output." + spec["name"]][:b]).max()
                    self.assertLess(err, 2e-5, f"{st}.{spec['name']} batch {b}")

    def test_onnx_dynamic_prompt_axes(self):
        """Other P and N than the fixture's give what the eager model gives."""
        import onnx
        import torch
        fx, _ = safetensors_io.load(os.path.join(self.a, "fixtures", "decoder.safetensors"))
        ins = {k[6:]: v for k, v in fx.items() if k.startswith("input.")}
        ins["prompt_features"] = ins["prompt_features"][:, :3]
        ins["prompt_mask"] = ins["prompt_mask"][:, :3]
        m = onnx.load(os.path.join(self.a, "onnx", "decoder.onnx"))
        names = [i["name"] for i in self.desc["stages"]["decoder"]["inputs"]]
        got = onnx_ref.run(m, ins)
        with torch.no_grad():
            want = self.model.decoder(*[torch.from_numpy(ins[n]) for n in names])
        for g, w in zip(got, want):
            self.assertLess(np.abs(g - w.numpy()).max(), 2e-5)
        gx, _ = safetensors_io.load(os.path.join(self.a, "fixtures", "geometry.safetensors"))
        gin = {k[6:]: v for k, v in gx.items() if k.startswith("input.")}
        gin["input_boxes"], gin["input_labels"] = gin["input_boxes"][:, :1], gin["input_labels"][:, :1]
        got = onnx_ref.run(onnx.load(os.path.join(self.a, "onnx", "geometry.onnx")), gin)
        with torch.no_grad():
            want = self.model.geometry(*[torch.from_numpy(gin[n]) for n in ("input_boxes", "input_labels", "fpn_feat_1")])
        self.assertLess(np.abs(got[0] - want[0].numpy()).max(), 2e-5)

    def test_torchscript_dynamic_prompt_axes(self):
        import torch
        for stage, cut in (("decoder", ("prompt_features", "prompt_mask")),
                           ("fusion", ("prompt_features", "prompt_mask")),
                           ("geometry", ("input_boxes", "input_labels"))):
            fx, _ = safetensors_io.load(os.path.join(self.a, "fixtures", f"{stage}.safetensors"))
            names = [i["name"] for i in self.desc["stages"][stage]["inputs"]]
            args = [torch.from_numpy(fx["input." + n]) for n in names]
            args = [a[:, :1] if n in cut else a for n, a in zip(names, args)]
            ts = torch.jit.load(os.path.join(self.a, "torchscript", f"{stage}.pt"))
            with torch.no_grad():
                got, want = ts(*args), self.model.stage(stage)(*args)
            for g, w in zip(got, want):
                self.assertEqual(g.shape, w.shape)
                self.assertLess(float((g - w).abs().max()), 1e-5, stage)

    def test_checkpoint_round_trip(self):
        import torch
        from conceptseg_train.export import make_model
        with tempfile.TemporaryDirectory() as d:
            trained = {k: v + 0.01 for k, v in self.model.state_dict().items()}
            ck = os.path.join(d, "ck.pt")
            torch.save({"model": trained, "config": self.model.cfg.to_dict()}, ck)
            m, tok = make_model("default", 7, ck)          # config comes from the checkpoint
            self.assertEqual(m.cfg, self.model.cfg)
            for k, v in m.state_dict().items():
                self.assertTrue(torch.equal(v, trained[k]), k)
            m2, _ = make_model("tiny", 0, os.path.join(self.a, "weights.safetensors"))
            for k, v in m2.state_dict().items():
                self.assertTrue(torch.equal(v, self.model.state_dict()[k]), k)

    def test_fp16_export(self):
        """--fp16: weights rounded to float16 before export, stored as F16 (half the bytes); the
        verification (ONNX, TorchScript, fixtures, weights == model) passes on the rounded model.
        Exported from a calibrated checkpoint: its duplicate IoU goes into model.json."""
        import torch
        out = os.path.join(self.tmp.name, "half")
        ck = os.path.join(self.tmp.name, "calibrated.pt")
        torch.save({"model": self.model.state_dict(), "config": self.model.cfg.to_dict(),
                    "thresholds": {"duplicate_mask_iou": 0.5}}, ck)
        model = export_package(out, "tiny", 0, checkpoint=ck, verify=True, log=lambda *a, **k: None, fp16=True)
        with open(os.path.join(out, "model.json")) as f:
            desc = json.load(f)
        self.assertEqual(desc["weights"]["dtype"], "float16")
        self.assertEqual(desc["thresholds"], {"score": 0.5, "mask_logit": 0.0, "duplicate_mask_iou": 0.5})
        weights, _ = safetensors_io.load(os.path.join(out, "weights.safetensors"))
        self.assertTrue(all(w.dtype == np.float16 for w in weights.values() if w.dtype.kind == "f"))
        for k, v in model.state_dict().items():
            np.testing.assert_array_equal(v.numpy(), weights[k].astype(np.float32), err_msg=k)
        full = os.path.getsize(os.path.join(self.a, "weights.safetensors"))
        self.assertLess(os.path.getsize(os.path.join(out, "weights.safetensors")), 0.55 * full)

    def test_numpy_reference_matches_fixtures(self):
        """docs/model-architecture.md, implemented from weights alone, reproduces every stage."""
        ref = Reference.from_package(self.a)
        tol = self.desc["tolerance"]["cpu"]
        for st, s in self.desc["stages"].items():
            fx, _ = safetensors_io.load(os.path.join(self.a, s["fixture"]))
            out = ref.run_stage(st, {i["name"]: fx["input." + i["name"]] for i in s["inputs"]})
            for spec in s["outputs"]:
                err = np.abs(out[spec["name"]] - fx["output." + spec["name"]]).max()
                self.assertLess(err, tol / 10, f"{st}.{spec['name']}")

    def test_committed_package_up_to_date(self):
        """The committed inspection-tiny package is what the exporter writes now."""
        if not os.path.exists(os.path.join(TINY_PACKAGE, "model.json")):
            self.skipTest("no committed package")
        hint = ("re-export: cd training && /usr/bin/python3 -m conceptseg_train.export --preset tiny "
                "--seed 0 --out ../model-inspection/packages/inspection-tiny")
        # weights, model.json and tokenizer byte for byte; the fixtures hold computed floats,
        # whose last bits depend on the CPU's kernels (AVX2 vs AVX-512), so they compare within
        # the package's tolerance, absolute below 1 and relative above
        files = [n for n in files_under(self.a) if not n.startswith(("onnx/", "torchscript/"))]
        exact = [n for n in files if not n.startswith("fixtures/") or not n.endswith(".safetensors")]
        match, mismatch, errors = filecmp.cmpfiles(self.a, TINY_PACKAGE, exact, shallow=False)
        self.assertEqual((mismatch, errors), ([], []), hint)
        tol = self.desc["tolerance"]["torchscript"]
        for n in sorted(set(files) - set(exact)):
            now, _ = safetensors_io.load(os.path.join(self.a, n))
            committed, _ = safetensors_io.load(os.path.join(TINY_PACKAGE, n))
            self.assertEqual(sorted(now), sorted(committed), f"{n}: {hint}")
            for k in now:
                a, b = now[k].astype(np.float64), committed[k].astype(np.float64)
                self.assertEqual(a.shape, b.shape, f"{n} {k}: {hint}")
                err = float((np.abs(a - b) / np.maximum(1.0, np.abs(a))).max()) if a.size else 0.0
                self.assertLessEqual(err, tol, f"{n} {k}: {hint}")
        verify_package(TINY_PACKAGE, self.model, log=lambda *a: None)


if __name__ == "__main__":
    unittest.main()
