"""Training forward with deep supervision, and the set criterion (SAM3 / DETR style).

``forward_train`` composes the very stage modules that are exported (vision once per image, text,
geometry, fusion and decoder once per pair) and, instead of DecoderStage.forward, runs the same
decoder ops itself so that the heads (shared final LayerNorm, box/score/presence/mask heads) can be
applied to every decoder layer's output: deep supervision without touching model.py. The last
layer's outputs equal DecoderStage.forward's (tests/test_train.py checks it).

Losses per decoder layer, for a batch of (image, prompt) pairs:
- match logits: sigmoid focal loss, on pairs whose concept is present (matched queries 1, others 0);
  on negative pairs the presence token alone answers (SAM3's decoupling of recognition and
  localisation: final score = p(match) x p(present));
- boxes: L1 (cxcywh) + GIoU on matched queries;
- masks: BCE + dice at the S/4 grid against the area-downsampled ground truth (soft targets),
  matched queries only;
- presence: BCE on the pair (positive iff any instance).
Sums are normalised by the number of ground-truth instances in the batch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from .data import concepts as C
from .matcher import HungarianMatcher, box_cxcywh_to_xyxy, elementwise_giou
from .model import ConceptSegModel, key_bias, prompt_summary

#: classes of the text heads: the canonical concept (kind or group) and the finish ("" = none)
TEXT_KEYS: Tuple[str, ...] = C.KINDS + tuple(C.GROUPS)
TEXT_FINISHES: Tuple[str, ...] = ("",) + C.FINISH_NAMES


# ----------------------------------------------------------------------------------------------
# Training-only parameters
class TrainingExtras(nn.Module):
    """Parameters that exist only while training and are never exported (the package's stages
    stay exactly those of model.py):

    - ``groups - 1`` extra sets of decoder queries (Group DETR): each group is matched one-to-one
      on its own and sees only itself in self-attention, so every ground-truth instance supervises
      ``groups`` queries per step instead of one -- DETR's slow convergence comes from that
      sparsity. Inference keeps the first group, whose computation is unchanged.
    - dense concept heads: a linear map of the pixel embedding (S/4) and of the fused tokens (S/16)
      to the logit "this pixel belongs to an instance of the prompt" (SAM3's semantic head, here a
      training signal): every pixel of every pair gives the vision, fusion and pixel-decoder
      weights a gradient from step one, not only the pixels of matched queries.
    - text heads: linear probes of the phrase's summary vector for its canonical concept and its
      finish. Trained from scratch through the detection losses alone, the text encoder gave
      "washer", "nut" and "gear" summaries 93-96 % cosine-alike (the [BOS] output, a third of a
      one-word summary, is constant under causal attention): the probes make synonyms, plurals and
      forms of one concept meet and different concepts part.
    """

    def __init__(self, cfg, groups: int = 1):
        super().__init__()
        if groups < 1:
            raise ValueError("query groups must be >= 1")
        D, Q = cfg.d_model, cfg.queries
        self.groups = groups
        self.group_query_embed = nn.Parameter(torch.randn(groups - 1, Q, D))
        self.group_query_pos = nn.Parameter(torch.randn(groups - 1, Q, D))
        self.sem_pix = nn.Linear(D, 1)
        self.sem_tok = nn.Linear(D, 1)
        self.text_key = nn.Linear(D, len(TEXT_KEYS))
        self.text_finish = nn.Linear(D, len(TEXT_FINISHES))


def text_labels(phrases: Sequence[Optional[str]]) -> Tuple[Tensor, Tensor]:
    """Per pair (concept index, finish index); -100 (ignored) for pairs without a phrase."""
    keys, fins = [], []
    for p in phrases:
        if not p:
            keys.append(-100)
            fins.append(-100)
            continue
        c = C.parse(p)
        keys.append(TEXT_KEYS.index(c.key))
        fins.append(TEXT_FINISHES.index(c.finish or ""))
    return torch.tensor(keys, dtype=torch.int64), torch.tensor(fins, dtype=torch.int64)


def group_self_bias(q: int, groups: int, neg: float) -> Tensor:
    """[1, 1, N, N] additive bias, N = (q + 1) + (groups - 1) q: group 0 (q queries + presence
    token) and each further group of q queries attend only within themselves."""
    sizes = [q + 1] + [q] * (groups - 1)
    n = sum(sizes)
    bias = torch.full((n, n), neg)
    o = 0
    for sz in sizes:
        bias[o:o + sz, o:o + sz] = 0.0
        o += sz
    return bias[None, None]


# ----------------------------------------------------------------------------------------------
# Forward
def _heads(dec, tn: Tensor, sp: Tensor, group: int = 0) -> Dict[str, Tensor]:
    D = dec.d_model
    return {"boxes": dec.boxes(tn) if group == 0 else torch.sigmoid(dec.box_head(tn)),
            "logits": torch.matmul(dec.score_query_proj(tn), sp[:, :, None])[:, :, 0] * (1.0 / math.sqrt(D))
            + dec.score_bias,
            "mask_embed": dec.mask_embed(tn)}


def decoder_layers_forward(dec, fused: Tensor, f0: Tensor, f1: Tensor, p2: Tensor,
                           prompt: Tensor, prompt_mask: Tensor, aux: bool = True,
                           extras: Optional[TrainingExtras] = None) -> Dict:
    """DecoderStage.forward, keeping every layer's heads. Returns
    {"layers": [{"logits", "boxes", "presence", "mask_embed", "groups": [...]}] (last = final),
    "pix": [B, D, h0, h0]}; "groups" holds the extra query groups' heads (training only)."""
    b = fused.shape[0]
    D, Q, h = dec.d_model, dec.queries, dec.map_size
    pos = p2.flatten(2).transpose(1, 2)
    mem_key = fused + pos
    bias = key_bias(prompt_mask, dec.mask_bias)
    t, tpos = dec.initial_tokens(fused, pos)
    groups = extras.groups if extras is not None else 1
    self_bias = None
    if groups > 1:
        if dec.dense:
            raise ValueError("query groups need learned queries (dense_queries = 0)")
        t = torch.cat((t, extras.group_query_embed.reshape(-1, D)[None].expand(b, -1, -1)), 1)
        tpos = torch.cat((tpos, extras.group_query_pos.reshape(-1, D)[None]), 1)
        self_bias = group_self_bias(Q, groups, dec.mask_bias).to(t)
    sp = dec.score_prompt_proj(prompt_summary(prompt, prompt_mask))
    outs = []
    n = len(dec.layers)
    for i, layer in enumerate(dec.layers):
        t = layer(t, tpos, fused, mem_key, prompt, bias, self_bias)
        if not aux and i < n - 1:
            continue
        tn = dec.norm(t)
        o = _heads(dec, tn[:, :Q], sp)
        o["presence"] = dec.presence_head(tn[:, Q:Q + 1])[:, 0]
        o["groups"] = [_heads(dec, tn[:, Q + 1 + g * Q:Q + 1 + (g + 1) * Q], sp, g + 1) for g in range(groups - 1)]
        outs.append(o)
    fused_map = fused.transpose(1, 2).reshape(b, D, h, h)
    pix = dec.pixel(fused_map, f1, f0)
    return {"layers": outs, "pix": pix, "fused": fused}


def forward_train(model: ConceptSegModel, batch: Dict, aux: bool = True,
                  extras: Optional[TrainingExtras] = None) -> Dict:
    """Vision once per image, everything else once per pair (batch from train_data.collate)."""
    f0, f1, f2, _, _, p2 = model.vision(batch["images"])
    idx = batch["pair_image"]
    f0, f1, f2, p2 = f0[idx], f1[idx], f2[idx], p2[idx]
    tf, tm = model.text(batch["input_ids"], batch["attention_mask"])
    tm = tm * batch["use_text"][:, None]
    gf, gm = model.geometry(batch["input_boxes"], batch["input_labels"], f1)
    pf, pm = torch.cat((tf, gf), 1), torch.cat((tm, gm), 1)
    (fused,) = model.fusion(f2, p2, pf, pm)
    out = decoder_layers_forward(model.decoder, fused, f0, f1, p2, pf, pm, aux=aux, extras=extras)
    out["text_summary"] = prompt_summary(tf, tm)
    return out


def full_masks(layer: Dict, pix: Tensor) -> Tensor:
    return torch.einsum("bqd,bdhw->bqhw", layer["mask_embed"], pix)


# ----------------------------------------------------------------------------------------------
# Loss terms
def sigmoid_focal_loss(logits: Tensor, targets: Tensor, alpha: float = 0.25, gamma: float = 2.0) -> Tensor:
    """Elementwise focal loss (RetinaNet), not reduced."""
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return loss


def dice_loss(logits: Tensor, targets: Tensor) -> Tensor:
    """[N, H, W] logits, soft targets -> [N] 1 - dice."""
    p = logits.flatten(1).sigmoid()
    t = targets.flatten(1)
    return 1 - (2 * (p * t).sum(-1) + 1) / (p.sum(-1) + t.sum(-1) + 1)


@dataclass
class LossWeights:
    cls: float = 2.0
    l1: float = 5.0
    giou: float = 2.0
    mask_bce: float = 5.0
    dice: float = 5.0
    presence: float = 2.0
    aux: float = 1.0          # weight of every non-final decoder layer's losses
    sem_bce: float = 5.0      # dense concept heads (TrainingExtras): pixel BCE + dice, token BCE
    sem_dice: float = 2.0
    sem_tok: float = 2.0
    text: float = 1.0         # text heads (TrainingExtras): concept and finish cross-entropy


def union_targets(target_masks: Sequence[Tensor], like: Tensor) -> Tensor:
    """Per pair the union (max) of its instances' soft masks [G, h, w] -> [B, h, w] (0 if none)."""
    h, w = like.shape[-2:]
    return torch.stack([t.max(0).values if t.shape[0] else like.new_zeros(h, w) for t in target_masks])


class SetCriterion:
    def __init__(self, matcher: Optional[HungarianMatcher] = None, weights: Optional[LossWeights] = None,
                 alpha: float = 0.25, gamma: float = 2.0, extras: Optional[TrainingExtras] = None,
                 cls_on_negatives: bool = False):
        self.matcher = matcher or HungarianMatcher()
        # False: the match loss sees positive pairs only and the presence token alone answers
        # negatives (SAM3's decoupling). True: every query of a negative pair is a negative too --
        # on a hard negative ("red nut" among blue nuts) the queries sitting on the blue nuts are
        # exactly the examples that teach the attribute, one per object instead of one per pair.
        self.cls_on_negatives = cls_on_negatives
        self.w = weights or LossWeights()
        self.alpha, self.gamma = alpha, gamma
        self.extras = extras

    def layer_losses(self, layer: Dict, pix: Tensor, batch: Dict, final: bool) -> Tuple[Dict[str, Tensor], list]:
        """Losses of one query set (one group of one layer); presence is left to the caller."""
        tb, tmk = batch["target_boxes"], batch["target_masks"]
        present = batch["present"]
        logits, boxes = layer["logits"], layer["boxes"]
        if final and self.matcher.w_dice:
            with torch.no_grad():
                masks_all = full_masks(layer, pix)
            match = self.matcher(logits.detach(), boxes.detach(), tb, masks_all, tmk)
        else:
            match = self.matcher(logits.detach(), boxes.detach(), tb)
        num = max(1.0, float(sum(t.shape[0] for t in tb)))
        # class: focal on positive pairs only
        cls_t = torch.zeros_like(logits)
        bi, qi = [], []
        for b, (q, g) in enumerate(match):
            cls_t[b, q] = 1.0
            bi.append(torch.full_like(q, b))
            qi.append(q)
        pairs = torch.ones_like(present, dtype=torch.bool) if self.cls_on_negatives else present > 0.5
        focal = sigmoid_focal_loss(logits, cls_t, self.alpha, self.gamma)
        l_cls = (focal * pairs[:, None].float()).sum() / num
        bi, qi = torch.cat(bi), torch.cat(qi)
        if bi.numel():
            src_b = boxes[bi, qi]
            tgt_b = torch.cat([tb[b][g] for b, (_, g) in enumerate(match)])
            l_l1 = F.l1_loss(src_b, tgt_b, reduction="sum") / num
            l_giou = (1 - elementwise_giou(box_cxcywh_to_xyxy(src_b), box_cxcywh_to_xyxy(tgt_b))).sum() / num
            e = layer["mask_embed"][bi, qi]                                # [M, D]
            pm = torch.einsum("md,mdhw->mhw", e, pix[bi])
            tm = torch.cat([tmk[b][g] for b, (_, g) in enumerate(match)])
            l_bce = F.binary_cross_entropy_with_logits(pm, tm, reduction="none").mean((1, 2)).sum() / num
            l_dice = dice_loss(pm, tm).sum() / num
        else:
            z = logits.sum() * 0.0
            l_l1 = l_giou = l_bce = l_dice = z
        return {"cls": l_cls, "l1": l_l1, "giou": l_giou, "mask_bce": l_bce, "dice": l_dice}, match

    def weighted(self, terms: Dict[str, Tensor]) -> Tensor:
        w = self.w
        return (w.cls * terms["cls"] + w.l1 * terms["l1"] + w.giou * terms["giou"]
                + w.mask_bce * terms["mask_bce"] + w.dice * terms["dice"])

    def dense_losses(self, out: Dict, batch: Dict) -> Dict[str, Tensor]:
        """Dense concept heads of TrainingExtras against the union of the pair's instances."""
        pix, fused = out["pix"], out["fused"]
        union = union_targets(batch["target_masks"], pix[:, 0])              # [B, h0, h0]
        head = self.extras.sem_pix
        sem = torch.einsum("bdhw,d->bhw", pix, head.weight[0]) + head.bias[0]
        l_bce = F.binary_cross_entropy_with_logits(sem, union)
        pos = batch["present"] > 0.5
        l_dice = dice_loss(sem[pos], union[pos]).mean() if bool(pos.any()) else sem.sum() * 0.0
        h2 = int(round(math.sqrt(fused.shape[1])))
        tok_t = F.avg_pool2d(union[:, None], union.shape[-1] // h2)[:, 0].flatten(1)   # [B, h2*h2]
        l_tok = F.binary_cross_entropy_with_logits(self.extras.sem_tok(fused)[..., 0], tok_t)
        out_d = {"sem_bce": l_bce, "sem_dice": l_dice, "sem_tok": l_tok}
        if "phrases" in batch and "text_summary" in out:
            keys, fins = text_labels(batch["phrases"])
            if bool((keys >= 0).any()):
                s = out["text_summary"]
                keys, fins = keys.to(s.device), fins.to(s.device)
                out_d["text_key"] = F.cross_entropy(self.extras.text_key(s), keys, ignore_index=-100)
                out_d["text_finish"] = F.cross_entropy(self.extras.text_finish(s), fins, ignore_index=-100)
        return out_d

    def __call__(self, out: Dict, batch: Dict) -> Tuple[Tensor, Dict[str, float]]:
        layers, pix = out["layers"], out["pix"]
        total = 0.0
        logs: Dict[str, float] = {}
        w = self.w
        present = batch["present"]
        for i, layer in enumerate(layers):
            final = i == len(layers) - 1
            terms, _ = self.layer_losses(layer, pix, batch, final)
            l_pres = F.binary_cross_entropy_with_logits(layer["presence"][:, 0], present)
            layer_total = self.weighted(terms) + w.presence * l_pres
            for g in layer.get("groups", ()):     # matched on class + box cost only: cheaper
                g_terms, _ = self.layer_losses(g, pix, batch, final=False)
                layer_total = layer_total + self.weighted(g_terms)
            total = total + (1.0 if final else w.aux) * layer_total
            if final:
                logs.update({k: float(v.detach()) for k, v in terms.items()})
                logs["presence"] = float(l_pres.detach())
        if self.extras is not None and "fused" in out:
            d = self.dense_losses(out, batch)
            total = total + w.sem_bce * d["sem_bce"] + w.sem_dice * d["sem_dice"] + w.sem_tok * d["sem_tok"]
            total = total + w.text * (d.get("text_key", 0.0) + d.get("text_finish", 0.0))
            logs.update({k: float(v.detach()) for k, v in d.items()})
        logs["loss"] = float(total.detach())
        return total, logs
