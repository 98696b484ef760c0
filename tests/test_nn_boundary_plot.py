"""plot_decision_boundary: labelled axes, a legend, the held-out points, the model's decision."""

from __future__ import annotations

import pytest

import nn
from autograd import Value

pytest.importorskip("matplotlib")


def line_model(point: list[float]) -> Value:
    """Class 1 right of x = 0.5 (a score, positive for class 1)."""
    return Value(point[0]) - 0.5


def test_the_plot_has_axes_a_legend_and_the_held_out_points():
    X, y = [[0.0, 0.0], [1.0, 1.0], [0.2, 1.0]], [0, 1, 0]
    held = ([[0.9, 0.0], [0.1, 0.5]], [1, 0])
    plot = nn.plot_decision_boundary(line_model, X, y, held_out=held)
    ax = plot.figure.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["class 0, training", "class 1, training", "class 0, held-out",
                      "class 1, held-out"]
    offsets = [c.get_offsets().tolist() for c in ax.collections if len(c.get_offsets())]
    assert [[0.9, 0.0]] in offsets and [[0.1, 0.5]] in offsets  # the held-out points are drawn
    assert plot._repr_png_().startswith(b"\x89PNG")


def test_the_shading_is_the_models_decision():
    X, y = [[0.0, 0.0], [1.0, 1.0]], [-1, 1]
    plot = nn.plot_decision_boundary(line_model, X, y, grid=11)
    regions = plot.figure.axes[0].collections[0]
    assert regions is not None
    # The boundary contour sits at x = 0.5, where the score changes sign.
    boundary = plot.figure.axes[0].collections[1]
    xs = [x for path in boundary.get_paths() for x, _ in path.vertices]
    assert xs and all(abs(x - 0.5) <= 0.2 for x in xs)
    with pytest.raises(ValueError, match="two features"):
        nn.plot_decision_boundary(line_model, [[0.0]], [1])
