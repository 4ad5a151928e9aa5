"""Fold a score calibration into a trained checkpoint, and report validation figures.

    cd training && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m conceptseg_train.train_calibrate \
        --checkpoint runs/v1/best.pt --out runs/v1/calibrated.pt

The platform keeps a detection when sigmoid(match logit) * sigmoid(presence logit) >= 0.5
(model.json thresholds.score). A detector trained with a focal loss is under-confident, so this
searches offsets (d_logit, d_presence) on a *calibration* set (seed VAL_SEED + 1) that maximise
cgF1 and adds them to ``decoder.score_bias`` and ``decoder.presence_head.bias`` -- the same as
shifting every match / presence logit, nothing else changes. The figures are then measured on the
validation set of train.py (seed VAL_SEED) and on a held-out-combination set (the finish+part
pairs that training never shows), before and after. Every figure drops duplicate detections as the
platform's decoder will (``--duplicate-mask-iou``); the value is stored in the calibrated
checkpoint, and export.py writes it to model.json ``thresholds.duplicate_mask_iou``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch

from . import train as T
from . import train_data as TD
from .export import make_model


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m conceptseg_train.train_calibrate", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True, help="calibrated checkpoint {model, config, vocab, calibration}")
    ap.add_argument("--preset", default="default", help="only for checkpoints without a config")
    ap.add_argument("--cal-images", type=int, default=64)
    ap.add_argument("--val-images", type=int, default=48)
    ap.add_argument("--pairs", type=int, default=4)
    ap.add_argument("--cache-dir", default="cache")
    ap.add_argument("--duplicate-mask-iou", type=float, default=T.DUPLICATE_MASK_IOU,
                    help="drop a detection overlapping a better one above this mask IoU (1: keep all)")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    model, tok = make_model(a.preset, 0, a.checkpoint)
    S = model.cfg.image_size
    cal = TD.validation_set(S, a.cal_images, a.pairs, TD.VAL_SEED + 1, cache_dir=a.cache_dir)
    val = TD.validation_set(S, a.val_images, a.pairs, TD.VAL_SEED, cache_dir=a.cache_dir)
    held = TD.validation_set(S, a.val_images, a.pairs, TD.VAL_SEED + 2, cache_dir=a.cache_dir,
                             include_held_out=True)
    dup = a.duplicate_mask_iou
    if not 0.0 <= dup <= 1.0:
        ap.error(f"--duplicate-mask-iou {dup} must lie in [0, 1]")
    dl, dp, mcal = T.calibrate(T.collect(model, tok, *cal), T.CAL_LOGIT_FINE, T.CAL_PRESENCE_FINE, dup)
    report = {"checkpoint": a.checkpoint, "d_logit": dl, "d_presence": dp, "duplicate_mask_iou": dup,
              "calibration_set": mcal}
    report["val_before"] = T.metrics(T.collect(model, tok, *val), duplicate_iou=dup)
    with torch.no_grad():
        model.decoder.score_bias.add_(dl)
        model.decoder.presence_head.bias.add_(dp)
    report["val_after"] = T.metrics(T.collect(model, tok, *val), duplicate_iou=dup)
    report["with_held_out_combinations_after"] = T.metrics(T.collect(model, tok, *held), duplicate_iou=dup)
    ck = {"model": model.state_dict(), "config": model.cfg.to_dict(), "vocab": list(tok.vocab),
          "calibration": {"d_logit": dl, "d_presence": dp, "source": os.path.basename(a.checkpoint)},
          "thresholds": {"duplicate_mask_iou": dup}}
    tmp = a.out + ".tmp"
    torch.save(ck, tmp)
    os.replace(tmp, a.out)
    with open(os.path.splitext(a.out)[0] + ".json", "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
