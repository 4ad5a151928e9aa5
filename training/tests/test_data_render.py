"""Scene renderer: determinism, the spec's ranges, masks, held-out combinations."""
import os
import sys
import unittest
from collections import Counter

import numpy as np
from scipy import ndimage as ndi

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

from conceptseg_train.data import concepts as C, render, rle  # noqa: E402

N_SCENES = 40
_CACHE = {}


def scenes():
    """N_SCENES scenes rendered once for the whole module (seeded)."""
    if "scenes" not in _CACHE:
        _CACHE["scenes"] = [render.render_scene(np.random.default_rng([7, i])) for i in range(N_SCENES)]
    return _CACHE["scenes"]


def touches_border(inst, shape):
    x, y, w, h = inst.bbox
    return x == 0 or y == 0 or x + w >= shape[1] or y + h >= shape[0]


class Determinism(unittest.TestCase):
    def test_same_seed_same_scene(self):
        a_img, a_inst = render.sample(np.random.default_rng(123))
        b_img, b_inst = render.sample(np.random.default_rng(123))
        self.assertTrue(np.array_equal(a_img, b_img))
        self.assertEqual([(i.kind, i.finish, i.bbox) for i in a_inst],
                         [(i.kind, i.finish, i.bbox) for i in b_inst])
        for x, y in zip(a_inst, b_inst):
            self.assertTrue(np.array_equal(x.mask, y.mask))

    def test_other_seed_other_scene(self):
        a_img, _ = render.sample(np.random.default_rng(1), size=256)
        b_img, _ = render.sample(np.random.default_rng(2), size=256)
        self.assertFalse(np.array_equal(a_img, b_img))

    def test_explicit_sizes(self):
        img, _ = render.sample(np.random.default_rng(0), size=320)
        self.assertEqual(img.shape, (320, 320, 3))
        img, inst = render.sample(np.random.default_rng(0), size=(300, 256))
        self.assertEqual(img.shape, (256, 300, 3))
        for i in inst:
            self.assertEqual(i.mask.shape, (256, 300))


class SpecRanges(unittest.TestCase):
    def test_image_sizes_and_aspect(self):
        shapes = [s.image.shape for s in scenes()]
        for h, w, c in shapes:
            self.assertEqual(c, 3)
            self.assertTrue(256 <= h <= 512 and 256 <= w <= 512, (h, w))
            self.assertTrue(3 / 4 - 0.01 <= w / h <= 4 / 3 + 0.01, (h, w))
        self.assertTrue(any(h != w for h, w, _ in shapes))
        self.assertTrue(any(h == w for h, w, _ in shapes))
        self.assertTrue(all(s.image.dtype == np.uint8 for s in scenes()))

    def test_counts(self):
        nonempty = 0
        for s in scenes():
            parts = [i for i in s.instances if i.is_part]
            defects = [i for i in s.instances if i.is_defect]
            self.assertLessEqual(len(parts), 6)
            self.assertLessEqual(len(defects), 5)
            self.assertEqual(len(parts) + len(defects), len(s.instances))
            nonempty += bool(s.instances)
        self.assertGreaterEqual(nonempty, 0.9 * N_SCENES)

    def test_variety(self):
        kinds, finishes, surfaces = Counter(), Counter(), Counter()
        for s in scenes():
            surfaces[s.surface] += 1
            for i in s.instances:
                kinds[i.kind] += 1
                if i.finish:
                    finishes[i.finish] += 1
        self.assertEqual(set(kinds), set(C.KINDS))
        self.assertEqual(set(finishes), set(C.FINISH_NAMES))
        self.assertEqual(set(surfaces), set(render.SURFACES))

    def test_masks(self):
        for s in scenes():
            h, w = s.image.shape[:2]
            parts = [i for i in s.instances if i.is_part]
            for i in s.instances:
                self.assertEqual(i.mask.shape, (h, w))
                self.assertEqual(i.mask.dtype, bool)
                self.assertGreater(i.area, 0)
                self.assertEqual(tuple(i.bbox), rle.mask_bbox(i.mask))
                if i.is_part:
                    self.assertIn(i.finish, C.FINISH_NAMES)
                else:
                    self.assertIsNone(i.finish)
            # visible pixels only: parts never share pixels, defects never under a part
            union = np.zeros((h, w), bool)
            for p in parts:
                self.assertFalse((union & p.mask).any())
                union |= p.mask
            for d in s.instances:
                if d.is_defect:
                    self.assertFalse((d.mask & union).any())

    def test_part_sizes_scale_with_side(self):
        for s in scenes():
            h, w = s.image.shape[:2]
            for i in s.instances:
                if not i.is_part or touches_border(i, (h, w)):
                    continue
                extent = max(i.bbox[2], i.bbox[3])
                self.assertLessEqual(extent, 70 * max(h, w) / 320 + 3, (i, h, w))
                if i.kind != "screw":
                    self.assertGreaterEqual(extent, 0.8 * 18 * min(h, w) / 320 - 2, (i, h, w))

    def test_part_holes_excluded(self):
        checked = 0
        for s in scenes():
            h, w = s.image.shape[:2]
            for i in s.instances:
                if i.kind in ("washer", "nut", "gear") and not touches_border(i, (h, w)):
                    filled = ndi.binary_fill_holes(i.mask)
                    self.assertGreater(int(filled.sum()), i.area, i)   # a hole in the mask
                    x, y, bw, bh = i.bbox
                    if bw > 8:
                        cy, cx = np.argwhere(filled & ~i.mask).mean(axis=0)
                        self.assertFalse(i.mask[int(round(cy)), int(round(cx))])
                    checked += 1
        self.assertGreater(checked, 10)

    def test_part_overlap_at_most_20_percent(self):
        # footprints (holes filled) of different parts overlap by <= 20 % of the smaller one;
        # the visible masks lose the occluded pixels, so compare the filled visible masks
        for s in scenes():
            parts = [ndi.binary_fill_holes(i.mask) for i in s.instances if i.is_part]
            for a in range(len(parts)):
                for b in range(a + 1, len(parts)):
                    inter = int((parts[a] & parts[b]).sum())
                    self.assertLessEqual(inter, 0.2 * min(parts[a].sum(), parts[b].sum()) + 1)


class Options(unittest.TestCase):
    def test_held_out_absent_when_asked(self):
        R = render.Ranges().with_held_out_excluded()
        seen = Counter()
        for k in range(25):
            _, inst = render.sample(np.random.default_rng([11, k]), size=256, ranges=R, n_parts=6,
                                    n_defects=0)
            for i in inst:
                seen[(i.finish, i.kind)] += 1
        for combo in C.HELD_OUT:
            self.assertEqual(seen[combo], 0, combo)
        self.assertGreater(len(seen), 12)

    def test_edge_ranges_are_inside_the_spec(self):
        base, edge = render.Ranges(), render.edge_ranges()
        for name in ("part_size", "belt_gray", "blur_sigma", "brightness", "hole_size", "crack_width",
                     "scratch_width", "dent_size", "rust_size", "stain_size", "photo_contrast"):
            lo, hi = getattr(base, name)
            elo, ehi = getattr(edge, name)
            self.assertTrue(lo <= elo <= ehi <= hi, name)
        img, inst = render.sample(np.random.default_rng(5), size=320, ranges=edge)
        parts = [i for i in inst if i.is_part and not touches_border(i, img.shape)]
        self.assertTrue(parts)
        for p in parts:
            self.assertLessEqual(max(p.bbox[2], p.bbox[3]), 24 * 1.0 + 3)

    def test_surface_choice_and_counts(self):
        for surf in render.SURFACES:
            img, inst = render.sample(np.random.default_rng(3), size=256, surface=surf, n_parts=2,
                                      n_defects=0)
            self.assertEqual(img.shape, (256, 256, 3))
            self.assertLessEqual(len(inst), 2)

    def test_photo_textures_available(self):
        # the Debian scikit-image package ships these photographs
        self.assertGreaterEqual(len(render.available_textures()), 3)


if __name__ == "__main__":
    unittest.main()
