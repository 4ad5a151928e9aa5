"""Train conceptseg-sam3-mini on rendered surface-inspection scenes (SAM3-style detector training).

    cd training
    OPENBLAS_NUM_THREADS=1 nice -n 15 /usr/bin/python3 -m conceptseg_train.train \
        --preset default --out runs/v1 --minutes M [--resume]

Every step renders (in a background DataLoader worker) or reads from a pre-rendered cache
``images_per_step`` scenes, draws ``pairs_per_image`` (prompt, instances) pairs per scene (text
phrases with hard negatives, exemplar and geometric prompts: train_data.py), runs the vision stage
once per image and the rest once per pair, matches queries to instances one-to-one (matcher.py)
and optimises the set criterion with deep supervision (losses.py). AdamW, linear warm-up + cosine
decay over ``--total-steps``, gradient clipping.

Output folder: ``last.pt`` (everything needed to resume exactly: model, optimizer, scheduler,
step, RNG states; written atomically every ``--ckpt-minutes``), ``best.pt`` (model weights, config
and vocabulary of the best validation cgF1 -- export.py --checkpoint reads both), ``log.jsonl``
(one JSON object a line: "train" lines with the losses, "val" lines with the validation figures,
"event" lines for start/resume/stop).

A run is a pure function of its arguments: batch s is built from generators seeded by
(seed, scene index), the model from ``--seed``; the time budget only decides where it stops.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import signal
import struct
import sys
import time
from typing import Dict, List, Optional, Tuple

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Idle OpenMP threads sleep instead of spinning: on a machine shared with other jobs a spinning
# thread burns this process's CPU share; measured 5.6-7.9 s/step spinning vs 1.5 s/step passive.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
import torch.nn.functional as F
from scipy.optimize import linear_sum_assignment

from .config import ModelConfig, preset
from .losses import LossWeights, SetCriterion, TrainingExtras, forward_train, full_masks
from .matcher import HungarianMatcher
from .model import ConceptSegModel, build_model, count_parameters
from .tokenizer import WordPieceTokenizer, default_tokenizer
from . import safetensors_io
from . import train_data as TD


# ----------------------------------------------------------------------------------------------
def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python3 -m conceptseg_train.train", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="default")
    ap.add_argument("--out", required=True, help="run folder (checkpoints, log.jsonl)")
    ap.add_argument("--minutes", type=float, default=60.0, help="wall-clock budget of this invocation")
    ap.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--image-size", type=int, default=None, help="override the preset's image size")
    ap.add_argument("--images-per-step", type=int, default=4)
    ap.add_argument("--pairs-per-image", type=int, default=4)
    ap.add_argument("--exemplar-prob", type=float, default=0.15)
    ap.add_argument("--geometric-prob", type=float, default=0.12)
    ap.add_argument("--edge-prob", type=float, default=0.1)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--min-lr-ratio", type=float, default=0.05)
    ap.add_argument("--weight-decay", type=float, default=0.05)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--total-steps", type=int, default=6000, help="length of the cosine schedule")
    ap.add_argument("--max-steps", type=int, default=None, help="stop after this step (default: total steps)")
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--no-aux", action="store_true", help="no deep supervision")
    ap.add_argument("--query-groups", type=int, default=None,
                    help="Group DETR: query sets matched one-to-one each while training (1 = off; "
                         "default 2 with learned queries, 1 with dense queries, which need 1)")
    ap.add_argument("--dense-weight", type=float, default=1.0,
                    help="scale of the dense concept losses (TrainingExtras; 0 = off)")
    ap.add_argument("--w-cls", type=float, default=2.0, help="weight of the focal match loss")
    ap.add_argument("--w-presence", type=float, default=2.0, help="weight of the presence BCE")
    ap.add_argument("--cls-on-negatives", action="store_true",
                    help="the match loss also sees negative pairs (all queries 0), not only the presence loss")
    ap.add_argument("--init-from", default=None,
                    help="start a new run from the model weights of this checkpoint (last.pt or best.pt) "
                         "or of a model package folder (its weights.safetensors and tokenizer/vocab.txt)")
    ap.add_argument("--init-extras", default=None,
                    help="training extras (extras.safetensors of a run) to start from with --init-from")
    ap.add_argument("--data", choices=("live", "cache"), default="live")
    ap.add_argument("--cache-dir", default=None, help="scene cache (default cache/S<size>_seed<seed>)")
    ap.add_argument("--cache-count", type=int, default=4000)
    ap.add_argument("--workers", type=int, default=1, help="DataLoader workers (0 = in process)")
    ap.add_argument("--log-every", type=int, default=20)
    ap.add_argument("--ckpt-minutes", type=float, default=5.0)
    ap.add_argument("--val-minutes", type=float, default=12.0)
    ap.add_argument("--val-images", type=int, default=48)
    ap.add_argument("--val-pairs", type=int, default=4)
    ap.add_argument("--val-seed", type=int, default=TD.VAL_SEED)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="auto",
                    help="auto (a CUDA GPU when torch sees one, else the CPU), cpu, cuda or cuda:N")
    a = ap.parse_args(argv)
    # options given on this command line (on --resume they win over the checkpoint's)
    a.explicit = sorted({t[2:].split("=")[0].replace("-", "_")
                         for t in (sys.argv[1:] if argv is None else argv) if t.startswith("--")})
    if a.seed == a.val_seed:
        ap.error("--seed must differ from the validation seed")
    if a.init_extras and not a.init_from:
        ap.error("--init-extras goes with --init-from (the package or checkpoint whose extras they are)")
    return a


def model_config(a: argparse.Namespace, vocab_size: int) -> ModelConfig:
    kw = {"vocab_size": vocab_size}
    if a.image_size:
        kw["image_size"] = a.image_size
    return preset(a.preset, **kw)


def read_initial_checkpoint(path: str) -> Dict:
    """The checkpoint of --init-from as {"model", "vocab", ...}: a torch.save file of a run, or a
    model package folder (fp16 weights are widened by load_state_dict)."""
    if os.path.isdir(path):
        weights = os.path.join(path, "weights.safetensors")
        vocab = os.path.join(path, "tokenizer", "vocab.txt")
        for f in (weights, vocab):
            if not os.path.isfile(f):
                raise SystemExit(f"--init-from {path}: not a model package (no {os.path.relpath(f, path)})")
        sd, _ = safetensors_io.load_torch(weights)
        with open(vocab, encoding="utf-8") as f:
            tokens = f.read().splitlines()
        return {"model": sd, "vocab": tokens, "step": 0}
    if not os.path.isfile(path):
        raise SystemExit(f"--init-from {path}: no such checkpoint")
    return torch.load(path, map_location="cpu")


def read_extras(path: str) -> Dict[str, torch.Tensor]:
    if not os.path.isfile(path):
        raise SystemExit(f"--init-extras {path}: no such file")
    try:
        return safetensors_io.load_torch(path)[0]
    except (ValueError, KeyError, struct.error) as e:
        raise SystemExit(f"--init-extras {path}: not a safetensors file ({e})") from None


def training_device(name: str) -> torch.device:
    """--device: "auto" takes a CUDA GPU when torch sees one; asking for CUDA without one is an
    error rather than a silent CPU run (hours, not minutes)."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(name)
    except RuntimeError:
        raise SystemExit(f"--device {name}: not a device (auto, cpu, cuda or cuda:N)") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit(f"--device {name}: torch sees no CUDA device here (this torch build: "
                             f"{'CUDA ' + torch.version.cuda if torch.version.cuda else 'CPU only'})")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise SystemExit(f"--device {name}: only {torch.cuda.device_count()} CUDA device(s)")
    elif dev.type != "cpu":
        raise SystemExit(f"--device {name}: not a device (auto, cpu, cuda or cuda:N)")
    return dev


def to_device(obj, device: torch.device):
    """A batch (dicts, lists and tuples of tensors; anything else kept) on ``device``."""
    if isinstance(obj, torch.Tensor):
        return obj.to(device, non_blocking=True)
    if isinstance(obj, dict):
        return {k: to_device(v, device) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_device(v, device) for v in obj)
    return obj


def lr_lambda(warmup: int, total: int, min_ratio: float):
    def f(step: int) -> float:
        if step < warmup:
            return (step + 1) / max(1, warmup)
        t = min(1.0, (step - warmup) / max(1, total - warmup))
        return min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * t))
    return f


def make_optimizer(model: torch.nn.Module, a) -> torch.optim.Optimizer:
    """AdamW; no weight decay on biases, norms, embeddings and positions."""
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (decay if p.ndim >= 2 and "embed" not in n and "pos" not in n else no_decay).append(p)
    return torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.999))


@torch.no_grad()
def init_for_training(model: ConceptSegModel) -> None:
    """Small additions to the model's own initialisation: a focal-loss prior on the match logits."""
    model.decoder.score_bias.fill_(-2.0)


# ----------------------------------------------------------------------------------------------
class Trainer:
    def __init__(self, a: argparse.Namespace, log_stream=None):
        self.a = a
        torch.set_num_threads(a.threads)
        os.makedirs(a.out, exist_ok=True)
        self.log_path = os.path.join(a.out, "log.jsonl")
        self.log_stream = log_stream
        self.ckpt_path = os.path.join(a.out, "last.pt")
        self.tok = default_tokenizer(16)
        resume = None
        if a.resume and os.path.exists(self.ckpt_path):
            resume = torch.load(self.ckpt_path, map_location="cpu")
            self.cfg = ModelConfig.from_dict(resume["config"])
            self.tok = WordPieceTokenizer(resume["vocab"], self.cfg.context_length)
            saved = resume["args"]
            # the run's defining arguments come from the checkpoint, the budget from this call;
            # an option given explicitly on this command line wins (logged as an override, e.g.
            # --total-steps to lengthen the schedule: then the run is no longer the same run)
            self.overrides = {}
            for k, v in saved.items():
                if k in ("out", "minutes", "resume", "max_steps", "workers", "threads", "explicit",
                         "log_every", "ckpt_minutes", "val_minutes", "device"):
                    continue
                if k in a.explicit and getattr(a, k) != v:
                    self.overrides[k] = {"checkpoint": v, "now": getattr(a, k)}
                    continue
                setattr(a, k, v)
        else:
            self.cfg = model_config(a, len(self.tok.vocab))
        self.device = training_device(a.device)
        self.model = build_model(self.cfg, seed=a.seed).train()
        init_for_training(self.model)
        if a.query_groups is None:
            a.query_groups = 1 if self.cfg.dense_queries else 2
        self.extras = TrainingExtras(self.cfg, a.query_groups).train()
        # parameters move in place, so the optimizer and every load_state_dict below see the device
        self.model.to(self.device)
        self.extras.to(self.device)
        self.opt = make_optimizer(torch.nn.ModuleList([self.model, self.extras]), a)
        self.sched = torch.optim.lr_scheduler.LambdaLR(
            self.opt, lr_lambda(a.warmup, a.total_steps, a.min_lr_ratio))
        self.overrides = getattr(self, "overrides", {})
        lw = LossWeights(aux=0.0 if a.no_aux else 1.0, cls=a.w_cls,
                         presence=a.w_presence)
        lw.sem_bce, lw.sem_dice, lw.sem_tok = (x * a.dense_weight for x in (lw.sem_bce, lw.sem_dice, lw.sem_tok))
        self.criterion = SetCriterion(HungarianMatcher(), lw, extras=self.extras if a.dense_weight > 0 else None,
                                      cls_on_negatives=a.cls_on_negatives)
        self.init_from = None
        self.step = 0
        self.best = -1.0
        self.trained_seconds = 0.0
        if resume is not None:
            self.model.load_state_dict(resume["model"])
            if "extras" in resume:
                self.extras.load_state_dict(resume["extras"])
            self.opt.load_state_dict(resume["optimizer"])
            self.sched.load_state_dict(resume["scheduler"])
            if self.overrides:     # LambdaLR keeps its lambda; re-derive lr for the new schedule
                self.sched.lr_lambdas = [lr_lambda(a.warmup, a.total_steps, a.min_lr_ratio)] * len(self.opt.param_groups)
                for g, lam in zip(self.opt.param_groups, self.sched.lr_lambdas):
                    g["lr"] = self.sched.base_lrs[0] * lam(self.sched.last_epoch)
            self.step = int(resume["step"])
            self.best = float(resume.get("best", -1.0))
            self.trained_seconds = float(resume.get("trained_seconds", 0.0))
            torch.set_rng_state(resume["torch_rng"])
            np.random.set_state(resume["numpy_rng"])
            random.setstate(resume["python_rng"])
        else:
            if a.init_from:
                self.load_initial_weights(a.init_from)
            torch.manual_seed(a.seed)
            np.random.seed(a.seed)
            random.seed(a.seed)
        self.resumed = resume is not None
        self.cache_dir = None
        if a.data == "cache":
            self.cache_dir = a.cache_dir or os.path.join("cache", f"S{self.cfg.image_size}_seed{a.seed}")
        self._val = None
        self._stop = False

    def load_initial_weights(self, path: str) -> None:
        """Warm start: the model weights of another run (same architecture shapes and vocabulary);
        optimizer, schedule and step start afresh."""
        ck = read_initial_checkpoint(path)
        if list(ck.get("vocab", [])) != list(self.tok.vocab):
            raise SystemExit(f"--init-from {path}: its vocabulary differs from this run's")
        try:
            missing, unexpected = self.model.load_state_dict(ck["model"], strict=False)
        except (KeyError, RuntimeError) as e:
            raise SystemExit(f"--init-from {path}: weights do not fit preset {self.a.preset}: {e}") from None
        # a switch added since (fusion_film) brings zero-initialised weights: the model starts
        # computing exactly what the checkpoint computed
        new = [k for k in missing if ".film." not in k and not k.endswith("decoder.box_ref")]
        if self.cfg.dense_queries:     # learned queries give way to the image tokens
            unexpected = [k for k in unexpected if k not in ("decoder.query_embed", "decoder.query_pos")]
        if new or unexpected:
            raise SystemExit(f"--init-from {path}: weights do not fit preset {self.a.preset}: "
                             f"missing {new}, unexpected {list(unexpected)}")
        self.init_from = {"path": path, "step": int(ck.get("step", 0)), "new_weights": list(missing)}
        extras = ck.get("extras")     # a last.pt: keep its query groups and dense heads where they fit
        if self.a.init_extras:
            extras = read_extras(self.a.init_extras)
        if extras is not None:
            own = self.extras.state_dict()
            fit = {k: v for k, v in extras.items() if k in own and own[k].shape == v.shape}
            self.extras.load_state_dict(fit, strict=False)
            self.init_from["extras"] = sorted(fit)

    # ------------------------------------------------------------------------------------------
    def log(self, obj: Dict) -> None:
        line = json.dumps(obj, sort_keys=False)
        with open(self.log_path, "a") as f:
            f.write(line + "\n")
        if self.log_stream is not None:
            print(line, file=self.log_stream, flush=True)

    def checkpoint_dict(self) -> Dict:
        return {"model": self.model.state_dict(), "extras": self.extras.state_dict(),
                "optimizer": self.opt.state_dict(),
                "scheduler": self.sched.state_dict(), "step": self.step, "best": self.best,
                "trained_seconds": self.trained_seconds,
                "config": self.cfg.to_dict(), "vocab": list(self.tok.vocab), "args": vars(self.a),
                "torch_rng": torch.get_rng_state(), "numpy_rng": np.random.get_state(),
                "python_rng": random.getstate()}

    @staticmethod
    def atomic_save(obj, path: str) -> None:
        tmp = path + ".tmp"
        torch.save(obj, tmp)
        os.replace(tmp, path)

    def save(self) -> None:
        self.atomic_save(self.checkpoint_dict(), self.ckpt_path)
        self.save_extras()

    def save_model(self, name: str) -> None:
        self.atomic_save({"model": self.model.state_dict(), "config": self.cfg.to_dict(),
                          "vocab": list(self.tok.vocab), "step": self.step}, os.path.join(self.a.out, name))

    def save_extras(self) -> None:
        """The training extras of the latest checkpoint alone: with an exported package they make a
        warm start on a machine where the run folder is gone (training/warm-start/)."""
        safetensors_io.save(os.path.join(self.a.out, "extras.safetensors"),
                            {k: v.detach().contiguous() for k, v in self.extras.state_dict().items()})

    # ------------------------------------------------------------------------------------------
    def batches(self):
        a = self.a
        if self.cache_dir:
            TD.write_cache(self.cache_dir, a.seed, self.cfg.image_size, a.cache_count, edge_prob=a.edge_prob,
                           log=lambda m: self.log({"type": "event", "event": m}))
        ds = TD.BatchStream(self.step, seed=a.seed, side=self.cfg.image_size, cache_dir=self.cache_dir,
                            edge_prob=a.edge_prob, tokenizer=self.tok, images_per_step=a.images_per_step,
                            pairs_per_image=a.pairs_per_image, exemplar_prob=a.exemplar_prob,
                            geometric_prob=a.geometric_prob)
        if a.workers <= 0:
            return iter(ds)
        dl = torch.utils.data.DataLoader(ds, batch_size=None, num_workers=a.workers, prefetch_factor=2,
                                         persistent_workers=False)
        return iter(dl)

    def train_step(self, batch: Dict) -> Dict[str, float]:
        self.model.train()
        self.extras.train()
        batch = to_device(batch, self.device)
        out = forward_train(self.model, batch, aux=not self.a.no_aux, extras=self.extras)
        loss, logs = self.criterion(out, batch)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(list(self.model.parameters()) + list(self.extras.parameters()),
                                            self.a.clip)
        self.opt.step()
        self.sched.step()
        logs["grad_norm"] = float(gn)
        return logs

    def run(self) -> Dict:
        a = self.a
        max_steps = a.max_steps if a.max_steps is not None else a.total_steps
        budget = a.minutes * 60.0
        t0 = time.time()
        last_ckpt = last_val = t0
        self.log({"type": "event", "event": "resume" if self.resumed else "start", "step": self.step,
                  "device": str(self.device),
                  "params": count_parameters(self.model), "config": self.cfg.to_dict(),
                  "args": vars(a), "overrides": self.overrides, "init_from": self.init_from,
                  "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        prev = {}
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                prev[sig] = signal.signal(sig, self._on_signal)
            except ValueError:        # not the main thread (tests)
                pass
        it = self.batches()
        acc: Dict[str, float] = {}
        n_acc = 0
        t_log = time.time()
        last_logs = {}
        reason = "max_steps"
        try:
            while self.step < max_steps:
                if time.time() - t0 >= budget:
                    reason = "time budget"
                    break
                if self._stop:
                    reason = "signal"
                    break
                ts = time.time()
                batch = next(it)
                logs = self.train_step(batch)
                self.step += 1
                self.trained_seconds += time.time() - ts
                last_logs = logs
                for k, v in logs.items():
                    acc[k] = acc.get(k, 0.0) + v
                n_acc += 1
                if self.step % a.log_every == 0 or self.step == max_steps:
                    now = time.time()
                    rec = {"type": "train", "step": self.step, "lr": self.sched.get_last_lr()[0],
                           "s_per_step": (now - t_log) / n_acc, "pairs": int(batch["present"].numel())}
                    rec.update({k: v / n_acc for k, v in acc.items()})
                    rec["elapsed_min"] = (now - t0) / 60
                    self.log(rec)
                    acc, n_acc, t_log = {}, 0, now
                if a.val_minutes > 0 and time.time() - last_val >= a.val_minutes * 60:
                    self.validate_and_log()
                    last_val = time.time()
                if time.time() - last_ckpt >= a.ckpt_minutes * 60:
                    self.save()
                    last_ckpt = time.time()
        finally:
            for sig, h in prev.items():
                signal.signal(sig, h)
        self.save()
        if a.val_minutes > 0 and reason != "signal":     # a signal asks for a quick, clean stop
            self.validate_and_log()
            self.save()
        self.log({"type": "event", "event": "stop", "reason": reason, "step": self.step,
                  "elapsed_min": (time.time() - t0) / 60})
        return last_logs

    def _on_signal(self, signum, frame):
        self._stop = True

    # ------------------------------------------------------------------------------------------
    def validate_and_log(self) -> Dict:
        v = self.validate()
        v.update({"type": "val", "step": self.step})
        score = max(v["cgf1"], v.get("cal_cgf1", v["cgf1"]))   # ranking quality, calibration aside
        if score > self.best:
            self.best = score
            self.save_model("best.pt")
            v["best"] = True
        self.save_model("model_last.pt")
        self.log(v)
        return v

    @torch.no_grad()
    def validate(self, batch_pairs: int = 16) -> Dict:
        a = self.a
        if self._val is None:
            vdir = os.path.join("cache") if os.path.isdir("cache") or a.data == "cache" else None
            self._val = TD.validation_set(self.cfg.image_size, a.val_images, a.val_pairs, a.val_seed,
                                          cache_dir=vdir)
        scenes, pairs = self._val
        return evaluate(self.model, self.tok, scenes, pairs, batch_pairs, with_calibrated=True)


@torch.no_grad()
def collect(model: ConceptSegModel, tok, scenes, pairs, batch_pairs: int = 16, top_queries: int = 48) -> List[Dict]:
    """Per pair: match logits [Q], presence logit, IoU [Q, G] of every query's mask (upsampled
    bilinearly to S, logit > 0) with the ground-truth masks at S. Thresholds are applied later
    (metrics), so score offsets can be searched without running the model again."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    S = model.cfg.image_size
    records = []
    for s0 in range(0, len(pairs), batch_pairs):
        chunk = pairs[s0:s0 + batch_pairs]
        used = sorted({p.image for p in chunk})
        remap = {g: j for j, g in enumerate(used)}
        local = [TD.Pair(remap[p.image], p.phrase, list(p.geo_boxes), list(p.geo_labels), list(p.targets))
                 for p in chunk]
        batch = to_device(TD.collate([scenes[g] for g in used], local, tok), device)
        out = forward_train(model, batch, aux=False)
        layer = out["layers"][-1]
        if layer["logits"].shape[1] > top_queries:
            # only the best-ranked queries can pass a threshold (calibration shifts all logits
            # alike); the full-size masks of 256 dense queries would not fit in memory
            keep = layer["logits"].topk(top_queries, dim=1).indices
            layer = {"logits": layer["logits"].gather(1, keep), "presence": layer["presence"],
                     "mask_embed": layer["mask_embed"].gather(1, keep[:, :, None].expand(-1, -1, layer["mask_embed"].shape[2]))}
        masks = full_masks(layer, out["pix"])
        masks = (F.interpolate(masks, size=(S, S), mode="bilinear", align_corners=False) > 0).cpu()
        layer = {k: v.cpu() for k, v in layer.items() if k in ("logits", "presence")}
        for b, p in enumerate(chunk):
            gt = scenes[p.image].full_masks[p.targets] if p.targets else np.zeros((0, S, S), bool)
            pm = masks[b].numpy().reshape(masks.shape[1], S * S).astype(np.float32)
            g = gt.reshape(gt.shape[0], S * S).astype(np.float32)
            records.append({"logits": layer["logits"][b].numpy().astype(np.float64),
                            "presence": float(layer["presence"][b, 0]),
                            "iou": mask_ious(pm, g), "present": bool(p.targets),
                            "self_iou": mask_ious(pm, pm)})
    if was_training:
        model.train()
    return records


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def mask_ious(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU [K, G] between K and G flattened 0/1 masks (0 where both are empty)."""
    inter = a @ b.T
    return inter / np.maximum(a.sum(1)[:, None] + b.sum(1)[None, :] - inter, 1)


#: mask IoU above which a kept detection duplicates a better-scored one of its pair and is dropped;
#: what the platform's decoder does with model.json thresholds.duplicate_mask_iou (docs/decisions.md)
DUPLICATE_MASK_IOU = 0.5


def drop_duplicates(keep: np.ndarray, scores: np.ndarray, self_iou: np.ndarray, duplicate_iou: float) -> np.ndarray:
    """The kept mask without detections whose mask IoU with a better-scored kept one (ties: lower
    index first, as the decoder orders them) is above ``duplicate_iou``; 1 drops nothing. Empty
    masks are not dropped here (the decoder drops them anyway; they match nothing)."""
    if duplicate_iou >= 1 or keep.sum() < 2:
        return keep
    order = sorted(np.flatnonzero(keep), key=lambda q: (-scores[q], q))
    out = np.zeros_like(keep)
    chosen: List[int] = []
    for q in order:
        if all(self_iou[q, c] <= duplicate_iou for c in chosen):
            chosen.append(q)
            out[q] = True
    return out


def metrics(records: List[Dict], d_logit: float = 0.0, d_presence: float = 0.0,
            score_threshold: float = 0.5, duplicate_iou: float = 1.0) -> Dict:
    """Presence accuracy, IL_MCC, F1@0.5 (all pairs), pmF1 (positive pairs, IoU 0.5:0.95), cgF1,
    mean IoU of matched kept masks and of the oracle matching over all queries; with the match and
    presence logits shifted by d_logit / d_presence (a calibration folded into the biases) and
    duplicates above ``duplicate_iou`` dropped (drop_duplicates)."""
    thr = np.round(np.arange(0.5, 0.96, 0.05), 2)        # 0.50, 0.55, ..., 0.95 exactly
    tp, fp, fn = np.zeros(len(thr)), np.zeros(len(thr)), np.zeros(len(thr))
    pres_ok = 0
    il = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    ious_kept: List[float] = []
    ious_oracle: List[float] = []
    all50 = [0, 0, 0]          # tp, fp, fn at IoU 0.5 over all pairs (negatives' detections are fp)
    for r in records:
        present = r["present"]
        pres = _sigmoid(r["presence"] + d_presence)
        pres_ok += int((pres > 0.5) == present)
        scores = _sigmoid(r["logits"] + d_logit) * pres
        keep = scores >= score_threshold
        if r.get("self_iou") is not None:
            keep = drop_duplicates(keep, scores, r["self_iou"], duplicate_iou)
        decided = bool(keep.any())
        il[("tp" if decided else "fn") if present else ("fp" if decided else "tn")] += 1
        iou = r["iou"]
        if iou.shape[1]:
            ri, ci = linear_sum_assignment(-iou)
            ious_oracle += list(iou[ri, ci])
        k_iou = iou[keep]
        m = np.zeros(0)
        if k_iou.shape[0] and k_iou.shape[1]:
            ri, ci = linear_sum_assignment(-k_iou)
            m = k_iou[ri, ci]
            ious_kept += [float(x) for x in m if x > 0]
        nk, ng = int(keep.sum()), iou.shape[1]
        if present:          # pmF1: micro F1 over positive pairs
            for t_i, t in enumerate(thr):
                n_tp = int((m >= t).sum())
                tp[t_i] += n_tp
                fp[t_i] += nk - n_tp
                fn[t_i] += ng - n_tp
        n_tp50 = int((m >= 0.5).sum())
        all50[0] += n_tp50
        all50[1] += nk - n_tp50
        all50[2] += ng - n_tp50
    f1 = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
    n = len(records)
    num = il["tp"] * il["tn"] - il["fp"] * il["fn"]
    den = math.sqrt(max(1, (il["tp"] + il["fp"]) * (il["tp"] + il["fn"]) * (il["tn"] + il["fp"]) * (il["tn"] + il["fn"])))
    mcc = num / den
    return {"pairs": n, "presence_acc": pres_ok / max(1, n), "il_mcc": mcc,
            "f1_50": 2 * all50[0] / max(1, 2 * all50[0] + all50[1] + all50[2]),
            "pmf1": float(f1.mean()), "cgf1": 100.0 * float(f1.mean()) * mcc,
            "miou_matched": float(np.mean(ious_kept)) if ious_kept else 0.0,
            "miou_oracle": float(np.mean(ious_oracle)) if ious_oracle else 0.0,
            "il": il}


#: offsets searched by calibrate(): match logit x presence logit (coarse: during training)
CAL_LOGIT = np.arange(-2.0, 6.01, 1.0)
CAL_PRESENCE = np.arange(-2.0, 6.01, 1.0)
#: fine grid of train_calibrate.py
CAL_LOGIT_FINE = np.arange(-3.0, 8.01, 0.25)
CAL_PRESENCE_FINE = np.arange(-3.0, 8.01, 0.5)


def calibrate(records: List[Dict], logit_grid=None, presence_grid=None,
              duplicate_iou: float = DUPLICATE_MASK_IOU) -> Tuple[float, float, Dict]:
    """The (d_logit, d_presence) of the grid that maximises cgF1 (ties: F1@0.5, then the smallest
    shift) on these records -> (d_logit, d_presence, metrics there)."""
    best = None
    for dl in (CAL_LOGIT if logit_grid is None else logit_grid):
        for dp in (CAL_PRESENCE if presence_grid is None else presence_grid):
            m = metrics(records, float(dl), float(dp), duplicate_iou=duplicate_iou)
            key = (round(m["cgf1"], 6), round(m["f1_50"], 6), -abs(dl) - abs(dp))
            if best is None or key > best[0]:
                best = (key, float(dl), float(dp), m)
    return best[1], best[2], best[3]


def evaluate(model: ConceptSegModel, tok, scenes, pairs, batch_pairs: int = 16,
             with_calibrated: bool = False) -> Dict:
    recs = collect(model, tok, scenes, pairs, batch_pairs)
    out = metrics(recs, duplicate_iou=DUPLICATE_MASK_IOU)
    if with_calibrated:
        dl, dp, m = calibrate(recs)
        out.update({"cal_d_logit": dl, "cal_d_presence": dp, "cal_cgf1": m["cgf1"],
                    "cal_f1_50": m["f1_50"], "cal_il_mcc": m["il_mcc"], "cal_pmf1": m["pmf1"]})
    return out


def main(argv=None) -> int:
    a = parse_args(argv)
    tr = Trainer(a, log_stream=sys.stdout)
    tr.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
