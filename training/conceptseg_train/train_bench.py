"""Throughput of training steps: wall and process-CPU seconds per step for given presets/sizes.

    cd training && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m conceptseg_train.train_bench \
        --preset default --sizes 192 256 320 --steps 4 [--data]

Batches are pre-built (data time is measured separately with --data: seconds per rendered,
letterboxed scene, and per cached scene).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")       # as train.py

import numpy as np
import torch


def main(argv=None) -> int:
    from . import train as T
    from . import train_data as TD
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="default")
    ap.add_argument("--sizes", type=int, nargs="+", default=[192, 256, 320])
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--images-per-step", type=int, default=4)
    ap.add_argument("--pairs-per-image", type=int, default=4)
    ap.add_argument("--data", action="store_true")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    rows = []
    for S in a.sizes:
        args = T.parse_args(["--preset", a.preset, "--out", "/tmp/bench_run", "--image-size", str(S),
                             "--images-per-step", str(a.images_per_step),
                             "--pairs-per-image", str(a.pairs_per_image), "--workers", "0"])
        tr = T.Trainer(args)
        src = TD.SceneSource(0, S)
        batches = [TD.make_batch(src, tr.tok, s, a.images_per_step, a.pairs_per_image, 0, 0.15, 0.12)
                   for s in range(a.steps + 1)]
        tr.train_step(batches[0])           # warm-up
        walls, cpus = [], []
        for b in batches[1:]:
            w, c = time.time(), time.process_time()
            tr.train_step(b)
            walls.append(time.time() - w)
            cpus.append(time.process_time() - c)
        row = {"preset": a.preset, "S": S, "params": sum(p.numel() for p in tr.model.parameters()), "pairs": a.images_per_step * a.pairs_per_image,
               "wall_s_per_step_median": float(np.median(walls)), "wall_min": float(min(walls)),
               "cpu_s_per_step_median": float(np.median(cpus))}
        rows.append(row)
        print(json.dumps(row), flush=True)
    if a.data:
        for S in a.sizes[:1]:
            w, c = time.time(), time.process_time()
            for g in range(20):
                TD.render_scene(0, 10_000 + g, S)
            print(json.dumps({"data": "live", "S": S, "cpu_s_per_scene": (time.process_time() - c) / 20,
                              "wall_s_per_scene": (time.time() - w) / 20}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
