"""Toy data sets for classification, seeded and as plain lists (no NumPy or scikit-learn needed).

Every function returns ``(X, y)``: X a list of ``[x0, x1]`` points and y a list of int labels.
Label convention: class indices ``0, 1, ...`` (as scikit-learn).  micrograd's demo and the hinge
loss want -1/+1 instead: ``signed(y)`` converts.  `noise` is the standard deviation of Gaussian
noise (added to the coordinates; to the angle for spirals), and the same `seed` always gives the
same points.
"""

from __future__ import annotations

import math
import random
from typing import Any

from autograd.core import checks
from autograd.core.checks import is_real, nonnegative, positive_int

Points = list[list[float]]
Labels = list[int]


def _check(n_samples: Any, noise: Any, least: int = 1) -> None:
    positive_int(n_samples, "n_samples", least)
    nonnegative(noise, "noise")


def _linspace(start: float, stop: float, n: int, endpoint: bool = True) -> list[float]:
    if n == 1:
        return [start]
    steps = n - 1 if endpoint else n
    return [start + (stop - start) * i / steps for i in range(n)]


def _shuffled_with_noise(points: Points, labels: Labels, noise: float,
                         rng: random.Random) -> tuple[Points, Labels]:
    order = list(range(len(points)))
    rng.shuffle(order)
    X = [[points[i][0] + rng.gauss(0.0, noise), points[i][1] + rng.gauss(0.0, noise)]
         if noise else list(points[i]) for i in order]
    return X, [labels[i] for i in order]


def make_moons(n_samples: int = 100, noise: float = 0.0, seed: int | None = 0
               ) -> tuple[Points, Labels]:
    """Two interleaving half circles (upper moon label 0, lower moon label 1), shuffled."""
    _check(n_samples, noise)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    upper = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, math.pi, n_upper)]
    lower = [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace(0.0, math.pi, n_lower)]
    return _shuffled_with_noise(upper + lower, [0] * n_upper + [1] * n_lower, noise,
                                random.Random(checks.seed(seed, "seed")))


def make_circles(n_samples: int = 100, noise: float = 0.0, factor: float = 0.8,
                 seed: int | None = 0) -> tuple[Points, Labels]:
    """A circle of radius 1 (label 0) around one of radius `factor` (label 1), shuffled."""
    _check(n_samples, noise)
    if not (is_real(factor) and 0 < factor < 1):
        raise ValueError(f"factor must be a number between 0 and 1, got {factor!r}")
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    outer = [[math.cos(t), math.sin(t)]
             for t in _linspace(0.0, 2 * math.pi, n_outer, endpoint=False)]
    inner = [[factor * math.cos(t), factor * math.sin(t)]
             for t in _linspace(0.0, 2 * math.pi, n_inner, endpoint=False)]
    return _shuffled_with_noise(outer + inner, [0] * n_outer + [1] * n_inner, noise,
                                random.Random(checks.seed(seed, "seed")))


def xor(n_samples: int = 4, noise: float = 0.0, seed: int | None = 0) -> tuple[Points, Labels]:
    """The XOR truth table: corners (0,0) (0,1) (1,0) (1,1) labelled 0 1 1 0, repeated in order.

    With the defaults this is exactly the four rows of the table; more samples cycle through the
    corners, each point jittered by `noise`.
    """
    _check(n_samples, noise)
    corners = [([0.0, 0.0], 0), ([0.0, 1.0], 1), ([1.0, 0.0], 1), ([1.0, 1.0], 0)]
    rng = random.Random(checks.seed(seed, "seed"))
    X, y = [], []
    for i in range(n_samples):
        (a, b), label = corners[i % 4]
        if noise:
            a, b = a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)
        X.append([a, b])
        y.append(label)
    return X, y


def spirals(n_samples: int = 100, n_classes: int = 2, noise: float = 0.2,
            seed: int | None = 0) -> tuple[Points, Labels]:
    """`n_classes` interleaved spiral arms from the origin (labels 0 .. n_classes-1), shuffled.

    Arm j turns through angles 4j .. 4(j+1) radians while its radius grows from 0 to 1 (the
    CS231n construction); `noise` jitters the angle.
    """
    _check(n_samples, noise)
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2:
        raise ValueError(f"n_classes must be an int >= 2, got {n_classes!r}")
    if n_samples < n_classes:
        raise ValueError(f"n_samples ({n_samples}) must be at least n_classes ({n_classes})")
    rng = random.Random(checks.seed(seed, "seed"))
    X: Points = []
    y: Labels = []
    for j in range(n_classes):
        n = n_samples // n_classes + (1 if j < n_samples % n_classes else 0)
        for r, t in zip(_linspace(0.0, 1.0, n), _linspace(4.0 * j, 4.0 * (j + 1), n),
                        strict=True):
            t += rng.gauss(0.0, noise) if noise else 0.0
            X.append([r * math.sin(t), r * math.cos(t)])
            y.append(j)
    return _shuffled_with_noise(X, y, 0.0, rng)


def signed(labels: list[int]) -> list[int]:
    """Turn 0/1 labels into -1/+1 (micrograd's demo and the hinge loss use those)."""
    out = []
    for i, label in enumerate(labels):
        if isinstance(label, bool) or label not in (0, 1):
            raise ValueError(f"signed() needs labels 0 or 1, got {label!r} at index {i}")
        out.append(2 * int(label) - 1)
    return out
