"""plot_decision_boundary(): where a 2-input classifier says which class (matplotlib: `plot` extra).

The plane is shaded by the model's decision (score above or below its threshold), the training
points drawn as filled dots and the held-out points as hollow squares, one colour per class,
with labelled axes and a legend saying which is which.  Shows inline in Jupyter as PNG (a
HistoryPlot) and saves with .savefig(path).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from autograd import no_grad

from .history_plot import HistoryPlot

GRID = 60  # decision evaluations per axis
COLOURS = ("#c0392b", "#1f5fa8")  # class 0 (or -1), class 1
REGIONS = ("#f6d5d1", "#d2e3f3")


def _positive(label: float) -> bool:
    return label > 0  # 0/1 and -1/+1 labels alike


def plot_decision_boundary(model: Callable[[list[float]], Any], X: Sequence[Sequence[float]],
                           y: Sequence[float], *,
                           held_out: tuple[Sequence[Sequence[float]], Sequence[float]] | None
                           = None, threshold: float = 0.0, title: str | None = None,
                           grid: int = GRID) -> HistoryPlot:
    """Shade the plane by the model's decision (score > threshold) and draw the points on it.

    X, y: the training points (two features each) and their labels (0/1 or -1/+1).
    held_out: the validation or test points, drawn hollow, so overfitting shows.
    threshold: 0 for logits and hinge scores; 0.5 for a sigmoid output.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - the plot extra is missing
        raise ImportError("plot_decision_boundary needs matplotlib: "
                          "pip install 'valuegrad[plot]'") from exc
    sets = [("training", X, y)] + ([("held-out", *held_out)] if held_out is not None else [])
    for name, points, labels in sets:
        if len(points) != len(labels) or any(len(p) != 2 for p in points):
            raise ValueError(f"the {name} points need two features each and one label per point")
    xs = [p[0] for _, pts, _ in sets for p in pts]
    ys = [p[1] for _, pts, _ in sets for p in pts]
    if not xs:
        raise ValueError("no points to draw")
    x0, x1 = min(xs) - 0.5, max(xs) + 0.5
    y0, y1 = min(ys) - 0.5, max(ys) + 0.5
    gx = [x0 + (x1 - x0) * i / (grid - 1) for i in range(grid)]
    gy = [y0 + (y1 - y0) * j / (grid - 1) for j in range(grid)]
    with no_grad():  # numbers only: no graph is kept for the grid
        scores = [[_score(model([u, v])) for u in gx] for v in gy]
    flat = [z for row in scores for z in row]
    if not all(math.isfinite(z) for z in flat):
        raise ValueError("the model gives a score that is not finite somewhere on the plane")
    low, high = min(min(flat), threshold) - 1.0, max(max(flat), threshold) + 1.0
    figure = Figure(figsize=(6, 4.6))
    ax = figure.add_subplot()
    # The boundary is where the score crosses the threshold, interpolated between grid points.
    ax.contourf(gx, gy, scores, levels=[low, threshold, high], colors=list(REGIONS))
    ax.contour(gx, gy, scores, levels=[threshold], colors="#444444", linewidths=1)
    for name, points, labels in sets:
        for cls, colour in enumerate(COLOURS):
            chosen = [p for p, t in zip(points, labels, strict=True) if _positive(t) == bool(cls)]
            if not chosen:
                continue
            style: dict[str, Any] = (
                {"c": colour, "marker": "o", "s": 22} if name == "training" else
                {"facecolors": "none", "edgecolors": colour, "marker": "s", "s": 34,
                 "linewidths": 1.4})
            ax.scatter([p[0] for p in chosen], [p[1] for p in chosen],
                       label=f"class {cls}, {name}", **style)
    ax.set_xlabel("x₁ (first feature)")
    ax.set_ylabel("x₂ (second feature)")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_title(title or "decision boundary: shaded by the class the model predicts")
    ax.legend(loc="best", fontsize=9, framealpha=0.9)
    figure.tight_layout()
    return HistoryPlot(figure)


def _score(out: Any) -> float:
    """The model's output as a number (a Value, or a one-element list of them)."""
    if isinstance(out, (list, tuple)):
        if len(out) != 1:
            raise ValueError(f"the model gives {len(out)} outputs; a decision boundary needs one")
        out = out[0]
    return float(getattr(out, "data", out))
