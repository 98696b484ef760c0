"""autograd.explore: the recompute matches the engine bit for bit, numbers and rows as drawn."""

from __future__ import annotations

import math
import struct
import sys
import xml.etree.ElementTree as ET
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, apply, draw, explain
from autograd.core.graph import topological_order
from autograd.core.ops import OPS
from autograd.viz.explore.replay import Replay
from autograd.viz.explore.session import StaticExploration, slider_range

SVG = "{http://www.w3.org/2000/svg}"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def same(a: float, b: float) -> bool:
    """Bit for bit (nan equal to nan: its bits depend on the platform's libm only)."""
    return (math.isnan(a) and math.isnan(b)) or struct.pack("<d", a) == struct.pack("<d", b)


# --- random graphs: a recipe of ops on earlier nodes, rebuilt on any leaf numbers ----------

BINARY = [name for name, op in OPS.items() if op.arity == 2 and name != "**c"]
UNARY = [name for name, op in OPS.items() if op.arity == 1]
numbers = st.floats(-3, 3, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def recipes(draw_):
    leaves = draw_(st.lists(numbers, min_size=1, max_size=4))
    steps = []
    for k in range(draw_(st.integers(1, 8))):
        size = len(leaves) + k
        kind = draw_(st.sampled_from(["unary", "binary", "constant", "power"]))
        a = draw_(st.integers(0, size - 1))
        if kind == "unary":
            steps.append((draw_(st.sampled_from(UNARY)), a, None))
        elif kind == "binary":
            steps.append((draw_(st.sampled_from(BINARY)), a, draw_(st.integers(0, size - 1))))
        elif kind == "constant":  # a plain number on one side: a constant leaf
            steps.append((draw_(st.sampled_from(["+", "*", "-", "/"])), a, draw_(numbers)))
        else:
            steps.append(("**c", a, float(draw_(st.integers(0, 3)))))
    frozen = draw_(st.lists(st.booleans(), min_size=len(leaves), max_size=len(leaves)))
    return leaves, steps, frozen


def build(leaves: list[float], steps, frozen) -> tuple[Value, list[Value]]:
    """The recipe's graph on these leaf numbers; the leaves are labelled x0, x1, ..."""
    xs = [Value(x, label=f"x{i}", requires_grad=not f)
          for i, (x, f) in enumerate(zip(leaves, frozen))]
    nodes = list(xs)
    for name, a, b in steps:
        operand = b if isinstance(b, float) else None if b is None else nodes[b]
        nodes.append(apply(name, nodes[a]) if b is None else apply(name, nodes[a], operand))
    return nodes[-1], xs


@settings(max_examples=150, deadline=None)
@given(recipes(), st.lists(numbers, min_size=4, max_size=4))
def test_replay_matches_a_fresh_eager_pass_bit_for_bit(recipe, moved):
    leaves, steps, frozen = recipe
    root, xs = build(leaves, steps, frozen)
    replay = Replay(root)
    new = moved[:len(leaves)]
    copies = replay.run({replay.index[x]: v for x, v in zip(xs, new) if x in replay.index})
    replay.explain(copies, ".6g", {})
    fresh, _ = build(new, steps, frozen)
    fresh.backward()
    expected = topological_order(fresh)
    assert len(expected) == len(copies)
    for c, e in zip(copies, expected):
        assert c.op == e.op
        assert same(c.data, e.data), (c, e)
        assert same(c.grad, e.grad), (c, e)
    # the recorded graph is untouched: its numbers and gradients are the original ones
    assert [x.data for x in xs] == leaves
    assert all(v.grad == 0.0 for v in replay.order)


# --- the widget ----------

def tanh_neuron(xv: float = 2.0, wv: float = -3.0, bv: float = 6.8813735870195432):
    x = Value(xv, label="x", requires_grad=False)
    w = Value(wv, label="w")
    b = Value(bv, label="b")
    o = ((x * w + b).tanh() * 2.0 + 0.5) / 1.5
    o.label = "o"
    return o, x, w, b


def box_texts(svg: str) -> dict[str, list[str]]:
    """Each box's texts, by its title (n0, n1 ...)."""
    root = ET.fromstring(svg)
    return {g.findtext(f"{SVG}title"): [t.text or "" for t in g.iter(f"{SVG}text")]
            for g in root.iter(f"{SVG}g") if g.get("class") == "node"}


def widget_boxes(widget) -> dict[str, list[str]]:
    """The widget's drawing as the front-end shows it: every marked text replaced."""
    root = ET.fromstring(widget.svg)
    for t in root.iter(f"{SVG}text"):
        if t.get("data-vg-text"):
            t.text = widget.texts[t.get("data-vg-text")]
    return box_texts(ET.tostring(root, encoding="unicode"))


def test_explore_is_exported():
    assert autograd.explore is autograd.viz.explore.session.explore
    assert "explore" in autograd.__all__


def test_the_widget_draws_the_numbers_draw_shows():
    o, x, w, b = tanh_neuron()
    widget = autograd.explore(o)
    fresh, *_ = tanh_neuron()
    fresh.backward()
    assert widget_boxes(widget) == box_texts(draw(fresh).svg())
    assert widget.summary == f"o = {fresh.data:.4g}"


def test_moving_a_slider_updates_every_number_as_a_fresh_pass_draws_it():
    o, x, w, b = tanh_neuron()
    widget = autograd.explore(o)
    widget.set("w", -1.25)
    widget.set("x", 0.5)
    fresh, fx, fw, _ = tanh_neuron(0.5, -1.25)
    fresh.backward()
    assert widget_boxes(widget) == box_texts(draw(fresh).svg())
    numbers = widget.numbers()
    assert same(numbers["o"][0], fresh.data) and same(numbers["w"][1], fw.grad)
    # the user's Values and their gradients are as they were
    assert (x.data, w.data, w.grad, b.grad, o.grad) == (2.0, -3.0, 0.0, 0.0, 0.0)


def test_sliders_cover_inputs_and_parameters_not_constants():
    o, x, w, b = tanh_neuron()
    widget = autograd.explore(o)
    assert [(k["name"], k["kind"]) for k in widget.knobs] == [
        ("x", "input"), ("w", "parameter"), ("b", "parameter")]
    for k in widget.knobs:
        assert k["low"] < k["value"] < k["high"] and k["step"] > 0
    with pytest.raises(KeyError, match="no slider"):
        widget.set("2", 3.0)  # the constant 2 is a number in the expression


def test_a_clicked_node_shows_its_rows_and_paths_of_explain():
    o, x, w, b = tanh_neuron()
    widget = autograd.explore(o)
    widget.set("b", 0.25)
    detail = widget.select("w")
    fresh, _, fw, _ = tanh_neuron(bv=0.25)
    ex = explain(fresh, number_format=".4g")
    rows = [r for r in ex.rows() if r[4] == "w"]
    assert len(detail["rows"]) == len(rows) == 1
    row = detail["rows"][0]
    assert row[3:] == [rows[0][4], rows[0][6], rows[0][7], rows[0][8], rows[0][9]]
    assert row[-1].startswith("∂(x*w)/∂w = x = 2")
    assert detail["paths"] == str(ex.paths("w")).splitlines()
    assert detail["title"].endswith(f"∂o/∂w = {format(fw.grad, '.4g')}")
    # the panel follows the sliders
    widget.set("x", 1.0)
    assert widget.detail["rows"][0][-1].startswith("∂(x*w)/∂w = x = 1")


def test_bad_numbers_are_refused_with_a_clear_error():
    o, *_ = tanh_neuron()
    widget = autograd.explore(o)
    before = dict(widget.texts)
    with pytest.raises(ValueError, match="finite"):
        widget.set("w", math.inf)
    widget.values = {**widget.values, "n1": "nan"}  # as a broken front-end might send it
    assert "must be a number" in widget.error
    assert widget.texts == before


def test_labels_are_escaped_in_the_drawing_and_the_sliders():
    x = Value(1.0, label='<script>alert("x")</script>\x1b')
    y = (x * x).exp()
    widget = autograd.explore(y)
    assert "<script" not in widget.svg
    assert widget.knobs[0]["name"] == '<script>alert("x")</script>\\x1b'
    root = ET.fromstring(widget.svg)
    assert not [e for e in root.iter() if e.tag.endswith("script")]


def test_the_widget_bundle_carries_the_static_drawing_for_frontends_without_widgets():
    o, *_ = tanh_neuron()
    data, _ = autograd.explore(o)._repr_mimebundle_()
    assert WIDGET_MIME in data
    assert data["image/svg+xml"] == o._repr_mimebundle_()["image/svg+xml"]


def test_without_anywidget_explore_falls_back_to_the_static_drawing(monkeypatch):
    monkeypatch.setitem(sys.modules, "anywidget", None)  # import anywidget raises ImportError
    monkeypatch.delitem(sys.modules, "autograd.viz.explore.widget", raising=False)
    o, *_ = tanh_neuron()
    shown = autograd.explore(o)
    assert isinstance(shown, StaticExploration)
    bundle = shown._repr_mimebundle_()
    assert WIDGET_MIME not in bundle
    assert bundle["image/svg+xml"] == o._repr_mimebundle_()["image/svg+xml"]
    assert "anywidget" in bundle["text/plain"]


def test_the_front_end_is_a_local_es_module_that_fetches_nothing():
    code = (resources.files("autograd.viz.explore") / "explore.js").read_text(encoding="utf-8")
    assert "export default" in code
    for banned in ("http:", "https:", "fetch(", "import(", "innerHTML", "XMLHttpRequest"):
        assert banned not in code
    assert not [line for line in code.splitlines() if line.startswith("import ")]


@pytest.mark.parametrize("x", [0.0, 0.15, -3.0, 6.88, 1e-4, 250.0])
def test_slider_ranges_hold_the_number_on_a_round_grid(x):
    low, high, step = slider_range(x)
    assert low <= x <= high
    assert 100 <= (high - low) / step <= 220
    assert f"{step:.0e}"[0] in "125"


def test_a_graph_too_large_to_draw_is_refused_before_any_pass():
    v = Value(1.0, label="v")
    s = v
    for _ in range(30):
        s = s + v * 0.5
    with pytest.raises(autograd.GraphTooLargeError, match="max_nodes=50"):
        autograd.explore(s, max_nodes=50)
    assert v.grad == 0.0
    assert len(autograd.explore(s, max_nodes=None).knobs) == 1
