"""Concept vocabulary: every phrase form of the spec, matching, groups, held-out combinations."""
import os
import sys
import unittest

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

from conceptseg_train.data import concepts as C  # noqa: E402


def inst(kind, finish=None):
    return {"kind": kind, "finish": finish}


class Vocabulary(unittest.TestCase):
    def test_spec_phrases_present(self):
        v = set(C.vocabulary())
        for p in ["washer", "flat washer", "nut", "hex nut", "screw", "bolt", "gear", "cog",
                  "gear wheel", "scratch", "scratch mark", "crack", "fracture", "hole", "puncture",
                  "dent", "rust spot", "rust", "corrosion", "stain", "oil stain", "smudge",
                  "fastener", "part", "defect", "brass washer", "black nuts", "red gear",
                  "washers", "hex nuts", "bolts", "cogs", "gear wheels", "scratches",
                  "scratch marks", "cracks", "holes", "dents", "rust spots", "stains", "smudges",
                  "fasteners", "parts", "defects", "silver hex nuts", "blue gear wheels"]:
            self.assertIn(p, v)
        self.assertEqual(len(v), len(C.vocabulary()))  # no duplicates
        for f in C.FINISH_NAMES:
            for k in C.PART_KINDS:
                self.assertIn(f + " " + k, v)
                self.assertIn(C.plural_of(f + " " + k), v)

    def test_every_phrase_parses(self):
        for p in C.vocabulary():
            self.assertEqual(C.parse(p).phrase, p)

    def test_normalisation(self):
        self.assertTrue(C.matches("  Brass   WASHERS ", inst("washer", "brass")))

    def test_unknown_phrases(self):
        for p in ["banana", "brass hole", "red scratch", "green nut", "", "brass"]:
            with self.assertRaises(ValueError):
                C.parse(p)
            self.assertFalse(C.is_concept(p))


class Matching(unittest.TestCase):
    def test_parts_and_synonyms(self):
        self.assertTrue(C.matches("bolt", inst("screw", "red")))
        self.assertTrue(C.matches("cogs", inst("gear", "black")))
        self.assertTrue(C.matches("hex nut", inst("nut", "silver")))
        self.assertFalse(C.matches("nut", inst("washer", "silver")))

    def test_finish_part(self):
        self.assertTrue(C.matches("brass washer", inst("washer", "brass")))
        self.assertFalse(C.matches("brass washer", inst("washer", "silver")))
        self.assertFalse(C.matches("brass washer", inst("nut", "brass")))
        self.assertTrue(C.matches("red gear wheels", inst("gear", "red")))

    def test_defects_and_synonyms(self):
        self.assertTrue(C.matches("corrosion", inst("rust spot")))
        self.assertTrue(C.matches("rust", inst("rust spot")))
        self.assertTrue(C.matches("smudge", inst("stain")))
        self.assertTrue(C.matches("fracture", inst("crack")))
        self.assertTrue(C.matches("puncture", inst("hole")))

    def test_hole_is_only_the_defect(self):
        for k in C.PART_KINDS:
            self.assertFalse(C.matches("hole", inst(k, "silver")))
            self.assertFalse(C.matches("holes", inst(k, "black")))
        self.assertTrue(C.matches("hole", inst("hole")))

    def test_groups(self):
        for k in ("washer", "nut", "screw"):
            self.assertTrue(C.matches("fastener", inst(k, "blue")))
        self.assertFalse(C.matches("fasteners", inst("gear", "blue")))
        for k in C.PART_KINDS:
            self.assertTrue(C.matches("parts", inst(k, "red")))
            self.assertFalse(C.matches("defect", inst(k, "red")))
        for k in C.DEFECT_KINDS:
            self.assertTrue(C.matches("defects", inst(k)))
            self.assertFalse(C.matches("part", inst(k)))

    def test_objects_with_attributes(self):
        class I:
            kind, finish = "nut", "blue"
        self.assertTrue(C.matches("blue nuts", I()))


class HeldOut(unittest.TestCase):
    def test_constant(self):
        self.assertIn(("copper", "gear"), C.HELD_OUT)
        self.assertIn(("blue", "screw"), C.HELD_OUT)
        self.assertIn(("black", "washer"), C.HELD_OUT)
        for f, k in C.HELD_OUT:
            self.assertIn(f, C.FINISH_NAMES)
            self.assertIn(k, C.PART_KINDS)

    def test_phrases(self):
        self.assertTrue(C.is_held_out("copper gears"))
        self.assertTrue(C.is_held_out("blue bolts"))
        self.assertTrue(C.is_held_out("black flat washer"))
        self.assertFalse(C.is_held_out("copper nut"))
        self.assertFalse(C.is_held_out("gear"))
        v = C.vocabulary(include_held_out=False)
        self.assertFalse(any(C.is_held_out(p) for p in v))
        self.assertIn("copper nut", v)
        self.assertIn("gear", v)


if __name__ == "__main__":
    unittest.main()
