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
