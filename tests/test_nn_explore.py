"""nn.explore: the network diagram's numbers follow the sliders exactly, and step is nn.SGD's."""

from __future__ import annotations

import math
import struct
import sys
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from nn.demo import TUTORIAL_NAMES as NAMES
from nn.tutorial import INPUTS, TARGETS, tutorial_network
from nn.viz.diagram import network_numbers

SVG = "{http://www.w3.org/2000/svg}"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or struct.pack("<d", a) == struct.pack("<d", b)


def small_model() -> nn.MLP:
    model = nn.MLP(3, [3, 2], activation="tanh", output_activation="sigmoid", seed=4)
    return model


def texts_by_group(svg: str) -> dict[str, list[str]]:
    root = ET.fromstring(svg)
    return {g.get("id"): [" ".join((t.text or "").split()) for t in g.iter(f"{SVG}text")]
            for g in root.iter(f"{SVG}g") if g.get("class") == "node"}


def shown(widget) -> dict[str, list[str]]:
    """The diagram as the front-end shows it: every marked text replaced."""
    root = ET.fromstring(widget.svg)
    for t in root.iter(f"{SVG}text"):
        if t.get("data-vg-text"):
            t.text = widget.texts[t.get("data-vg-text")]
    return texts_by_group(ET.tostring(root, encoding="unicode"))


def parameters_as(model: nn.Module, widget) -> dict[str, float]:
    """The widget's number for each of the model's parameters, by dotted name."""
    by_name = {k["name"]: widget.values[k["key"]] for k in widget.knobs}
    return {name: by_name[name] for name, _ in model.named_parameters()}


def test_explore_is_exported():
    assert "explore" in nn.__all__
    assert nn.explore.__module__ == "nn.viz.explore"


def test_the_widget_draws_what_nn_diagram_draws():
    net = tutorial_network()
    widget = nn.explore(net, INPUTS, TARGETS, names=NAMES, lr=0.5)
    assert shown(widget) == texts_by_group(
        nn.diagram(net, INPUTS, TARGETS, names=NAMES).svg())
    # The tutorial's own names: one b1 for both hidden neurons, one b2 for both outputs.
    assert [k["name"] for k in widget.knobs] == [
        "i1", "i2", "w1", "w2", "b1", "w3", "w4", "b1", "w5", "w6", "b2", "w7", "w8", "b2"]
    assert {k["kind"] for k in widget.knobs if k["name"] in ("b1", "b2")} == {"frozen"}


@pytest.fixture(scope="module")
def explorer():
    model = small_model()
    return model, nn.explore(model, [0.5, -1.0, 2.0], [0.2, 0.9], nn.mse)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-2, 2, allow_nan=False), min_size=3 + 3 * 4 + 2 * 4,
                max_size=3 + 3 * 4 + 2 * 4))
def test_every_number_matches_a_fresh_pass_on_the_same_numbers(explorer, numbers):
    model, widget = explorer
    keys = [k["key"] for k in widget.knobs]
    widget.values = dict(zip(keys, numbers))
    twin = small_model()
    for (_, p), x in zip(twin.named_parameters(), numbers[3:]):
        p.data = x
    fresh = network_numbers(twin, numbers[:3], [0.2, 0.9], nn.mse)
    now = widget._session.network_now()
    assert same(now.loss, fresh.loss)
    for mine, theirs in zip(now.edges, fresh.edges):
        assert same(mine.weight, theirs.weight) and same(mine.grad, theirs.grad)
    for column, expected in zip(now.layers, fresh.layers):
        for mine, theirs in zip(column, expected):
            for field in ("net", "out", "delta", "bias"):
                assert same(getattr(mine, field), getattr(theirs, field)), field
    assert shown(widget) == texts_by_group(nn.diagram(twin, numbers[:3], [0.2, 0.9],
                                                      nn.mse).svg())
    # the model the widget was made from keeps its own numbers and gradients
    assert all(p.grad == 0.0 for p in model.parameters())
    assert [p.data for p in model.parameters()] == [p.data for p in small_model().parameters()]


def test_step_is_one_sgd_update_of_the_parameters_only():
    net = tutorial_network()
    widget = nn.explore(net, INPUTS, TARGETS, names=NAMES, lr=0.5)
    inputs_before = {k["name"]: widget.values[k["key"]] for k in widget.knobs
                     if k["kind"] != "parameter"}
    log = widget.step()
    twin = tutorial_network()
    loss = nn.half_sse(twin(INPUTS), TARGETS)
    loss.backward()
    nn.SGD(twin.parameters(), lr=0.5).step()
    values = {k["name"]: widget.values[k["key"]] for k in widget.knobs}
    stepped = {NAMES.get(n, n): p.data for n, p in twin.named_parameters()}
    for name, x in stepped.items():
        if name in values:
            assert same(values[name], x), name
    assert {n: values[n] for n in inputs_before} == inputs_before  # inputs, frozen biases
    assert [row[0] for row in log["rows"]] == [f"w{k}" for k in range(1, 9)]
    assert log["rows"][4][1:] == ["0.4", "0.08217", "0.3589"]  # w5, as the tutorial has it
    assert widget.texts["w1_0_0.0"] == f"w5 = {stepped['w5']:.4g}"
    # the model is unchanged
    assert [p.data for p in net.parameters()] == [p.data for p in tutorial_network().parameters()]
    assert all(p.grad == 0.0 for p in net.parameters())


def test_clicking_a_neuron_shows_its_net_in_the_explained_pass():
    widget = nn.explore(tutorial_network(), INPUTS, TARGETS, names=NAMES)
    detail = widget.select("h0_0")
    assert detail["title"].startswith("h1.net = 0.3775")
    assert [row[3] for row in detail["rows"]] == ["h1.net", "h1.sum.1"]
    assert detail["paths"][0] == "∂E/∂h1.net: 2 paths from E to h1.net"
    weight = widget.select("w1_0_0")
    assert weight["title"] == "w5 = 0.4;  ∂E/∂w5 = 0.08217"


def test_explore_needs_a_target():
    with pytest.raises(TypeError, match="target"):
        nn.explore(tutorial_network(), INPUTS, None)


def test_without_anywidget_the_static_diagram_is_shown(monkeypatch):
    monkeypatch.setitem(sys.modules, "anywidget", None)
    monkeypatch.delitem(sys.modules, "autograd.viz.explore.widget", raising=False)
    net = tutorial_network()
    bundle = nn.explore(net, INPUTS, TARGETS, names=NAMES)._repr_mimebundle_()
    assert WIDGET_MIME not in bundle
    assert bundle["image/svg+xml"] == nn.diagram(net, INPUTS, TARGETS, names=NAMES).svg()


def test_names_with_markup_newlines_and_backslashes_update_in_place():
    names = {"layers.0.neurons.0.w.0": "w<1>&\\x", "layers.0.neurons.0": "h\n1",
             "x.0": "i\\1", "loss": "E&"}
    net = tutorial_network()
    widget = nn.explore(net, INPUTS, TARGETS, names=names)
    assert "<1>" not in widget.svg
    assert shown(widget) == texts_by_group(nn.diagram(net, INPUTS, TARGETS, names=names).svg())
    assert widget.knobs[0]["name"] == "i\\1"
