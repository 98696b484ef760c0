"""split() and kfold(): seeded, disjoint train/validation splits of a data set.

Both shuffle the sample indices with ``random.Random(seed)``, so the same data and seed always
give the same split, and every sample lands in exactly one side (one fold).  The samples
themselves are not copied.  Each result is a pair ``(X, y)`` ready for ``fit(model, X, y,
validation=(X_val, y_val))``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from autograd.core import checks
from autograd.core.checks import positive_int, real

Data = tuple[list[Any], list[Any]]


def _as_lists(X: Any, y: Any, who: str) -> tuple[list[Any], list[Any]]:
    """Check X and y are lists (or NumPy arrays) of the same length; return them as lists."""
    if hasattr(X, "tolist"):  # NumPy: plain Python numbers from here on
        X = X.tolist()
    if hasattr(y, "tolist"):
        y = y.tolist()
    for name, data in (("X", X), ("y", y)):
        if isinstance(data, (str, bytes)) or not isinstance(data, Sequence):
            raise TypeError(f"{who}: {name} must be a list of samples, "
                            f"got {type(data).__name__}")
    if len(X) != len(y):
        raise ValueError(f"{who}: X has {len(X)} samples but y has {len(y)} targets")
    return list(X), list(y)


def _check_seed(seed: Any, who: str) -> int | None:
    return checks.seed(seed, who)  # NumPy integers too, as everywhere else


def _shuffled(n: int, seed: int | None) -> list[int]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return order


def _pick(X: list[Any], y: list[Any], indices: list[int]) -> Data:
    return [X[i] for i in indices], [y[i] for i in indices]


def split(X: Sequence[Any], y: Sequence[Any], fraction: float = 0.2, seed: int | None = 0
          ) -> tuple[Data, Data]:
    """Split (X, y) into ``(X_train, y_train), (X_val, y_val)``, a `fraction` of it held out.

    The validation side gets ``round(fraction * n)`` samples, at least one, and the training
    side keeps at least one.  Samples are drawn in an order shuffled by `seed`.
    """
    X, y = _as_lists(X, y, "split")
    real(fraction, "split: fraction")  # a TypeError for anything but one real number
    if not (math.isfinite(fraction) and 0.0 < fraction < 1.0):
        raise ValueError(f"split: fraction must be strictly between 0 and 1 (the share held out "
                         f"for validation), got {fraction!r}")
    seed = _check_seed(seed, "split")
    n = len(X)
    if n < 2:
        raise ValueError(f"split: needs at least 2 samples to make two sides, got {n}")
    n_val = min(max(round(fraction * n), 1), n - 1)
    order = _shuffled(n, seed)
    # Sorted inside each side, so the samples keep their original relative order.
    return _pick(X, y, sorted(order[n_val:])), _pick(X, y, sorted(order[:n_val]))


def kfold(X: Sequence[Any], y: Sequence[Any], k: int = 5, seed: int | None = 0
          ) -> list[tuple[Data, Data]]:
    """k-fold cross-validation: k pairs ``((X_train, y_train), (X_val, y_val))``, one per fold.

    The folds are disjoint, together hold every sample once, and differ in size by at most one;
    fold i is the validation side of pair i and the other folds are its training side.
    """
    X, y = _as_lists(X, y, "kfold")
    positive_int(k, "kfold: k", least=2)  # one fold to validate on, the rest to train on
    if k > len(X):
        raise ValueError(f"kfold: k = {k} folds need at least {k} samples, got {len(X)}")
    seed = _check_seed(seed, "kfold")
    order = _shuffled(len(X), seed)
    base, extra = divmod(len(X), k)
    folds, start = [], 0
    for i in range(k):
        size = base + (1 if i < extra else 0)
        folds.append(sorted(order[start:start + size]))
        start += size
    pairs = []
    for i, held_out in enumerate(folds):
        train = sorted(j for f, fold in enumerate(folds) if f != i for j in fold)
        pairs.append((_pick(X, y, train), _pick(X, y, held_out)))
    return pairs
