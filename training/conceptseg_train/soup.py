"""Average the weights of two fine-tunings of one model (a "model soup", Wortsman et al. 2022).

Two runs warm-started from the same package sit in one basin of the loss, so the mean of their
weights is a model too, and here it scored better than either (docs/evaluation.md, inspection-v19:
the mean of inspection-v14 and run v18's last checkpoint). The result is a run checkpoint (the
first one's, with averaged model weights and training extras), to calibrate and export as usual::

    cd training && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m conceptseg_train.soup \
        --checkpoint runs/vN/last.pt --with ../model-inspection/packages/PARENT \
        --with-extras warm-start/PARENT.extras.safetensors --weight 0.5 --out runs/SOUP

writes ``runs/SOUP/last.pt`` and ``runs/SOUP/extras.safetensors`` (the commands that made
inspection-v19 are in training/README.md). Both inputs must have the same
vocabulary and the same weight names and shapes; a score calibration folded into either is
averaged like any bias, so calibrate the soup afresh (train_calibrate).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Dict, Mapping, Optional, Sequence

import torch

from . import safetensors_io
from .train import read_extras, read_initial_checkpoint


def average(first: Mapping[str, torch.Tensor], second: Mapping[str, torch.Tensor], weight: float,
            what: str) -> Dict[str, torch.Tensor]:
    """``(1 - weight) * first + weight * second`` per tensor, in ``first``'s dtypes; integer
    tensors (counters) are kept from ``first``. Names and shapes must agree."""
    if set(first) != set(second):
        raise ValueError(f"{what}: the weight names differ (only in the first: "
                         f"{sorted(set(first) - set(second))[:5]}, only in the second: "
                         f"{sorted(set(second) - set(first))[:5]})")
    out = {}
    for name, a in first.items():
        b = second[name]
        if tuple(a.shape) != tuple(b.shape):
            raise ValueError(f"{what}: {name} has shape {tuple(a.shape)} in the first and {tuple(b.shape)} in the second")
        if a.is_floating_point():
            out[name] = (1.0 - weight) * a + weight * b.to(a.dtype)
        else:
            out[name] = a.clone()
    return out


def make_soup(checkpoint: str, other: str, weight: float, out_dir: str,
              other_extras: Optional[str] = None) -> str:
    """Writes ``out_dir/last.pt`` (and ``extras.safetensors``) and returns the checkpoint path."""
    if not 0.0 < weight < 1.0:
        raise ValueError(f"--weight {weight}: must lie strictly between 0 and 1")
    ck = read_initial_checkpoint(checkpoint)
    ot = read_initial_checkpoint(other)
    if list(ck.get("vocab", [])) != list(ot.get("vocab", [])):
        raise ValueError(f"--with {other}: its vocabulary differs from {checkpoint}'s")
    ck["model"] = average(ck["model"], ot["model"], weight, f"--with {other}")
    extras = ck.get("extras")
    second_extras = read_extras(other_extras) if other_extras else ot.get("extras")
    if extras is not None and second_extras is not None:
        ck["extras"] = extras = average(extras, second_extras, weight, f"extras of {other_extras or other}")
    ck.pop("optimizer", None)     # the moments of one run do not fit the mean; a warm start resets them
    ck.pop("scheduler", None)
    ck["soup"] = {"checkpoint": checkpoint, "with": other, "with_extras": other_extras, "weight": weight}
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "last.pt")
    torch.save(ck, path)
    if extras is not None:
        safetensors_io.save(os.path.join(out_dir, "extras.safetensors"),
                            {k: v.detach().contiguous() for k, v in extras.items()})
    return path


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m conceptseg_train.soup",
                                 description="Average the weights of two fine-tunings of one model.")
    ap.add_argument("--checkpoint", required=True, help="a run's checkpoint (last.pt) or a package folder")
    ap.add_argument("--with", dest="other", required=True, help="the second checkpoint or package folder")
    ap.add_argument("--with-extras", default=None,
                    help="training extras of the second (a package holds none: its warm-start/ file)")
    ap.add_argument("--weight", type=float, default=0.5, help="share of the second (default 0.5)")
    ap.add_argument("--out", required=True, help="folder for last.pt and extras.safetensors")
    a = ap.parse_args(argv)
    try:
        print(make_soup(a.checkpoint, a.other, a.weight, a.out, a.with_extras))
    except ValueError as e:
        ap.error(str(e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
