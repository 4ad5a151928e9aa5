import os as _os
import sys as _sys

_HERE = _os.path.dirname(_os.path.abspath(__file__))
for _p in (_HERE, _os.path.dirname(_HERE)):      # _common, conceptseg_train (with or without -t .)
    if _p not in _sys.path:
        _sys.path.insert(0, _p)

import unittest

import torch

from _common import tiny_model
from conceptseg_train.config import ModelConfig, preset
from conceptseg_train.export import build_prompt, fixture_geometry
from conceptseg_train.model import STAGES, build_model, count_parameters, stage_signatures


def concrete(shape, B, N=3, P=7):
    return [{"B": B, "N": N, "P": P}.get(s, s) for s in shape]


class ModelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model, cls.tok = tiny_model()
        cls.cfg = cls.model.cfg

    def inputs(self, stage, B, N=3, P=7, seed=0):
        g = torch.Generator().manual_seed(seed)
        out = []
        for name, dtype, shape in stage_signatures(self.cfg)[stage]["inputs"]:
            shp = concrete(shape, B, N, P)
            if name == "input_ids":
                out.append(self.tok.encode_batch(["brass washer", "rust spots", "dent"][:B] * B)[0][:B])
            elif name == "attention_mask":
                out.append(self.tok.encode_batch(["brass washer", "rust spots", "dent"][:B] * B)[1][:B])
            elif name == "input_labels":
                out.append(torch.randint(-1, 4, shp, generator=g))
            elif name == "input_boxes":
                out.append(torch.rand(shp, generator=g))
            elif name.endswith("_mask"):
                m = (torch.rand(shp, generator=g) > 0.3).float()
                m[:, 0] = 1.0
                out.append(m)
            else:
                out.append(torch.randn(shp, generator=g))
        return out

    def test_stage_shapes(self):
        with torch.no_grad():
            for stage in STAGES:
                for B, N, P in ((1, 1, 1), (3, 4, 9)):
                    outs = self.model.stage(stage)(*self.inputs(stage, B, N, P))
                    sig = stage_signatures(self.cfg)[stage]["outputs"]
                    self.assertEqual(len(outs), len(sig))
                    for (name, _, shape), t in zip(sig, outs):
                        self.assertEqual(list(t.shape), concrete(shape, B, N, P), f"{stage}.{name}")
                        self.assertEqual(t.dtype, torch.float32)
                        self.assertTrue(torch.isfinite(t).all(), f"{stage}.{name}")

    def test_weights_budget(self):
        n = sum(t.numel() for t in self.model.state_dict().values())
        self.assertLess(n * 4, 1.5e6, "tiny weights must stay well under 2 MB")

    def test_init_deterministic(self):
        m2, _ = tiny_model()
        for (k, a), (_, b) in zip(self.model.state_dict().items(), m2.state_dict().items()):
            self.assertTrue(torch.equal(a, b), k)

    def test_outputs_not_degenerate(self):
        with torch.no_grad():
            masks, boxes, logits, presence = self.model.decoder(*self.inputs("decoder", 2))
        self.assertGreater(float(logits.std()), 0.3)
        self.assertGreater(float(boxes.std()), 0.05)
        self.assertTrue(0.05 < float((masks > 0).float().mean()) < 0.95)

    def test_padding_does_not_matter(self):
        """Compact and full prompt forms, and extra padding, give the same outputs."""
        with torch.no_grad():
            f = self.model.vision(torch.randn(2, 3, 128, 128, generator=torch.Generator().manual_seed(3)))
            tf, tm = self.model.text(*self.tok.encode_batch(["brass washers", "scratch mark"]))
            boxes, labels = fixture_geometry()
            gf, gm = self.model.geometry(boxes, labels, f[1])
            compact = build_prompt(tf, tm, gf, gm)
            full = (torch.cat([tf, gf], 1), torch.cat([tm, gm], 1))
            padded = (torch.cat([compact[0], torch.randn(2, 5, 32)], 1),
                      torch.cat([compact[1], torch.zeros(2, 5)], 1))
            res = []
            for pf, pm in (compact, full, padded):
                (fused,) = self.model.fusion(f[2], f[5], pf, pm)
                res.append((fused,) + tuple(self.model.decoder(fused, f[0], f[1], f[5], pf, pm)))
        for other in res[1:]:
            for a, b in zip(res[0], other):
                self.assertLess(float((a - b).abs().max()), 1e-5)

    def test_geometry_point_is_value_at_point(self):
        """A point pools the bilinear value at the point: at a pixel centre, that pixel."""
        feat = torch.randn(1, 32, 16, 16)
        # pixel (row 5, col 9) centre in normalised coords
        pt = torch.tensor([[[(9 + 0.5) / 16, (5 + 0.5) / 16, 0.0, 0.0]]])
        g = self.model.geometry
        with torch.no_grad():
            out, mask = g(pt, torch.tensor([[3]]), feat)
            expect = g.norm(g.box_proj(pt[0, 0]) + g.label_embed.weight[3] + g.pool_proj(feat[0, :, 5, 9]))
        self.assertLess(float((out[0, 0] - expect).abs().max()), 1e-5)
        self.assertEqual(mask.tolist(), [[1.0]])

    def test_padding_rows_zero(self):
        with torch.no_grad():
            tf, tm = self.model.text(*self.tok.encode_batch(["nut"]))
            gf, gm = self.model.geometry(torch.rand(1, 2, 4), torch.tensor([[1, -1]]), torch.randn(1, 32, 16, 16))
        self.assertTrue(torch.equal(tf[0, 3:], torch.zeros(13, 32)))
        self.assertEqual(tm[0].tolist(), [1.0] * 3 + [0.0] * 13)
        self.assertTrue(torch.equal(gf[0, 1], torch.zeros(32)))
        self.assertEqual(gm.tolist(), [[1.0, 0.0]])

    def test_full_forward_composes_stages(self):
        g = torch.Generator().manual_seed(5)
        img = torch.randn(2, 3, 128, 128, generator=g)
        ids, am = self.tok.encode_batch(["red gear", "hole"])
        boxes, labels = fixture_geometry()
        with torch.no_grad():
            out = self.model(img, ids, am, boxes, labels)
            f = self.model.vision(img)
            tf, tm = self.model.text(ids, am)
            gf, gm = self.model.geometry(boxes, labels, f[1])
            pf, pm = torch.cat([tf, gf], 1), torch.cat([tm, gm], 1)
            (fused,) = self.model.fusion(f[2], f[5], pf, pm)
            dec = self.model.decoder(fused, f[0], f[1], f[5], pf, pm)
        for name, t in zip(("pred_masks", "pred_boxes", "pred_logits", "presence_logits"), dec):
            self.assertTrue(torch.equal(out[name], t), name)
        # text-only and geometry-only prompts work too
        with torch.no_grad():
            self.assertEqual(self.model(img, ids, am)["pred_logits"].shape, (2, 16))
            self.assertEqual(self.model(img, input_boxes=boxes, input_labels=labels)["pred_masks"].shape,
                             (2, 16, 32, 32))

    def test_trainable(self):
        m = build_model(self.cfg, seed=1).train()
        img = torch.randn(1, 3, 128, 128)
        ids, am = self.tok.encode_batch(["washer"])
        boxes, labels = fixture_geometry()
        out = m(img.expand(2, -1, -1, -1), ids.expand(2, -1), am.expand(2, -1), boxes, labels)
        loss = out["pred_masks"].mean() + out["pred_logits"].sum() + out["presence_logits"].sum() + out["pred_boxes"].sum()
        loss.backward()
        missing = [n for n, p in m.named_parameters() if p.grad is None]
        self.assertEqual(missing, [])

    def test_fusion_position_input(self):
        """fusion_pos_input = 1: the fused tokens start from feature + position (numpy reference of
        docs/model-architecture.md agrees); 0 is absent from the dims (older packages unchanged)."""
        from conceptseg_train.numpy_ref import Reference
        cfg = self.cfg.replace(fusion_pos_input=1)
        self.assertNotIn("fusion_pos_input", self.cfg.to_dict())
        self.assertEqual(cfg.to_dict()["fusion_pos_input"], 1)
        self.assertEqual(ModelConfig.from_dict(cfg.to_dict()), cfg)
        m = build_model(cfg, seed=3)
        ins = self.inputs("fusion", 1)
        with torch.no_grad():
            (with_pos,) = m.fusion(*ins)
            m.fusion.pos_input = False
            (without,) = m.fusion(*ins)
        self.assertGreater(float((with_pos - without).abs().max()), 1e-2)
        ref = Reference({k: v.numpy() for k, v in m.state_dict().items()}, cfg.to_dict())
        out = ref.fusion(*[t[0].numpy() for t in ins])["fused_features"]
        self.assertLess(float(abs(out - with_pos[0].numpy()).max()), 1e-4)

    def test_fusion_film(self):
        """fusion_film = 1: zero-initialised (the layer computes what it did without it); with
        weights, the FFN input is scaled by 1 + Linear(prompt summary), as the reference says."""
        from conceptseg_train.numpy_ref import Reference
        cfg = self.cfg.replace(fusion_film=1)
        self.assertEqual(cfg.to_dict()["fusion_film"], 1)
        self.assertNotIn("fusion_film", self.cfg.to_dict())
        m = build_model(cfg, seed=3)
        plain = build_model(self.cfg, seed=3)
        missing, unexpected = m.load_state_dict(plain.state_dict(), strict=False)
        self.assertEqual(([k for k in missing if ".film." not in k], unexpected), ([], []))
        ins = self.inputs("fusion", 2)
        with torch.no_grad():
            torch.testing.assert_close(m.fusion(*ins)[0], plain.fusion(*ins)[0])
            for layer in m.fusion.layers:
                layer.film.weight.normal_(0, 0.3)
                layer.film.bias.normal_(0, 0.3)
            (filmed,) = m.fusion(*ins)
        self.assertGreater(float((filmed - plain.fusion(*ins)[0]).abs().max()), 1e-2)
        ref = Reference({k: v.numpy() for k, v in m.state_dict().items()}, cfg.to_dict())
        for b in range(2):
            out = ref.fusion(*[t[b].numpy() for t in ins])["fused_features"]
            self.assertLess(float(abs(out - filmed[b].numpy()).max()), 1e-4)

    def test_dense_queries(self):
        """dense_queries = 1: the fused tokens are the queries (Q = h2^2), boxes relative to their
        cell; a zero box head predicts the cell's reference box; the NumPy reference agrees."""
        from conceptseg_train.numpy_ref import Reference
        with self.assertRaises(ValueError):
            self.cfg.replace(dense_queries=1)          # tiny has Q = 16, not 8 x 8
        cfg = self.cfg.replace(dense_queries=1, queries=64)
        m = build_model(cfg, seed=4)
        self.assertFalse(hasattr(m.decoder, "query_embed"))
        ins = self.inputs("decoder", 2)
        with torch.no_grad():
            masks, boxes, logits, pres = m.decoder(*ins)
            self.assertEqual(tuple(masks.shape), (2, 64, 32, 32))
            m.decoder.box_head.layers[-1].weight.zero_()
            m.decoder.box_head.layers[-1].bias.zero_()
            _, ref_boxes, _, _ = m.decoder(*ins)
        # cell (row 2, column 5) of the 8 x 8 grid: centre ((5 + .5) / 8, (2 + .5) / 8), side 2 / 8
        torch.testing.assert_close(ref_boxes[0, 2 * 8 + 5], torch.tensor([5.5 / 8, 2.5 / 8, 0.25, 0.25]))
        ref = Reference({k: v.numpy() for k, v in build_model(cfg, seed=4).state_dict().items()}, cfg.to_dict())
        out = ref.decoder(*[t[1].numpy() for t in ins])
        for name, t in (("pred_masks", masks), ("pred_boxes", boxes), ("pred_logits", logits), ("presence_logits", pres)):
            self.assertLess(float(abs(out[name] - t[1].numpy()).max()), 1e-4, name)

    def test_presets(self):
        self.assertEqual(preset("tiny").image_size, 128)
        d = preset("default", vocab_size=753)
        self.assertEqual(ModelConfig.from_dict(d.to_dict()), d)
        n = count_parameters(build_model(d, seed=0))
        self.assertTrue(3e6 <= n <= 10e6, n)
        with self.assertRaises(ValueError):
            preset("huge")


if __name__ == "__main__":
    unittest.main()
