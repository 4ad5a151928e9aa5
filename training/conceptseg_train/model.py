"""conceptseg-sam3-mini: a scaled-down SAM3 split into the five stages of docs/model-package.md.

Every stage is an nn.Module whose forward takes the stage inputs in the order of its signature
(STAGE_SIGNATURES) and returns its outputs as a tuple in signature order, so the same modules are
traced for TorchScript/ONNX and composed by ConceptSegModel.forward for training.

The op set is kept deliberately small (conv2d, linear, LayerNorm, exact-erf GELU, hand-written
softmax attention, nearest 2x upsample, bilinear grid_sample, sigmoid, matmul/einsum) because a
pure-Java backend reimplements every op; docs/model-architecture.md describes each one exactly.
"""
from __future__ import annotations

import math
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from .config import ModelConfig

STAGES = ("vision", "text", "geometry", "fusion", "decoder")


# --------------------------------------------------------------------------------------------
# Stage signatures (model.json "stages"): (name, dtype, shape); str = symbolic axis.
# --------------------------------------------------------------------------------------------
def stage_signatures(cfg: ModelConfig) -> Dict[str, Dict[str, List[Tuple[str, str, list]]]]:
    S, D, Q, L = cfg.image_size, cfg.d_model, cfg.queries, cfg.context_length
    h0, h1, h2 = cfg.feature_sizes
    f32, i64 = "float32", "int64"
    feat = lambda n, h: (n, f32, ["B", D, h, h])
    return {
        "vision": {
            "inputs": [("images", f32, ["B", 3, S, S])],
            "outputs": [feat("fpn_feat_0", h0), feat("fpn_feat_1", h1), feat("fpn_feat_2", h2),
                        feat("fpn_pos_0", h0), feat("fpn_pos_1", h1), feat("fpn_pos_2", h2)],
        },
        "text": {
            "inputs": [("input_ids", i64, ["B", L]), ("attention_mask", i64, ["B", L])],
            "outputs": [("text_features", f32, ["B", L, D]), ("text_mask", f32, ["B", L])],
        },
        "geometry": {
            "inputs": [("input_boxes", f32, ["B", "N", 4]), ("input_labels", i64, ["B", "N"]),
                       feat("fpn_feat_1", h1)],
            "outputs": [("geometry_features", f32, ["B", "N", D]), ("geometry_mask", f32, ["B", "N"])],
        },
        "fusion": {
            "inputs": [feat("fpn_feat_2", h2), feat("fpn_pos_2", h2),
                       ("prompt_features", f32, ["B", "P", D]), ("prompt_mask", f32, ["B", "P"])],
            "outputs": [("fused_features", f32, ["B", h2 * h2, D])],
        },
        "decoder": {
            "inputs": [("fused_features", f32, ["B", h2 * h2, D]), feat("fpn_feat_0", h0),
                       feat("fpn_feat_1", h1), feat("fpn_pos_2", h2),
                       ("prompt_features", f32, ["B", "P", D]), ("prompt_mask", f32, ["B", "P"])],
            "outputs": [("pred_masks", f32, ["B", Q, h0, h0]), ("pred_boxes", f32, ["B", Q, 4]),
                        ("pred_logits", f32, ["B", Q]), ("presence_logits", f32, ["B", 1])],
        },
    }


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------
def sine_position_encoding(d: int, h: int, w: int, temperature: float = 10000.0) -> Tensor:
    """DETR PositionEmbeddingSine(num_pos_feats=d/2, normalize=True, scale=2*pi) -> [1, d, h, w].

    channels [0, d/2) encode y, [d/2, d) encode x; inside each half, channel 2m = sin, 2m+1 = cos
    of coord / temperature^(2m / (d/2)), coord = (index + 1) / (size + 1e-6) * 2*pi.
    Computed in float64 and stored as float32 (the buffer is part of weights.safetensors).
    """
    npf = d // 2
    eps, scale = 1e-6, 2 * math.pi
    y = torch.arange(1, h + 1, dtype=torch.float64)[:, None].expand(h, w)
    x = torch.arange(1, w + 1, dtype=torch.float64)[None, :].expand(h, w)
    y = y / (h + eps) * scale
    x = x / (w + eps) * scale
    k = torch.arange(npf, dtype=torch.float64)
    dim_t = temperature ** (2 * torch.div(k, 2, rounding_mode="floor") / npf)
    px = x[..., None] / dim_t
    py = y[..., None] / dim_t
    px = torch.stack((px[..., 0::2].sin(), px[..., 1::2].cos()), dim=-1).flatten(-2)
    py = torch.stack((py[..., 0::2].sin(), py[..., 1::2].cos()), dim=-1).flatten(-2)
    pos = torch.cat((py, px), dim=-1).permute(2, 0, 1)[None]
    return pos.to(torch.float32).contiguous()


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channel axis of an NCHW tensor (weight/bias [C])."""

    def __init__(self, c: int, eps: float):
        super().__init__(c, eps=eps)

    def forward(self, x: Tensor) -> Tensor:
        return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


def key_bias(mask: Tensor, bias: float) -> Tensor:
    """[B, T] float mask (1 valid, 0 pad) -> additive bias [B, 1, 1, T]: 0 or `bias`."""
    return ((1.0 - mask) * bias)[:, None, None, :]


class Attention(nn.Module):
    """Multi-head softmax attention with separate q/k/v/out projections.

    out = out_proj(concat_h softmax(q_h k_h^T / sqrt(d_h) + bias) v_h)
    """

    def __init__(self, d: int, heads: int):
        super().__init__()
        self.heads = heads
        self.head_dim = d // heads
        self.q_proj = nn.Linear(d, d)
        self.k_proj = nn.Linear(d, d)
        self.v_proj = nn.Linear(d, d)
        self.out_proj = nn.Linear(d, d)

    def _split(self, x: Tensor) -> Tensor:
        b, t = x.shape[0], x.shape[1]
        return x.reshape(b, t, self.heads, self.head_dim).transpose(1, 2)   # [B, H, T, dh]

    def forward(self, q: Tensor, k: Tensor, v: Tensor, bias: Optional[Tensor] = None) -> Tensor:
        b, tq = q.shape[0], q.shape[1]
        qh = self._split(self.q_proj(q))
        kh = self._split(self.k_proj(k))
        vh = self._split(self.v_proj(v))
        scores = torch.matmul(qh, kh.transpose(-1, -2)) * (1.0 / math.sqrt(self.head_dim))
        if bias is not None:
            scores = scores + bias
        attn = torch.softmax(scores, dim=-1)
        out = torch.matmul(attn, vh).transpose(1, 2).reshape(b, tq, self.heads * self.head_dim)
        return self.out_proj(out)


class FFN(nn.Module):
    def __init__(self, d: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, d)
        self.act = nn.GELU()

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.act(self.fc1(x)))


class MLP(nn.Module):
    """Linear -> GELU -> ... -> Linear (no activation after the last layer)."""

    def __init__(self, dims: List[int]):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.act = nn.GELU()

    def forward(self, x: Tensor) -> Tensor:
        n = len(self.layers)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < n - 1:
                x = self.act(x)
        return x


def conv3x3(cin: int, cout: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1)


def up2(x: Tensor) -> Tensor:
    """Nearest-neighbour 2x upsample: out[y, x] = in[y // 2, x // 2]."""
    return F.interpolate(x, scale_factor=2.0, mode="nearest")


# --------------------------------------------------------------------------------------------
# Stages
# --------------------------------------------------------------------------------------------
class VisionStage(nn.Module):
    """Conv encoder (strides 2, 4, 8, 16) + FPN laterals -> fpn_feat_0/1/2, fpn_pos_0/1/2."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        w0, w1, w2, w3 = cfg.vision_widths
        D, eps = cfg.d_model, cfg.layer_norm_eps
        self.stem = conv3x3(3, w0, stride=2)
        self.stages = nn.ModuleList()
        for cin, cout in ((w0, w1), (w1, w2), (w2, w3)):
            st = nn.Module()
            st.conv1 = conv3x3(cin, cout, stride=2)
            st.conv2 = conv3x3(cout, cout)
            self.stages.append(st)
        self.laterals = nn.ModuleList(nn.Conv2d(c, D, 1) for c in (w1, w2, w3))
        self.lateral_norms = nn.ModuleList(LayerNorm2d(D, eps) for _ in range(3))
        self.act = nn.GELU()
        for i, h in enumerate(cfg.feature_sizes):
            self.register_buffer(f"pos_{i}", sine_position_encoding(D, h, h, cfg.pos_temperature))

    def forward(self, images: Tensor):
        x = self.act(self.stem(images))
        feats = []
        for st, lat, norm in zip(self.stages, self.laterals, self.lateral_norms):
            x = self.act(st.conv1(x))
            x = self.act(st.conv2(x))
            feats.append(norm(lat(x)))
        b = images.shape[0]
        pos = [p.expand(b, -1, -1, -1) for p in (self.pos_0, self.pos_1, self.pos_2)]
        return feats[0], feats[1], feats[2], pos[0], pos[1], pos[2]


class TextLayer(nn.Module):
    def __init__(self, width: int, heads: int, ffn: int, eps: float):
        super().__init__()
        self.norm1 = nn.LayerNorm(width, eps=eps)
        self.attn = Attention(width, heads)
        self.norm2 = nn.LayerNorm(width, eps=eps)
        self.ffn = FFN(width, ffn)

    def forward(self, x: Tensor, bias: Tensor) -> Tensor:
        h = self.norm1(x)
        x = x + self.attn(h, h, h, bias)
        return x + self.ffn(self.norm2(x))


class TextStage(nn.Module):
    """Causal pre-LN transformer over WordPiece ids -> text_features (padding rows zeroed)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        if cfg.vocab_size <= 0:
            raise ValueError("config.vocab_size must be set (from the tokenizer)")
        W, L = cfg.text_width, cfg.context_length
        self.token_embed = nn.Embedding(cfg.vocab_size, W)
        self.pos_embed = nn.Parameter(torch.zeros(L, W))
        self.layers = nn.ModuleList(
            TextLayer(W, cfg.text_heads, cfg.text_ffn_dim, cfg.layer_norm_eps) for _ in range(cfg.text_layers))
        self.norm = nn.LayerNorm(W, eps=cfg.layer_norm_eps)
        self.proj = nn.Linear(W, cfg.d_model)
        self.mask_bias = cfg.mask_bias
        causal = torch.triu(torch.full((L, L), cfg.mask_bias), diagonal=1)   # bias where key > query
        self.register_buffer("causal_bias", causal, persistent=False)

    def forward(self, input_ids: Tensor, attention_mask: Tensor):
        mask = attention_mask.to(torch.float32)
        x = self.token_embed(input_ids) + self.pos_embed
        bias = self.causal_bias[None, None] + key_bias(mask, self.mask_bias)
        for layer in self.layers:
            x = layer(x, bias)
        x = self.proj(self.norm(x)) * mask[:, :, None]
        return x, mask


class GeometryStage(nn.Module):
    """Boxes/points -> one prompt token each: box projection + label embedding + pooled feature."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        D, k = cfg.d_model, cfg.geometry_pool
        self.box_proj = nn.Linear(4, D)
        self.label_embed = nn.Embedding(4, D)
        self.pool_proj = nn.Linear(D, D)
        self.norm = nn.LayerNorm(D, eps=cfg.layer_norm_eps)
        # sample offsets (u, v) in box units, centred: ((i + 0.5) / k - 0.5), row-major over (v, u)
        t = (torch.arange(k, dtype=torch.float32) + 0.5) / k - 0.5
        v, u = torch.meshgrid(t, t, indexing="ij")
        self.register_buffer("grid_offsets", torch.stack((u.flatten(), v.flatten()), -1), persistent=False)

    def forward(self, input_boxes: Tensor, input_labels: Tensor, fpn_feat_1: Tensor):
        cxcy = input_boxes[..., 0:2]                                 # [B, N, 2] (x, y)
        wh = input_boxes[..., 2:4]
        pts = cxcy[:, :, None, :] + wh[:, :, None, :] * self.grid_offsets   # [B, N, k*k, 2] in [0,1]
        grid = pts * 2.0 - 1.0                                       # grid_sample coords in [-1,1]
        sampled = F.grid_sample(fpn_feat_1, grid, mode="bilinear", padding_mode="zeros",
                                align_corners=False)                  # [B, D, N, k*k]
        pooled = sampled.mean(dim=3).transpose(1, 2)                  # [B, N, D]
        labels = torch.where(input_labels >= 0, input_labels, torch.zeros_like(input_labels))
        x = self.box_proj(input_boxes) + self.label_embed(labels) + self.pool_proj(pooled)
        mask = (input_labels >= 0).to(torch.float32)
        x = self.norm(x) * mask[:, :, None]
        return x, mask


class FusionLayer(nn.Module):
    def __init__(self, d: int, heads: int, ffn: int, eps: float, film: bool = False):
        super().__init__()
        self.norm1 = nn.LayerNorm(d, eps=eps)
        self.self_attn = Attention(d, heads)
        self.norm2 = nn.LayerNorm(d, eps=eps)
        self.cross_attn = Attention(d, heads)
        self.norm3 = nn.LayerNorm(d, eps=eps)
        self.ffn = FFN(d, ffn)
        # FiLM scale from the prompt summary (cfg.fusion_film); zero-initialised = identity
        self.film = nn.Linear(d, d) if film else None

    def forward(self, x: Tensor, pos: Tensor, prompt: Tensor, prompt_bias: Tensor,
                summary: Optional[Tensor] = None) -> Tensor:
        h = self.norm1(x)
        x = x + self.self_attn(h + pos, h + pos, h)
        h = self.norm2(x)
        x = x + self.cross_attn(h, prompt, prompt, prompt_bias)
        h = self.norm3(x)
        if self.film is not None:
            h = h * (1.0 + self.film(summary)[:, None, :])
        return x + self.ffn(h)


def prompt_summary(prompt_features: Tensor, prompt_mask: Tensor) -> Tensor:
    """Masked mean of the prompt tokens: [B, P, D], [B, P] -> [B, D]."""
    m = prompt_mask[:, :, None]
    return (prompt_features * m).sum(1) / m.sum(1).clamp(min=1.0)


class FusionStage(nn.Module):
    """Image tokens (stride 16) attend to themselves and to the prompt tokens."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        D, eps = cfg.d_model, cfg.layer_norm_eps
        self.layers = nn.ModuleList(
            FusionLayer(D, cfg.heads, cfg.ffn_dim, eps, bool(cfg.fusion_film)) for _ in range(cfg.fusion_layers))
        self.norm = nn.LayerNorm(D, eps=eps)
        self.mask_bias = cfg.mask_bias
        self.pos_input = bool(cfg.fusion_pos_input)
        self.film = bool(cfg.fusion_film)

    def forward(self, fpn_feat_2: Tensor, fpn_pos_2: Tensor, prompt_features: Tensor, prompt_mask: Tensor):
        x = fpn_feat_2.flatten(2).transpose(1, 2)                     # [B, HW, D], row-major (y, x)
        pos = fpn_pos_2.flatten(2).transpose(1, 2)
        if self.pos_input:
            x = x + pos
        bias = key_bias(prompt_mask, self.mask_bias)
        summary = prompt_summary(prompt_features, prompt_mask) if self.film else None
        for layer in self.layers:
            x = layer(x, pos, prompt_features, bias, summary)
        return (self.norm(x),)


class DecoderLayer(nn.Module):
    def __init__(self, d: int, heads: int, ffn: int, eps: float):
        super().__init__()
        self.norm1 = nn.LayerNorm(d, eps=eps)
        self.self_attn = Attention(d, heads)
        self.norm2 = nn.LayerNorm(d, eps=eps)
        self.image_attn = Attention(d, heads)
        self.norm3 = nn.LayerNorm(d, eps=eps)
        self.prompt_attn = Attention(d, heads)
        self.norm4 = nn.LayerNorm(d, eps=eps)
        self.ffn = FFN(d, ffn)

    def forward(self, t: Tensor, tpos: Tensor, mem: Tensor, mem_key: Tensor,
                prompt: Tensor, prompt_bias: Tensor, self_bias: Optional[Tensor] = None) -> Tensor:
        # self_bias: training only (query groups that must not see each other); None when exported
        h = self.norm1(t)
        t = t + self.self_attn(h + tpos, h + tpos, h, self_bias)
        h = self.norm2(t)
        t = t + self.image_attn(h + tpos, mem_key, mem)
        h = self.norm3(t)
        t = t + self.prompt_attn(h + tpos, prompt, prompt, prompt_bias)
        return t + self.ffn(self.norm4(t))


class PixelDecoder(nn.Module):
    """fused (S/16) -> up2 + fpn_feat_1 -> conv, LN, GELU (S/8) -> up2 + fpn_feat_0 -> conv (S/4)."""

    def __init__(self, d: int, eps: float):
        super().__init__()
        self.conv_1 = conv3x3(d, d)
        self.norm_1 = LayerNorm2d(d, eps)
        self.conv_0 = conv3x3(d, d)
        self.act = nn.GELU()

    def forward(self, fused_map: Tensor, feat_1: Tensor, feat_0: Tensor) -> Tensor:
        x = up2(fused_map) + feat_1
        x = self.act(self.norm_1(self.conv_1(x)))
        x = up2(x) + feat_0
        return self.conv_0(x)


def dense_box_reference(h: int) -> Tensor:
    """[h*h, 4] logit-space reference box of every stride-16 cell (row-major (y, x)): centre of the
    cell, side 2 cells -- inverse sigmoid of (cx, cy, w, h), so a zero box-head output predicts it."""
    c = (torch.arange(h, dtype=torch.float64) + 0.5) / h
    cy, cx = torch.meshgrid(c, c, indexing="ij")
    side = torch.full_like(cx, 2.0 / h)
    ref = torch.stack((cx.flatten(), cy.flatten(), side.flatten(), side.flatten()), -1)
    return torch.log(ref / (1 - ref)).to(torch.float32)


class DecoderStage(nn.Module):
    """DETR-style decoder: Q queries + 1 presence token; box, score, presence and mask heads."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        D, Q, eps = cfg.d_model, cfg.queries, cfg.layer_norm_eps
        self.d_model, self.queries = D, Q
        self.map_size = cfg.feature_sizes[2]
        self.dense = bool(cfg.dense_queries)
        if self.dense:
            self.register_buffer("box_ref", dense_box_reference(self.map_size))
        else:
            self.query_embed = nn.Parameter(torch.zeros(Q, D))
            self.query_pos = nn.Parameter(torch.zeros(Q, D))
        self.presence_embed = nn.Parameter(torch.zeros(1, D))
        self.presence_pos = nn.Parameter(torch.zeros(1, D))
        self.layers = nn.ModuleList(
            DecoderLayer(D, cfg.heads, cfg.ffn_dim, eps) for _ in range(cfg.decoder_layers))
        self.norm = nn.LayerNorm(D, eps=eps)
        self.box_head = MLP([D, D, D, 4])
        self.score_query_proj = nn.Linear(D, D)
        self.score_prompt_proj = nn.Linear(D, D)
        self.score_bias = nn.Parameter(torch.zeros(1))
        self.presence_head = nn.Linear(D, 1)
        self.mask_embed = MLP([D, D, D, D])
        self.pixel = PixelDecoder(D, eps)
        self.mask_bias = cfg.mask_bias

    def initial_tokens(self, fused_features: Tensor, pos: Tensor) -> Tuple[Tensor, Tensor]:
        """Queries then the presence token: content [B, Q+1, D] and position [B or 1, Q+1, D]."""
        b = fused_features.shape[0]
        if self.dense:
            pe = self.presence_embed[None].expand(b, -1, -1)
            pp = self.presence_pos[None].expand(b, -1, -1)
            return torch.cat((fused_features, pe), 1), torch.cat((pos, pp), 1)
        t = torch.cat((self.query_embed, self.presence_embed), 0)[None].expand(b, -1, -1)
        return t, torch.cat((self.query_pos, self.presence_pos), 0)[None]

    def boxes(self, q: Tensor) -> Tensor:
        """Box head -> normalised cxcywh; dense queries predict relative to their cell."""
        raw = self.box_head(q)
        if self.dense:
            raw = raw + self.box_ref
        return torch.sigmoid(raw)

    def forward(self, fused_features: Tensor, fpn_feat_0: Tensor, fpn_feat_1: Tensor, fpn_pos_2: Tensor,
                prompt_features: Tensor, prompt_mask: Tensor):
        b = fused_features.shape[0]
        D, Q, h = self.d_model, self.queries, self.map_size
        pos = fpn_pos_2.flatten(2).transpose(1, 2)                    # [B, HW, D]
        mem_key = fused_features + pos
        bias = key_bias(prompt_mask, self.mask_bias)
        t, tpos = self.initial_tokens(fused_features, pos)
        for layer in self.layers:
            t = layer(t, tpos, fused_features, mem_key, prompt_features, bias)
        t = self.norm(t)
        q, presence = t[:, :Q], t[:, Q:]

        pred_boxes = self.boxes(q)
        summary = prompt_summary(prompt_features, prompt_mask)                  # [B, D]
        sq = self.score_query_proj(q)                                           # [B, Q, D]
        sp = self.score_prompt_proj(summary)                                    # [B, D]
        pred_logits = torch.matmul(sq, sp[:, :, None])[:, :, 0] * (1.0 / math.sqrt(D)) + self.score_bias
        presence_logits = self.presence_head(presence)[:, 0]                    # [B, 1]

        fused_map = fused_features.transpose(1, 2).reshape(b, D, h, h)
        pix = self.pixel(fused_map, fpn_feat_1, fpn_feat_0)                     # [B, D, S/4, S/4]
        pred_masks = torch.einsum("bqd,bdhw->bqhw", self.mask_embed(q), pix)
        return pred_masks, pred_boxes, pred_logits, presence_logits


# --------------------------------------------------------------------------------------------
# The whole model
# --------------------------------------------------------------------------------------------
class ConceptSegModel(nn.Module):
    """The five stages; state_dict names ("vision.stem.weight", ...) are the safetensors names."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.vision = VisionStage(cfg)
        self.text = TextStage(cfg)
        self.geometry = GeometryStage(cfg)
        self.fusion = FusionStage(cfg)
        self.decoder = DecoderStage(cfg)
        self.reset_parameters()

    def stage(self, name: str) -> nn.Module:
        if name not in STAGES:
            raise ValueError(f"unknown stage {name!r}")
        return getattr(self, name)

    @torch.no_grad()
    def reset_parameters(self):
        """Initialisation: PyTorch defaults for conv/linear/LayerNorm; embeddings N(0, 1) except
        the text position embedding (N(0, 0.1)); learned queries N(0, 1)."""
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear, nn.LayerNorm, nn.Embedding)):
                m.reset_parameters()
        nn.init.normal_(self.text.pos_embed, std=0.1)
        for layer in self.fusion.layers:
            if layer.film is not None:
                nn.init.zeros_(layer.film.weight)
                nn.init.zeros_(layer.film.bias)
        for p in (getattr(self.decoder, "query_embed", None), getattr(self.decoder, "query_pos", None),
                  self.decoder.presence_embed, self.decoder.presence_pos):
            if p is not None:
                nn.init.normal_(p)
        self.decoder.score_bias.zero_()

    @staticmethod
    def prompt_from(text_features: Optional[Tensor], text_mask: Optional[Tensor],
                    geometry_features: Optional[Tensor], geometry_mask: Optional[Tensor]):
        """Pipeline convention: per prompt its text tokens followed by its geometry tokens."""
        feats = [f for f in (text_features, geometry_features) if f is not None]
        masks = [m for m in (text_mask, geometry_mask) if m is not None]
        if not feats:
            raise ValueError("a prompt needs text, geometry or both")
        return torch.cat(feats, 1), torch.cat(masks, 1)

    def forward(self, images: Tensor, input_ids: Optional[Tensor] = None,
                attention_mask: Optional[Tensor] = None, input_boxes: Optional[Tensor] = None,
                input_labels: Optional[Tensor] = None, use_text: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Image + prompts -> every stage output (dict by contract name).

        use_text: optional [B] float; 0 drops a prompt's text tokens (exemplar-only prompts while
        batching text and geometry together). Each prompt must keep at least one valid token.
        """
        f0, f1, f2, p0, p1, p2 = self.vision(images)
        out: Dict[str, Tensor] = {"fpn_feat_0": f0, "fpn_feat_1": f1, "fpn_feat_2": f2,
                                  "fpn_pos_0": p0, "fpn_pos_1": p1, "fpn_pos_2": p2}
        tf = tm = gf = gm = None
        if input_ids is not None:
            tf, tm = self.text(input_ids, attention_mask)
            if use_text is not None:
                tm = tm * use_text[:, None]
            out["text_features"], out["text_mask"] = tf, tm
        if input_boxes is not None:
            gf, gm = self.geometry(input_boxes, input_labels, f1)
            out["geometry_features"], out["geometry_mask"] = gf, gm
        pf, pm = self.prompt_from(tf, tm, gf, gm)
        out["prompt_features"], out["prompt_mask"] = pf, pm
        (fused,) = self.fusion(f2, p2, pf, pm)
        out["fused_features"] = fused
        masks, boxes, logits, presence = self.decoder(fused, f0, f1, p2, pf, pm)
        out.update(pred_masks=masks, pred_boxes=boxes, pred_logits=logits, presence_logits=presence)
        return out


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def build_model(cfg: ModelConfig, seed: Optional[int] = None) -> ConceptSegModel:
    if seed is not None:
        torch.manual_seed(seed)
    return ConceptSegModel(cfg).eval()


@torch.no_grad()
def spread_heads_for_fixtures(model: ConceptSegModel, generator: Optional[torch.Generator] = None):
    """For an untrained (random) package only: widen the head initialisation so the outputs are
    informative for backend tests -- boxes spread over the image, match logits of both signs with a
    confident presence token (some detections pass the 0.5 score threshold, some do not), and mask
    logits of both signs. Not used for training."""
    dec = model.decoder
    D = model.cfg.d_model
    for lin in (dec.score_query_proj, dec.score_prompt_proj):
        lin.weight.normal_(0.0, 2.0 / math.sqrt(D), generator=generator)
    dec.presence_head.bias.fill_(2.0)
    dec.box_head.layers[-1].weight.mul_(8.0)
    dec.mask_embed.layers[-1].weight.mul_(6.0)
    dec.mask_embed.layers[-1].bias.zero_()
    dec.pixel.conv_0.bias.zero_()
