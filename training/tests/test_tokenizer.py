import os as _os
import sys as _sys

_HERE = _os.path.dirname(_os.path.abspath(__file__))
for _p in (_HERE, _os.path.dirname(_HERE)):      # _common, conceptseg_train (with or without -t .)
    if _p not in _sys.path:
        _sys.path.insert(0, _p)

import json
import os
import unittest

from _common import TINY_PACKAGE  # noqa: F401  (thread set-up)
from conceptseg_train.tokenizer import (BOS, EOS, FIXTURE_PHRASES, FIXTURE_TOO_LONG, PAD, UNK,
                                        DOMAIN_CONCEPT_WORDS, TokenizerError, build_vocab,
                                        default_tokenizer, fixture_entries, split_words)

DOMAIN_PHRASES = [
    "washer", "flat washer", "nut", "hex nut", "screw", "bolt", "gear", "cog", "gear wheel",
    "scratch", "scratch mark", "crack", "fracture", "hole", "puncture", "dent", "rust spot",
    "rust", "corrosion", "stain", "oil stain", "smudge", "fastener", "part", "defect",
] + [f"{f} {p}" for f in ("silver", "brass", "black", "copper", "red", "blue")
     for p in ("washer", "nut", "screw", "bolt", "gear", "cog")]


def plural(phrase):
    head, _, last = phrase.rpartition(" ")
    last = last + ("es" if last.endswith(("s", "sh", "ch", "x", "z")) else "s")
    return (head + " " + last).strip()


class TokenizerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tok = default_tokenizer(16)

    def test_special_ids_fixed(self):
        v = build_vocab()
        self.assertEqual(v[:4], [PAD, UNK, BOS, EOS])
        self.assertEqual(self.tok.special_ids(), {"pad_id": 0, "unk_id": 1, "bos_id": 2, "eos_id": 3})

    def test_vocab_deterministic_and_unique(self):
        self.assertEqual(build_vocab(), build_vocab())
        self.assertEqual(len(set(build_vocab())), len(build_vocab()))

    def test_vocab_covers_letters_digits(self):
        v = set(build_vocab())
        for c in "abcdefghijklmnopqrstuvwxyz0123456789":
            self.assertIn(c, v)
            self.assertIn("##" + c, v)

    def test_domain_phrases_are_whole_words(self):
        for p in DOMAIN_PHRASES:
            self.assertEqual(self.tok.tokenize(p), p.split(), p)

    def test_plurals_use_suffix_pieces(self):
        for p in DOMAIN_PHRASES:
            if p in ("rust", "corrosion"):
                continue
            toks = self.tok.tokenize(plural(p))
            suffix = "##es" if plural(p).endswith(("ches", "shes", "xes")) else "##s"
            self.assertEqual(toks, p.split() + [suffix], plural(p))
        self.assertEqual(self.tok.tokenize("scratches"), ["scratch", "##es"])
        self.assertEqual(self.tok.tokenize("smudges"), ["smudge", "##s"])

    def test_data_concepts_known(self):
        try:
            from conceptseg_train.data import concepts
        except Exception as e:  # the generator package is owned elsewhere; skip if absent
            self.skipTest(f"conceptseg_train.data not importable: {e}")
        for phrase in concepts.vocabulary():
            ids, _ = self.tok.encode(phrase)
            self.assertNotIn(self.tok.unk_id, ids, phrase)

    def test_every_domain_word_in_vocab(self):
        for w in DOMAIN_CONCEPT_WORDS:
            self.assertIn(w, self.tok.ids)

    def test_encode_layout(self):
        ids, mask = self.tok.encode("brass washers")
        t = self.tok.ids
        self.assertEqual(ids[:5], [t[BOS], t["brass"], t["washer"], t["##s"], t[EOS]])
        self.assertEqual(ids[5:], [0] * 11)
        self.assertEqual(mask, [1] * 5 + [0] * 11)

    def test_case_whitespace_punctuation(self):
        self.assertEqual(self.tok.tokenize("  Rust-Spot!\t"), ["rust", "-", "spot", "!"])
        self.assertEqual(self.tok.tokenize("BRASS\u00a0washer"), ["brass", "washer"])   # NBSP is Zs
        self.assertEqual(split_words("a,b  c"), ["a", ",", "b", "c"])
        self.assertEqual(split_words("x\u2014y"), ["x", "\u2014", "y"])                  # em dash: Pd

    def test_unknown(self):
        self.assertEqual(self.tok.tokenize("café"), [UNK])
        self.assertEqual(self.tok.tokenize("xyz"), ["x", "##y", "##z"])
        self.assertEqual(self.tok.tokenize("a" * 101), [UNK])

    def test_empty_and_exact_fit(self):
        ids, mask = self.tok.encode("")
        self.assertEqual(ids[:2], [2, 3])
        self.assertEqual(sum(mask), 2)
        ids, mask = self.tok.encode(" ".join("abcdefghijklmn"))
        self.assertEqual(sum(mask), 16)
        self.assertEqual(ids[-1], 3)

    def test_too_long_is_error(self):
        for t in FIXTURE_TOO_LONG:
            with self.assertRaises(TokenizerError):
                self.tok.encode(t)

    def test_vocab_file_round_trip(self):
        import tempfile
        from conceptseg_train.tokenizer import WordPieceTokenizer
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "vocab.txt")
            self.tok.save(p)
            t2 = WordPieceTokenizer.from_file(p, 16)
        self.assertEqual(t2.vocab, self.tok.vocab)
        for text in FIXTURE_PHRASES:
            self.assertEqual(t2.encode(text), self.tok.encode(text))

    def test_committed_fixture_matches(self):
        path = os.path.join(TINY_PACKAGE, "fixtures", "tokenizer.json")
        if not os.path.exists(path):
            self.skipTest("no committed package")
        with open(path, encoding="utf-8") as f:
            self.assertEqual(json.load(f), fixture_entries(self.tok))
        with open(os.path.join(TINY_PACKAGE, "tokenizer", "vocab.txt"), encoding="utf-8") as f:
            self.assertEqual(f.read().split("\n")[:-1], self.tok.vocab)


if __name__ == "__main__":
    unittest.main()
