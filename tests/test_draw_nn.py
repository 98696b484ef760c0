"""Drawing real nn networks: a box per neuron, parameters, Module display."""

from __future__ import annotations

import importlib
import random
import re
import xml.etree.ElementTree as ET

import pytest
from svgread import groups
from svgread import node_text as texts

import nn
from autograd import Value, draw, explain, topological_order
from autograd.viz.display import mimebundle
from nn.tutorial import INPUTS, TARGETS, tutorial_network

drawmod = importlib.import_module("autograd.viz.draw")


def test_the_2_2_2_tutorial_network_is_drawn_with_a_box_per_neuron():
    net = tutorial_network()
    xs = [Value(x, label=f"i{k + 1}", requires_grad=False) for k, x in enumerate(INPUTS)]
    error = nn.half_sse(net(xs), TARGETS)
    error.label = "E"
    error.backward()
    root = ET.fromstring(draw(error).svg())
    titles = sorted(texts(c) for c in groups(root, "cluster"))
    # Side by side, not nested in layer boxes (renderers keep only unnested boxes in order).
    assert titles == ["h1", "h2", "o1", "o2"]  # the tutorial's names for its neurons
    boxes = [texts(n) for n in groups(root, "node")]
    assert "w5\ndata 0.4\ngrad 0.08217" in boxes  # the tutorial's dE/dw5 = 0.082167041
    assert sum(b.startswith(("b1\n", "b2\n")) and b.endswith("no grad") for b in boxes) == 4
    # explain() names the same parameter by its tutorial label.
    report = explain(error).paths("w5")
    assert abs(report.total - 0.082167041) < 1e-9


def test_draw_of_a_module_is_its_network_diagram_and_a_big_graph_a_summary():
    small = nn.MLP(2, [2, 2], seed=0)
    root = ET.fromstring(draw(small).svg())  # as Jupyter shows the module: weights, no inputs
    assert f"w {small.layers[1].neurons[0].w[1].data:.4g}" in texts(root)
    assert not any(t.startswith(("net ", "out ")) for t in texts(root).split("\n"))
    with pytest.raises(TypeError, match=r"model\.diagram\(x\)"):
        draw(small, rankdir="LR")  # options of op graphs: the module must run first
    big = nn.MLP(2, [16, 16, 1], seed=0)
    summary = mimebundle(big([0.5, -1.0]))
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


def tanh_network() -> tuple[nn.MLP, Value]:
    """A 2-2-2 tanh network on one sample, after backward."""
    net = nn.MLP(2, [2, 2], activation="tanh", output_activation="tanh", seed=3)
    out = net([0.5, -1.5])
    loss = (out[0] - 1.0) ** 2 + (out[1] + 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return net, loss


def dot_clusters(source: str) -> dict[str, list[str]]:
    """Which node ids sit directly inside which cluster, from the DOT text."""
    stack: list[str] = []
    pending = False
    members: dict[str, list[str]] = {}
    for line in source.splitlines():
        line = line.strip()
        if line.startswith("subgraph cluster_"):
            stack.append("?")
            pending = True
        elif line == "}":
            if stack:
                stack.pop()
        elif pending:
            found = re.search(r' label=(?:"([^"]*)"|(\S+))', line)
            stack[-1] = found.group(1) or found.group(2)
            members[stack[-1]] = []
            pending = False
        elif stack and line.split(" ")[0].startswith("n") and "->" not in line:
            members[stack[-1]].append(line.split(" ")[0])
    return members


def test_network_parameters_are_highlighted_and_grouped_per_layer_and_neuron():
    net, loss = tanh_network()
    graph = draw(loss)
    clusters = dot_clusters(graph.source)
    assert set(clusters) == {"layers.0.neurons.0", "layers.0.neurons.1",
                             "layers.1.neurons.0", "layers.1.neurons.1"}
    # Each neuron holds its 3 parameters, 2 products, 2 sums and the tanh (8 Values + 7 ops).
    for name in ("layers.0.neurons.0", "layers.1.neurons.1"):
        boxes = [i for i in clusters[name] if not i.endswith("op")]
        assert len(boxes) == 8, clusters[name]
    texts_ = [texts(n) for n in groups(ET.fromstring(graph.svg()), "node")]
    # Inside its neuron's box a parameter is shown by its short name, the sum and output too.
    for short in ("w.0", "w.1", "b", "net", "out"):
        assert sum(t.startswith(short + "\n") for t in texts_) == 4, short
    assert graph.source.count(drawmod._PARAM_FILL) == len(net.parameters())
    # The loss (mixing the outputs with the targets) stays outside every neuron.
    assert not any(set(ids) & {"n" + str(len(topological_order(loss)) - 1)}
                   for ids in clusters.values())


def test_derived_names_reach_explain_and_survive_relabelled_parameters():
    net, loss = tanh_network()
    names = explain(loss).names
    hidden = net.layers[0].neurons[1]
    assert "layers.0.neurons.1.net" in names.values()
    assert "layers.1.neurons.0.out" in names.values()
    net.zero_grad()
    n_params = len(net.parameters())  # before relabelling: parameters() fills empty labels
    for k, w in enumerate(hidden.w):
        w.label = f"w{k + 1}"  # a tutorial's own names
    hidden.b.label = ""
    loss2 = sum((o - t) ** 2 for o, t in zip(net([0.5, -1.5]), [1.0, -1.0], strict=True))
    loss2.backward()
    graph = draw(loss2)
    clusters = dot_clusters(graph.source)
    assert "layers.0.neurons.1" in clusters and len(clusters) == 4
    assert graph.source.count(drawmod._PARAM_FILL) == n_params
    box_texts = [texts(n) for n in groups(ET.fromstring(graph.svg()), "node")]
    assert any(t.startswith("w1\n") for t in box_texts)  # the user's label wins
    assert any(t.startswith("b\n") for t in box_texts)  # unlabelled: its dotted name
    assert [w.label for w in hidden.w] == ["w1", "w2"] and hidden.b.label == ""


def test_a_custom_module_of_layers_is_grouped_by_its_own_attribute_names():
    class Pair(nn.Module):
        def __init__(self) -> None:
            self.encoder = nn.Layer(2, 2, "relu", rng=random.Random(0))
            self.head = nn.Neuron(2, "linear", rng=random.Random(1))

        def __call__(self, x):
            return self.head(self.encoder(x))

    model = Pair()
    out = model([1.0, 2.0])
    out.backward()
    names = explain(out).names
    assert "head.out" in names.values() and "encoder.neurons.1.net" in names.values()
    clusters = dot_clusters(draw(out).source)
    assert {"encoder.neurons.0", "encoder.neurons.1", "head"} == set(clusters)
