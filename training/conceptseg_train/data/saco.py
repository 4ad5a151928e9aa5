"""SA-Co style data sets (COCO JSON, one "images" entry per (image, noun phrase) pair).

Layout (shared/inspection-domain.md, "Evaluation data layout"): a folder with the images and one
JSON file (default ``annotations.json``)::

    {"images": [{"id", "file_name", "width", "height", "text_input"}],
     "annotations": [{"id", "image_id", "category_id": 1, "iscrowd": 0, "area",
                      "bbox": [x, y, w, h], "segmentation": {"size": [h, w], "counts": "..."}}],
     "categories": [{"id": 1, "name": "object"}]}

A pair whose phrase matches nothing in the image is a negative and has no annotations. Hard
negatives name something that is almost there: a finish+part whose part is present in another
finish ("red nut" when only blue nuts are there), a finish present on another part ("blue gear"
next to blue nuts), "hole" when only the holes of washers/nuts/gears are there, "fastener" when
only gears are there.

CLI::

    cd training && /usr/bin/python3 -m conceptseg_train.data.saco --out DIR --count N --seed S \
        [--edge] [--phrases-per-image K] [--exclude-held-out | --held-out-focus]
        [--size N | --width W --height H]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from . import concepts as C
from . import rle
from .rle import decode, encode  # noqa: F401  (re-exported: saco.encode / saco.decode)

CATEGORIES = [{"id": 1, "name": "object"}]

# concept keys: ("kind", kind) | ("fp", finish, kind) | ("group", name)
Key = Tuple[str, ...]


def _key_phrases(key: Key) -> List[str]:
    if key[0] == "kind":
        return C.forms_of(key[1])
    if key[0] == "fp":
        return C.forms_of(key[2], key[1])
    return C.forms_of(key[1])


def _choose_form(key: Key, rng: np.random.Generator, count: int) -> str:
    """A surface form: canonical name half of the time, else a synonym; plural ~ half the time
    (a bit more often when several instances are present)."""
    if key[0] == "group":
        singulars = [key[1]]
    else:
        kind = key[-1]
        singulars = list(C.PART_SYNONYMS.get(kind) or C.DEFECT_SYNONYMS[kind])
    if len(singulars) > 1 and rng.random() >= 0.5:
        noun = singulars[1 + int(rng.integers(len(singulars) - 1))]
    else:
        noun = singulars[0]
    p_plural = 0.6 if count > 1 else 0.4
    if rng.random() < p_plural:
        noun = C.plural_of(noun)
    return (key[1] + " " + noun) if key[0] == "fp" else noun


def concept_keys(include_held_out: bool = True) -> List[Key]:
    keys: List[Key] = [("kind", k) for k in C.KINDS]
    for f in C.FINISH_NAMES:
        for k in C.PART_KINDS:
            if include_held_out or (f, k) not in C.HELD_OUT:
                keys.append(("fp", f, k))
    keys += [("group", g) for g in C.GROUPS]
    return keys


def _key_matches(key: Key, kind: str, finish: Optional[str]) -> bool:
    if key[0] == "kind":
        return kind == key[1]
    if key[0] == "fp":
        return kind == key[2] and finish == key[1]
    return kind in C.GROUPS[key[1]]


def _kf(inst) -> Tuple[str, Optional[str]]:
    if isinstance(inst, dict):
        return inst["kind"], inst.get("finish")
    return inst.kind, getattr(inst, "finish", None)


def classify_negatives(instances: Sequence, keys: Iterable[Key]) -> Tuple[List[Key], List[Key]]:
    """Split absent concept keys into (hard, easy) negatives for these instances."""
    kf = [_kf(i) for i in instances]
    kinds = {k for k, _ in kf}
    finishes = {f for _, f in kf if f is not None}
    hard, easy = [], []
    for key in keys:
        if any(_key_matches(key, k, f) for k, f in kf):
            continue
        if key[0] == "fp":
            is_hard = key[2] in kinds or key[1] in finishes
        elif key == ("kind", "hole"):
            is_hard = bool(kinds & {"washer", "nut", "gear"})     # only part holes are there
        elif key[0] == "kind" and key[1] in C.PART_KINDS:
            is_hard = bool(kinds & set(C.PART_KINDS))              # another part is there
        elif key[0] == "kind":
            is_hard = bool(kinds & set(C.DEFECT_KINDS))            # another defect is there
        elif key == ("group", "fastener"):
            is_hard = "gear" in kinds
        else:
            is_hard = False
        (hard if is_hard else easy).append(key)
    return hard, easy


def pairs_for(instances: Sequence, rng: np.random.Generator, k: int = 4,
              positive_fraction: float = 0.5, hard_negative_fraction: float = 0.6,
              include_held_out: bool = True, group_weight: float = 0.5,
              finish_weight: float = 1.0, held_out_first: bool = False) -> List[Tuple[str, List[int]]]:
    """Choose ``k`` distinct noun phrases for an image with these instances.

    Returns a list of ``(phrase, [indices of the matching instances])``; negatives have an empty
    list. About ``positive_fraction`` of the pairs are positives (when enough concepts are
    present); of the negatives, ``hard_negative_fraction`` are hard ones when there are any.
    With ``include_held_out=False`` no phrase names a held-out finish+part combination; with
    ``held_out_first`` one present and one absent held-out combination (a hard one when there is
    one) are asked first, and the rest of the ``k`` are drawn as usual.
    Instances are objects with ``.kind`` / ``.finish`` or dicts with those keys."""
    keys = concept_keys(include_held_out)
    kf = [_kf(i) for i in instances]
    present = [key for key in keys if any(_key_matches(key, kd, f) for kd, f in kf)]
    hard, easy = classify_negatives(instances, keys)

    def weight(key: Key) -> float:
        return group_weight if key[0] == "group" else (finish_weight if key[0] == "fp" else 1.0)

    def draw(pool: List[Key], n: int) -> List[Key]:
        if n <= 0 or not pool:
            return []
        n = min(n, len(pool))
        w = np.array([weight(x) for x in pool], dtype=float)
        idx = rng.choice(len(pool), size=n, replace=False, p=w / w.sum())
        return [pool[i] for i in sorted(idx)]

    forced: List[Key] = []
    if held_out_first:
        def held(pool: List[Key]) -> List[Key]:
            return [x for x in pool if x[0] == "fp" and (x[1], x[2]) in C.HELD_OUT]
        forced = (draw(held(present), min(1, k)) + draw(held(hard) or held(easy), min(1, k - 1)))
        present, hard, easy = ([x for x in pool if x not in forced] for pool in (present, hard, easy))
        k -= len(forced)

    n_pos = min(len(present), int(rng.binomial(k, positive_fraction)) if k > 0 else 0)
    if not hard and not easy:
        n_pos = min(len(present), k)
    n_neg = k - n_pos
    n_hard = min(len(hard), int(round(n_neg * hard_negative_fraction)))
    n_easy = min(len(easy), n_neg - n_hard)
    n_hard = min(len(hard), n_neg - n_easy)
    chosen = forced + draw(present, n_pos) + draw(hard, n_hard) + draw(easy, n_easy)
    short = k + len(forced) - len(chosen)
    if short > 0:  # fill from whatever is left
        rest = [x for x in present + hard + easy if x not in chosen]
        chosen += draw(rest, short)
    order = rng.permutation(len(chosen))
    out: List[Tuple[str, List[int]]] = []
    for j in order:
        key = chosen[int(j)]
        idx = [i for i, (kd, f) in enumerate(kf) if _key_matches(key, kd, f)]
        phrase = _choose_form(key, rng, len(idx))
        assert [i for i, inst in enumerate(instances) if C.matches(phrase, inst)] == idx
        out.append((phrase, idx))
    return out


def training_example(rng: np.random.Generator, size=None, k: int = 4, include_held_out: bool = False,
                     edge_prob: float = 0.1, ranges=None, **pair_kw):
    """One on-the-fly training example: ``(image, instances, pairs)``.

    Held-out finish+part combinations are neither drawn nor asked about unless
    ``include_held_out``; a fraction ``edge_prob`` of the scenes uses the spec's hard edges."""
    from . import render
    if ranges is None:
        ranges = render.edge_ranges() if rng.random() < edge_prob else render.Ranges()
    if not include_held_out:
        ranges = ranges.with_held_out_excluded()
    image, instances = render.sample(rng, size=size, ranges=ranges)
    pairs = pairs_for(instances, rng, k=k, include_held_out=include_held_out, **pair_kw)
    return image, instances, pairs


def annotation_for(mask: np.ndarray) -> Dict:
    """The COCO fields of one mask: segmentation (compressed RLE), bbox, area."""
    x, y, w, h = rle.mask_bbox(mask)
    return {"iscrowd": 0, "category_id": 1, "area": int(np.count_nonzero(mask)),
            "bbox": [x, y, w, h], "segmentation": encode(mask)}


class DatasetWriter:
    """Accumulates (image, phrases) into an SA-Co JSON; images are written as they come."""

    def __init__(self, out_dir: str, json_name: str = "annotations.json"):
        self.out_dir = out_dir
        self.json_name = json_name
        os.makedirs(out_dir, exist_ok=True)
        self.images: List[Dict] = []
        self.annotations: List[Dict] = []

    def add(self, file_name: str, image: np.ndarray, instances: Sequence,
            pairs: Sequence[Tuple[str, Sequence[int]]], save: bool = True,
            jpeg_quality: int = 90) -> List[int]:
        from PIL import Image
        h, w = image.shape[:2]
        if save:
            path = os.path.join(self.out_dir, file_name)
            if file_name.lower().endswith((".jpg", ".jpeg")):
                Image.fromarray(image).save(path, quality=jpeg_quality)
            else:
                Image.fromarray(image).save(path, optimize=True)
        ids = []
        for phrase, idx in pairs:
            image_id = len(self.images) + 1
            self.images.append({"id": image_id, "file_name": file_name, "width": int(w),
                                "height": int(h), "text_input": phrase})
            for i in idx:
                ann = {"id": len(self.annotations) + 1, "image_id": image_id}
                ann.update(annotation_for(instances[i].mask))
                self.annotations.append(ann)
            ids.append(image_id)
        return ids

    def to_json(self) -> Dict:
        return {"images": self.images, "annotations": self.annotations, "categories": CATEGORIES}

    def close(self, indent: Optional[int] = None) -> str:
        path = os.path.join(self.out_dir, self.json_name)
        with open(path, "w") as f:
            json.dump(self.to_json(), f, indent=indent, separators=None if indent else (",", ":"))
            f.write("\n")
        return path


def image_rng(seed: int, index: int) -> np.random.Generator:
    """The generator for image ``index`` of a data set with ``seed`` (independent of count)."""
    return np.random.default_rng([int(seed), int(index)])


def write_dataset(out_dir: str, count: int, seed: int, edge: bool = False, phrases_per_image: int = 4,
                  include_held_out: bool = True, size=None, prefix: str = "scene",
                  image_format: str = "png", ranges=None, indent: Optional[int] = None,
                  positive_fraction: float = 0.5, held_out_focus: bool = False) -> Dict:
    """Render ``count`` scenes into ``out_dir`` with an SA-Co annotations.json; returns stats.

    ``held_out_focus`` keeps only scenes that show a held-out finish+part combination and asks
    about one present and one absent held-out combination in each, so the open-vocabulary gap
    rests on many pairs (a plain set holds only a few held-out positives per hundred images)."""
    if held_out_focus and not include_held_out:
        raise ValueError("held_out_focus needs the held-out combinations included")
    from . import render
    R = ranges or (render.edge_ranges() if edge else render.Ranges())
    if not include_held_out:
        R = R.with_held_out_excluded()
    writer = DatasetWriter(out_dir)
    stats = {"images": 0, "pairs": 0, "positives": 0, "negatives": 0, "hard_negatives": 0,
             "annotations": 0, "empty_images": 0, "held_out_pairs": 0, "held_out_positives": 0}
    i = -1
    while stats["images"] < count:
        i += 1
        if i >= 100 * count:
            raise ValueError("held_out_focus: these ranges draw almost no held-out combination")
        rng = image_rng(seed, i)
        img, inst = render.sample(rng, size=size, ranges=R)
        if held_out_focus and not any((f, k) in C.HELD_OUT for k, f in map(_kf, inst)):
            continue  # a plain set's scene stream, filtered: scene i is the plain set's scene i
        pairs = pairs_for(inst, rng, k=phrases_per_image, include_held_out=include_held_out,
                          positive_fraction=positive_fraction, held_out_first=held_out_focus)
        name = "%s_%05d.%s" % (prefix, i, "jpg" if image_format in ("jpg", "jpeg") else "png")
        writer.add(name, img, inst, pairs)
        hard, _ = classify_negatives(inst, concept_keys(include_held_out))
        hard_phrases = {p for key in hard for p in _key_phrases(key)}
        stats["images"] += 1
        stats["empty_images"] += int(len(inst) == 0)
        for phrase, idx in pairs:
            stats["pairs"] += 1
            stats["annotations"] += len(idx)
            if C.is_held_out(phrase):
                stats["held_out_pairs"] += 1
                stats["held_out_positives"] += int(bool(idx))
            if idx:
                stats["positives"] += 1
            else:
                stats["negatives"] += 1
                stats["hard_negatives"] += int(phrase in hard_phrases)
    writer.close(indent=indent)
    return stats


def load(path: str) -> Dict:
    """Load an SA-Co JSON (a file, or a folder holding annotations.json)."""
    if os.path.isdir(path):
        path = os.path.join(path, "annotations.json")
    with open(path) as f:
        return json.load(f)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m conceptseg_train.data.saco",
                                 description="Render an SA-Co style data set of the surface-inspection domain.")
    ap.add_argument("--out", required=True, help="output folder (images + annotations.json)")
    ap.add_argument("--count", type=int, required=True, help="number of images")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--edge", action="store_true",
                    help="stress set at the edges of the spec's ranges (smallest parts, darkest belts, strongest blur)")
    ap.add_argument("--phrases-per-image", type=int, default=4, dest="k")
    ap.add_argument("--positive-fraction", type=float, default=0.5)
    ap.add_argument("--exclude-held-out", action="store_true",
                    help="never draw or ask about the held-out finish+part combinations (training sets)")
    ap.add_argument("--held-out-focus", action="store_true",
                    help="keep only scenes showing a held-out combination and ask one present and one "
                         "absent held-out combination in each (an open-vocabulary evaluation set)")
    ap.add_argument("--size", type=int, default=None, help="square side (default: random 256-512, aspect 3:4-4:3)")
    ap.add_argument("--width", type=int, default=None)
    ap.add_argument("--height", type=int, default=None)
    ap.add_argument("--format", choices=("png", "jpg"), default="png")
    ap.add_argument("--indent", type=int, default=None)
    a = ap.parse_args(argv)
    size = a.size
    if a.width or a.height:
        if not (a.width and a.height):
            ap.error("--width and --height go together")
        size = (a.width, a.height)
    stats = write_dataset(a.out, a.count, a.seed, edge=a.edge, phrases_per_image=a.k,
                          include_held_out=not a.exclude_held_out, size=size, image_format=a.format,
                          indent=a.indent, positive_fraction=a.positive_fraction,
                          held_out_focus=a.held_out_focus)
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
