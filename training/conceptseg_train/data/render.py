"""Scene renderer for the surface-inspection domain (shared/inspection-domain.md).

``sample(rng, size=None)`` renders one scene and returns ``(image, instances)``: an RGB uint8 array
of shape (H, W, 3) and a list of :class:`Instance` (kind, finish, visible-pixel mask, bbox).
Everything is drawn from the numpy ``Generator`` passed in, so a seed gives the same scene.

Every range of the spec is a field of :class:`Ranges` (at the 320 px reference scale where the
spec gives pixels); ``edge_ranges()`` narrows them to the hard ends of the spec for stress sets.

Conventions and interpretations (documented in the data README of the repository):
- pixel centres sit at integer coordinates; shapes are rasterised with 3x3 supersampling and an
  instance's mask is the set of pixels at least half covered by it;
- "sizes scale with the image side": for a non-square image the reference side is drawn anywhere
  between the short and the long side, so both readings of "side" are covered;
- a part's size ("18-70 px across") is its largest extent: washer and gear tip diameter, nut
  across corners, screw head + shank length;
- masks hold only visible pixels: parts hide defects and the parts below them (through a washer,
  nut or gear hole the layer below is visible and stays in its mask); opaque defects hide earlier
  defects; placement keeps every defect at least half visible and every part at least ~80 %.
"""
from __future__ import annotations

import importlib.util
import io
import math
import os
from dataclasses import dataclass, field, replace
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from scipy import ndimage as ndi

from .concepts import DEFECT_KINDS, FINISH_NAMES, HELD_OUT, PART_KINDS
from .rle import mask_bbox

REF_SIDE = 320.0

#: base RGB of the part finishes (each channel varies by +-12)
FINISHES: Dict[str, Tuple[int, int, int]] = {
    "silver": (200, 200, 205),
    "brass": (185, 145, 60),
    "black": (45, 45, 50),
    "copper": (185, 115, 55),
    "red": (180, 45, 45),
    "blue": (55, 85, 185),
}
METALLIC = frozenset({"silver", "brass", "copper"})

#: flat colours of the painted panels
PAINT_COLOURS: Dict[str, Tuple[int, int, int]] = {
    "off-white": (236, 232, 218),
    "light gray": (196, 198, 201),
    "pale blue": (172, 195, 226),
    "pale green": (176, 214, 178),
    "safety yellow": (238, 196, 38),
    "pale red": (226, 160, 154),
}

SURFACES: Tuple[str, ...] = ("brushed metal", "painted panel", "dark belt", "photographic texture")

#: real photographs of rough materials shipped in scikit-image's data folder
#: (file name -> the material it shows)
PHOTO_TEXTURES: Dict[str, str] = {
    "brick.png": "brick",
    "grass.png": "grass",
    "gravel.png": "gravel",
    "moon.png": "stone",
}

# drawing layer of each defect: translucent ones first, opaque ones on top (and hiding)
_DEFECT_LAYER = {"stain": 0, "dent": 0, "rust spot": 1, "hole": 2, "crack": 2, "scratch": 2}

Range = Tuple[float, float]


@dataclass(frozen=True)
class Ranges:
    """Every knob of the renderer; pixel sizes are at the 320 px reference scale."""
    side: Range = (256, 512)
    aspect: Range = (3 / 4, 4 / 3)           # width / height
    square_prob: float = 0.35
    surface_weights: Tuple[float, ...] = (1.0, 1.0, 1.0, 1.0)   # order of SURFACES
    metal_gray: Range = (130, 210)
    metal_streak: Range = (8, 20)
    paint_colours: Tuple[str, ...] = tuple(PAINT_COLOURS)
    paint_noise: Range = (2, 8)
    belt_gray: Range = (15, 65)
    belt_noise: Range = (3, 12)
    # photos (weight 2 each) and procedural concrete / fabric (weight 1 each)
    photo_textures: Tuple[str, ...] = tuple(PHOTO_TEXTURES) * 2 + ("concrete", "fabric")
    photo_contrast: Range = (0.3, 1.0)
    photo_tint_prob: float = 0.5
    surface_gradient: Range = (0.0, 0.10)    # "gentle lighting gradient" (relative)
    uneven_prob: float = 0.5
    uneven_light: Range = (0.05, 0.25)       # amplitude of the uneven lighting field
    brightness: Range = (0.7, 1.3)
    blur_prob: float = 0.5
    blur_sigma: Range = (0.3, 1.0)
    noise_sigma: Range = (0.5, 4.0)
    jpeg_prob: float = 0.3
    jpeg_quality: Range = (30, 92)
    n_parts: Tuple[int, int] = (0, 6)
    n_defects: Tuple[int, int] = (0, 5)
    empty_prob: float = 0.04                 # images with nothing at all (spec: <= 10 %)
    part_size: Range = (18, 70)
    part_weights: Tuple[float, ...] = (1.0, 1.0, 1.0, 1.0)      # order of PART_KINDS
    finish_weights: Tuple[float, ...] = (1.0,) * 6              # order of FINISH_NAMES
    exclude_combos: frozenset = frozenset()  # (finish, kind) pairs never drawn
    colour_jitter: float = 12
    washer_hole: Range = (0.35, 0.55)
    nut_hole: Range = (0.40, 0.55)
    screw_length: Range = (2.5, 5.0)         # shank length / shank width
    screw_head: Range = (1.6, 2.2)           # head diameter / shank width
    gear_teeth: Tuple[int, int] = (8, 20)
    gear_hole: Range = (0.20, 0.35)
    rim_px: Range = (1, 3)
    rim_darken: Range = (0.55, 0.8)
    shadow_prob: float = 0.8
    shadow_offset: Range = (1, 4)
    shadow_opacity: Range = (0.2, 0.5)
    max_part_overlap: float = 0.20
    cluster_prob: float = 0.3
    clip_prob: float = 0.12                  # parts allowed to run off the image edge
    defect_weights: Tuple[float, ...] = (1.0,) * 6              # order of DEFECT_KINDS
    scratch_width: Range = (2, 4)
    scratch_length: Range = (0.20, 0.45)     # of the image side
    scratch_delta: Range = (30, 80)
    crack_value: Range = (0, 50)
    crack_segments: Tuple[int, int] = (4, 12)
    crack_width: Range = (1, 3)
    crack_length: Range = (0.15, 0.40)
    crack_branches: Tuple[int, int] = (0, 2)
    hole_size: Range = (6, 20)
    hole_value: Range = (0, 35)
    dent_size: Range = (14, 40)
    dent_delta: Range = (20, 50)
    rust_size: Range = (12, 50)
    rust_jitter: float = 30
    stain_size: Range = (20, 70)
    stain_factor: Range = (0.5, 0.8)
    stain_tint_prob: float = 0.4

    def with_held_out_excluded(self) -> "Ranges":
        return replace(self, exclude_combos=frozenset(self.exclude_combos) | frozenset(HELD_OUT))


def edge_ranges(base: Optional[Ranges] = None) -> Ranges:
    """The hard ends of the spec's ranges: smallest parts, darkest belts, strongest blur and
    noise, faint defects, crowded scenes, extreme aspect ratios."""
    b = base or Ranges()
    return replace(
        b,
        square_prob=0.0,
        surface_weights=(1.0, 1.0, 3.0, 1.5),
        metal_streak=(16, 20),
        paint_noise=(6, 8),
        belt_gray=(15, 25),
        belt_noise=(9, 12),
        photo_contrast=(0.3, 0.4),
        uneven_prob=1.0,
        uneven_light=(0.2, 0.25),
        brightness=(0.7, 0.78),
        blur_prob=1.0,
        blur_sigma=(0.85, 1.0),
        noise_sigma=(3.0, 4.0),
        jpeg_prob=0.7,
        jpeg_quality=(30, 50),
        n_parts=(4, 6),
        n_defects=(3, 5),
        empty_prob=0.02,
        part_size=(18, 24),
        washer_hole=(0.50, 0.55),
        gear_teeth=(16, 20),
        shadow_opacity=(0.4, 0.5),
        cluster_prob=0.6,
        scratch_width=(2, 2.4),
        scratch_delta=(30, 40),
        crack_width=(1, 1.3),
        crack_length=(0.15, 0.2),
        hole_size=(6, 8),
        dent_size=(14, 18),
        dent_delta=(20, 25),
        rust_size=(12, 16),
        stain_size=(20, 26),
        stain_factor=(0.72, 0.8),
    )


@dataclass
class Instance:
    """One annotated object: a part (with its finish) or a defect (finish None)."""
    kind: str
    finish: Optional[str]
    mask: np.ndarray                      # bool (H, W), visible pixels only
    bbox: Tuple[int, int, int, int]       # x, y, w, h of the mask

    @property
    def is_part(self) -> bool:
        return self.kind in PART_KINDS

    @property
    def is_defect(self) -> bool:
        return self.kind in DEFECT_KINDS

    @property
    def area(self) -> int:
        return int(self.mask.sum())

    @property
    def label(self) -> str:
        return (self.finish + " " + self.kind) if self.finish else self.kind

    def __repr__(self) -> str:  # masks are large: keep the repr short
        return "Instance(%r, %r, area=%d, bbox=%r)" % (self.kind, self.finish, self.area, self.bbox)


# ----------------------------------------------------------------------------------------------
# small helpers

def _u(rng: np.random.Generator, r: Range) -> float:
    return float(rng.uniform(r[0], r[1])) if r[1] > r[0] else float(r[0])


def _i(rng: np.random.Generator, r: Tuple[int, int]) -> int:
    return int(rng.integers(int(r[0]), int(r[1]) + 1))


def _choice(rng: np.random.Generator, items: Sequence, weights: Optional[Sequence[float]] = None):
    if weights is None:
        return items[int(rng.integers(len(items)))]
    w = np.asarray(weights, dtype=float)
    return items[int(rng.choice(len(items), p=w / w.sum()))]


@dataclass
class _Window:
    """A rectangle of the image (y0:y1, x0:x1) with a local array."""
    y0: int
    x0: int
    a: np.ndarray  # 2-D local array (mask or coverage)

    @property
    def y1(self) -> int:
        return self.y0 + self.a.shape[0]

    @property
    def x1(self) -> int:
        return self.x0 + self.a.shape[1]

    def clip(self, h: int, w: int) -> "_Window":
        y0, x0 = max(self.y0, 0), max(self.x0, 0)
        y1, x1 = min(self.y1, h), min(self.x1, w)
        if y1 <= y0 or x1 <= x0:
            return _Window(0, 0, np.zeros((0, 0), self.a.dtype))
        return _Window(y0, x0, self.a[y0 - self.y0:y1 - self.y0, x0 - self.x0:x1 - self.x0])

    def sum(self) -> float:
        return float(self.a.sum())


def _overlap(a: _Window, b: _Window) -> float:
    """Sum of a & b (bool windows) over their common rectangle."""
    y0, x0 = max(a.y0, b.y0), max(a.x0, b.x0)
    y1, x1 = min(a.y1, b.y1), min(a.x1, b.x1)
    if y1 <= y0 or x1 <= x0:
        return 0.0
    pa = a.a[y0 - a.y0:y1 - a.y0, x0 - a.x0:x1 - a.x0]
    pb = b.a[y0 - b.y0:y1 - b.y0, x0 - b.x0:x1 - b.x0]
    return float(np.count_nonzero(pa & pb))


def _subtract(a: _Window, b: _Window) -> None:
    """a.a &= ~b over their common rectangle (in place)."""
    y0, x0 = max(a.y0, b.y0), max(a.x0, b.x0)
    y1, x1 = min(a.y1, b.y1), min(a.x1, b.x1)
    if y1 <= y0 or x1 <= x0:
        return
    a.a[y0 - a.y0:y1 - a.y0, x0 - a.x0:x1 - a.x0] &= ~b.a[y0 - b.y0:y1 - b.y0, x0 - b.x0:x1 - b.x0]


def _to_full(win: _Window, h: int, w: int) -> np.ndarray:
    full = np.zeros((h, w), dtype=bool)
    c = win.clip(h, w)
    if c.a.size:
        full[c.y0:c.y1, c.x0:c.x1] = c.a
    return full


def _grid(y0: int, x0: int, hh: int, ww: int, ss: int = 1):
    """Pixel-centre coordinates (ys, xs) of a window, optionally supersampled ss x ss."""
    if ss == 1:
        ys = np.arange(y0, y0 + hh, dtype=np.float32)
        xs = np.arange(x0, x0 + ww, dtype=np.float32)
    else:
        off = (np.arange(ss, dtype=np.float32) + 0.5) / ss - 0.5
        ys = (np.arange(y0, y0 + hh, dtype=np.float32)[:, None] + off[None, :]).reshape(-1)
        xs = (np.arange(x0, x0 + ww, dtype=np.float32)[:, None] + off[None, :]).reshape(-1)
    return ys[:, None], xs[None, :]


def _downsample(a: np.ndarray, ss: int) -> np.ndarray:
    if ss == 1:
        return a.astype(np.float32)
    hh, ww = a.shape[0] // ss, a.shape[1] // ss
    return a.reshape(hh, ss, ww, ss).mean(axis=(1, 3), dtype=np.float32)


def _smooth_noise(rng: np.random.Generator, shape: Tuple[int, int], sigma: float) -> np.ndarray:
    """Zero-mean unit-std gaussian-smoothed noise."""
    n = rng.standard_normal(shape).astype(np.float32)
    if sigma > 0.3:
        n = ndi.gaussian_filter(n, sigma, mode="wrap")
    s = float(n.std())
    return n / s if s > 1e-6 else n


def _low_freq_field(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Smooth random field in [-1, 1]: a gradient, a spot of light, or both."""
    yy = (np.arange(h, dtype=np.float32)[:, None] - h / 2) / (max(h, w) / 2)
    xx = (np.arange(w, dtype=np.float32)[None, :] - w / 2) / (max(h, w) / 2)
    ang = rng.uniform(0, 2 * math.pi)
    field_ = np.zeros((h, w), np.float32)
    mode = int(rng.integers(3))
    if mode in (0, 2):
        field_ += (xx * math.cos(ang) + yy * math.sin(ang)) / 1.2
    if mode in (1, 2):
        cy, cx = rng.uniform(-0.9, 0.9, 2)
        rad = rng.uniform(0.4, 1.2)
        field_ += 2.0 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * rad * rad)) - 1.0
    m = float(np.abs(field_).max())
    return field_ / m if m > 1e-6 else field_


# ----------------------------------------------------------------------------------------------
# surfaces

_TEXTURE_CACHE: Dict[str, np.ndarray] = {}


def _skimage_data_dir() -> Optional[str]:
    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        return None
    d = os.path.join(list(spec.submodule_search_locations)[0], "data")
    return d if os.path.isdir(d) else None


def available_textures() -> List[str]:
    """Photo textures found on this machine (file names of PHOTO_TEXTURES)."""
    d = _skimage_data_dir()
    if d is None:
        return []
    return [f for f in PHOTO_TEXTURES if os.path.isfile(os.path.join(d, f))]


def _load_texture(name: str) -> Optional[np.ndarray]:
    if name in _TEXTURE_CACHE:
        return _TEXTURE_CACHE[name]
    d = _skimage_data_dir()
    path = os.path.join(d, name) if d else None
    if path is None or not os.path.isfile(path):
        return None
    from PIL import Image
    with Image.open(path) as im:
        arr = np.asarray(im.convert("L"), dtype=np.float32)
    _TEXTURE_CACHE[name] = arr
    return arr


def _gradient(rng: np.random.Generator, h: int, w: int, amp: float) -> np.ndarray:
    ang = rng.uniform(0, 2 * math.pi)
    yy = (np.arange(h, dtype=np.float32)[:, None] - h / 2) / (max(h, w) / 2)
    xx = (np.arange(w, dtype=np.float32)[None, :] - w / 2) / (max(h, w) / 2)
    return 1.0 + amp * (xx * math.cos(ang) + yy * math.sin(ang))


def _surface_brushed_metal(rng, h, w, R: Ranges, s: float) -> np.ndarray:
    gray = _u(rng, R.metal_gray)
    amp = _u(rng, R.metal_streak)
    ang = rng.uniform(0, 180)
    d = int(math.ceil(math.hypot(h, w))) + 4
    step = max(2, int(round(rng.uniform(6, 16))))
    # streaks along x: per-row noise that varies slowly along the row
    coarse = rng.standard_normal((d, d // step + 2)).astype(np.float32)
    coarse = ndi.gaussian_filter1d(coarse, rng.uniform(0.5, 2.0), axis=1, mode="wrap")
    rows = ndi.gaussian_filter1d(rng.standard_normal((d, 1)).astype(np.float32), 2.0, axis=0)
    streak = ndi.zoom(coarse, (1, step), order=1)[:, :d] + 0.7 * rows
    streak = ndi.gaussian_filter1d(streak, rng.uniform(0.3, 0.8), axis=0)
    streak /= float(streak.std()) + 1e-6
    rot = ndi.rotate(streak, ang, reshape=False, order=1, mode="reflect")
    y0, x0 = (d - h) // 2, (d - w) // 2
    rot = rot[y0:y0 + h, x0:x0 + w]
    lum = gray + np.clip(rot * (amp / 2.0), -amp, amp)
    lum = lum * _gradient(rng, h, w, _u(rng, R.surface_gradient))
    tint = np.array([0, 0, rng.uniform(0, 6)], np.float32) + rng.uniform(-2, 2, 3).astype(np.float32)
    return lum[..., None] + tint


def _surface_painted(rng, h, w, R: Ranges, s: float) -> np.ndarray:
    name = _choice(rng, R.paint_colours)
    col = np.array(PAINT_COLOURS[name], np.float32) + rng.uniform(-8, 8, 3).astype(np.float32)
    sigma = _u(rng, R.paint_noise)
    grain = _smooth_noise(rng, (h, w), rng.uniform(0.0, 0.9)) * sigma
    chroma = rng.standard_normal((h, w, 3)).astype(np.float32) * (sigma * 0.25)
    img = col[None, None, :] * _gradient(rng, h, w, _u(rng, R.surface_gradient))[..., None]
    return img + grain[..., None] + chroma


def _surface_belt(rng, h, w, R: Ranges, s: float) -> np.ndarray:
    gray = _u(rng, R.belt_gray)
    sigma = _u(rng, R.belt_noise)
    tex = 0.7 * _smooth_noise(rng, (h, w), 0.0) + 0.7 * _smooth_noise(rng, (h, w), rng.uniform(0.7, 1.6) * s)
    tex /= float(tex.std()) + 1e-6
    lum = gray + tex * sigma
    if rng.random() < 0.5:  # faint weave / ribs of the belt
        period = rng.uniform(3, 7) * s
        ang = rng.uniform(0, math.pi)
        yy = np.arange(h, dtype=np.float32)[:, None]
        xx = np.arange(w, dtype=np.float32)[None, :]
        lum = lum + rng.uniform(1, 3) * np.sin((xx * math.cos(ang) + yy * math.sin(ang)) * 2 * math.pi / period)
    lum = lum * _gradient(rng, h, w, _u(rng, R.surface_gradient))
    tint = rng.uniform(-2, 2, 3).astype(np.float32)
    return lum[..., None] + tint


def _photo_crop(rng, tex: np.ndarray, h: int, w: int) -> np.ndarray:
    """A random crop of a photo (rotated by a multiple of 90 degrees, maybe mirrored, zoomed)."""
    tex = np.rot90(tex, int(rng.integers(4)))
    if rng.random() < 0.5:
        tex = tex[:, ::-1]
    th, tw = tex.shape
    # magnification: a crop of (h/zoom, w/zoom) texture pixels fills the image
    zmin = max(h / th, w / tw, 0.6)
    zoom = rng.uniform(zmin, max(zmin, 1.8))
    ch, cw = min(th, h / zoom), min(tw, w / zoom)
    cy = rng.uniform(0, th - ch)
    cx = rng.uniform(0, tw - cw)
    from PIL import Image
    im = Image.fromarray(np.ascontiguousarray(tex).astype(np.float32), mode="F")
    return np.asarray(im.resize((w, h), Image.BILINEAR, box=(cx, cy, cx + cw, cy + ch)), np.float32)


def _procedural_concrete(rng, h, w, s: float) -> np.ndarray:
    g = (0.5 * _smooth_noise(rng, (h, w), 0.0) + 0.6 * _smooth_noise(rng, (h, w), 1.2 * s)
         + 0.6 * _smooth_noise(rng, (h, w), 4.0 * s) + 0.5 * _smooth_noise(rng, (h, w), 14.0 * s))
    pits = ndi.gaussian_filter((rng.random((h, w)) < 0.004).astype(np.float32), 0.8 * s)
    g = g - 6.0 * pits / (float(pits.max()) + 1e-6)
    return 128.0 + 25.0 * g


def _procedural_fabric(rng, h, w, s: float) -> np.ndarray:
    p = rng.uniform(3.0, 7.0) * s
    ang = rng.uniform(0, math.pi)
    yy = np.arange(h, dtype=np.float32)[:, None]
    xx = np.arange(w, dtype=np.float32)[None, :]
    a = (xx * math.cos(ang) + yy * math.sin(ang)) * 2 * math.pi / p
    b = (-xx * math.sin(ang) + yy * math.cos(ang)) * 2 * math.pi / p
    weave = np.sin(a) * np.sign(np.sin(b / 2 + 0.3)) + np.sin(b) * np.sign(np.sin(a / 2 + 0.3))
    g = 40.0 * weave / 2 + 8.0 * _smooth_noise(rng, (h, w), 0.6) + 8.0 * _smooth_noise(rng, (h, w), 10.0 * s)
    return 128.0 + g


#: procedural stand-ins for rough materials that have no photo offline (not photographs)
PROCEDURAL_TEXTURES = {"concrete": _procedural_concrete, "fabric": _procedural_fabric}


def _surface_photo(rng, h, w, R: Ranges, s: float) -> Optional[np.ndarray]:
    names = [n for n in R.photo_textures if n in PROCEDURAL_TEXTURES or _load_texture(n) is not None]
    if not names:
        return None
    name = _choice(rng, names)
    if name in PROCEDURAL_TEXTURES:
        g = PROCEDURAL_TEXTURES[name](rng, h, w, s).astype(np.float32)
    else:
        g = _photo_crop(rng, _load_texture(name), h, w)
    m = float(g.mean())
    c = _u(rng, R.photo_contrast)
    level = m if rng.random() < 0.5 else rng.uniform(70, 180)
    g = level + c * (g - m)
    g = g * _gradient(rng, h, w, _u(rng, R.surface_gradient))
    if rng.random() < R.photo_tint_prob:
        tint = rng.uniform(0.55, 1.0, 3).astype(np.float32)
        tint /= float(tint.mean())
        return g[..., None] * tint
    return np.repeat(g[..., None], 3, axis=2)


def _render_surface(rng, h, w, R: Ranges, s: float) -> Tuple[str, np.ndarray]:
    kind = _choice(rng, SURFACES, R.surface_weights)
    img = None
    if kind == "photographic texture":
        img = _surface_photo(rng, h, w, R, s)
        if img is None:  # no photos on this machine: fall back to a painted panel
            kind = "painted panel"
    if img is None:
        img = {"brushed metal": _surface_brushed_metal, "painted panel": _surface_painted,
               "dark belt": _surface_belt}[kind](rng, h, w, R, s)
    return kind, img.astype(np.float32)


# ----------------------------------------------------------------------------------------------
# parts

@dataclass
class _PartShape:
    kind: str
    cx: float
    cy: float
    angle: float
    extent: float                                  # half of the largest extent
    inside: Callable[[np.ndarray, np.ndarray], np.ndarray]   # local (u, v) -> bool
    params: Dict[str, float] = field(default_factory=dict)


def _make_part_shape(rng, kind: str, size: float, R: Ranges) -> _PartShape:
    angle = rng.uniform(0, 2 * math.pi)
    p: Dict[str, float] = {}
    if kind == "washer":
        ro = size / 2
        ri = ro * _u(rng, R.washer_hole)
        p.update(ro=ro, ri=ri)

        def inside(u, v):
            r2 = u * u + v * v
            return (r2 <= ro * ro) & (r2 >= ri * ri)
        extent = ro
    elif kind == "nut":
        af = size * math.cos(math.pi / 6)            # across flats; size = across corners
        rh = af * _u(rng, R.nut_hole) / 2
        p.update(af=af, rh=rh, ro=size / 2)
        dirs = [(math.cos(k * math.pi / 3), math.sin(k * math.pi / 3)) for k in range(3)]

        def inside(u, v):
            ok = (u * u + v * v) >= rh * rh
            for c, s_ in dirs:
                ok &= np.abs(u * c + v * s_) <= af / 2
            return ok
        extent = size / 2
    elif kind == "screw":
        k = _u(rng, R.screw_length)
        hd = _u(rng, R.screw_head)
        wdt = size / (k + hd)
        hr = hd * wdt / 2
        uh = -size / 2 + hr                          # head centre on the local u axis
        u0 = uh + hr * 0.6                           # shank starts under the head
        u1 = -size / 2 + size                        # shank end
        tip = rng.random() < 0.5
        p.update(w=wdt, hr=hr, uh=uh, u1=u1)

        def inside(u, v):
            head = (u - uh) ** 2 + v * v <= hr * hr
            half = np.full_like(u, wdt / 2)
            if tip:  # slightly chamfered end
                half = np.minimum(half, wdt / 2 - (u - (u1 - wdt * 0.35)).clip(0) * 0.6)
            shank = (u >= u0) & (u <= u1) & (np.abs(v) <= half)
            return head | shank
        extent = size / 2
    elif kind == "gear":
        ro = size / 2
        n = _i(rng, R.gear_teeth)
        depth = max(ro * rng.uniform(0.12, 0.22), 1.0)
        rr = ro - depth
        rh = ro * _u(rng, R.gear_hole)
        top = rng.uniform(0.25, 0.4)                 # fraction of the pitch at full height
        flank = rng.uniform(0.08, 0.14)
        phase0 = rng.uniform(0, 1)
        p.update(ro=ro, rh=rh, rr=rr)

        def inside(u, v):
            r = np.sqrt(u * u + v * v)
            t = (np.arctan2(v, u) / (2 * math.pi) * n + phase0) % 1.0
            # trapezoid: rise over [0, flank], top over [flank, flank+top], fall, then root
            prof = np.clip(np.minimum(t / flank, (2 * flank + top - t) / flank), 0.0, 1.0)
            return (r <= rr + depth * prof) & (r >= rh)
        extent = ro
    else:
        raise ValueError(kind)
    return _PartShape(kind, 0.0, 0.0, angle, extent, inside, p)


def _part_coverage(shape: _PartShape, pad: int, ss: int = 3) -> _Window:
    """Supersampled coverage of a part in a window around it (padded by ``pad`` px)."""
    e = shape.extent + pad + 1
    y0, x0 = int(math.floor(shape.cy - e)), int(math.floor(shape.cx - e))
    y1, x1 = int(math.ceil(shape.cy + e)) + 1, int(math.ceil(shape.cx + e)) + 1
    ys, xs = _grid(y0, x0, y1 - y0, x1 - x0, ss)
    dy, dx = ys - shape.cy, xs - shape.cx
    c, s_ = math.cos(shape.angle), math.sin(shape.angle)
    u = dx * c + dy * s_
    v = -dx * s_ + dy * c
    return _Window(y0, x0, _downsample(shape.inside(u, v), ss))


def _local_uv(shape: _PartShape, win: _Window):
    ys, xs = _grid(win.y0, win.x0, win.a.shape[0], win.a.shape[1])
    dy, dx = ys - shape.cy, xs - shape.cx
    c, s_ = math.cos(shape.angle), math.sin(shape.angle)
    return dx * c + dy * s_, -dx * s_ + dy * c, dx, dy


def _paint_part(rng, canvas: np.ndarray, shape: _PartShape, cov: _Window, finish: str,
                light: Tuple[float, float], R: Ranges, s: float) -> None:
    """Composite one part (colour, shading, highlight, rim, details) onto the canvas."""
    h, w = canvas.shape[:2]
    base = np.array(FINISHES[finish], np.float32) + rng.uniform(-R.colour_jitter, R.colour_jitter, 3).astype(np.float32)
    lx, ly = light
    u, v, dx, dy = _local_uv(shape, cov)
    e = max(shape.extent, 1.0)
    metal = finish in METALLIC
    # gentle directional shading across the part
    shade = 1.0 + rng.uniform(0.06, 0.16) * (dx * lx + dy * ly) / e
    hl_amp = rng.uniform(0.3, 0.6) if metal else rng.uniform(0.12, 0.35)
    if shape.kind == "screw":
        wdt, hr, uh = shape.params["w"], shape.params["hr"], shape.params["uh"]
        # head: round highlight; shank: a cylinder with a highlight stripe
        hx = shape.cx + (uh * math.cos(shape.angle)) + lx * hr * 0.35
        hy = shape.cy + (uh * math.sin(shape.angle)) + ly * hr * 0.35
        ys, xs = _grid(cov.y0, cov.x0, cov.a.shape[0], cov.a.shape[1])
        g_head = np.exp(-((xs - hx) ** 2 + (ys - hy) ** 2) / (2 * (0.45 * hr) ** 2))
        side = 1.0 if (-math.sin(shape.angle) * lx + math.cos(shape.angle) * ly) >= 0 else -1.0
        t = v / max(wdt / 2, 0.5)
        in_head = (u - uh) ** 2 + v * v <= hr * hr
        g_shank = np.exp(-((t - 0.35 * side) ** 2) / 0.18) * (~in_head)
        shade = shade * np.where(in_head, 1.0, 0.8 + 0.2 * (1 - np.clip(np.abs(t), 0, 1) ** 2))
        hl = np.maximum(g_head * in_head, 0.8 * g_shank)
    else:
        hcx = shape.cx + lx * e * rng.uniform(0.25, 0.5)
        hcy = shape.cy + ly * e * rng.uniform(0.25, 0.5)
        ys, xs = _grid(cov.y0, cov.x0, cov.a.shape[0], cov.a.shape[1])
        sig = e * rng.uniform(0.3, 0.5)
        hl = np.exp(-((xs - hcx) ** 2 + (ys - hcy) ** 2) / (2 * sig * sig))
    col = base[None, None, :] * shade[..., None]
    col = col + (255.0 - col) * (hl_amp * hl)[..., None]
    # surface detail: fine grain; a nut's chamfer circle; a gear's hub; a screw's slot and thread
    col = col + rng.standard_normal(col.shape[:2]).astype(np.float32)[..., None] * rng.uniform(1.0, 3.0)
    detail = np.ones(cov.a.shape, np.float32)
    r = np.sqrt(u * u + v * v)
    if shape.kind == "nut" and rng.random() < 0.8:
        detail *= np.where(r > shape.params["af"] / 2 * rng.uniform(0.9, 0.97), rng.uniform(0.75, 0.9), 1.0)
    elif shape.kind == "gear" and rng.random() < 0.6:
        rad = shape.params["rh"] + (shape.params["rr"] - shape.params["rh"]) * rng.uniform(0.45, 0.7)
        detail *= np.where(np.abs(r - rad) < max(0.6, 0.6 * s), rng.uniform(0.7, 0.85), 1.0)
    elif shape.kind == "washer" and rng.random() < 0.4:
        rad = (shape.params["ro"] + shape.params["ri"]) / 2
        detail *= 1.0 - 0.08 * np.cos((r - rad) / max(shape.params["ro"] - shape.params["ri"], 1) * math.pi)
    elif shape.kind == "screw":
        wdt, hr, uh = shape.params["w"], shape.params["hr"], shape.params["uh"]
        in_head = (u - uh) ** 2 + v * v <= hr * hr
        slot = rng.integers(3)  # 0 none, 1 slot, 2 cross
        sw = max(0.7, 0.16 * 2 * hr)
        rot = rng.uniform(0, math.pi)
        a_ = (u - uh) * math.cos(rot) + v * math.sin(rot)
        b_ = -(u - uh) * math.sin(rot) + v * math.cos(rot)
        inner = (u - uh) ** 2 + v * v <= (0.75 * hr) ** 2
        if slot >= 1:
            detail *= np.where(in_head & inner & (np.abs(a_) < sw / 2), 0.45, 1.0)
        if slot == 2:
            detail *= np.where(in_head & inner & (np.abs(b_) < sw / 2), 0.45, 1.0)
        if rng.random() < 0.65 and wdt > 2.5:
            period = max(1.6, wdt * rng.uniform(0.3, 0.45))
            thread = 0.5 + 0.5 * np.cos(2 * math.pi * u / period)
            detail *= np.where(~in_head & (u > uh + hr), 1.0 - 0.22 * thread, 1.0)
    col = col * detail[..., None]
    # darker rim 1-3 px (outer and inner edges)
    mask = cov.a >= 0.5
    dist = ndi.distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]
    dist = np.where(mask, dist, 0.5)
    rim_w = max(1.0, _u(rng, R.rim_px) * s)
    rim = np.clip(rim_w + 1.0 - dist, 0.0, 1.0)
    k = _u(rng, R.rim_darken)
    col = col * (1.0 - (1.0 - k) * rim)[..., None]
    # composite with anti-aliased coverage
    c = cov.clip(h, w)
    if not c.a.size:
        return
    oy, ox = c.y0 - cov.y0, c.x0 - cov.x0
    colc = col[oy:oy + c.a.shape[0], ox:ox + c.a.shape[1]]
    a = c.a[..., None]
    region = canvas[c.y0:c.y1, c.x0:c.x1]
    region *= (1.0 - a)
    region += colc * a


def _paint_shadow(canvas: np.ndarray, cov: _Window, offset: Tuple[float, float], sigma: float,
                  opacity: float) -> None:
    h, w = canvas.shape[:2]
    sh = ndi.shift(cov.a, (offset[1], offset[0]), order=1, mode="constant", cval=0.0)
    sh = ndi.gaussian_filter(sh, sigma)
    c = _Window(cov.y0, cov.x0, sh).clip(h, w)
    if c.a.size:
        canvas[c.y0:c.y1, c.x0:c.x1] *= (1.0 - opacity * c.a)[..., None]


# ----------------------------------------------------------------------------------------------
# defects

@dataclass
class _Defect:
    kind: str
    mask: _Window                        # full (unoccluded) mask, bool, clipped to the image
    paint: Callable[[np.ndarray], None]  # draws it onto the canvas


def _polyline_distance(ys, xs, pts: np.ndarray) -> np.ndarray:
    """Distance from pixel centres to a polyline (pts: (n, 2) as x, y)."""
    d = np.full(np.broadcast(ys, xs).shape, np.inf, np.float32)
    for (ax, ay), (bx, by) in zip(pts[:-1], pts[1:]):
        vx, vy = bx - ax, by - ay
        L2 = vx * vx + vy * vy
        if L2 < 1e-9:
            t = 0.0
        else:
            t = np.clip(((xs - ax) * vx + (ys - ay) * vy) / L2, 0.0, 1.0)
        px, py = ax + t * vx, ay + t * vy
        d = np.minimum(d, np.sqrt((xs - px) ** 2 + (ys - py) ** 2))
    return d


def _place_points(rng, pts: List[np.ndarray], h: int, w: int, margin: float) -> List[np.ndarray]:
    """Translate point sets (same offset) so that their bounding box lies inside the image."""
    allp = np.concatenate(pts, axis=0)
    lo, hi = allp.min(axis=0) - margin, allp.max(axis=0) + margin
    span = hi - lo
    ox = rng.uniform(-lo[0], max(-lo[0], w - 1 - hi[0])) if span[0] < w else (w - 1) / 2 - (lo[0] + hi[0]) / 2
    oy = rng.uniform(-lo[1], max(-lo[1], h - 1 - hi[1])) if span[1] < h else (h - 1) / 2 - (lo[1] + hi[1]) / 2
    off = np.array([ox, oy], np.float32)
    return [p + off for p in pts]


def _stroke_window(pts_list: List[np.ndarray], widths: List[float], h: int, w: int):
    allp = np.concatenate(pts_list, axis=0)
    pad = max(widths) / 2 + 2
    x0 = max(int(math.floor(allp[:, 0].min() - pad)), 0)
    y0 = max(int(math.floor(allp[:, 1].min() - pad)), 0)
    x1 = min(int(math.ceil(allp[:, 0].max() + pad)) + 1, w)
    y1 = min(int(math.ceil(allp[:, 1].max() + pad)) + 1, h)
    ys, xs = _grid(y0, x0, max(y1 - y0, 1), max(x1 - x0, 1))
    cov = np.zeros((max(y1 - y0, 1), max(x1 - x0, 1)), np.float32)
    for pts, wd in zip(pts_list, widths):
        d = _polyline_distance(ys, xs, pts)
        cov = np.maximum(cov, np.clip(wd / 2 + 0.5 - d, 0.0, 1.0))
    return y0, x0, cov


def _defect_scratch(rng, h, w, side, s, R: Ranges, surface_mean: float) -> _Defect:
    L = _u(rng, R.scratch_length) * side
    wd = _u(rng, R.scratch_width) * s
    ang = rng.uniform(0, 2 * math.pi)
    bend = rng.uniform(-0.15, 0.15) * L if rng.random() < 0.5 else 0.0
    t = np.linspace(0, 1, 24, dtype=np.float32)
    ax = np.stack([t * L, 4 * bend * t * (1 - t)], axis=1)          # quadratic arc
    c, s_ = math.cos(ang), math.sin(ang)
    pts = np.stack([ax[:, 0] * c - ax[:, 1] * s_, ax[:, 0] * s_ + ax[:, 1] * c], axis=1)
    (pts,) = _place_points(rng, [pts], h, w, wd)
    y0, x0, cov = _stroke_window([pts], [wd], h, w)
    if surface_mean < 80:
        sign = 1.0 if rng.random() < 0.85 else -1.0
    elif surface_mean > 200:
        sign = -1.0 if rng.random() < 0.85 else 1.0
    else:
        sign = 1.0 if rng.random() < 0.5 else -1.0
    delta = sign * _u(rng, R.scratch_delta)
    vary = 0.8 + 0.2 * np.clip(_smooth_noise(rng, cov.shape, 3.0), -1, 1)
    mask = cov >= 0.5

    def paint(canvas):
        reg = canvas[y0:y0 + cov.shape[0], x0:x0 + cov.shape[1]]
        reg += (delta * cov * vary)[..., None]
    return _Defect("scratch", _Window(y0, x0, mask), paint)


def _defect_crack(rng, h, w, side, s, R: Ranges, surface_mean: float) -> _Defect:
    n = _i(rng, R.crack_segments)
    L = _u(rng, R.crack_length) * side
    wd = _u(rng, R.crack_width) * s
    seg = rng.uniform(0.6, 1.4, n)
    seg = seg / seg.sum() * L
    head = rng.uniform(0, 2 * math.pi)
    pts = [np.zeros(2, np.float32)]
    for k in range(n):
        head += rng.normal(0, 0.45)
        pts.append(pts[-1] + seg[k] * np.array([math.cos(head), math.sin(head)], np.float32))
    main = np.stack(pts)
    lines, widths = [main], [wd]
    for _ in range(_i(rng, R.crack_branches)):
        start = main[int(rng.integers(1, n))]
        bh = rng.uniform(0, 2 * math.pi)
        blen = L * rng.uniform(0.1, 0.3)
        m = int(rng.integers(1, 4))
        bp = [start.copy()]
        for _k in range(m):
            bh += rng.normal(0, 0.5)
            bp.append(bp[-1] + blen / m * np.array([math.cos(bh), math.sin(bh)], np.float32))
        lines.append(np.stack(bp))
        widths.append(max(1.0, wd * rng.uniform(0.6, 1.0)))
    lines = _place_points(rng, lines, h, w, wd)
    y0, x0, cov = _stroke_window(lines, widths, h, w)
    val = _u(rng, R.crack_value)
    colour = np.array([val, val * rng.uniform(0.9, 1.0), val * rng.uniform(0.8, 1.0)], np.float32)
    mask = cov >= 0.5

    def paint(canvas):
        reg = canvas[y0:y0 + cov.shape[0], x0:x0 + cov.shape[1]]
        a = cov[..., None]
        reg *= (1.0 - a)
        reg += colour * a
    return _Defect("crack", _Window(y0, x0, mask), paint)


def _blob_window(rng, h, w, radius: float, harmonics: int, amp: float, rough: float, pad: float,
                 ss: int = 2):
    """Irregular blob around a random centre (kept inside the image): coverage window."""
    ks = np.arange(2, harmonics + 1)
    amps = rng.uniform(0, amp, ks.size) / ks ** 0.8
    phases = rng.uniform(0, 2 * math.pi, ks.size)
    rmax = radius * (1 + amps.sum()) + pad
    cx = rng.uniform(min(rmax, w / 2), max(w - rmax, w / 2))
    cy = rng.uniform(min(rmax, h / 2), max(h - rmax, h / 2))
    x0, y0 = max(int(math.floor(cx - rmax - 1)), 0), max(int(math.floor(cy - rmax - 1)), 0)
    x1, y1 = min(int(math.ceil(cx + rmax + 1)) + 1, w), min(int(math.ceil(cy + rmax + 1)) + 1, h)
    hh, ww = max(y1 - y0, 1), max(x1 - x0, 1)
    ys, xs = _grid(y0, x0, hh, ww, ss)
    dx, dy = xs - cx, ys - cy
    th = np.arctan2(dy, dx)
    rb = np.full(th.shape, radius, np.float32)
    for k, a_, p_ in zip(ks, amps, phases):
        rb = rb * 1.0 + radius * a_ * np.cos(k * th + p_)
    r = np.sqrt(dx * dx + dy * dy)
    if rough > 0:
        noise = _smooth_noise(rng, r.shape, max(1.0, radius * ss / 6))
        rb = rb * (1.0 + rough * noise)
    dist = rb - r                      # > 0 inside, in pixels (supersampled coordinates are pixels)
    return y0, x0, hh, ww, dist, cx, cy


def _defect_hole(rng, h, w, side, s, R: Ranges, surface_mean: float) -> _Defect:
    rad = _u(rng, R.hole_size) * s / 2
    pad = 2 + 1.5 * s
    e = rad + pad + 1
    cx = rng.uniform(e + 1, w - e - 2)
    cy = rng.uniform(e + 1, h - e - 2)
    x0, y0 = int(math.floor(cx - e)), int(math.floor(cy - e))
    x1, y1 = int(math.ceil(cx + e)) + 1, int(math.ceil(cy + e)) + 1
    ys, xs = _grid(y0, x0, y1 - y0, x1 - x0, 3)
    r = np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2)
    cov = _downsample((r <= rad).astype(np.float32), 3)
    ys1, xs1 = _grid(y0, x0, y1 - y0, x1 - x0)
    r1 = np.sqrt((xs1 - cx) ** 2 + (ys1 - cy) ** 2)
    th = np.arctan2(ys1 - cy, xs1 - cx)
    rim_dir = rng.uniform(0, 2 * math.pi)
    rim_w = max(0.8, 0.9 * s)
    rim = np.clip(1.0 - np.abs(r1 - (rad + 0.4 * rim_w)) / rim_w, 0, 1) * np.clip(np.cos(th - rim_dir), 0, 1) ** 1.5
    rim = rim * (1.0 - cov)
    bright = rng.uniform(0.35, 0.75)
    val = _u(rng, R.hole_value)
    mask = cov >= 0.5

    def paint(canvas):
        reg = canvas[y0:y1, x0:x1]
        reg += ((255.0 - reg) * (bright * rim)[..., None])
        a = cov[..., None]
        reg *= (1.0 - a)
        reg += val * a
    return _Defect("hole", _Window(y0, x0, mask), paint)


def _defect_dent(rng, h, w, side, s, R: Ranges, surface_mean: float, light) -> _Defect:
    a_ = _u(rng, R.dent_size) * s / 2
    b_ = a_ * rng.uniform(0.55, 1.0)
    ang = rng.uniform(0, math.pi)
    cx = rng.uniform(a_ + 1, w - a_ - 1)
    cy = rng.uniform(a_ + 1, h - a_ - 1)
    e = a_ + 2
    x0, y0 = max(int(math.floor(cx - e)), 0), max(int(math.floor(cy - e)), 0)
    x1, y1 = min(int(math.ceil(cx + e)) + 1, w), min(int(math.ceil(cy + e)) + 1, h)
    ys, xs = _grid(y0, x0, y1 - y0, x1 - x0)
    dx, dy = xs - cx, ys - cy
    c, s_ = math.cos(ang), math.sin(ang)
    uu = (dx * c + dy * s_) / a_
    vv = (-dx * s_ + dy * c) / b_
    rho2 = uu * uu + vv * vv
    # slope of a shallow bowl seen under the light: one side lighter, the other darker, fading
    # to nothing at the rim (no hard edge); max of t (1 - t^2) is 0.3849
    lx, ly = light
    proj = uu * (lx * c + ly * s_) + vv * (-lx * s_ + ly * c)
    prof = proj * np.clip(1.0 - rho2, 0, 1) / 0.3849
    prof = np.clip(prof, -1.0, 1.0)
    delta = _u(rng, R.dent_delta) * (1 if rng.random() < 0.5 else -1)
    mask = rho2 <= 1.0

    def paint(canvas):
        reg = canvas[y0:y1, x0:x1]
        reg += (delta * prof)[..., None]
    return _Defect("dent", _Window(y0, x0, mask), paint)


def _defect_rust(rng, h, w, side, s, R: Ranges, surface_mean: float) -> _Defect:
    radius = _u(rng, R.rust_size) * s / 2
    y0, x0, hh, ww, dist, _, _ = _blob_window(rng, h, w, radius * 0.8, 8, 0.35, 0.12, 2)
    cov = _downsample(np.clip(dist + 0.5, 0, 1), 2)
    j = R.rust_jitter
    if rng.random() < 0.5:   # independent channels (anywhere in the spec's box)
        jit = rng.uniform(-j, j, 3)
    else:                    # mostly a brightness change: stays orange-brown
        jit = np.clip(rng.uniform(-j, j) * 0.8 + rng.uniform(-0.3 * j, 0.3 * j, 3), -j, j)
    base = np.array([150, 75, 30], np.float32) + jit.astype(np.float32)
    mottle = _smooth_noise(rng, (hh, ww), max(0.8, rng.uniform(0.8, 2.0) * s))
    fine = rng.standard_normal((hh, ww)).astype(np.float32)
    lum = 1.0 + 0.18 * mottle + 0.06 * fine
    dark_spots = np.clip(_smooth_noise(rng, (hh, ww), max(0.8, 1.2 * s)) - 1.0, 0, None)
    lum = lum * (1.0 - 0.35 * np.clip(dark_spots, 0, 1))
    col = base[None, None, :] * lum[..., None]
    alpha = cov * rng.uniform(0.85, 1.0)
    mask = cov >= 0.5

    def paint(canvas):
        reg = canvas[y0:y0 + hh, x0:x0 + ww]
        a = alpha[..., None]
        reg *= (1.0 - a)
        reg += col * a
    return _Defect("rust spot", _Window(y0, x0, mask), paint)


def _defect_stain(rng, h, w, side, s, R: Ranges, surface_mean: float) -> _Defect:
    radius = _u(rng, R.stain_size) * s / 2
    feather = max(1.0, rng.uniform(1.0, 3.0) * s)
    y0, x0, hh, ww, dist, _, _ = _blob_window(rng, h, w, radius * 0.9, 4, 0.3, 0.0, feather + 1)
    alpha = _downsample(np.clip(0.5 + dist / (2 * feather), 0, 1), 2)
    f = _u(rng, R.stain_factor)
    factor = np.array([f, f, f], np.float32)
    if rng.random() < R.stain_tint_prob:
        tints = [(1.0, 0.92, 0.72), (1.0, 0.95, 0.85), (0.9, 0.95, 1.05), (0.95, 1.0, 0.9)]
        factor = np.clip(factor * np.array(tints[int(rng.integers(len(tints)))], np.float32), 0.3, 0.95)
    inner = 1.0 + 0.08 * _smooth_noise(rng, (hh, ww), max(2.0, radius / 3))
    mask = alpha >= 0.5

    def paint(canvas):
        reg = canvas[y0:y0 + hh, x0:x0 + ww]
        a = np.clip(alpha * inner, 0, 1)[..., None]
        reg *= (1.0 - a * (1.0 - factor))
    return _Defect("stain", _Window(y0, x0, mask), paint)


# ----------------------------------------------------------------------------------------------
# scene

@dataclass
class Scene:
    image: np.ndarray
    instances: List[Instance]
    surface: str
    size: Tuple[int, int]       # (width, height)
    scale: float                # reference side / 320


def _sample_size(rng, R: Ranges) -> Tuple[int, int]:
    lo, hi = int(R.side[0]), int(R.side[1])
    if rng.random() < R.square_prob:
        s = int(rng.integers(lo, hi + 1))
        return s, s
    a = math.exp(rng.uniform(math.log(R.aspect[0]), math.log(R.aspect[1])))
    wmin, wmax = max(lo, math.ceil(lo * a)), min(hi, math.floor(hi * a))
    w = int(rng.integers(wmin, wmax + 1))
    h = int(min(hi, max(lo, round(w / a))))
    return w, h


def render_scene(rng: np.random.Generator, size: Union[None, int, Tuple[int, int]] = None,
                 ranges: Optional[Ranges] = None, n_parts: Optional[int] = None,
                 n_defects: Optional[int] = None, surface: Optional[str] = None) -> Scene:
    """Render one scene. ``size`` is None (random in the spec's range), a side or (width, height)."""
    R = ranges or Ranges()
    if size is None:
        w, h = _sample_size(rng, R)
    elif isinstance(size, (int, np.integer)):
        w = h = int(size)
    else:
        w, h = int(size[0]), int(size[1])
    side = rng.uniform(min(w, h), max(w, h))
    s = side / REF_SIDE
    if surface is not None:
        if surface not in SURFACES:
            raise ValueError("unknown surface %r" % surface)
        R = replace(R, surface_weights=tuple(1.0 if x == surface else 0.0 for x in SURFACES))
    surface_kind, canvas = _render_surface(rng, h, w, R, s)
    surface_mean = float(canvas.mean())
    la = rng.uniform(0, 2 * math.pi)
    light = (math.cos(la), math.sin(la))

    empty = rng.random() < R.empty_prob
    np_ = n_parts if n_parts is not None else (0 if empty else _i(rng, R.n_parts))
    nd_ = n_defects if n_defects is not None else (0 if empty else _i(rng, R.n_defects))

    # --- defects: geometry first, then placement checks, then painting in layer order
    defects: List[_Defect] = []
    for _ in range(nd_):
        for _attempt in range(25):
            kind = _choice(rng, DEFECT_KINDS, R.defect_weights)
            if kind == "scratch":
                d = _defect_scratch(rng, h, w, side, s, R, surface_mean)
            elif kind == "crack":
                d = _defect_crack(rng, h, w, side, s, R, surface_mean)
            elif kind == "hole":
                d = _defect_hole(rng, h, w, side, s, R, surface_mean)
            elif kind == "dent":
                d = _defect_dent(rng, h, w, side, s, R, surface_mean, light)
            elif kind == "rust spot":
                d = _defect_rust(rng, h, w, side, s, R, surface_mean)
            else:
                d = _defect_stain(rng, h, w, side, s, R, surface_mean)
            area = d.mask.sum()
            if area < 3:
                continue
            ok = True
            for o in defects:
                inter = _overlap(d.mask, o.mask)
                if inter > 0.25 * min(area, o.mask.sum()):
                    ok = False
                    break
            if ok:
                defects.append(d)
                break
    defects.sort(key=lambda d: _DEFECT_LAYER[d.kind])   # stable: keeps sampling order within a layer
    for d in defects:
        d.paint(canvas)
    visible = [_Window(d.mask.y0, d.mask.x0, d.mask.a.copy()) for d in defects]
    full_area = [max(d.mask.sum(), 1.0) for d in defects]
    for i, d in enumerate(defects):
        for j in range(i + 1, len(defects)):
            if _DEFECT_LAYER[defects[j].kind] >= 1:
                _subtract(visible[i], defects[j].mask)

    # --- parts
    finishes_for = {k: [f for f in FINISH_NAMES if (f, k) not in R.exclude_combos] for k in PART_KINDS}
    part_kinds = [k for k in PART_KINDS if finishes_for[k]]
    part_w = [R.part_weights[PART_KINDS.index(k)] for k in part_kinds]
    parts: List[tuple] = []   # kind, finish, mask window, footprint, (cx, cy, extent)
    shadow = rng.random() < R.shadow_prob
    sh_off = _u(rng, R.shadow_offset) * s
    sh_op = _u(rng, R.shadow_opacity)
    sh_sig = rng.uniform(0.8, 2.0) * s
    sh_vec = (-light[0] * sh_off, -light[1] * sh_off)
    for _ in range(np_ if part_kinds else 0):
        kind = _choice(rng, part_kinds, part_w)
        fins = finishes_for[kind]
        finish = _choice(rng, fins, [R.finish_weights[FINISH_NAMES.index(f)] for f in fins])
        size = _u(rng, R.part_size) * s
        shape = _make_part_shape(rng, kind, size, R)
        pad = int(math.ceil(sh_off + 3 * sh_sig + 2)) if shadow else 2
        placed = None
        for _attempt in range(40):
            e = shape.extent
            if parts and rng.random() < R.cluster_prob:
                # next to an existing part: touching or slightly overlapping
                ocx, ocy, orad = parts[int(rng.integers(len(parts)))][4]
                dist = (orad + e) * rng.uniform(0.75, 1.05)
                an = rng.uniform(0, 2 * math.pi)
                shape.cx, shape.cy = ocx + dist * math.cos(an), ocy + dist * math.sin(an)
            elif rng.random() < R.clip_prob:
                shape.cx, shape.cy = rng.uniform(0, w - 1), rng.uniform(0, h - 1)
            else:
                shape.cx = rng.uniform(min(e, w / 2), max(w - 1 - e, w / 2))
                shape.cy = rng.uniform(min(e, h / 2), max(h - 1 - e, h / 2))
            if not (0 <= shape.cx <= w - 1 and 0 <= shape.cy <= h - 1):
                continue
            cov = _part_coverage(shape, pad)
            mwin = _Window(cov.y0, cov.x0, cov.a >= 0.5)
            tot = mwin.sum()
            cm = mwin.clip(h, w)
            if tot < 4 or cm.sum() < 0.6 * tot:
                continue
            foot = _Window(cm.y0, cm.x0, ndi.binary_fill_holes(cm.a))
            farea = foot.sum()
            ok = True
            for (_k, _f, _m, ofoot, _c) in parts:
                if _overlap(foot, ofoot) > R.max_part_overlap * min(farea, ofoot.sum()):
                    ok = False
                    break
            if ok:
                for vis, fa in zip(visible, full_area):
                    if vis.sum() - _overlap(vis, cm) < 0.5 * fa:
                        ok = False
                        break
            if ok:
                placed = (cov, cm, foot)
                break
        if placed is None:
            continue
        cov, cm, foot = placed
        if shadow:
            _paint_shadow(canvas, cov, sh_vec, sh_sig, sh_op)
        _paint_part(rng, canvas, shape, cov, finish, light, R, s)
        for vis in visible:
            _subtract(vis, cm)
        for (_k, _f, om, _of, _c) in parts:
            _subtract(om, cm)
        parts.append((kind, finish, _Window(cm.y0, cm.x0, cm.a.copy()), foot,
                      (shape.cx, shape.cy, shape.extent)))

    # --- global photometry
    img = canvas
    if rng.random() < R.uneven_prob:
        img *= (1.0 + _u(rng, R.uneven_light) * _low_freq_field(rng, h, w))[..., None]
    img *= _u(rng, R.brightness)
    if rng.random() < R.blur_prob:
        sig = _u(rng, R.blur_sigma)
        img = ndi.gaussian_filter(img, (sig, sig, 0))
    ns = _u(rng, R.noise_sigma)
    img += rng.standard_normal((h, w, 1)).astype(np.float32) * ns
    img += rng.standard_normal((h, w, 3)).astype(np.float32) * (ns * 0.35)
    out = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    if rng.random() < R.jpeg_prob:
        from PIL import Image
        buf = io.BytesIO()
        Image.fromarray(out).save(buf, format="JPEG", quality=int(round(_u(rng, R.jpeg_quality))))
        buf.seek(0)
        with Image.open(buf) as im:
            out = np.asarray(im.convert("RGB"), dtype=np.uint8).copy()

    # --- instances (visible pixels only)
    instances: List[Instance] = []
    for kind, finish, mwin, _foot, _c in parts:
        m = _to_full(mwin, h, w)
        if m.any():
            instances.append(Instance(kind, finish, m, mask_bbox(m)))
    for d, vis in zip(defects, visible):
        m = _to_full(vis, h, w)
        if m.any():
            instances.append(Instance(d.kind, None, m, mask_bbox(m)))
    return Scene(out, instances, surface_kind, (w, h), s)


def sample(rng: np.random.Generator, size: Union[None, int, Tuple[int, int]] = None,
           ranges: Optional[Ranges] = None, **kw) -> Tuple[np.ndarray, List[Instance]]:
    """Render a scene: (RGB uint8 image (H, W, 3), instances). ``size``: None = random within the
    spec, an int = square side, or (width, height)."""
    scene = render_scene(rng, size=size, ranges=ranges, **kw)
    return scene.image, scene.instances


__all__ = ["Instance", "Ranges", "Scene", "edge_ranges", "sample", "render_scene", "FINISHES",
           "PAINT_COLOURS", "SURFACES", "PHOTO_TEXTURES", "REF_SIDE", "available_textures"]
