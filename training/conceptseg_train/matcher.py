"""One-to-one Hungarian matching of decoder queries to ground-truth instances (DETR / SAM3 style).

cost[q, g] = w_class * focal-style class cost + w_bbox * L1(cxcywh) + w_giou * (-GIoU)
             + w_dice * dice cost of the masks (optional)

The class cost is Deformable-DETR's: pos = alpha (1-p)^gamma (-log p), neg = (1-alpha) p^gamma
(-log(1-p)), cost = pos - neg, with p = sigmoid(match logit).
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from torch import Tensor


def box_cxcywh_to_xyxy(b: Tensor) -> Tensor:
    cx, cy, w, h = b.unbind(-1)
    return torch.stack((cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h), -1)


def box_area(b: Tensor) -> Tensor:
    return (b[..., 2] - b[..., 0]).clamp(min=0) * (b[..., 3] - b[..., 1]).clamp(min=0)


def pairwise_giou(a: Tensor, b: Tensor) -> Tensor:
    """xyxy [N, 4], [M, 4] -> generalized IoU [N, M]."""
    area_a, area_b = box_area(a), box_area(b)
    lt = torch.max(a[:, None, :2], b[None, :, :2])
    rb = torch.min(a[:, None, 2:], b[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    union = area_a[:, None] + area_b[None, :] - inter
    iou = inter / union.clamp(min=1e-9)
    lt_c = torch.min(a[:, None, :2], b[None, :, :2])
    rb_c = torch.max(a[:, None, 2:], b[None, :, 2:])
    hull = (rb_c - lt_c).clamp(min=0).prod(-1)
    return iou - (hull - union) / hull.clamp(min=1e-9)


def elementwise_giou(a: Tensor, b: Tensor) -> Tensor:
    """xyxy [N, 4], [N, 4] -> GIoU [N]."""
    area_a, area_b = box_area(a), box_area(b)
    lt = torch.max(a[:, :2], b[:, :2])
    rb = torch.min(a[:, 2:], b[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    union = area_a + area_b - inter
    iou = inter / union.clamp(min=1e-9)
    lt_c = torch.min(a[:, :2], b[:, :2])
    rb_c = torch.max(a[:, 2:], b[:, 2:])
    hull = (rb_c - lt_c).clamp(min=0).prod(-1)
    return iou - (hull - union) / hull.clamp(min=1e-9)


def pairwise_dice_cost(pred_logits: Tensor, target: Tensor) -> Tensor:
    """mask logits [Q, H, W], soft targets [G, H, W] -> 1 - dice [Q, G]."""
    p = pred_logits.flatten(1).sigmoid()
    t = target.flatten(1)
    num = 2 * p @ t.T
    den = p.sum(-1)[:, None] + t.sum(-1)[None, :]
    return 1 - (num + 1) / (den + 1)


class HungarianMatcher:
    def __init__(self, w_class: float = 2.0, w_bbox: float = 5.0, w_giou: float = 2.0,
                 w_dice: float = 2.0, alpha: float = 0.25, gamma: float = 2.0):
        self.w_class, self.w_bbox, self.w_giou, self.w_dice = w_class, w_bbox, w_giou, w_dice
        self.alpha, self.gamma = alpha, gamma

    @torch.no_grad()
    def cost(self, logits: Tensor, boxes: Tensor, tgt_boxes: Tensor,
             masks: Optional[Tensor] = None, tgt_masks: Optional[Tensor] = None) -> Tensor:
        """One pair: logits [Q], boxes [Q, 4] (cxcywh), tgt_boxes [G, 4] -> cost [Q, G]."""
        p = logits.float().sigmoid()[:, None]
        a, g = self.alpha, self.gamma
        pos = a * (1 - p) ** g * (-(p + 1e-8).log())
        neg = (1 - a) * p ** g * (-(1 - p + 1e-8).log())
        c = self.w_class * (pos - neg).expand(-1, tgt_boxes.shape[0])
        c = c + self.w_bbox * torch.cdist(boxes.float(), tgt_boxes.float(), p=1)
        c = c - self.w_giou * pairwise_giou(box_cxcywh_to_xyxy(boxes.float()), box_cxcywh_to_xyxy(tgt_boxes.float()))
        if self.w_dice and masks is not None and tgt_masks is not None:
            c = c + self.w_dice * pairwise_dice_cost(masks.float(), tgt_masks.float())
        return c

    @torch.no_grad()
    def __call__(self, logits: Tensor, boxes: Tensor, tgt_boxes: Sequence[Tensor],
                 masks: Optional[Tensor] = None, tgt_masks: Optional[Sequence[Tensor]] = None
                 ) -> List[Tuple[Tensor, Tensor]]:
        """Batch: logits [B, Q], boxes [B, Q, 4], tgt_boxes[b] [G_b, 4] (masks [B, Q, h, w] and
        tgt_masks[b] [G_b, h, w] optional) -> per pair (query indices, target indices), int64,
        sorted by query index."""
        out = []
        for b in range(logits.shape[0]):
            G = tgt_boxes[b].shape[0]
            if G == 0:
                e = torch.zeros(0, dtype=torch.int64, device=logits.device)
                out.append((e, e))
                continue
            c = self.cost(logits[b], boxes[b], tgt_boxes[b],
                          None if masks is None else masks[b],
                          None if tgt_masks is None else tgt_masks[b])
            c = torch.nan_to_num(c, nan=1e6, posinf=1e6, neginf=-1e6)
            qi, gi = linear_sum_assignment(c.cpu().numpy())
            order = np.argsort(qi)
            out.append((torch.as_tensor(qi[order], dtype=torch.int64, device=logits.device),
                        torch.as_tensor(gi[order], dtype=torch.int64, device=logits.device)))
        return out
