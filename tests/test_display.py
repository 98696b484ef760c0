"""Values and Modules show inline in Jupyter: IPython's display formatter finds their graph."""

import xml.etree.ElementTree as ET

from IPython.core.formatters import DisplayFormatter

import nn
from autograd import Value


def formatted(obj):
    data, _ = DisplayFormatter().format(obj)
    return data


def test_value_displays_as_svg_graph():
    x = Value(2.0, label="x")
    y = (x * 3).tanh()
    y.backward()
    data = formatted(y)
    assert data["text/plain"].startswith("Value(data=")
    svg = ET.fromstring(data["image/svg+xml"])
    texts = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "x" in texts and "tanh" in texts


def test_module_displays_as_svg_graph():
    model = nn.MLP(2, [2, 1], seed=0)
    data = formatted(model)
    assert "image/svg+xml" in data and "MLP" in data["text/plain"]
    svg = data["image/svg+xml"]
    assert "layers.0.neurons.1" in svg and "w.0" in svg  # a box per neuron, short names inside


def test_large_module_falls_back_to_a_summary():
    data = formatted(nn.MLP(2, [64, 64, 1], seed=0))
    assert "image/svg+xml" not in data and "too large" in data["text/plain"]


def _image(html: str) -> tuple[dict[str, str], str]:
    """The drawing's <img> style (as a dict) and the style of the box around it."""
    import re

    box = re.search(r'<div class="vg-graph" style="([^"]*)"', html).group(1)
    style = re.search(r'<img alt="graph" src="data:image/svg\+xml;base64,[^"]+" style="([^"]*)"',
                      html).group(1)
    return dict(part.split(":", 1) for part in style.split(";") if part), box


def test_a_drawing_never_shrinks_below_a_legible_scale_but_scrolls_in_its_own_box():
    from autograd import draw
    from autograd.viz.render import LEGIBLE_SCALE

    net = nn.MLP(2, [2, 2], activation="tanh", seed=0)
    loss = nn.mse(net([0.5, -1.0]), [1.0, -1.0])
    loss.backward()
    data = formatted(draw(loss, rankdir="LR"))
    style, box = _image(data["text/html"])
    natural = float(style["max-width"].rstrip("pt"))
    assert natural > 3000  # left to right, the boxes side by side: wide
    # 12 pt text shown at no less than LEGIBLE_SCALE: about 9.6 px, never 2.5 px
    assert float(style["min-width"].rstrip("pt")) == round(natural * LEGIBLE_SCALE)
    assert 12 * 4 / 3 * LEGIBLE_SCALE >= 9
    assert "overflow-x:auto" in box and "max-width:100%" in box
    assert "image/svg+xml" in data  # still there for front ends without HTML


def test_a_value_of_a_hundred_nodes_shows_a_summary_and_a_legible_scrolling_drawing():
    net = nn.MLP(2, [4, 4, 1], activation="tanh", seed=0)
    loss = nn.mse(net([0.5, -1.0]), 1.0)
    from autograd.viz.layout import graph_order

    size = len(graph_order(loss))
    assert 80 <= size <= 150
    data = formatted(loss)
    assert "image/svg+xml" not in data  # not the whole graph squeezed into the column
    assert f"graph of {size} Values" in data["text/plain"]
    html = data["text/html"]
    assert f"graph of {size} Values" in html and "explain(root)" in html
    style, box = _image(html)
    assert float(style["min-width"].rstrip("pt")) > 0 and "max-height:600px" in box
    small = formatted((Value(2.0) * 3).tanh())
    assert "image/svg+xml" in small and "graph of" not in small["text/plain"]
