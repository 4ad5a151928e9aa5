"""Shared set-up for the unit tests: thread limits (Debian torch) and small helpers."""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402

torch.set_num_threads(2)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TRAINING = os.path.join(REPO, "training")
TINY_PACKAGE = os.path.join(REPO, "model-inspection", "packages", "inspection-tiny")


def tiny_model(seed=0):
    from conceptseg_train.export import make_model
    return make_model("tiny", seed)
