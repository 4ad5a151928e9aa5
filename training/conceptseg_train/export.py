"""Export a model package (docs/model-package.md).

    cd training
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m conceptseg_train.export --preset tiny --seed 0 \
        --out ../model-inspection/packages/inspection-tiny [--checkpoint CKPT]

Writes model.json, tokenizer/vocab.txt, weights.safetensors, onnx/<stage>.onnx,
torchscript/<stage>.pt, fixtures/<stage>.safetensors and fixtures/tokenizer.json, then checks the
package (onnx.checker, ONNX graph names == model.json, traced TorchScript == eager). The same
arguments give the same bytes.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
import tempfile
import warnings
from typing import Dict, List, Optional, Tuple

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import torch

from . import safetensors_io
from .config import ARCHITECTURE, ModelConfig, preset
from .model import STAGES, ConceptSegModel, build_model, spread_heads_for_fixtures, stage_signatures
from .tokenizer import (BOS, EOS, FIXTURE_TOO_LONG, PAD, UNK, MAX_CHARS_PER_WORD, TokenizerError,
                        WordPieceTokenizer, default_tokenizer, fixtures_json)

FORMAT_VERSION = 1
OPSET = 17
IMAGE_MEAN = [0.485, 0.456, 0.406]
IMAGE_STD = [0.229, 0.224, 0.225]
THRESHOLDS = {"score": 0.5, "mask_logit": 0.0}
TOLERANCE = {"onnx": 1e-4, "torchscript": 1e-4, "cpu": 1e-3}
FIXTURE_BATCH = 2
FIXTURE_TEXTS = ["brass washers", "scratch mark"]

_TORCH_DTYPES = {"float32": torch.float32, "int64": torch.int64}


# --------------------------------------------------------------------------------------------
# Model / checkpoint
# --------------------------------------------------------------------------------------------
def load_checkpoint(path: str) -> Tuple[Dict[str, torch.Tensor], Optional[dict], Optional[List[str]]]:
    """-> (state_dict, config dict or None, vocab or None).

    Accepts a weights.safetensors (config/vocab from its metadata when present), or a torch.save
    of a state_dict or of {"model"|"state_dict": ..., "config": {...}, "vocab": [...]}."""
    if path.endswith(".safetensors"):
        sd, meta = safetensors_io.load_torch(path)
        cfg = json.loads(meta["config"]) if "config" in meta else None
        return sd, cfg, None
    ck = torch.load(path, map_location="cpu")
    if isinstance(ck, dict) and ("model" in ck or "state_dict" in ck):
        sd = ck.get("model", ck.get("state_dict"))
        return sd, ck.get("config"), ck.get("vocab")
    return ck, None, None


def checkpoint_thresholds(path: Optional[str]) -> Dict[str, float]:
    """Post-processing thresholds a checkpoint was calibrated with (train_calibrate.py writes
    ``thresholds``), to go into model.json next to THRESHOLDS; none for other files."""
    if not path or path.endswith(".safetensors"):
        return {}
    ck = torch.load(path, map_location="cpu")
    return dict(ck.get("thresholds", {})) if isinstance(ck, dict) else {}


def make_model(preset_name: str, seed: int, checkpoint: Optional[str] = None
               ) -> Tuple[ConceptSegModel, WordPieceTokenizer]:
    sd = cfg_dict = vocab = None
    if checkpoint:
        sd, cfg_dict, vocab = load_checkpoint(checkpoint)
    cfg = ModelConfig.from_dict(cfg_dict) if cfg_dict else preset(preset_name)
    tok = (WordPieceTokenizer(vocab, cfg.context_length) if vocab
           else default_tokenizer(cfg.context_length))
    cfg = cfg.replace(vocab_size=len(tok.vocab))
    model = build_model(cfg, seed=seed)
    if sd is not None:
        model.load_state_dict(sd, strict=True)
    else:
        spread_heads_for_fixtures(model)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, tok


# --------------------------------------------------------------------------------------------
# Fixture inputs: a consistent chain through the five stages, batch 2
# --------------------------------------------------------------------------------------------
def fixture_images(cfg: ModelConfig, gen: torch.Generator) -> torch.Tensor:
    """Two normalised images: smooth random colour fields with bright/dark rectangles; the second
    is letterboxed (its bottom quarter is the 0 padding, as the pipeline makes it)."""
    S, B = cfg.image_size, FIXTURE_BATCH
    coarse = torch.rand(B, 3, 8, 8, generator=gen)
    img = torch.nn.functional.interpolate(coarse, size=(S, S), mode="bilinear", align_corners=False)
    img = img * 0.6 + 0.2 + 0.05 * torch.rand(B, 3, S, S, generator=gen)
    for b in range(B):
        for _ in range(4):
            x0, y0 = (int(v) for v in torch.randint(0, S - S // 4, (2,), generator=gen))
            w, h = (int(v) for v in torch.randint(S // 16, S // 4, (2,), generator=gen))
            img[b, :, y0:y0 + h, x0:x0 + w] = torch.rand(3, 1, 1, generator=gen)
    mean = torch.tensor(IMAGE_MEAN)[:, None, None]
    std = torch.tensor(IMAGE_STD)[:, None, None]
    img = (img.clamp(0, 1) - mean) / std
    img[1, :, S * 3 // 4:, :] = 0.0
    return img.contiguous()


def fixture_geometry() -> Tuple[torch.Tensor, torch.Tensor]:
    """N = 3: prompt 0 = positive box, positive point, negative box; prompt 1 = negative point
    then two padding entries (label -1, box zeros)."""
    boxes = torch.tensor([
        [[0.40, 0.45, 0.30, 0.25], [0.70, 0.30, 0.0, 0.0], [0.20, 0.80, 0.15, 0.20]],
        [[0.55, 0.25, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]],
    ], dtype=torch.float32)
    labels = torch.tensor([[1, 3, 0], [2, -1, -1]], dtype=torch.int64)
    return boxes, labels


def build_prompt(tf, tm, gf, gm) -> Tuple[torch.Tensor, torch.Tensor]:
    """Pipeline convention, compact form: per prompt its valid text tokens then its valid geometry
    tokens, padded (zeros, mask 0) to the longest prompt of the batch."""
    rows = []
    for b in range(tf.shape[0]):
        toks = [tf[b][tm[b] > 0], gf[b][gm[b] > 0]]
        rows.append(torch.cat(toks, 0))
    P = max(r.shape[0] for r in rows)
    D = tf.shape[2]
    feats = torch.zeros(len(rows), P, D)
    mask = torch.zeros(len(rows), P)
    for b, r in enumerate(rows):
        feats[b, :r.shape[0]] = r
        mask[b, :r.shape[0]] = 1.0
    return feats, mask


@torch.no_grad()
def fixture_tensors(model: ConceptSegModel, tok: WordPieceTokenizer, seed: int
                    ) -> Dict[str, Dict[str, torch.Tensor]]:
    """-> {stage: {name: tensor}} of every stage input and output (eager model)."""
    cfg = model.cfg
    gen = torch.Generator().manual_seed(seed + 1000)
    sigs = stage_signatures(cfg)
    env: Dict[str, torch.Tensor] = {}
    env["images"] = fixture_images(cfg, gen)
    env["input_ids"], env["attention_mask"] = tok.encode_batch(FIXTURE_TEXTS)
    env["input_boxes"], env["input_labels"] = fixture_geometry()
    result = {}
    for stage in STAGES:
        if stage == "fusion":
            env["prompt_features"], env["prompt_mask"] = build_prompt(
                env["text_features"], env["text_mask"], env["geometry_features"], env["geometry_mask"])
        ins = [env[n] for n, _, _ in sigs[stage]["inputs"]]
        outs = model.stage(stage)(*ins)
        tensors = {}
        for (n, _, _), t in zip(sigs[stage]["inputs"], ins):
            tensors["input." + n] = t
        for (n, _, _), t in zip(sigs[stage]["outputs"], outs):
            env[n] = t.contiguous()
            tensors["output." + n] = env[n]
        result[stage] = tensors
    return result


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------
def model_json(model: ConceptSegModel, tok: WordPieceTokenizer, package_id: str, description: str,
               seed: int, checkpoint: Optional[str]) -> dict:
    cfg = model.cfg
    dims = cfg.to_dict()
    dims["strides"] = [4, 8, 16]
    dims["feature_sizes"] = list(cfg.feature_sizes)
    stages = {}
    for stage, sig in stage_signatures(cfg).items():
        stages[stage] = {
            "onnx": f"onnx/{stage}.onnx",
            "torchscript": f"torchscript/{stage}.pt",
            "fixture": f"fixtures/{stage}.safetensors",
            "inputs": [{"name": n, "dtype": d, "shape": s} for n, d, s in sig["inputs"]],
            "outputs": [{"name": n, "dtype": d, "shape": s} for n, d, s in sig["outputs"]],
        }
    return {
        "format_version": FORMAT_VERSION,
        "id": package_id,
        "architecture": ARCHITECTURE,
        "description": description,
        "image": {"size": cfg.image_size, "mean": IMAGE_MEAN, "std": IMAGE_STD},
        "text": {"tokenizer": "wordpiece", "vocab": "tokenizer/vocab.txt",
                 "context_length": cfg.context_length, "pad": PAD, "unk": UNK, "bos": BOS, "eos": EOS,
                 **tok.special_ids(), "vocab_size": len(tok.vocab), "lowercase": True,
                 "max_chars_per_word": MAX_CHARS_PER_WORD},
        "dims": dims,
        "thresholds": dict(THRESHOLDS),
        "weights": {"file": "weights.safetensors", "dtype": "float32"},
        "tolerance": dict(TOLERANCE),
        "stages": stages,
        "provenance": {"exporter": "conceptseg_train.export", "seed": seed,
                       "trained": checkpoint is not None,
                       "checkpoint": os.path.basename(checkpoint) if checkpoint else None,
                       "torch": torch.__version__.split("+")[0], "onnx_opset": OPSET},
    }


def dump_json(obj, indent: int = 0) -> str:
    """Indented JSON with lists of scalars and tensor specs kept on one line."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    flat = lambda v: not isinstance(v, (dict, list)) or (  # noqa: E731
        isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v))
    if isinstance(obj, dict):
        if obj and "shape" in obj and all(flat(v) for v in obj.values()):
            return json.dumps(obj)
        items = [f"{inner}{json.dumps(k)}: {dump_json(v, indent + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}" if items else "{}"
    if isinstance(obj, list) and not flat(obj):
        items = [inner + dump_json(v, indent + 1) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj)


def weights_dict(model: ConceptSegModel, fp16: bool = False) -> Dict[str, torch.Tensor]:
    dtype = torch.float16 if fp16 else torch.float32
    return {k: v.detach().to(dtype).contiguous() for k, v in model.state_dict().items()}


@torch.no_grad()
def round_to_fp16(model: ConceptSegModel) -> None:
    """Rounds every weight to the nearest float16 value (kept as float32 in the model): then the
    F16 weights.safetensors, the float32 ONNX/TorchScript graphs and the fixtures all hold the
    very same numbers, and every backend still meets its tolerance exactly as in float32."""
    for t in model.state_dict().values():
        if t.is_floating_point():
            t.copy_(t.to(torch.float16).to(t.dtype))


def export_onnx(module: torch.nn.Module, sig: dict, args: List[torch.Tensor], path: str):
    in_names = [n for n, _, _ in sig["inputs"]]
    out_names = [n for n, _, _ in sig["outputs"]]
    dyn = {}
    for n, _, shape in sig["inputs"] + sig["outputs"]:
        axes = {i: a for i, a in enumerate(shape) if isinstance(a, str)}
        if axes:
            dyn[n] = axes
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # torch 1.13 warns about shape inference of prim::Constant; the graphs are checked below
        # (names, shapes) and numerically by the tests (onnx_ref against the fixtures)
        warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
        torch.onnx.export(module, tuple(args), buf, opset_version=OPSET, input_names=in_names,
                          output_names=out_names, dynamic_axes=dyn, do_constant_folding=True,
                          export_params=True, keep_initializers_as_inputs=False)
    import onnx
    m = onnx.load_from_string(buf.getvalue())
    m.producer_name = "conceptseg_train.export"
    # declare the exact signature shapes on the graph (the exporter loses static dims of Expand)
    for vi, (_, _, shape) in zip(list(m.graph.input) + list(m.graph.output), sig["inputs"] + sig["outputs"]):
        dims = vi.type.tensor_type.shape.dim
        assert len(dims) == len(shape), (vi.name, len(dims), shape)
        for d, want in zip(dims, shape):
            if isinstance(want, str):
                d.dim_param = want
            else:
                d.dim_value = want
    m.doc_string = ""
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


def export_torchscript(module: torch.nn.Module, args: List[torch.Tensor], path: str):
    traced = torch.jit.trace(module, tuple(args), check_trace=False)
    buf = io.BytesIO()
    torch.jit.save(traced, buf)
    with open(path, "wb") as f:
        f.write(strip_debug_info(buf.getvalue()))


def strip_debug_info(archive: bytes) -> bytes:
    """Drop the *.debug_pkl records of a TorchScript zip archive.

    They hold the Python stack of the tracing call with absolute paths of this checkout, which
    would make the bytes depend on where and how the exporter ran; torch.jit.load treats them as
    optional. The rest is rewritten unchanged (stored, fixed timestamps, data 64-byte aligned as
    torch writes it)."""
    import struct
    import zipfile
    src = zipfile.ZipFile(io.BytesIO(archive))
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
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------------
def verify_package(out: str, model: Optional[ConceptSegModel] = None, log=print) -> None:
    """onnx.checker, ONNX names/dtypes vs model.json, TorchScript vs fixtures (also at batch 1),
    weights vs model. Raises AssertionError on any mismatch."""
    import onnx
    from onnx import TensorProto
    with open(os.path.join(out, "model.json")) as f:
        desc = json.load(f)
    onnx_types = {"float32": TensorProto.FLOAT, "int64": TensorProto.INT64}
    weights, _ = safetensors_io.load(os.path.join(out, desc["weights"]["file"]))
    if model is not None:
        sd = model.state_dict()
        assert sorted(sd) == sorted(weights), "weights.safetensors names != state_dict"
        for k, v in sd.items():
            assert np.array_equal(v.numpy(), weights[k]), k
    tol = desc["tolerance"]["torchscript"]
    for stage, st in desc["stages"].items():
        m = onnx.load(os.path.join(out, st["onnx"]))
        onnx.checker.check_model(m, full_check=True)
        gi = [(i.name, i.type.tensor_type.elem_type) for i in m.graph.input]
        go = [(o.name, o.type.tensor_type.elem_type) for o in m.graph.output]
        want_i = [(s["name"], onnx_types[s["dtype"]]) for s in st["inputs"]]
        want_o = [(s["name"], onnx_types[s["dtype"]]) for s in st["outputs"]]
        assert gi == want_i, f"{stage}: onnx inputs {gi} != {want_i}"
        assert go == want_o, f"{stage}: onnx outputs {go} != {want_o}"
        for vi, s in zip(list(m.graph.input) + list(m.graph.output), st["inputs"] + st["outputs"]):
            dims = [d.dim_param if d.dim_param else d.dim_value for d in vi.type.tensor_type.shape.dim]
            assert dims == s["shape"], f"{stage}.{s['name']}: onnx shape {dims} != {s['shape']}"

        fx, _ = safetensors_io.load(os.path.join(out, st["fixture"]))
        ins = [torch.from_numpy(fx["input." + s["name"]]) for s in st["inputs"]]
        for s, t in zip(st["inputs"], ins):
            assert t.dtype == _TORCH_DTYPES[s["dtype"]], (stage, s["name"], t.dtype)
        ts = torch.jit.load(os.path.join(out, st["torchscript"]))
        for batch in (None, 1):
            args = ins if batch is None else [t[:batch] for t in ins]
            with torch.no_grad():
                res = ts(*args)
                ref = model.stage(stage)(*args) if model is not None else None
            res = res if isinstance(res, tuple) else (res,)
            assert len(res) == len(st["outputs"]), stage
            for i, s in enumerate(st["outputs"]):
                want = fx["output." + s["name"]]
                want = want if batch is None else want[:batch]
                got = res[i].numpy()
                assert got.shape == want.shape, (stage, s["name"], got.shape, want.shape)
                err = float(np.abs(got - want).max()) if got.size else 0.0
                assert err <= tol, f"{stage}.{s['name']} torchscript vs fixture: {err}"
                if ref is not None:
                    err_e = float(np.abs(ref[i].numpy() - want).max())
                    assert err_e <= tol, f"{stage}.{s['name']} eager vs fixture: {err_e}"
        log(f"  {stage}: onnx checker ok, names ok; torchscript == fixture (batch 2 and 1)")


# --------------------------------------------------------------------------------------------
def export_package(out: str, preset_name: str = "tiny", seed: int = 0, checkpoint: Optional[str] = None,
                   package_id: Optional[str] = None, description: Optional[str] = None,
                   verify: bool = True, log=print, fp16: bool = False) -> ConceptSegModel:
    torch.set_num_threads(2)
    model, tok = make_model(preset_name, seed, checkpoint)
    if fp16:
        round_to_fp16(model)
    cfg = model.cfg
    package_id = package_id or f"inspection-{preset_name}"
    if description is None:
        description = (f"{ARCHITECTURE} '{preset_name}' preset, "
                       + ("trained on the surface-inspection domain" if checkpoint
                          else f"random initialisation (seed {seed}), for tests only"))
    parent = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".export-", dir=parent)
    try:
        for sub in ("tokenizer", "onnx", "torchscript", "fixtures"):
            os.makedirs(os.path.join(tmp, sub))
        tok.save(os.path.join(tmp, "tokenizer", "vocab.txt"))
        desc = model_json(model, tok, package_id, description, seed, checkpoint)
        desc["thresholds"].update(checkpoint_thresholds(checkpoint))
        if fp16:
            desc["weights"]["dtype"] = "float16"
        with open(os.path.join(tmp, "model.json"), "w", newline="\n") as f:
            f.write(dump_json(desc) + "\n")
        safetensors_io.save(os.path.join(tmp, "weights.safetensors"), weights_dict(model, fp16),
                            metadata={"format": "pt", "architecture": ARCHITECTURE, "id": package_id,
                                      "config": json.dumps(cfg.to_dict(), sort_keys=True)})

        fixtures = fixture_tensors(model, tok, seed)
        sigs = stage_signatures(cfg)
        for stage in STAGES:
            safetensors_io.save(os.path.join(tmp, "fixtures", f"{stage}.safetensors"), fixtures[stage],
                                metadata={"stage": stage, "batch": str(FIXTURE_BATCH)})
            args = [fixtures[stage]["input." + n] for n, _, _ in sigs[stage]["inputs"]]
            module = model.stage(stage)
            export_onnx(module, sigs[stage], args, os.path.join(tmp, "onnx", f"{stage}.onnx"))
            export_torchscript(module, args, os.path.join(tmp, "torchscript", f"{stage}.pt"))
        with open(os.path.join(tmp, "fixtures", "tokenizer.json"), "w", encoding="utf-8", newline="\n") as f:
            f.write(fixtures_json(tok))
        for text in FIXTURE_TOO_LONG:
            try:
                tok.encode(text)
                raise AssertionError(f"{text!r} should not fit the context")
            except TokenizerError:
                pass
        with open(os.path.join(tmp, "fixtures", "tokenizer_errors.json"), "w", encoding="utf-8",
                  newline="\n") as f:
            f.write(json.dumps([{"text": t, "error": "too_long"} for t in FIXTURE_TOO_LONG], indent=1) + "\n")
        if verify:
            log(f"verifying {out}")
            verify_package(tmp, model, log=log)
        # replace the package folder's generated content, keep anything else (e.g. README)
        os.makedirs(out, exist_ok=True)
        for name in ("model.json", "weights.safetensors"):
            shutil.copyfile(os.path.join(tmp, name), os.path.join(out, name))
        for sub in ("tokenizer", "onnx", "torchscript", "fixtures"):
            shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
            shutil.copytree(os.path.join(tmp, sub), os.path.join(out, sub))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return model


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m conceptseg_train.export", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="tiny", help="config preset (tiny, default)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True, help="package folder to write")
    ap.add_argument("--checkpoint", help="trained weights (.pt state_dict / {'model','config','vocab'} or .safetensors)")
    ap.add_argument("--id", dest="package_id", help="package id (default inspection-<preset>)")
    ap.add_argument("--description")
    ap.add_argument("--no-verify", action="store_true")
    ap.add_argument("--fp16", action="store_true",
                    help="round the weights to float16 and store weights.safetensors as F16 (half the size)")
    a = ap.parse_args(argv)
    model = export_package(a.out, a.preset, a.seed, a.checkpoint, a.package_id, a.description,
                           verify=not a.no_verify, fp16=a.fp16)
    total = 0
    for root, _, files in os.walk(a.out):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    n = sum(p.numel() for p in model.parameters())
    print(f"wrote {a.out}: {total / 1e6:.2f} MB, {n} parameters")


if __name__ == "__main__":
    sys.exit(main())
