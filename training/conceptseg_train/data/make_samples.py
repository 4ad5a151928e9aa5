"""Regenerates the sample files at the repository root (``samples/``).

    cd training && /usr/bin/python3 -m conceptseg_train.data.make_samples [--out ../samples]

Writes
- ``parts-on-belt.png``          320 x 240, dark belt, several parts, a defect or two
- ``painted-panel-defects.png``  320 x 320, painted panel, most defect kinds and a couple of parts
- ``brushed-metal.jpg``          320 x 320, brushed metal, parts and defects (JPEG quality 90)
- ``ground-truth.json``          the instances of those three scenes (kind, finish, bbox, area, RLE)
- ``mini-dataset/``              6 scenes of 256-320 px, 4 phrases each (positives, negatives, hard
                                 negatives) with an SA-Co ``annotations.json``

The scenes use clean settings inside the spec (no blur, little noise, mid brightness, parts of
28-60 px) so that people can see what the domain looks like. Seeds are searched deterministically
for scenes that show what each file is named after, so the output is the same on every run.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from . import render, saco
from .rle import encode

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "..", "..", "samples"))


def clean_ranges() -> render.Ranges:
    return replace(
        render.Ranges(),
        brightness=(0.95, 1.08), blur_prob=0.0, noise_sigma=(0.4, 0.8), jpeg_prob=0.0,
        uneven_prob=0.3, uneven_light=(0.05, 0.12), part_size=(30, 58), paint_noise=(2, 3),
        belt_noise=(3, 4), belt_gray=(30, 55), metal_streak=(8, 12), empty_prob=0.0,
        clip_prob=0.0, shadow_prob=1.0, scratch_delta=(50, 80), dent_delta=(35, 50),
        dent_size=(26, 40), hole_size=(10, 20), rust_size=(24, 50), stain_size=(34, 70),
        crack_width=(1.5, 3), crack_value=(0, 30), stain_factor=(0.5, 0.65),
    )


def _search(make: Callable[[int], render.Scene], ok: Callable[[render.Scene], bool],
            start: int, tries: int = 400) -> render.Scene:
    for seed in range(start, start + tries):
        scene = make(seed)
        if ok(scene):
            return scene
    raise RuntimeError("no sample scene found from seed %d" % start)


def _parts(scene):
    return [i for i in scene.instances if i.is_part]


def _defects(scene):
    return [i for i in scene.instances if i.is_defect]


def _inside(inst, scene, margin=2):
    w, h = scene.size
    x, y, bw, bh = inst.bbox
    return x >= margin and y >= margin and x + bw <= w - margin and y + bh <= h - margin


def _visible(scene, min_area=40):
    return all(i.area >= min_area and _inside(i, scene) for i in scene.instances)


def scene_parts_on_belt() -> render.Scene:
    R = clean_ranges()

    def make(seed):
        return render.render_scene(np.random.default_rng([2024, seed]), size=(320, 240), ranges=R,
                                   surface="dark belt", n_parts=6, n_defects=2)

    def ok(s):
        parts = _parts(s)
        return (len(parts) >= 5 and len({p.kind for p in parts}) == 4
                and len({p.finish for p in parts}) >= 4 and len(_defects(s)) >= 1
                and "black" not in {p.finish for p in parts} and _visible(s))
    return _search(make, ok, 0)


def scene_painted_panel_defects() -> render.Scene:
    R = clean_ranges()

    def make(seed):
        return render.render_scene(np.random.default_rng([2025, seed]), size=320, ranges=R,
                                   surface="painted panel", n_parts=2, n_defects=5)

    def ok(s):
        d = _defects(s)
        return len(d) == 5 and len({x.kind for x in d}) == 5 and len(_parts(s)) == 2 and _visible(s)
    return _search(make, ok, 0)


def scene_brushed_metal() -> render.Scene:
    R = clean_ranges()

    def make(seed):
        return render.render_scene(np.random.default_rng([2026, seed]), size=320, ranges=R,
                                   surface="brushed metal", n_parts=4, n_defects=3)

    def ok(s):
        return (len(_parts(s)) == 4 and len({p.finish for p in _parts(s)}) >= 3
                and len({d.kind for d in _defects(s)}) == 3 and _visible(s))
    return _search(make, ok, 0)


MINI_SIZES: List[Tuple[int, int]] = [(320, 320), (256, 256), (320, 256), (288, 320), (300, 300), (256, 320)]
MINI_SURFACES: List[str] = ["dark belt", "painted panel", "brushed metal", "photographic texture",
                            "painted panel", "dark belt"]


def mini_scenes() -> List[Tuple[render.Scene, List[Tuple[str, List[int]]]]]:
    """6 scenes with 4 phrases each: 2 positives, a hard negative and another negative."""
    R = clean_ranges()
    out = []
    for n, (size, surface) in enumerate(zip(MINI_SIZES, MINI_SURFACES)):
        def make(seed, size=size, surface=surface, n=n):
            return render.render_scene(np.random.default_rng([2027, n, seed]), size=size,
                                       ranges=R, surface=surface, n_parts=4, n_defects=2)

        def ok(s):
            return len(_parts(s)) >= 3 and len(_defects(s)) >= 1 and _visible(s, 30)
        scene = _search(make, ok, 0)
        prng = np.random.default_rng([2028, n])
        for _ in range(200):
            pairs = saco.pairs_for(scene.instances, prng, k=4, positive_fraction=0.5,
                                   hard_negative_fraction=0.5)
            npos = sum(1 for _, idx in pairs if idx)
            hard, _easy = saco.classify_negatives(scene.instances, saco.concept_keys())
            hard_phr = {p for key in hard for p in saco._key_phrases(key)}
            if npos == 2 and any(p in hard_phr for p, idx in pairs if not idx):
                break
        out.append((scene, pairs))
    return out


def _instances_json(scene: render.Scene) -> list:
    return [{"kind": i.kind, "finish": i.finish, "bbox": list(i.bbox), "area": i.area,
             "segmentation": encode(i.mask)} for i in scene.instances]


def write_samples(out: str = DEFAULT_OUT) -> List[str]:
    from PIL import Image
    os.makedirs(out, exist_ok=True)
    written = []
    truth = {}
    for name, scene in (("parts-on-belt.png", scene_parts_on_belt()),
                        ("painted-panel-defects.png", scene_painted_panel_defects()),
                        ("brushed-metal.jpg", scene_brushed_metal())):
        path = os.path.join(out, name)
        if name.endswith(".jpg"):
            Image.fromarray(scene.image).save(path, quality=90)
        else:
            Image.fromarray(scene.image).save(path, optimize=True)
        w, h = scene.size
        truth[name] = {"width": w, "height": h, "surface": scene.surface,
                       "instances": _instances_json(scene)}
        written.append(path)
    gt = os.path.join(out, "ground-truth.json")
    with open(gt, "w") as f:
        json.dump({"about": "instances of the sample scenes (visible-pixel masks, COCO RLE; the "
                            "JPEG's masks are those of the image before compression)",
                   "files": truth}, f, indent=1)
        f.write("\n")
    written.append(gt)
    mini = os.path.join(out, "mini-dataset")
    writer = saco.DatasetWriter(mini)
    for n, (scene, pairs) in enumerate(mini_scenes()):
        writer.add("scene_%02d.png" % n, scene.image, scene.instances, pairs)
        written.append(os.path.join(mini, "scene_%02d.png" % n))
    written.append(writer.close(indent=1))
    return written


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m conceptseg_train.data.make_samples")
    ap.add_argument("--out", default=DEFAULT_OUT)
    a = ap.parse_args(argv)
    total = 0
    for p in write_samples(a.out):
        size = os.path.getsize(p)
        total += size
        print("%8d  %s" % (size, os.path.relpath(p)))
    print("%8d  total" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
