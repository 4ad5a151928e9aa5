"""SA-Co data sets: layout, RLE annotations, positives / negatives / hard negatives, CLI."""
import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

from conceptseg_train.data import concepts as C, rle, saco  # noqa: E402


class Fake:
    def __init__(self, kind, finish=None):
        self.kind, self.finish = kind, finish


class Pairs(unittest.TestCase):
    def test_hard_negative_other_finish(self):
        inst = [Fake("nut", "blue"), Fake("nut", "blue")]
        hard, easy = saco.classify_negatives(inst, saco.concept_keys())
        self.assertIn(("fp", "red", "nut"), hard)       # nut present in another finish
        self.assertIn(("fp", "blue", "gear"), hard)     # blue present on another part
        self.assertIn(("kind", "hole"), hard)           # only the nuts' holes are there
        self.assertIn(("fp", "red", "gear"), easy)
        self.assertNotIn(("fp", "blue", "nut"), hard + easy)
        self.assertNotIn(("group", "fastener"), hard + easy)

    def test_pairs_indices_match(self):
        inst = [Fake("nut", "blue"), Fake("gear", "red"), Fake("hole"), Fake("washer", "silver")]
        rng = np.random.default_rng(0)
        for _ in range(50):
            pairs = saco.pairs_for(inst, rng, k=6)
            self.assertEqual(len(pairs), 6)
            self.assertEqual(len({p for p, _ in pairs}), 6)
            for phrase, idx in pairs:
                self.assertEqual(idx, [i for i, x in enumerate(inst) if C.matches(phrase, x)])

    def test_hard_negatives_present(self):
        inst = [Fake("nut", "blue"), Fake("nut", "blue"), Fake("scratch")]
        rng = np.random.default_rng(1)
        hard = 0
        negatives = 0
        for _ in range(40):
            for phrase, idx in saco.pairs_for(inst, rng, k=4):
                if not idx:
                    negatives += 1
                    c = C.parse(phrase)
                    if c.finish is not None and ("nut" in c.kinds or c.finish == "blue"):
                        hard += 1
        self.assertGreater(negatives, 40)
        self.assertGreater(hard, 10)

    def test_no_instances_all_negative(self):
        pairs = saco.pairs_for([], np.random.default_rng(0), k=4)
        self.assertEqual(len(pairs), 4)
        self.assertTrue(all(idx == [] for _, idx in pairs))

    def test_held_out_phrases_excluded(self):
        inst = [Fake("gear", "copper"), Fake("gear", "silver"), Fake("screw", "red")]
        rng = np.random.default_rng(2)
        for _ in range(100):
            for phrase, _ in saco.pairs_for(inst, rng, k=6, include_held_out=False):
                self.assertFalse(C.is_held_out(phrase), phrase)

    def test_dict_instances(self):
        pairs = saco.pairs_for([{"kind": "stain", "finish": None}], np.random.default_rng(0), k=3,
                               positive_fraction=1.0)
        self.assertTrue(any(idx == [0] for _, idx in pairs))


class TrainingExample(unittest.TestCase):
    def test_no_held_out_by_default(self):
        rng = np.random.default_rng(5)
        for _ in range(6):
            img, inst, pairs = saco.training_example(rng, size=256, k=5)
            self.assertEqual(img.shape, (256, 256, 3))
            self.assertEqual(len(pairs), 5)
            for i in inst:
                self.assertNotIn((i.finish, i.kind), C.HELD_OUT)
            for phrase, idx in pairs:
                self.assertFalse(C.is_held_out(phrase))
                self.assertEqual(idx, [j for j, x in enumerate(inst) if C.matches(phrase, x)])


class Dataset(unittest.TestCase):
    def check_dataset(self, out, count, k):
        d = saco.load(out)
        self.assertEqual(d["categories"], [{"id": 1, "name": "object"}])
        self.assertEqual(len(d["images"]), count * k)
        files = {im["file_name"] for im in d["images"]}
        self.assertEqual(len(files), count)
        ids = [im["id"] for im in d["images"]]
        self.assertEqual(len(set(ids)), len(ids))
        by_image = {im["id"]: im for im in d["images"]}
        from PIL import Image
        sizes = {}
        for f in files:
            with Image.open(os.path.join(out, f)) as im:
                sizes[f] = im.size
        for im in d["images"]:
            self.assertEqual(sizes[im["file_name"]], (im["width"], im["height"]))
            self.assertTrue(C.is_concept(im["text_input"]))
        ann_ids = set()
        for a in d["annotations"]:
            self.assertNotIn(a["id"], ann_ids)
            ann_ids.add(a["id"])
            im = by_image[a["image_id"]]
            self.assertEqual((a["category_id"], a["iscrowd"]), (1, 0))
            self.assertEqual(a["segmentation"]["size"], [im["height"], im["width"]])
            m = rle.decode(a["segmentation"])
            self.assertEqual(int(m.sum()), a["area"])
            self.assertGreater(a["area"], 0)
            self.assertEqual(list(rle.mask_bbox(m)), a["bbox"])
        pos = {a["image_id"] for a in d["annotations"]}
        self.assertTrue(pos)
        self.assertTrue(set(ids) - pos, "no negative pairs")
        return d

    def test_write_and_read(self):
        with tempfile.TemporaryDirectory() as tmp:
            stats = saco.write_dataset(tmp, count=5, seed=3, phrases_per_image=4)
            self.assertEqual(stats["images"], 5)
            self.assertEqual(stats["pairs"], 20)
            self.check_dataset(tmp, 5, 4)

    def test_held_out_focus_set_asks_mostly_about_held_out_combinations(self):
        from conceptseg_train.data import render
        with tempfile.TemporaryDirectory() as tmp:
            stats = saco.write_dataset(tmp, count=6, seed=5, size=256, held_out_focus=True)
            self.assertEqual(stats["images"], 6)
            d = saco.load(tmp)
            asked = [im["text_input"] for im in d["images"]]
            held = [p for p in asked if C.is_held_out(p)]
            self.assertEqual(len(held), stats["held_out_pairs"])
            self.assertGreaterEqual(stats["held_out_positives"], 6, stats)
            self.assertGreaterEqual(stats["held_out_pairs"] - stats["held_out_positives"], 6, stats)
            # every kept scene is the plain stream's scene of that index and shows a held-out combination
            for name in sorted({im["file_name"] for im in d["images"]}):
                index = int(name.split("_")[1].split(".")[0])
                _, inst = render.sample(saco.image_rng(5, index), size=256, ranges=render.Ranges())
                self.assertTrue(any((x.finish, x.kind) in C.HELD_OUT for x in inst), name)
        with self.assertRaises(ValueError):
            saco.write_dataset(tmp, count=1, seed=5, include_held_out=False, held_out_focus=True)

    def test_same_seed_same_json(self):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            saco.write_dataset(a, count=2, seed=9, size=256)
            saco.write_dataset(b, count=2, seed=9, size=256)
            self.assertEqual(saco.load(a), saco.load(b))

    def test_cli_edge_and_held_out(self):
        with tempfile.TemporaryDirectory() as tmp:
            with contextlib.redirect_stdout(io.StringIO()) as out:
                rc = saco.main(["--out", tmp, "--count", "3", "--seed", "4", "--edge",
                                "--phrases-per-image", "5", "--exclude-held-out"])
            self.assertEqual(rc, 0)
            stats = json.loads(out.getvalue())
            self.assertEqual(stats["pairs"], 15)
            d = self.check_dataset(tmp, 3, 5)
            for im in d["images"]:
                self.assertFalse(C.is_held_out(im["text_input"]))


if __name__ == "__main__":
    unittest.main()
