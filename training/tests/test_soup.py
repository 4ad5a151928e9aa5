"""Model soup: the mean of two checkpoints' weights, and clear errors when they do not fit."""
import os
import tempfile
import unittest

from tests import _common  # noqa: F401  (thread limits)

import torch

from conceptseg_train import safetensors_io, soup


def checkpoint(path, weight, bias, vocab=("a", "b"), extras=None):
    ck = {"model": {"w": weight, "b": bias, "steps": torch.tensor(3)}, "vocab": list(vocab),
          "optimizer": {"state": 1}, "step": 7}
    if extras is not None:
        ck["extras"] = extras
    torch.save(ck, path)
    return path


class Soup(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.first = checkpoint(os.path.join(self.dir, "a.pt"), torch.tensor([1.0, 2.0]), torch.tensor([0.0]),
                                extras={"e": torch.tensor([4.0])})

    def tearDown(self):
        self.tmp.cleanup()

    def test_weighted_mean_of_weights_and_extras(self):
        second = checkpoint(os.path.join(self.dir, "b.pt"), torch.tensor([3.0, 6.0]), torch.tensor([2.0]),
                            extras={"e": torch.tensor([8.0])})
        path = soup.make_soup(self.first, second, 0.25, os.path.join(self.dir, "out"))
        ck = torch.load(path)
        self.assertTrue(torch.allclose(ck["model"]["w"], torch.tensor([1.5, 3.0])))
        self.assertTrue(torch.allclose(ck["model"]["b"], torch.tensor([0.5])))
        self.assertEqual(int(ck["model"]["steps"]), 3)
        self.assertNotIn("optimizer", ck)
        self.assertEqual(ck["soup"]["weight"], 0.25)
        extras, _ = safetensors_io.load_torch(os.path.join(self.dir, "out", "extras.safetensors"))
        self.assertTrue(torch.allclose(extras["e"], torch.tensor([5.0])))

    def test_checkpoints_that_do_not_fit_are_refused_by_name(self):
        cases = {
            "vocabulary": checkpoint(os.path.join(self.dir, "v.pt"), torch.zeros(2), torch.zeros(1), vocab=("a", "c")),
            "has shape": checkpoint(os.path.join(self.dir, "s.pt"), torch.zeros(3), torch.zeros(1)),
        }
        for words, other in cases.items():
            with self.subTest(words), self.assertRaises(ValueError) as e:
                soup.make_soup(self.first, other, 0.5, os.path.join(self.dir, "out"))
            self.assertIn(words, str(e.exception))
            self.assertIn(os.path.basename(other), str(e.exception))
        with self.assertRaises(ValueError):
            soup.make_soup(self.first, self.first, 1.0, os.path.join(self.dir, "out"))

    def test_kept_runs_in_warm_start_fit_the_shipped_package(self):
        """Each training/warm-start/vN/ folder is kept for a later soup with the shipped model."""
        from conceptseg_train.train import read_initial_checkpoint
        model_bundle = os.path.join(_common.REPO, "model-inspection")
        with open(os.path.join(model_bundle, "bnd.bnd")) as f:
            shipped = [line.split(":", 1)[1].strip() for line in f if line.startswith("embedded.package:")][0]
        package = read_initial_checkpoint(os.path.join(model_bundle, "packages", shipped))
        warm_start = os.path.join(_common.TRAINING, "warm-start")
        kept = [d for d in sorted(os.listdir(warm_start)) if os.path.isdir(os.path.join(warm_start, d))]
        for d in kept:
            with self.subTest(d):
                run = read_initial_checkpoint(os.path.join(warm_start, d))
                self.assertEqual(run["vocab"], package["vocab"])
                self.assertEqual({k: tuple(v.shape) for k, v in run["model"].items()},
                                 {k: tuple(v.shape) for k, v in package["model"].items()})


if __name__ == "__main__":
    unittest.main()
