"""The committed sample files under samples/ (used by the README and the platform's tests)."""
import json
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

from conceptseg_train.data import concepts as C, rle  # noqa: E402

SAMPLES = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "samples"))


def image_size(path):
    from PIL import Image
    with Image.open(path) as im:
        return im.size, im.mode, im.format


class SampleFiles(unittest.TestCase):
    def test_budget(self):
        total = 0
        for root, _dirs, files in os.walk(SAMPLES):
            total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
        self.assertLess(total, 1.5 * 1024 * 1024)

    def test_scenes(self):
        expect = {"parts-on-belt.png": "PNG", "painted-panel-defects.png": "PNG",
                  "brushed-metal.jpg": "JPEG"}
        sizes = []
        for name, fmt in expect.items():
            (w, h), mode, f = image_size(os.path.join(SAMPLES, name))
            self.assertEqual((mode, f), ("RGB", fmt), name)
            self.assertEqual(max(w, h), 320, name)
            sizes.append((w, h))
        self.assertTrue(any(w != h for w, h in sizes))

    def test_ground_truth(self):
        with open(os.path.join(SAMPLES, "ground-truth.json")) as f:
            gt = json.load(f)["files"]
        for name, entry in gt.items():
            (w, h), _, _ = image_size(os.path.join(SAMPLES, name))
            self.assertEqual((entry["width"], entry["height"]), (w, h))
            kinds = [i["kind"] for i in entry["instances"]]
            self.assertTrue(any(k in C.PART_KINDS for k in kinds), name)
            self.assertTrue(any(k in C.DEFECT_KINDS for k in kinds), name)
            for i in entry["instances"]:
                m = rle.decode(i["segmentation"])
                self.assertEqual(m.shape, (h, w))
                self.assertEqual(int(m.sum()), i["area"])
                self.assertEqual(list(rle.mask_bbox(m)), i["bbox"])


class MiniDataset(unittest.TestCase):
    def setUp(self):
        self.dir = os.path.join(SAMPLES, "mini-dataset")
        with open(os.path.join(self.dir, "annotations.json")) as f:
            self.d = json.load(f)

    def test_layout(self):
        d = self.d
        self.assertEqual(d["categories"], [{"id": 1, "name": "object"}])
        files = sorted({im["file_name"] for im in d["images"]})
        self.assertEqual(len(files), 6)
        for f in files:
            (w, h), _, _ = image_size(os.path.join(self.dir, f))
            self.assertTrue(256 <= w <= 320 and 256 <= h <= 320)
            per = [im for im in d["images"] if im["file_name"] == f]
            self.assertEqual(len(per), 4)
            for im in per:
                self.assertEqual((im["width"], im["height"]), (w, h))
                self.assertTrue(C.is_concept(im["text_input"]))

    def test_positives_and_negatives(self):
        d = self.d
        with_ann = {a["image_id"] for a in d["annotations"]}
        ids = {im["id"] for im in d["images"]}
        self.assertGreaterEqual(len(with_ann), 8)
        self.assertGreaterEqual(len(ids - with_ann), 8)
        by_id = {im["id"]: im for im in d["images"]}
        for a in d["annotations"]:
            im = by_id[a["image_id"]]
            m = rle.decode(a["segmentation"])
            self.assertEqual(m.shape, (im["height"], im["width"]))
            self.assertEqual(int(m.sum()), a["area"])
            self.assertEqual(list(rle.mask_bbox(m)), a["bbox"])
            self.assertEqual((a["category_id"], a["iscrowd"]), (1, 0))


if __name__ == "__main__":
    unittest.main()
