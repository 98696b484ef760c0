"""Drawing real nn networks: clusters per layer and neuron, parameters, Module display."""

from __future__ import annotations

import importlib
import xml.etree.ElementTree as ET

import nn
from autograd import Value, draw, explain
from nn.tutorial import INPUTS, TARGETS, tutorial_network

drawmod = importlib.import_module("autograd.draw")
SVG = "{http://www.w3.org/2000/svg}"


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == cls]


def texts(group: ET.Element) -> str:
    return "\n".join(t.text or "" for t in group.iter(f"{SVG}text"))


def test_the_2_2_2_tutorial_network_is_drawn_in_nested_clusters():
    net = tutorial_network()
    xs = [Value(x, label=f"i{k + 1}", requires_grad=False) for k, x in enumerate(INPUTS)]
    error = nn.half_sse(net(xs), TARGETS)
    error.label = "E"
    error.backward()
    root = ET.fromstring(draw(error).svg())
    titles = sorted(texts(c) for c in groups(root, "cluster"))
    assert titles == ["layers.0", "layers.0.neurons.0", "layers.0.neurons.1", "layers.1",
                      "layers.1.neurons.0", "layers.1.neurons.1"]
    boxes = [texts(n) for n in groups(root, "node")]
    assert "w.0\ndata 0.4\ngrad 0.08217" in boxes  # w5 of the tutorial, dE/dw5 = 0.082167041
    assert sum(b.startswith("b\n") and b.endswith("no grad") for b in boxes) == 4  # frozen
    # explain() names the same parameter by its full dotted label.
    report = explain(error).paths("layers.1.neurons.0.w.0")
    assert abs(report.total - 0.082167041) < 1e-9


def test_a_module_displays_as_its_graph_and_a_big_one_as_a_summary():
    small = nn.MLP(2, [2, 2], seed=0)
    bundle = drawmod.mimebundle(small)
    root = ET.fromstring(bundle["image/svg+xml"])
    assert len([n for n in groups(root, "node") if texts(n).startswith("w.")]) == 8
    assert bundle["text/plain"] == repr(small)
    big = nn.MLP(2, [16, 16, 1], seed=0)
    summary = drawmod.mimebundle(big)
    assert "image/svg+xml" not in summary
    assert "337 take gradients" in summary["text/plain"] and "too large" in summary["text/plain"]


def test_a_trained_neuron_draws_with_its_own_parameters_highlighted():
    model = nn.MLP(2, [3, 1], seed=1)
    neuron = model.layers[0].neurons[2]
    out = neuron([0.5, -1.0])
    out.backward()
    source = draw(out, params=neuron.parameters()).source
    assert source.count(drawmod._PARAM_FILL) == 3  # w.0, w.1, b
    assert 'label="layers.0.neurons.2"' in source
