"""Configuration of conceptseg-sam3-mini: one dataclass, two named presets.

Every field ends up verbatim in model.json under "dims", so a backend can rebuild the
architecture from the descriptor alone (see docs/model-architecture.md).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Dict, Tuple

ARCHITECTURE = "conceptseg-sam3-mini"


@dataclass(frozen=True)
class ModelConfig:
    image_size: int = 128                 # S: the letterboxed square side
    d_model: int = 32                     # D: width shared by all stage interfaces
    heads: int = 2                        # attention heads (fusion, decoder)
    ffn_dim: int = 128                    # hidden width of fusion/decoder FFNs
    # vision: widths of (stem @S/2, stage @S/4, stage @S/8, stage @S/16)
    vision_widths: Tuple[int, int, int, int] = (16, 32, 48, 64)
    # text encoder
    vocab_size: int = 0                   # filled in from the tokenizer vocabulary
    context_length: int = 16              # L
    text_width: int = 32
    text_heads: int = 2
    text_layers: int = 1
    text_ffn_dim: int = 128
    # geometry encoder: k x k bilinear samples of fpn_feat_1 inside each box
    geometry_pool: int = 4
    # fusion encoder / decoder
    fusion_layers: int = 1
    decoder_layers: int = 2
    queries: int = 16                     # Q
    # 1: the fusion stage adds fpn_pos_2 to the image tokens it starts from, so fused features (and
    # the pixel decoder above them) carry position: two instances of one concept then differ in
    # pixel embedding and a query's mask can single one out. 0 keeps positions in attention only.
    fusion_pos_input: int = 0
    # 1: every fusion layer scales its FFN input by (1 + Linear(prompt summary)) (FiLM): a
    # multiplicative image x prompt path. Cross-attention over a phrase of 1-3 tokens gives every
    # image token nearly the same prompt vector, so "is this token a red nut" has to be built by
    # the FFN from a sum; the scale makes it a product. 0 = absent (older packages).
    fusion_film: int = 0
    # 1: the decoder's queries are the fused image tokens themselves (content = fused feature,
    # position = fpn_pos_2; Q must be h2 * h2) and each predicts its box relative to its own cell
    # (decoder.box_ref, logit space) -- "query selection" without the selection: every query starts
    # on a place in the image, so one-to-one matching is stable from the first step, where learned
    # queries (0) need DETR's very long schedules. The presence token stays learned.
    dense_queries: int = 0
    # numerics shared by every stage
    layer_norm_eps: float = 1e-5
    mask_bias: float = -1e9               # additive attention bias on padded keys
    pos_temperature: float = 10000.0      # DETR sine positional encoding

    def __post_init__(self):
        s = self.image_size
        if s % 16:
            raise ValueError(f"image_size {s} must be a multiple of 16")
        if self.d_model % self.heads or self.text_width % self.text_heads:
            raise ValueError("widths must be divisible by their head counts")
        if self.d_model % 4:
            raise ValueError("d_model must be a multiple of 4 (2-D sine positional encoding)")
        if self.dense_queries and self.queries != (s // 16) ** 2:
            raise ValueError(f"dense_queries needs queries = (image_size / 16)^2 = {(s // 16) ** 2}")
        if len(self.vision_widths) != 4:
            raise ValueError("vision_widths needs 4 entries (stem, /4, /8, /16)")

    @property
    def feature_sizes(self) -> Tuple[int, int, int]:
        """Spatial side of fpn levels 0, 1, 2 (strides 4, 8, 16)."""
        s = self.image_size
        return (s // 4, s // 8, s // 16)

    def replace(self, **kw) -> "ModelConfig":
        return dataclasses.replace(self, **kw)

    def to_dict(self) -> Dict:
        d = dataclasses.asdict(self)
        d["vision_widths"] = list(self.vision_widths)
        for switch in ("fusion_pos_input", "fusion_film", "dense_queries"):
            if not d[switch]:     # absent = 0: packages written before the switch stay as they were
                del d[switch]
        return d

    @staticmethod
    def from_dict(d: Dict) -> "ModelConfig":
        names = {f.name for f in dataclasses.fields(ModelConfig)}
        kw = {k: v for k, v in d.items() if k in names}
        if "vision_widths" in kw:
            kw["vision_widths"] = tuple(kw["vision_widths"])
        return ModelConfig(**kw)


PRESETS: Dict[str, ModelConfig] = {
    # Test-sized: random init is exported as model-inspection/packages/inspection-tiny.
    "tiny": ModelConfig(),
    # The embedded default model (trained on the inspection domain).
    # D = 96 (was 128): the package (weights + ONNX + TorchScript + fixtures, ~60 MB) must stay
    # under 64 MB, and the per-prompt pixel decoder, most of a training step, costs ~0.56x.
    "default": ModelConfig(
        image_size=256,
        d_model=96,
        heads=4,
        ffn_dim=384,
        vision_widths=(32, 64, 128, 256),
        context_length=16,
        text_width=96,
        text_heads=4,
        text_layers=3,
        text_ffn_dim=384,
        geometry_pool=7,
        fusion_layers=3,
        decoder_layers=4,
        queries=48,
        fusion_pos_input=1,
        fusion_film=1,
    ),
}

# The embedded default model since run v4: dense queries, one per stride-16 cell (16 x 16).
PRESETS["dense"] = PRESETS["default"].replace(queries=256, dense_queries=1)


def preset(name: str, **overrides) -> ModelConfig:
    try:
        cfg = PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; known: {sorted(PRESETS)}") from None
    return cfg.replace(**overrides) if overrides else cfg
