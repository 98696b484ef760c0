"""Drawing op graphs: one box per Value and op node per operation, edges, limits, display."""

from __future__ import annotations

import importlib
import math
import xml.etree.ElementTree as ET

import pytest
from svgread import SVG, groups, node_text, svg_root

import nn
from autograd import GraphTooLargeError, Value, draw, topological_order
from autograd.viz.display import mimebundle
from autograd.viz.layout import graph_order
from nn.demo import readme_expression as micrograd_expression

drawmod = importlib.import_module("autograd.viz.draw")  # the module (autograd.draw is the function)


def test_svg_has_one_box_per_value_one_node_per_op_and_every_edge():
    a, b, g = micrograd_expression()
    g.backward()
    order = topological_order(g)
    ops = [v for v in order if v.op is not None]
    edges = sum(len(v.inputs) for v in ops) + len(ops)  # inputs -> op, op -> result
    root = svg_root(draw(g))
    assert len(groups(root, "node")) == len(order) + len(ops)
    assert len(groups(root, "edge")) == edges
    texts = [node_text(n) for n in groups(root, "node")]
    assert any(t.split("\n")[0] == "a" and "data -4" in t and "grad 138.8" in t for t in texts)
    assert any(t.split("\n")[0] == "b" and "grad 645.6" in t for t in texts)
    assert any(t.startswith("g\n") and "data 24.7" in t and "grad 1" in t for t in texts)


def test_number_format_is_configurable_and_checked():
    x = Value(2.0, label="x")
    y = x * 3.0
    y.backward()
    texts = [node_text(n) for n in groups(svg_root(draw(y, number_format=".2f")), "node")]
    assert "x\ndata 2.00\ngrad 3.00" in texts
    with pytest.raises(ValueError, match="number_format"):
        draw(y, number_format="%d")


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_every_edge_runs_in_data_flow_order(rankdir):
    # input box -> op node -> result box, read from the SVG titles ("n0->n3op").
    _, _, g = micrograd_expression()
    g.backward()
    order = graph_order(g)
    ids = {v: f"n{i}" for i, v in enumerate(order)}
    expected = sorted([f"{ids[x]}->{ids[v]}op" for v in order for x in v.inputs]
                      + [f"{ids[v]}op->{ids[v]}" for v in order if v.op is not None])
    root = ET.fromstring(draw(g, rankdir=rankdir).svg())
    titles = sorted(e.find(f"{SVG}title").text for e in root.iter(f"{SVG}g")
                    if e.get("class") == "edge")
    assert titles == expected
    assert f"rankdir={rankdir}" in draw(g, rankdir=rankdir).source


def test_focus_draws_only_what_feeds_the_chosen_node():
    a, b, g = micrograd_expression()
    g.backward()
    part = next(v for v in topological_order(g) if v.op == "relu")
    root = svg_root(draw(g, focus=part))
    size = len(topological_order(part))
    ops = sum(1 for v in topological_order(part) if v.op)
    assert len(groups(root, "node")) == size + ops
    with pytest.raises(ValueError, match="not part"):
        draw(g, focus=Value(1.0))


def test_large_graphs_are_refused_with_a_clear_limit_the_user_can_raise():
    x = Value(1.0, label="x")
    y = x
    for _ in range(30):
        y = y * 1.0
    with pytest.raises(GraphTooLargeError, match="max_nodes=10"):
        draw(y, max_nodes=10)
    assert "subgraph" not in draw(y, max_nodes=None).source
    bundle = mimebundle(y, max_nodes=10)
    assert "image/svg+xml" not in bundle and "61 Values" in bundle["text/plain"]


def test_bad_arguments_raise_typed_errors():
    with pytest.raises(TypeError):
        draw(3.0)
    with pytest.raises(TypeError):
        draw([Value(1.0), "x"])
    with pytest.raises(ValueError, match="rankdir"):
        draw(Value(1.0), rankdir="sideways")
    with pytest.raises(ValueError, match="max_nodes"):
        draw(Value(1.0), max_nodes=0)


class TinyModule:
    """Just enough of a module (parameters() and a call) for draw() to recognise one."""

    def __init__(self) -> None:
        self.w = [Value(0.5, label="neurons.0.w.0"), Value(-1.0, label="neurons.0.w.1")]

    def parameters(self) -> list[Value]:
        return list(self.w)

    def __call__(self, xs: list[Value]) -> Value:
        return (self.w[0] * xs[0] + self.w[1] * xs[1]).tanh()


def test_jupyter_bundles_for_values_and_drawings():
    x = Value(2.0, label="x")
    y = (x * x).exp()
    bundle = mimebundle(y)
    assert ET.fromstring(bundle["image/svg+xml"]).tag == f"{SVG}svg"
    assert bundle["text/plain"] == repr(y)
    assert "graph not shown" in mimebundle(object())["text/plain"]
    assert "image/svg+xml" not in mimebundle(TinyModule())  # no made-up inputs
    drawn = draw(y)._repr_mimebundle_()
    assert ET.fromstring(drawn["image/svg+xml"]).tag == f"{SVG}svg"


def test_a_module_is_not_drawn_on_made_up_inputs():
    module = TinyModule()
    with pytest.raises(TypeError, match=r"draw\(model\(x\)\)"):
        draw(module)
    drawn = draw(module([Value(1.0, label="x0"), Value(2.0, label="x1")]))
    assert drawn.source.count('label="{x0|data') == 1  # its real inputs, once it has run


def test_edge_grads_label_each_input_edge_with_its_local_derivative():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w).tanh()
    y.backward()
    root = svg_root(draw(y, edge_grads=True))
    labels = sorted(node_text(e) for e in groups(root, "edge") if node_text(e))
    # d(x*w)/dx = w = -3, d(x*w)/dw = x = 2, d tanh(u)/du = 1 - tanh(-6)^2.
    assert labels == sorted([f"∂ {1 - math.tanh(-6.0) ** 2:.4g}", "∂ -3", "∂ 2"])
    assert not any(node_text(e) for e in groups(svg_root(draw(y)), "edge"))


def test_edge_grads_on_a_constant_exponent_say_it_takes_none():
    x = Value(3.0, label="x")
    y = x ** 2
    y.backward()
    labels = sorted(node_text(e) for e in groups(svg_root(draw(y, edge_grads=True)), "edge")
                    if node_text(e))
    assert labels == ["base ∂ 6", "exponent no ∂"]  # d(x**2)/dx = 2x = 6


def test_edge_grads_on_an_nn_graph_label_its_placed_edges():
    net = nn.MLP(2, [2, 1], seed=0)
    y = net([Value(0.5, requires_grad=False), Value(-1.0, requires_grad=False)])
    loss = (y - 1.0) ** 2
    loss.backward()
    drawing = draw(loss, edge_grads=True)
    assert "pos=" in drawing.placed_source()
    labels = [node_text(e) for e in groups(svg_root(drawing), "edge") if node_text(e)]
    assert f"∂ {0.5:.4g}" in labels  # d(w.0 * x.0)/d w.0 = x.0, on the placed edge
    assert len(labels) == sum(len(v.inputs) for v in topological_order(loss))


def test_paths_to_draws_only_the_paths_from_the_root_to_one_leaf_and_their_operands():
    a = Value(1.5, label="a")
    b = Value(-2.0, label="b")
    c = Value(0.5, label="c")
    side = (c * c).exp()  # does not depend on a
    root = (a * b + side) * b
    root.label = "root"
    root.backward()
    shown = {node_text(n).split("\n")[0] for n in groups(svg_root(draw(root, paths_to=a)), "node")}
    assert {"a", "b", "root"} <= shown
    assert "c" not in shown  # c only feeds `side`, which is shown as an operand
    assert len(shown) < len(topological_order(root)) * 2
    with pytest.raises(ValueError, match="not part"):
        draw(side, paths_to=a)
    with pytest.raises(ValueError, match="not both"):
        draw(root, paths_to=a, focus=a)
