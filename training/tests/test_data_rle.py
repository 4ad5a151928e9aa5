"""COCO RLE: bit-exact pycocotools strings (hand-derived cases) and round trips."""
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

from conceptseg_train.data import rle  # noqa: E402


def column(runs):
    """An h x 1 mask from alternating 0/1 run lengths (column-major = top to bottom)."""
    vals = np.repeat(np.arange(len(runs)) % 2, runs).astype(bool)
    return vals.reshape(-1, 1)


class KnownStrings(unittest.TestCase):
    """Strings derived by hand from maskApi.c's rleToString:
    each count (from the 4th on, minus the count two before it) is written in 5-bit chunks,
    low chunk first; 0x20 marks "more", 0x10 of the last chunk is the sign; + 48 ('0')."""

    def test_all_ones_2x2(self):
        # counts [0, 4] -> '0', '4'
        self.assertEqual(rle.encode(np.ones((2, 2), bool))["counts"], "04")

    def test_all_zeros(self):
        # counts [9] -> chr(48 + 9) = '9'
        self.assertEqual(rle.encode(np.zeros((3, 3), bool))["counts"], "9")

    def test_identity_uses_delta_from_fourth_count(self):
        # column-major eye(3): 1,0,0,0,1,0,0,0,1 -> counts [0,1,3,1,3,1];
        # from i = 3 on the deltas are 1-1, 3-3, 1-1 = 0 -> "013" + "000"
        m = np.eye(3, dtype=bool)
        self.assertEqual(rle.mask_to_counts(m), [0, 1, 3, 1, 3, 1])
        self.assertEqual(rle.encode(m)["counts"], "013000")

    def test_column_major_order(self):
        # [[1, 1], [0, 0]] read column-major is 1,0,1,0 -> counts [0,1,1,1,1]
        m = np.array([[1, 1], [0, 0]], bool)
        self.assertEqual(rle.mask_to_counts(m), [0, 1, 1, 1, 1])
        self.assertEqual(rle.encode(m)["counts"], "01100")  # "011" then i=3: 1-1=0, i=4: 1-1=0

    def test_multi_chunk_count(self):
        # 100 = 3*32 + 4: chunk 4 with "more" -> 4|0x20 = 36 -> 'T'; then 3 -> '3'
        m = np.zeros((1, 200), bool)
        m[0, 100:] = True
        self.assertEqual(rle.mask_to_counts(m), [100, 100])
        self.assertEqual(rle.encode(m)["counts"], "T3T3")

    def test_negative_delta_single_chunk(self):
        # counts [5,2,3,1]: 4th value 1-2 = -1 -> chunk 31 (sign bit set, rest -1) -> 'O'
        m = column([5, 2, 3, 1])
        self.assertEqual(rle.encode(m)["counts"], "523O")

    def test_negative_delta_two_chunks(self):
        # counts [0,40,1,2]: 40 -> 8|0x20 'X', 1 '1'; 4th: 2-40 = -38 -> low chunk 26|0x20 = 'j',
        # then -2 -> chunk 30 with the sign bit -> 'N'
        m = column([0, 40, 1, 2])
        self.assertEqual(rle.encode(m)["counts"], "0X11jN")

    def test_decode_known(self):
        self.assertEqual(rle.string_to_counts("0X11jN"), [0, 40, 1, 2])
        self.assertEqual(rle.string_to_counts("523O"), [5, 2, 3, 1])
        self.assertEqual(rle.string_to_counts(b"T3T3"), [100, 100])

    def test_size_is_height_width(self):
        self.assertEqual(rle.encode(np.zeros((5, 7), bool))["size"], [5, 7])


class RoundTrip(unittest.TestCase):
    def test_random_masks(self):
        rng = np.random.default_rng(0)
        for t in range(200):
            h, w = (int(v) for v in rng.integers(1, 70, 2))
            if t % 3 == 0:
                m = rng.random((h, w)) < rng.random()
            elif t % 3 == 1:
                yy, xx = np.mgrid[:h, :w]
                m = (yy - rng.uniform(0, h)) ** 2 + (xx - rng.uniform(0, w)) ** 2 < rng.uniform(1, 900)
            else:
                m = np.zeros((h, w), bool)
                m[rng.integers(h):, rng.integers(w):] = True
            enc = rle.encode(m)
            self.assertTrue(all(48 <= ord(c) < 112 for c in enc["counts"]))
            dec = rle.decode(enc)
            self.assertEqual(dec.shape, (h, w))
            self.assertTrue(np.array_equal(dec, m))
            self.assertEqual(rle.area(enc), int(m.sum()))
            self.assertEqual(rle.string_to_counts(enc["counts"]), rle.mask_to_counts(m))

    def test_large_runs(self):
        m = np.zeros((512, 384), bool)
        m[10:500, 3:380] = True
        m[200:220, 100:300] = False
        enc = rle.encode(m)
        self.assertTrue(np.array_equal(rle.decode(enc), m))

    def test_uncompressed_counts(self):
        m = column([0, 40, 1, 2])
        self.assertTrue(np.array_equal(rle.decode({"size": [43, 1], "counts": [0, 40, 1, 2]}), m))

    def test_bad_input(self):
        with self.assertRaises(ValueError):
            rle.decode({"size": [3, 3], "counts": "04"})
        with self.assertRaises(ValueError):
            rle.string_to_counts("T")  # truncated: 'T' says more chunks follow

    def test_bbox(self):
        m = np.zeros((10, 12), bool)
        m[2:5, 3:9] = True
        self.assertEqual(rle.mask_bbox(m), (3, 2, 6, 3))
        self.assertEqual(rle.mask_bbox(np.zeros((4, 4), bool)), (0, 0, 0, 0))


if __name__ == "__main__":
    unittest.main()
