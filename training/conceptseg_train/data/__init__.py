"""Synthetic data for the surface-inspection domain (shared/inspection-domain.md).

Modules:
- ``concepts``: the concept vocabulary (phrases, synonyms, groups, ``matches``, ``HELD_OUT``).
- ``render``:   the scene renderer (``render.sample(rng, size=None) -> (image, instances)``).
- ``rle``:      COCO compressed RLE, bit-exact with pycocotools.
- ``saco``:     SA-Co / COCO JSON data sets (``python -m conceptseg_train.data.saco``) and
                ``pairs_for`` (phrase sampling with positives, negatives and hard negatives).
- ``make_samples``: regenerates the files under ``samples/`` at the repository root.
"""
from . import concepts, rle  # noqa: F401  (light: numpy only)

__all__ = ["concepts", "rle", "render", "saco"]
