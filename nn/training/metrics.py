"""Accuracy functions: each takes the model's outputs (as floats) and the targets of one batch.

Which one fits depends on how labels are coded and what the model outputs:

==================== ======================= ==============================
function             labels                  a sample counts as class 1 if
==================== ======================= ==============================
sign_accuracy        -1 / +1 (hinge loss)    score > 0 (micrograd's rule)
probability_accuracy 0 / 1 (bce)             probability > 0.5
logit_accuracy       0 / 1 (bce_with_logits) score > 0
argmax_accuracy      0 .. K-1 (cross_entropy) the largest score is the label's
==================== ======================= ==============================
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _check(outputs: Sequence[Any], targets: Sequence[Any], name: str) -> None:
    if len(outputs) != len(targets):
        raise ValueError(f"{name}: {len(outputs)} outputs but {len(targets)} targets")
    if not outputs:
        raise ValueError(f"{name}: no samples")


def sign_accuracy(outputs: Sequence[float], targets: Sequence[float]) -> float:
    """Fraction of samples whose score has the sign of its -1/+1 label."""
    _check(outputs, targets, "sign_accuracy")
    hits = sum((s > 0) == (y > 0) for s, y in zip(outputs, targets, strict=True))
    return hits / len(outputs)


def probability_accuracy(outputs: Sequence[float], targets: Sequence[float]) -> float:
    """Fraction of samples whose probability is on the side of 0.5 of its 0/1 label."""
    _check(outputs, targets, "probability_accuracy")
    hits = sum((p > 0.5) == (y > 0.5) for p, y in zip(outputs, targets, strict=True))
    return hits / len(outputs)


def logit_accuracy(outputs: Sequence[float], targets: Sequence[float]) -> float:
    """Fraction of samples whose raw score is on the side of 0 of its 0/1 label."""
    _check(outputs, targets, "logit_accuracy")
    hits = sum((z > 0) == (y > 0.5) for z, y in zip(outputs, targets, strict=True))
    return hits / len(outputs)


def argmax_accuracy(outputs: Sequence[Sequence[float]], targets: Sequence[int]) -> float:
    """Fraction of samples whose largest score is at the index of its class label."""
    _check(outputs, targets, "argmax_accuracy")
    hits = 0
    for scores, label in zip(outputs, targets, strict=True):
        best = max(range(len(scores)), key=scores.__getitem__)  # first maximum on ties
        hits += best == label
    return hits / len(outputs)
