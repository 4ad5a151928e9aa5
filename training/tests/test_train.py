"""Training: matcher, losses, deep-supervision forward, tiny overfit, exact checkpoint/resume."""
import json
import os
import shutil
import tempfile
import unittest

from tests import _common  # noqa: F401  (thread limits)

import numpy as np
import torch

from conceptseg_train import train as T
from conceptseg_train import safetensors_io
from conceptseg_train import train_data as TD
from conceptseg_train.losses import (SetCriterion, TrainingExtras, decoder_layers_forward, dice_loss, forward_train,
                                     TEXT_FINISHES, TEXT_KEYS, full_masks, group_self_bias, text_labels,
                                     union_targets)
from conceptseg_train.matcher import HungarianMatcher, box_cxcywh_to_xyxy, pairwise_giou


def tiny_args(out, *extra):
    return T.parse_args(["--preset", "tiny", "--out", out, "--images-per-step", "2", "--pairs-per-image", "3",
                         "--workers", "0", "--warmup", "2", "--total-steps", "50", "--val-minutes", "0",
                         "--log-every", "1", *extra])


class MatcherTest(unittest.TestCase):
    def test_hand_made_assignment(self):
        # 3 queries, 2 targets: query 2 sits on target 0, query 0 on target 1, query 1 is far away
        boxes = torch.tensor([[[0.7, 0.7, 0.2, 0.2], [0.1, 0.9, 0.05, 0.05], [0.3, 0.3, 0.2, 0.2]]])
        logits = torch.tensor([[0.0, 0.0, 0.0]])
        tgt = [torch.tensor([[0.31, 0.3, 0.2, 0.21], [0.69, 0.71, 0.2, 0.2]])]
        (q, g), = HungarianMatcher()(logits, boxes, tgt)
        self.assertEqual(q.tolist(), [0, 2])
        self.assertEqual(g.tolist(), [1, 0])

    def test_class_cost_breaks_ties(self):
        boxes = torch.tensor([[[0.5, 0.5, 0.2, 0.2], [0.5, 0.5, 0.2, 0.2]]])
        logits = torch.tensor([[-4.0, 4.0]])
        (q, g), = HungarianMatcher()(logits, boxes, [torch.tensor([[0.5, 0.5, 0.2, 0.2]])])
        self.assertEqual(q.tolist(), [1])

    def test_masks_and_empty(self):
        boxes = torch.full((2, 2, 4), 0.5)
        logits = torch.zeros(2, 2)
        masks = torch.full((2, 2, 4, 4), -10.0)
        masks[0, 1, :2, :2] = 10.0                       # query 1 paints target 0's mask
        tm = torch.zeros(1, 4, 4)
        tm[0, :2, :2] = 1.0
        res = HungarianMatcher(w_dice=5.0)(logits, boxes, [torch.full((1, 4), 0.5), torch.zeros(0, 4)],
                                          masks, [tm, torch.zeros(0, 4, 4)])
        self.assertEqual(res[0][0].tolist(), [1])
        self.assertEqual(res[1][0].numel(), 0)

    def test_giou(self):
        a = box_cxcywh_to_xyxy(torch.tensor([[0.5, 0.5, 0.2, 0.2]]))
        b = box_cxcywh_to_xyxy(torch.tensor([[0.5, 0.5, 0.2, 0.2], [0.9, 0.9, 0.1, 0.1]]))
        g = pairwise_giou(a, b)
        self.assertAlmostEqual(float(g[0, 0]), 1.0, places=5)
        self.assertLess(float(g[0, 1]), 0.0)
        self.assertAlmostEqual(float(dice_loss(torch.full((1, 2, 2), 20.0), torch.ones(1, 2, 2))[0]), 0.0, places=4)


class DataTest(unittest.TestCase):
    def test_letterbox_formula_and_targets(self):
        rng = np.random.default_rng(3)
        from conceptseg_train.data import render
        img, inst = render.sample(rng, size=(300, 225))
        sc = TD.make_scene(img, inst, 128)
        self.assertEqual((sc.rw, sc.rh), (128, int(225 * 128 / 300 + 0.5)))
        self.assertTrue((sc.image[sc.rh:] == 0).all())
        x = TD.normalize(sc.image, sc.rw, sc.rh)
        self.assertTrue((x[:, sc.rh:, :] == 0).all())
        if inst:
            self.assertTrue((sc.boxes[:, 2:] > 0).all() and (sc.boxes <= 1.0 + 1e-6).all())
            self.assertEqual(sc.masks.shape[1:], (32, 32))

    def test_batches_are_a_function_of_the_step(self):
        from conceptseg_train.tokenizer import default_tokenizer
        tok = default_tokenizer(16)
        src = TD.SceneSource(5, 128)
        a = TD.make_batch(src, tok, 7, 2, 6, 5, 0.4, 0.4)
        b = TD.make_batch(src, tok, 7, 2, 6, 5, 0.4, 0.4)
        self.assertTrue(torch.equal(a["images"], b["images"]))
        self.assertEqual(a["phrases"], b["phrases"])
        self.assertTrue(torch.equal(a["input_boxes"], b["input_boxes"]))
        # every prompt keeps at least one valid token; held-out combinations never appear
        valid = a["attention_mask"].float() * a["use_text"][:, None]
        self.assertTrue(((valid.sum(1) + (a["input_labels"] >= 0).sum(1)) > 0).all())
        from conceptseg_train.data import concepts as C
        for p in a["phrases"] + b["phrases"]:
            if p:
                for f, k in C.HELD_OUT:
                    self.assertFalse(p.startswith(f + " ") and k in p, p)


class TrainTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cs-train-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_aux_forward_last_layer_equals_decoder_stage(self):
        tr = T.Trainer(tiny_args(self.tmp))
        src = TD.SceneSource(0, 128)
        batch = TD.make_batch(src, tr.tok, 0, 2, 3, 0, 0.3, 0.3)
        m = tr.model.eval()
        with torch.no_grad():
            out = forward_train(m, batch)
            last = out["layers"][-1]
            idx = batch["pair_image"]
            f0, f1, f2, _, _, p2 = m.vision(batch["images"])
            tf, tm = m.text(batch["input_ids"], batch["attention_mask"])
            tm = tm * batch["use_text"][:, None]
            gf, gm = m.geometry(batch["input_boxes"], batch["input_labels"], f1[idx])
            pf, pm = torch.cat((tf, gf), 1), torch.cat((tm, gm), 1)
            (fused,) = m.fusion(f2[idx], p2[idx], pf, pm)
            masks, boxes, logits, pres = m.decoder(fused, f0[idx], f1[idx], p2[idx], pf, pm)
        self.assertEqual(len(out["layers"]), m.cfg.decoder_layers)
        torch.testing.assert_close(last["boxes"], boxes)
        torch.testing.assert_close(last["logits"], logits)
        torch.testing.assert_close(last["presence"], pres)
        torch.testing.assert_close(full_masks(last, out["pix"]), masks, rtol=1e-4, atol=1e-4)

    def test_extra_query_groups_leave_the_first_group_unchanged(self):
        # Group DETR: the exported decoder runs group 0 alone, so its outputs must not depend on
        # the training-only groups (the self-attention bias keeps the groups apart)
        tr = T.Trainer(tiny_args(self.tmp))
        src = TD.SceneSource(0, 128)
        batch = TD.make_batch(src, tr.tok, 0, 2, 3, 0, 0.3, 0.3)
        m = tr.model.eval()
        extras = TrainingExtras(m.cfg, groups=3)
        with torch.no_grad():
            alone = forward_train(m, batch)["layers"]
            grouped = forward_train(m, batch, extras=extras)["layers"]
        for a, g in zip(alone, grouped):
            for k in ("boxes", "logits", "presence", "mask_embed"):
                torch.testing.assert_close(g[k], a[k], rtol=1e-5, atol=1e-5)
            self.assertEqual(len(g["groups"]), 2)
            # the extra groups have queries of their own: their answers differ from group 0's
            self.assertGreater(float((g["groups"][0]["boxes"] - g["boxes"]).abs().max()), 1e-3)

    def test_group_self_bias_blocks(self):
        b = group_self_bias(2, 3, -1e9)[0, 0]
        self.assertEqual(tuple(b.shape), (7, 7))
        blocks = [range(0, 3), range(3, 5), range(5, 7)]
        for i in range(7):
            for j in range(7):
                same = any(i in r and j in r for r in blocks)
                self.assertEqual(float(b[i, j]), 0.0 if same else -1e9, (i, j))

    def test_text_labels(self):
        keys, fins = text_labels(["Brass Washers", "flat washer", "rust", None, "red fasteners"])
        self.assertEqual([TEXT_KEYS[k] for k in keys.tolist() if k >= 0], ["washer", "washer", "rust spot", "fastener"])
        self.assertEqual(keys.tolist()[3], -100)
        self.assertEqual([TEXT_FINISHES[f] for f in fins.tolist() if f >= 0], ["brass", "", "", "red"])

    def test_union_targets(self):
        t = [torch.tensor([[[1.0, 0.0], [0.0, 0.0]], [[0.5, 0.0], [0.0, 0.25]]]), torch.zeros(0, 2, 2)]
        u = union_targets(t, torch.zeros(2, 2))
        torch.testing.assert_close(u, torch.tensor([[[1.0, 0.0], [0.0, 0.25]], [[0.0, 0.0], [0.0, 0.0]]]))

    def test_dense_losses_train_the_pixel_embedding(self):
        tr = T.Trainer(tiny_args(self.tmp, "--query-groups", "2"))
        src = TD.SceneSource(2, 128)
        batch = TD.make_batch(src, tr.tok, 0, 2, 3, 0, 0.3, 0.3)
        out = forward_train(tr.model, batch, extras=tr.extras)
        loss, logs = tr.criterion(out, batch)
        for k in ("sem_bce", "sem_dice", "sem_tok", "text_key", "text_finish"):
            self.assertIn(k, logs)
            self.assertTrue(np.isfinite(logs[k]), logs)
        loss.backward()
        self.assertIsNotNone(tr.extras.sem_pix.weight.grad)
        self.assertGreater(float(tr.extras.group_query_embed.grad.abs().sum()), 0.0)
        self.assertGreater(float(tr.model.decoder.pixel.conv_0.weight.grad.abs().sum()), 0.0)

    def test_cls_on_negatives_adds_the_negative_pairs_queries(self):
        tr = T.Trainer(tiny_args(self.tmp))
        src = TD.SceneSource(3, 128)
        batch = TD.make_batch(src, tr.tok, 0, 2, 3, 0, 0.0, 0.0)
        self.assertTrue(bool((batch["present"] < 0.5).any()) and bool((batch["present"] > 0.5).any()))
        with torch.no_grad():
            out = forward_train(tr.model, batch)
        only_pos = SetCriterion(HungarianMatcher()).layer_losses(out["layers"][-1], out["pix"], batch, True)[0]["cls"]
        every = SetCriterion(HungarianMatcher(), cls_on_negatives=True).layer_losses(
            out["layers"][-1], out["pix"], batch, True)[0]["cls"]
        self.assertGreater(float(every), float(only_pos))

    def test_init_from_copies_weights_only(self):
        tr = T.Trainer(tiny_args(self.tmp))
        tr.step = 7
        tr.save_model("best.pt")
        other = os.path.join(self.tmp, "b")
        tr2 = T.Trainer(tiny_args(other, "--seed", "5", "--init-from", os.path.join(self.tmp, "best.pt")))
        for (n, p), q in zip(tr.model.state_dict().items(), tr2.model.state_dict().values()):
            torch.testing.assert_close(p, q, msg=n)
        self.assertEqual(tr2.step, 0)
        self.assertEqual(tr2.init_from["step"], 7)
        with self.assertRaises(SystemExit):
            T.Trainer(tiny_args(os.path.join(self.tmp, "c"), "--init-from", os.path.join(self.tmp, "none.pt")))

    def test_init_from_a_package_folder_and_run_extras(self):
        # a warm start where only the exported package and the run's extras.safetensors survive
        tr = T.Trainer(tiny_args(self.tmp))
        with torch.no_grad():
            tr.extras.text_key.weight.normal_()
        tr.save()
        pkg = os.path.join(os.path.dirname(__file__), "..", "..", "model-inspection", "packages", "inspection-tiny")
        tr2 = T.Trainer(tiny_args(os.path.join(self.tmp, "b"), "--init-from", pkg, "--init-extras",
                                  os.path.join(self.tmp, "extras.safetensors")))
        weights, _ = safetensors_io.load_torch(os.path.join(pkg, "weights.safetensors"))
        for n, p in tr2.model.state_dict().items():
            torch.testing.assert_close(p, weights[n].float(), msg=n)
        torch.testing.assert_close(tr2.extras.text_key.weight, tr.extras.text_key.weight)
        self.assertIn("text_key.weight", tr2.init_from["extras"])
        junk = os.path.join(self.tmp, "junk.safetensors")
        with open(junk, "wb") as f:
            f.write(b"abc")
        for args, message in ((["--init-from", self.tmp], "not a model package"),
                              (["--init-from", pkg, "--init-extras", junk + ".x"], "no such file"),
                              (["--init-from", pkg, "--init-extras", junk], "not a safetensors file")):
            with self.assertRaises(SystemExit) as cm:
                T.Trainer(tiny_args(os.path.join(self.tmp, "c"), *args))
            self.assertIn(message, str(cm.exception))

    def test_device_choice(self):
        self.assertEqual(T.training_device("cpu").type, "cpu")
        self.assertEqual(T.training_device("auto").type, "cuda" if torch.cuda.is_available() else "cpu")
        with self.assertRaises(SystemExit) as cm:
            T.training_device("tpu")
        self.assertIn("--device tpu: not a device", str(cm.exception))
        if not torch.cuda.is_available():
            with self.assertRaises(SystemExit) as cm:
                T.training_device("cuda")
            self.assertIn("no CUDA device", str(cm.exception))
        batch = {"a": torch.zeros(2), "m": [torch.ones(1)], "phrases": ["nut", None], "n": 3}
        moved = T.to_device(batch, torch.device("cpu"))
        self.assertEqual(moved["phrases"], ["nut", None])
        self.assertIsInstance(moved["m"], list)
        self.assertEqual(moved["n"], 3)

    @unittest.skipUnless(torch.cuda.is_available(), "no CUDA device")
    def test_cuda_step_matches_cpu_step(self):
        src = TD.SceneSource(4, 128)
        losses = {}
        for dev in ("cpu", "cuda"):
            tr = T.Trainer(tiny_args(os.path.join(self.tmp, dev), "--device", dev))
            batch = TD.make_batch(src, tr.tok, 0, 2, 3, 1, 0.3, 0.3)
            losses[dev] = tr.train_step(batch)["loss"]
        self.assertAlmostEqual(losses["cpu"], losses["cuda"], delta=1e-3 * abs(losses["cpu"]))

    def test_committed_warm_start_extras_fit_their_packages(self):
        root = os.path.join(os.path.dirname(__file__), "..")
        files = sorted(f for f in os.listdir(os.path.join(root, "warm-start")) if f.endswith(".extras.safetensors"))
        self.assertTrue(files, "training/warm-start holds no extras")
        for f in files:
            pkg = os.path.join(root, "..", "model-inspection", "packages", f[:-len(".extras.safetensors")])
            self.assertTrue(os.path.isdir(pkg), f"{f}: no package {os.path.basename(pkg)}")
            with open(os.path.join(pkg, "model.json")) as fh:
                cfg = T.ModelConfig.from_dict(json.load(fh)["dims"])
            own = TrainingExtras(cfg, 1).state_dict()
            extras = T.read_extras(os.path.join(root, "warm-start", f))
            self.assertEqual(sorted(extras), sorted(own), f)
            for k, v in extras.items():
                self.assertEqual(tuple(v.shape), tuple(own[k].shape), f"{f}: {k}")
                self.assertTrue(bool(torch.isfinite(v).all()), f"{f}: {k}")
            # trained, not freshly initialised: nn.Linear starts within 1/sqrt(D) (0.10 at D = 96)
            self.assertGreater(float(extras["text_key.weight"].abs().max()), 2.0 / cfg.d_model ** 0.5, f)

    def test_overfit_one_batch(self):
        tr = T.Trainer(tiny_args(self.tmp, "--lr", "2e-3"))
        src = TD.SceneSource(1, 128)
        batch = TD.make_batch(src, tr.tok, 0, 2, 3, 1, 0.3, 0.3)
        losses = [tr.train_step(batch)["loss"] for _ in range(12)]
        self.assertTrue(all(np.isfinite(losses)), losses)
        self.assertLess(np.mean(losses[-3:]), 0.8 * np.mean(losses[:3]), losses)

    def test_resume_gives_identical_next_loss(self):
        # 2 steps, checkpoint, resume for 1 step == 3 uninterrupted steps (loss and weights)
        out = os.path.join(self.tmp, "run")
        T.Trainer(tiny_args(out, "--max-steps", "2")).run()
        resumed = T.Trainer(tiny_args(out, "--max-steps", "3", "--resume"))
        self.assertEqual(resumed.step, 2)
        got = resumed.run()
        out2 = os.path.join(self.tmp, "run2")
        straight = T.Trainer(tiny_args(out2, "--max-steps", "3")).run()
        self.assertEqual(got["loss"], straight["loss"])
        a = torch.load(os.path.join(out, "last.pt"))
        b = torch.load(os.path.join(out2, "last.pt"))
        self.assertEqual(a["step"], 3)
        for k in a["model"]:
            self.assertTrue(torch.equal(a["model"][k], b["model"][k]), k)

    def test_metrics_and_calibration_on_hand_made_records(self):
        iou = np.array([[0.9, 0.0], [0.0, 0.8], [0.1, 0.1]])
        pos = {"logits": np.array([1.0, 1.0, -6.0]), "presence": 0.0, "iou": iou, "present": True}
        neg = {"logits": np.array([-1.0, -1.0, -6.0]), "presence": -3.0, "iou": np.zeros((3, 0)),
               "present": False}
        m = T.metrics([pos, neg])                     # 0.73 * 0.5 < 0.5: nothing kept
        self.assertEqual(m["il"], {"tp": 0, "fp": 0, "tn": 1, "fn": 1})
        self.assertEqual(m["cgf1"], 0.0)
        m = T.metrics([pos, neg], d_presence=3.0)     # 0.73 * 0.95 >= 0.5: both matches kept
        self.assertEqual(m["il"], {"tp": 1, "fp": 0, "tn": 1, "fn": 0})
        self.assertAlmostEqual(m["f1_50"], 1.0)
        self.assertAlmostEqual(m["pmf1"], np.mean([1.0] * 7 + [0.5] * 2 + [0.0]))
        dl, dp, best = T.calibrate([pos, neg])
        self.assertGreaterEqual(best["cgf1"], m["cgf1"] - 1e-9)
        self.assertEqual(best["il"]["fp"], 0)

    def test_duplicates_are_dropped_best_score_first(self):
        # queries 0 and 1 both cover ground truth 0 (their masks overlap at IoU 0.6); query 2 covers truth 1
        iou = np.array([[0.9, 0.0], [0.7, 0.0], [0.0, 0.8]])
        self_iou = np.array([[1.0, 0.6, 0.0], [0.6, 1.0, 0.0], [0.0, 0.0, 1.0]])
        rec = {"logits": np.array([2.0, 3.0, 2.0]), "presence": 10.0, "iou": iou, "present": True,
               "self_iou": self_iou}
        kept = T.drop_duplicates(np.array([True, True, True]), np.array([0.8, 0.9, 0.8]), self_iou, 0.5)
        self.assertEqual(kept.tolist(), [False, True, True])      # query 1 scores best and stays
        self.assertEqual(T.drop_duplicates(np.array([True, True, True]), np.ones(3), self_iou, 0.6).tolist(),
                         [True, True, True])                      # 0.6 is not above 0.6
        self.assertEqual(T.metrics([rec])["f1_50"], 0.8)          # 2 tp, 1 fp, 0 fn without suppression
        self.assertEqual(T.metrics([rec], duplicate_iou=0.5)["f1_50"], 1.0)

    def test_validation_figures(self):
        tr = T.Trainer(tiny_args(self.tmp))
        scenes, pairs = TD.validation_set(128, 3, 2)
        v = T.evaluate(tr.model, tr.tok, scenes, pairs)
        for k in ("presence_acc", "il_mcc", "f1_50", "pmf1", "cgf1", "miou_oracle"):
            self.assertTrue(np.isfinite(v[k]), k)
        self.assertEqual(v["pairs"], len(pairs))


if __name__ == "__main__":
    unittest.main()
