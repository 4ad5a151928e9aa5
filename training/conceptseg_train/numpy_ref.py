"""An independent NumPy implementation of conceptseg-sam3-mini, written from
docs/model-architecture.md, running from weights.safetensors + model.json only (no torch).

It is the executable form of that document: the unit tests check it against the fixtures, so the
document (and a backend that follows it, like the pure-Java CPU backend) is known to be complete.
Written per batch element with plain loops over layers/heads, for clarity, not speed.
"""
from __future__ import annotations

import json
import math
import os
from typing import Dict, List, Mapping

import numpy as np
from scipy.special import erf

f32 = np.float32


class Reference:
    def __init__(self, weights: Mapping[str, np.ndarray], dims: Mapping):
        self.w = {k: np.asarray(v, dtype=f32) for k, v in weights.items()}
        self.d = dict(dims)
        self.eps = float(dims["layer_norm_eps"])
        self.neg = float(dims["mask_bias"])

    @classmethod
    def from_package(cls, folder: str) -> "Reference":
        from .safetensors_io import load
        with open(os.path.join(folder, "model.json")) as f:
            desc = json.load(f)
        weights, _ = load(os.path.join(folder, desc["weights"]["file"]))
        return cls(weights, desc["dims"])

    # ---- ops -------------------------------------------------------------------------------
    def linear(self, name, x):
        return (x @ self.w[name + ".weight"].T + self.w[name + ".bias"]).astype(f32)

    def conv(self, name, x, stride=1):
        w, b = self.w[name + ".weight"], self.w[name + ".bias"]
        co, ci, kh, kw = w.shape
        p = kh // 2
        c, h, wd = x.shape
        xp = np.pad(x, ((0, 0), (p, p), (p, p)))
        oh, ow = (h + 2 * p - kh) // stride + 1, (wd + 2 * p - kw) // stride + 1
        out = np.zeros((co, oh, ow), dtype=np.float64)
        for a in range(kh):
            for bb in range(kw):
                patch = xp[:, a:a + stride * oh:stride, bb:bb + stride * ow:stride]   # [ci, oh, ow]
                out += np.einsum("oi,ihw->ohw", w[:, :, a, bb], patch)
        return (out + b[:, None, None]).astype(f32)

    def layer_norm(self, name, x):
        xd = x.astype(np.float64)
        mu = xd.mean(-1, keepdims=True)
        var = ((xd - mu) ** 2).mean(-1, keepdims=True)
        y = (xd - mu) / np.sqrt(var + self.eps) * self.w[name + ".weight"] + self.w[name + ".bias"]
        return y.astype(f32)

    def layer_norm2d(self, name, x):
        return self.layer_norm(name, x.transpose(1, 2, 0)).transpose(2, 0, 1)

    @staticmethod
    def gelu(x):
        return (0.5 * x * (1.0 + erf(x.astype(np.float64) / math.sqrt(2.0)))).astype(f32)

    @staticmethod
    def sigmoid(x):
        return (1.0 / (1.0 + np.exp(-x.astype(np.float64)))).astype(f32)

    @staticmethod
    def up2(x):
        return x.repeat(2, axis=1).repeat(2, axis=2)

    @staticmethod
    def flatten(x):                       # [C, h, w] -> [h*w, C]
        return x.reshape(x.shape[0], -1).T

    def ffn(self, name, x):
        return self.linear(name + ".fc2", self.gelu(self.linear(name + ".fc1", x)))

    def mlp3(self, name, x):
        x = self.gelu(self.linear(name + ".layers.0", x))
        x = self.gelu(self.linear(name + ".layers.1", x))
        return self.linear(name + ".layers.2", x)

    def attn(self, name, heads, q_in, k_in, v_in, bias=None):
        Qm, Km, Vm = (self.linear(f"{name}.{p}_proj", t) for p, t in (("q", q_in), ("k", k_in), ("v", v_in)))
        E = Qm.shape[1]
        e = E // heads
        O = np.zeros_like(Qm)
        for j in range(heads):
            sl = slice(j * e, (j + 1) * e)
            s = (Qm[:, sl].astype(np.float64) @ Km[:, sl].T) * (1.0 / math.sqrt(e))
            if bias is not None:
                s = s + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            p = s / s.sum(-1, keepdims=True)
            O[:, sl] = p @ Vm[:, sl]
        return self.linear(name + ".out_proj", O)

    def bilinear(self, fmap, gx, gy):
        D, Hf, Wf = fmap.shape
        ix, iy = ((gx + 1) * Wf - 1) / 2, ((gy + 1) * Hf - 1) / 2
        x0, y0 = math.floor(ix), math.floor(iy)
        fx, fy = ix - x0, iy - y0
        out = np.zeros(D, dtype=np.float64)
        for yy, xx, wt in ((y0, x0, (1 - fx) * (1 - fy)), (y0, x0 + 1, fx * (1 - fy)),
                           (y0 + 1, x0, (1 - fx) * fy), (y0 + 1, x0 + 1, fx * fy)):
            if 0 <= yy < Hf and 0 <= xx < Wf:
                out += wt * fmap[:, yy, xx]
        return out

    # ---- stages (one batch element) ---------------------------------------------------------
    def vision(self, images):
        x = self.gelu(self.conv("vision.stem", images, 2))
        out = {}
        for i in range(3):
            x = self.gelu(self.conv(f"vision.stages.{i}.conv1", x, 2))
            x = self.gelu(self.conv(f"vision.stages.{i}.conv2", x, 1))
            out[f"fpn_feat_{i}"] = self.layer_norm2d(f"vision.lateral_norms.{i}", self.conv(f"vision.laterals.{i}", x))
        for i in range(3):
            out[f"fpn_pos_{i}"] = self.w[f"vision.pos_{i}"][0]
        return out

    def text(self, input_ids, attention_mask):
        m = attention_mask.astype(f32)
        L = len(input_ids)
        x = self.w["text.token_embed.weight"][input_ids] + self.w["text.pos_embed"]
        a, b = np.arange(L)[:, None], np.arange(L)[None, :]
        bias = np.where(b > a, self.neg, 0.0) + (1 - m)[None, :] * self.neg
        for i in range(self.d["text_layers"]):
            p = f"text.layers.{i}"
            h = self.layer_norm(p + ".norm1", x)
            x = x + self.attn(p + ".attn", self.d["text_heads"], h, h, h, bias)
            x = x + self.ffn(p + ".ffn", self.layer_norm(p + ".norm2", x))
        y = self.linear("text.proj", self.layer_norm("text.norm", x)) * m[:, None]
        return {"text_features": y.astype(f32), "text_mask": m}

    def geometry(self, input_boxes, input_labels, fpn_feat_1):
        k = self.d["geometry_pool"]
        t = [(i + 0.5) / k - 0.5 for i in range(k)]
        feats, mask = [], []
        for box, lab in zip(input_boxes, input_labels):
            cx, cy, w, h = (float(v) for v in box)
            pooled = np.zeros(fpn_feat_1.shape[0])
            for r in range(k):
                for c in range(k):
                    px, py = cx + w * t[c], cy + h * t[r]
                    pooled += self.bilinear(fpn_feat_1, 2 * px - 1, 2 * py - 1)
            pooled = (pooled / (k * k)).astype(f32)
            x = (self.linear("geometry.box_proj", box.astype(f32))
                 + self.w["geometry.label_embed.weight"][max(int(lab), 0)]
                 + self.linear("geometry.pool_proj", pooled))
            mk = 1.0 if lab >= 0 else 0.0
            feats.append(self.layer_norm("geometry.norm", x) * mk)
            mask.append(mk)
        return {"geometry_features": np.array(feats, dtype=f32).reshape(len(mask), -1),
                "geometry_mask": np.array(mask, dtype=f32)}

    @staticmethod
    def prompt_summary(prompt_features, prompt_mask):
        """Mean of the valid prompt tokens: [P, D], [P] -> [D]."""
        s = (prompt_mask[:, None] * prompt_features).sum(0) / max(float(prompt_mask.sum()), 1.0)
        return s.astype(f32)

    def fusion(self, fpn_feat_2, fpn_pos_2, prompt_features, prompt_mask):
        x, pos = self.flatten(fpn_feat_2), self.flatten(fpn_pos_2)
        if self.d.get("fusion_pos_input", 0):
            x = x + pos
        pb = (1 - prompt_mask) * self.neg
        H = self.d["heads"]
        film = bool(self.d.get("fusion_film", 0))
        summary = self.prompt_summary(prompt_features, prompt_mask) if film else None
        for i in range(self.d["fusion_layers"]):
            p = f"fusion.layers.{i}"
            h = self.layer_norm(p + ".norm1", x)
            x = x + self.attn(p + ".self_attn", H, h + pos, h + pos, h)
            h = self.layer_norm(p + ".norm2", x)
            x = x + self.attn(p + ".cross_attn", H, h, prompt_features, prompt_features, pb)
            h = self.layer_norm(p + ".norm3", x)
            if film:
                h = (h * (1.0 + self.linear(p + ".film", summary[None])[0])).astype(f32)
            x = x + self.ffn(p + ".ffn", h)
        return {"fused_features": self.layer_norm("fusion.norm", x)}

    def decoder(self, fused_features, fpn_feat_0, fpn_feat_1, fpn_pos_2, prompt_features, prompt_mask):
        D, Q, H = self.d["d_model"], self.d["queries"], self.d["heads"]
        h2 = fpn_pos_2.shape[1]
        pos = self.flatten(fpn_pos_2)
        mkey = fused_features + pos
        pb = (1 - prompt_mask) * self.neg
        dense = bool(self.d.get("dense_queries", 0))
        if dense:     # the image tokens are the queries
            t = np.concatenate([fused_features, self.w["decoder.presence_embed"]])
            tpos = np.concatenate([pos, self.w["decoder.presence_pos"]])
        else:
            t = np.concatenate([self.w["decoder.query_embed"], self.w["decoder.presence_embed"]])
            tpos = np.concatenate([self.w["decoder.query_pos"], self.w["decoder.presence_pos"]])
        for i in range(self.d["decoder_layers"]):
            p = f"decoder.layers.{i}"
            h = self.layer_norm(p + ".norm1", t)
            t = t + self.attn(p + ".self_attn", H, h + tpos, h + tpos, h)
            h = self.layer_norm(p + ".norm2", t)
            t = t + self.attn(p + ".image_attn", H, h + tpos, mkey, fused_features)
            h = self.layer_norm(p + ".norm3", t)
            t = t + self.attn(p + ".prompt_attn", H, h + tpos, prompt_features, prompt_features, pb)
            t = t + self.ffn(p + ".ffn", self.layer_norm(p + ".norm4", t))
        t = self.layer_norm("decoder.norm", t)
        q, z = t[:Q], t[Q]
        raw = self.mlp3("decoder.box_head", q)
        boxes = self.sigmoid(raw + self.w["decoder.box_ref"] if dense else raw)
        sp = self.linear("decoder.score_prompt_proj", self.prompt_summary(prompt_features, prompt_mask))
        sq = self.linear("decoder.score_query_proj", q)
        logits = (sq @ sp) / math.sqrt(D) + self.w["decoder.score_bias"][0]
        presence = self.linear("decoder.presence_head", z)
        fmap = fused_features.T.reshape(D, h2, h2)
        a = self.up2(fmap) + fpn_feat_1
        a = self.gelu(self.layer_norm2d("decoder.pixel.norm_1", self.conv("decoder.pixel.conv_1", a)))
        b = self.up2(a) + fpn_feat_0
        pix = self.conv("decoder.pixel.conv_0", b)
        e = self.mlp3("decoder.mask_embed", q)
        masks = np.einsum("qd,dhw->qhw", e, pix)
        return {"pred_masks": masks.astype(f32), "pred_boxes": boxes, "pred_logits": logits.astype(f32),
                "presence_logits": presence.astype(f32)}

    def run_stage(self, stage: str, inputs: Mapping[str, np.ndarray]) -> Dict[str, np.ndarray]:
        """Batched: inputs/outputs carry the leading B axis, as in the fixtures."""
        fn = getattr(self, stage)
        B = next(iter(inputs.values())).shape[0]
        per: List[Dict[str, np.ndarray]] = [fn(**{k: v[b] for k, v in inputs.items()}) for b in range(B)]
        return {k: np.stack([p[k] for p in per]) for k in per[0]}
