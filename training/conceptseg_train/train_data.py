"""Training data for conceptseg-sam3-mini: rendered scenes -> letterboxed tensors -> prompt pairs.

A *scene* is rendered by ``data.render`` (through ``data.saco.training_example`` semantics: the
held-out finish+part combinations are never drawn nor asked about), letterboxed exactly as the
platform does (docs/model-package.md: PIL bilinear resize by S / max(w, h), size
``int(len * S / longest + 0.5)``, top-left, 0 padding after normalisation), and reduced to what the
losses need: per instance its kind/finish, its box (normalised cxcywh of the S x S frame) and its
mask as the covered fraction of every cell of the S/4 grid (soft target).

A *pair* is one prompt against one scene: (phrase and/or geometry, target instances). Each image
gets ``k`` pairs from ``saco.pairs_for`` (singular/plural/synonyms, "<finish> <part>", groups,
hard negatives); a fraction of them is turned into
- exemplar prompts: positive (and negative) boxes of instances, with the phrase (targets = the
  phrase's instances) or without it (targets = every instance of the exemplars' class);
- geometric prompts: one positive box alone, or positive (+ negative) points, selecting one object
  (targets = that instance) -- BoxPrompt's contract: "a positive box is an exemplar of the concept
  (or, alone, selects one object)".

Everything is drawn from generators seeded by (seed, global image index), so batch ``s`` of a run
does not depend on what ran before it (exact resume, deterministic runs).
"""
from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch
from PIL import Image

from .data import concepts as C
from .data import render, saco

IMAGE_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGE_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)

# geometry labels (docs/model-package.md)
NEG_BOX, POS_BOX, NEG_POINT, POS_POINT, PAD_LABEL = 0, 1, 2, 3, -1

#: default validation seed (never a training seed: train.py refuses it)
VAL_SEED = 90210


# ----------------------------------------------------------------------------------------------
# Letterbox
def resized_length(length: int, longest: int, side: int) -> int:
    """As LetterboxTensor.resizedLength: int(length * S / longest + 0.5), clamped to [1, S]."""
    return max(1, min(side, int(length * side / longest + 0.5)))


def letterbox_image(image: np.ndarray, side: int) -> Tuple[np.ndarray, int, int]:
    """uint8 (H, W, 3) -> (uint8 (S, S, 3) with the resized image top-left and 0 elsewhere, rw, rh).
    The 0 padding is *after* normalisation: see normalize()."""
    h, w = image.shape[:2]
    longest = max(w, h)
    rw, rh = resized_length(w, longest, side), resized_length(h, longest, side)
    im = Image.fromarray(image).resize((rw, rh), Image.BILINEAR)
    out = np.zeros((side, side, 3), np.uint8)
    out[:rh, :rw] = np.asarray(im)
    return out, rw, rh


def normalize(lb: np.ndarray, rw: int, rh: int) -> np.ndarray:
    """uint8 letterboxed (S, S, 3) -> float32 (3, S, S): (x/255 - mean)/std inside, 0 padding."""
    x = (lb.astype(np.float32) / np.float32(255.0) - IMAGE_MEAN) / IMAGE_STD
    x[rh:, :, :] = 0.0
    x[:, rw:, :] = 0.0
    return np.ascontiguousarray(x.transpose(2, 0, 1))


def mask_fraction(mask: np.ndarray, side: int, rw: int, rh: int, grid: int) -> np.ndarray:
    """bool (H, W) -> float32 (grid, grid): covered fraction of every cell of the S/grid-scaled frame.
    The mask is area-resampled (PIL BOX) to the letterboxed (rw, rh), then averaged over cells."""
    m = Image.fromarray(mask.astype(np.float32), mode="F").resize((rw, rh), Image.BOX)
    full = np.zeros((side, side), np.float32)
    full[:rh, :rw] = np.asarray(m)
    f = side // grid
    return full.reshape(grid, f, grid, f).mean(axis=(1, 3))


def mask_full(mask: np.ndarray, side: int, rw: int, rh: int) -> np.ndarray:
    """bool (H, W) -> bool (S, S): the mask in the letterboxed frame (area >= 0.5 per pixel)."""
    m = Image.fromarray(mask.astype(np.float32), mode="F").resize((rw, rh), Image.BOX)
    full = np.zeros((side, side), bool)
    full[:rh, :rw] = np.asarray(m) >= 0.5
    return full


# ----------------------------------------------------------------------------------------------
# Scenes
@dataclass
class Scene:
    """A letterboxed scene: what the losses and the prompt sampler need."""
    image: np.ndarray                 # uint8 (S, S, 3) letterboxed (padding 0 before normalising)
    rw: int
    rh: int
    kinds: List[str]
    finishes: List[Optional[str]]
    boxes: np.ndarray                 # float32 (n, 4) normalised cxcywh in the S x S frame
    masks: np.ndarray                 # uint8 (n, S/4, S/4) covered fraction * 255
    full_masks: Optional[np.ndarray] = None   # bool (n, S, S), validation only

    def instances(self) -> List[Dict]:
        return [{"kind": k, "finish": f} for k, f in zip(self.kinds, self.finishes)]


def make_scene(image: np.ndarray, instances: Sequence, side: int, full: bool = False) -> Scene:
    h, w = image.shape[:2]
    lb, rw, rh = letterbox_image(image, side)
    scale = side / max(w, h)
    grid = side // 4
    kinds, fins, boxes, masks, fulls = [], [], [], [], []
    for inst in instances:
        x, y, bw, bh = inst.bbox
        # bbox in the letterboxed frame (the resize maps original pixel edges by rw/w, rh/h)
        sx, sy = rw / w, rh / h
        x0, y0, x1, y1 = x * sx, y * sy, (x + bw) * sx, (y + bh) * sy
        boxes.append([(x0 + x1) / 2 / side, (y0 + y1) / 2 / side, (x1 - x0) / side, (y1 - y0) / side])
        masks.append(np.round(mask_fraction(inst.mask, side, rw, rh, grid) * 255).astype(np.uint8))
        if full:
            fulls.append(mask_full(inst.mask, side, rw, rh))
        kinds.append(inst.kind)
        fins.append(inst.finish)
    del scale
    n = len(kinds)
    return Scene(lb, rw, rh, kinds, fins,
                 np.array(boxes, np.float32).reshape(n, 4),
                 np.array(masks, np.uint8).reshape(n, grid, grid),
                 np.array(fulls, bool).reshape(n, side, side) if full else None)


def render_scene(seed: int, index: int, side: int, edge_prob: float = 0.1,
                 include_held_out: bool = False, full: bool = False) -> Scene:
    """Scene ``index`` of the stream ``seed`` (independent of every other index)."""
    rng = np.random.default_rng([int(seed), int(index)])
    ranges = render.edge_ranges() if rng.random() < edge_prob else render.Ranges()
    if not include_held_out:
        ranges = ranges.with_held_out_excluded()
    image, instances = render.sample(rng, ranges=ranges)
    return make_scene(image, instances, side, full=full)


# ----------------------------------------------------------------------------------------------
# Prompts
@dataclass
class Pair:
    image: int                        # index of the image in the batch
    phrase: Optional[str]             # None = exemplar/geometry only
    geo_boxes: List[List[float]] = field(default_factory=list)
    geo_labels: List[int] = field(default_factory=list)
    targets: List[int] = field(default_factory=list)
    kind: str = "text"                # text | text+exemplar | exemplar | box | points


def _fine_class(scene: Scene, i: int) -> Tuple[str, Optional[str]]:
    return scene.kinds[i], scene.finishes[i]


def _jitter_box(rng: np.random.Generator, b: np.ndarray, amount: float = 0.08) -> List[float]:
    cx, cy, w, h = (float(v) for v in b)
    cx += rng.normal(0, amount / 2) * w
    cy += rng.normal(0, amount / 2) * h
    w *= float(np.exp(rng.normal(0, amount)))
    h *= float(np.exp(rng.normal(0, amount)))
    return [min(max(cx, 0.0), 1.0), min(max(cy, 0.0), 1.0), max(w, 1e-3), max(h, 1e-3)]


def _point_in(rng: np.random.Generator, scene: Scene, i: int) -> List[float]:
    m = scene.masks[i].astype(np.float32) / 255.0
    g = m.shape[0]
    cand = np.argwhere(m >= 0.5)
    if len(cand) == 0:
        cand = np.argwhere(m >= m.max() * 0.999)
    r, c = cand[int(rng.integers(len(cand)))]
    return [float((c + 0.5) / g), float((r + 0.5) / g), 0.0, 0.0]


def _point_off(rng: np.random.Generator, scene: Scene, i: int) -> Optional[List[float]]:
    """A point outside instance i, near it (or on another instance)."""
    g = scene.masks.shape[1]
    valid_r = max(1, int(np.ceil(scene.rh / scene.image.shape[0] * g)))
    valid_c = max(1, int(np.ceil(scene.rw / scene.image.shape[1] * g)))
    m = scene.masks[i]
    for _ in range(20):
        cx, cy, w, h = scene.boxes[i]
        px = cx + rng.uniform(-1.0, 1.0) * w
        py = cy + rng.uniform(-1.0, 1.0) * h
        c, r = int(px * g), int(py * g)
        if 0 <= r < valid_r and 0 <= c < valid_c and m[r, c] < 32:
            return [float(px), float(py), 0.0, 0.0]
    return None


def sample_pairs(rng: np.random.Generator, scene: Scene, image_index: int, k: int,
                 exemplar_prob: float = 0.15, geometric_prob: float = 0.12) -> List[Pair]:
    """k pairs for one scene: pairs_for's text pairs, some turned into exemplar/geometric prompts."""
    inst = scene.instances()
    pairs = []
    for phrase, idx in saco.pairs_for(inst, rng, k=k, include_held_out=False):
        pairs.append(Pair(image_index, phrase, targets=list(idx)))
    n = len(inst)
    for p in pairs:
        u = rng.random()
        if u < geometric_prob and n > 0:
            # select one object: a box alone, or points
            i = int(rng.integers(n))
            if rng.random() < 0.5:
                p.phrase, p.kind = None, "box"
                p.geo_boxes, p.geo_labels = [_jitter_box(rng, scene.boxes[i], 0.05)], [POS_BOX]
            else:
                p.phrase, p.kind = None, "points"
                for _ in range(1 + int(rng.integers(2))):
                    p.geo_boxes.append(_point_in(rng, scene, i))
                    p.geo_labels.append(POS_POINT)
                if rng.random() < 0.4:
                    off = _point_off(rng, scene, i)
                    if off is not None:
                        p.geo_boxes.append(off)
                        p.geo_labels.append(NEG_POINT)
            p.targets = [i]
        elif u < geometric_prob + exemplar_prob and n > 0:
            if p.targets and rng.random() < 0.5:
                # phrase + exemplars: 1-2 positive boxes of its instances, maybe a negative box
                p.kind = "text+exemplar"
                npos = min(len(p.targets), 1 + int(rng.integers(2)))
                for i in rng.choice(p.targets, size=npos, replace=False):
                    p.geo_boxes.append(_jitter_box(rng, scene.boxes[int(i)]))
                    p.geo_labels.append(POS_BOX)
                others = [j for j in range(n) if j not in p.targets]
                if others and rng.random() < 0.4:
                    j = int(others[int(rng.integers(len(others)))])
                    p.geo_boxes.append(_jitter_box(rng, scene.boxes[j]))
                    p.geo_labels.append(NEG_BOX)
            else:
                # exemplars only: the targets are every instance of the positive exemplar's class;
                # one positive box alone would mean "select this object", so add a second
                # positive or a negative box
                i = int(rng.integers(n))
                cls = _fine_class(scene, i)
                same = [j for j in range(n) if _fine_class(scene, j) == cls]
                others = [j for j in range(n) if _fine_class(scene, j) != cls]
                extra_pos = [j for j in same if j != i]
                boxes, labels = [_jitter_box(rng, scene.boxes[i])], [POS_BOX]
                if extra_pos and (not others or rng.random() < 0.5):
                    j = extra_pos[int(rng.integers(len(extra_pos)))]
                    boxes.append(_jitter_box(rng, scene.boxes[j]))
                    labels.append(POS_BOX)
                elif others:
                    j = others[int(rng.integers(len(others)))]
                    boxes.append(_jitter_box(rng, scene.boxes[j]))
                    labels.append(NEG_BOX)
                else:
                    continue          # nothing to contrast with: keep the text pair
                p.phrase, p.kind = None, "exemplar"
                p.geo_boxes, p.geo_labels, p.targets = boxes, labels, same
    return pairs


# ----------------------------------------------------------------------------------------------
# Batches
def collate(scenes: Sequence[Scene], pairs: Sequence[Pair], tokenizer) -> Dict:
    """Tensors for a list of scenes and their pairs (pair.image indexes scenes)."""
    images = torch.from_numpy(np.stack([normalize(s.image, s.rw, s.rh) for s in scenes]))
    P = len(pairs)
    ids, amask = tokenizer.encode_batch([p.phrase or "" for p in pairs])
    use_text = torch.tensor([1.0 if p.phrase is not None else 0.0 for p in pairs])
    N = max(1, max(len(p.geo_labels) for p in pairs))
    gboxes = torch.zeros(P, N, 4)
    glabels = torch.full((P, N), PAD_LABEL, dtype=torch.int64)
    for b, p in enumerate(pairs):
        if p.geo_labels:
            gboxes[b, :len(p.geo_labels)] = torch.tensor(p.geo_boxes, dtype=torch.float32)
            glabels[b, :len(p.geo_labels)] = torch.tensor(p.geo_labels)
    tgt_boxes, tgt_masks = [], []
    for p in pairs:
        s = scenes[p.image]
        idx = np.array(p.targets, dtype=np.int64)
        tgt_boxes.append(torch.from_numpy(s.boxes[idx].reshape(-1, 4)))
        tgt_masks.append(torch.from_numpy(s.masks[idx].astype(np.float32) / 255.0))
    return {
        "images": images, "pair_image": torch.tensor([p.image for p in pairs], dtype=torch.int64),
        "input_ids": ids, "attention_mask": amask, "use_text": use_text,
        "input_boxes": gboxes, "input_labels": glabels,
        "target_boxes": tgt_boxes, "target_masks": tgt_masks,
        "present": torch.tensor([1.0 if p.targets else 0.0 for p in pairs]),
        "kinds": [p.kind for p in pairs], "phrases": [p.phrase for p in pairs],
    }


class SceneSource:
    """Scene ``g`` of the training stream: rendered live, or from a pre-rendered cache."""

    def __init__(self, seed: int, side: int, cache_dir: Optional[str] = None, edge_prob: float = 0.1):
        self.seed, self.side, self.edge_prob = seed, side, edge_prob
        self.cache = None
        if cache_dir:
            self.cache = load_cache(cache_dir)

    def __call__(self, g: int) -> Scene:
        if self.cache is None:
            return render_scene(self.seed, g, self.side, self.edge_prob)
        scenes = self.cache
        s = scenes[g % len(scenes)]
        epoch = g // len(scenes)
        if epoch % 2 == 1:      # mirrored copy on odd passes over the cache (horizontal flip)
            s = flip_scene(s)
        return s


def flip_scene(s: Scene) -> Scene:
    """Horizontal mirror inside the valid (rw x rh) area (the padding stays right/bottom)."""
    S = s.image.shape[0]
    img = s.image.copy()
    img[:s.rh, :s.rw] = img[:s.rh, :s.rw][:, ::-1]
    g = s.masks.shape[-1]
    # the valid width at the S/4 grid is not always whole cells: flip the fine masks exactly by
    # working on cells only when rw is a multiple of 4, else keep the scene unflipped
    if s.rw % 4:
        return s
    gw = s.rw // 4
    masks = s.masks.copy()
    masks[:, :, :gw] = masks[:, :, :gw][:, :, ::-1]
    boxes = s.boxes.copy()
    boxes[:, 0] = s.rw / S - boxes[:, 0]
    del g
    return Scene(img, s.rw, s.rh, s.kinds, s.finishes, boxes, masks)


def make_batch(source: SceneSource, tokenizer, step: int, images_per_step: int, pairs_per_image: int,
               seed: int, exemplar_prob: float, geometric_prob: float) -> Dict:
    scenes, pairs = [], []
    for j in range(images_per_step):
        g = step * images_per_step + j
        s = source(g)
        rng = np.random.default_rng([int(seed), int(g), 1])
        scenes.append(s)
        pairs += sample_pairs(rng, s, j, pairs_per_image, exemplar_prob, geometric_prob)
    return collate(scenes, pairs, tokenizer)


class BatchStream(torch.utils.data.IterableDataset):
    """Batches start_step, start_step + 1, ... (each a pure function of its step)."""

    def __init__(self, start_step: int, **kw):
        super().__init__()
        self.start_step = start_step
        self.kw = kw
        self._source = None

    def __iter__(self) -> Iterator[Dict]:
        torch.set_num_threads(1)
        kw = dict(self.kw)
        source = SceneSource(kw.pop("seed"), kw.pop("side"), kw.pop("cache_dir"), kw.pop("edge_prob"))
        tok = kw.pop("tokenizer")
        step = self.start_step
        while True:
            yield make_batch(source, tok, step, seed=source.seed, **kw)
            step += 1


# ----------------------------------------------------------------------------------------------
# Cache (pre-rendered scenes)
def write_cache(cache_dir: str, seed: int, side: int, count: int, shard: int = 250,
                edge_prob: float = 0.1, log=print) -> None:
    os.makedirs(cache_dir, exist_ok=True)
    for start in range(0, count, shard):
        path = os.path.join(cache_dir, "shard_%06d.npz" % start)
        if os.path.exists(path):
            continue
        scenes = [render_scene(seed, g, side, edge_prob) for g in range(start, min(count, start + shard))]
        save_scenes(path, scenes)
        log(f"cache: {path} ({len(scenes)} scenes)")


def save_scenes(path: str, scenes: Sequence[Scene]) -> None:
    counts = np.array([len(s.kinds) for s in scenes], np.int64)
    arrays = {
        "images": np.stack([s.image for s in scenes]),
        "rwh": np.array([[s.rw, s.rh] for s in scenes], np.int64),
        "counts": counts,
        "kinds": np.array([k for s in scenes for k in s.kinds] or [""], dtype="U16"),
        "finishes": np.array([f or "" for s in scenes for f in s.finishes] or [""], dtype="U16"),
        "boxes": np.concatenate([s.boxes for s in scenes]).astype(np.float32),
        "masks": np.concatenate([s.masks for s in scenes]).astype(np.uint8),
    }
    if scenes and scenes[0].full_masks is not None:
        arrays["full_masks"] = np.packbits(np.concatenate([s.full_masks for s in scenes]), axis=-1)
    tmp = path + ".tmp.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def load_scenes(path: str) -> List[Scene]:
    z = np.load(path)
    out, o = [], 0
    S = z["images"].shape[1]
    full = np.unpackbits(z["full_masks"], axis=-1)[..., :S].astype(bool) if "full_masks" in z else None
    for i, n in enumerate(z["counts"]):
        n = int(n)
        rw, rh = (int(v) for v in z["rwh"][i])
        out.append(Scene(z["images"][i], rw, rh, [str(k) for k in z["kinds"][o:o + n]],
                         [str(f) or None for f in z["finishes"][o:o + n]],
                         z["boxes"][o:o + n], z["masks"][o:o + n],
                         full[o:o + n] if full is not None else None))
        o += n
    return out


def load_cache(cache_dir: str) -> List[Scene]:
    scenes = []
    for path in sorted(glob.glob(os.path.join(cache_dir, "shard_*.npz"))):
        scenes += load_scenes(path)
    if not scenes:
        raise FileNotFoundError(f"no cache shards in {cache_dir}")
    return scenes


# ----------------------------------------------------------------------------------------------
# Validation set (fixed, text prompts, held-out combinations excluded as in training)
def validation_set(side: int, count: int, k: int, seed: int = VAL_SEED, cache_dir: Optional[str] = None,
                   include_held_out: bool = False) -> Tuple[List[Scene], List[Pair]]:
    path = None
    if cache_dir:
        path = os.path.join(cache_dir, f"val_S{side}_n{count}_seed{seed}_h{int(include_held_out)}.npz")
    scenes = load_scenes(path) if path and os.path.exists(path) else None
    if scenes is None:
        scenes = [render_scene(seed, i, side, edge_prob=0.1, include_held_out=include_held_out, full=True)
                  for i in range(count)]
        if path:
            os.makedirs(cache_dir, exist_ok=True)
            save_scenes(path, scenes)
    pairs = []
    for i, s in enumerate(scenes):
        rng = np.random.default_rng([int(seed), int(i), 1])
        for phrase, idx in saco.pairs_for(s.instances(), rng, k=k, include_held_out=include_held_out):
            pairs.append(Pair(i, phrase, targets=list(idx)))
    return scenes, pairs


__all__ = ["Scene", "Pair", "make_scene", "render_scene", "sample_pairs", "collate", "make_batch",
           "BatchStream", "SceneSource", "write_cache", "load_cache", "validation_set", "letterbox_image",
           "normalize", "VAL_SEED", "C"]
