"""The step-through page grows linearly with the graph: one drawing, each frame its changes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import nn
from autograd import Value
from autograd.stepthrough.steps import DEFAULT_MAX_STEPS, step_through
from autograd.viz.layout import graph_order
from nn.tutorial import INPUTS, LEARNING_RATE, TARGETS, tutorial_network

TUTORIAL = ["w1", "w2", "b1", "w3", "w4", "b1", "w5", "w6", "b2", "w7", "w8", "b2"]


def chain(links: int, reuse: bool = True) -> Value:
    """A graph of about 4 nodes per link, every link reading the one input again (or not:
    without the long edges back to x the layout takes a fraction of the time)."""
    x = Value(0.5, label="x")
    y = x
    for k in range(links):
        again = x if reuse else Value(0.1 * k)
        y = (y * 0.9 + again).tanh() if k % 2 else y + again * 0.3
    y.label = "y"
    return y


def tutorial_error(inputs_take_grad: bool = False):
    net = tutorial_network()
    for short, (_, p) in zip(TUTORIAL, net.named_parameters(), strict=True):
        p.label = short
    xs = [Value(x, label=f"i{k + 1}", requires_grad=inputs_take_grad)
          for k, x in enumerate(INPUTS)]
    error = nn.half_sse(net(xs), TARGETS)
    error.label = "E"
    return net, xs, error


def page_parts(root: Value, **options) -> tuple[int, int, int]:
    """(page bytes, drawings in the page, text changes over all frames)."""
    text = step_through(root, **options).to_html()
    doc = ET.fromstring(text)
    frames = [d for d in doc.iter("div") if d.get("class") == "frame"]
    changes = sum(len(json.loads(f.get("data-texts"))) // 2 for f in frames)
    return len(text.encode("utf-8")), sum(1 for _ in doc.iter("{http://www.w3.org/2000/svg}svg")), \
        changes


def test_the_page_grows_linearly_with_the_number_of_nodes():
    sizes = {}
    for links in (10, 20, 40):
        y = chain(links)
        nodes = len(graph_order(y))
        size, drawings, changes = page_parts(y, max_steps=DEFAULT_MAX_STEPS)
        assert drawings == 1
        # forward: one data per computed node; backward: one grad per edge, plus the seed
        assert changes <= 3 * nodes
        sizes[nodes] = size
    (n1, s1), (n2, s2), (n3, s3) = sorted(sizes.items())
    # Twice the nodes, about twice the bytes (a page of whole frames grew four times).
    assert s2 / s1 < 1.3 * n2 / n1 and s3 / s2 < 1.3 * n3 / n2


def test_the_page_at_the_step_limit_stays_under_two_megabytes():
    links = 1
    while len(graph_order(chain(links + 1, reuse=False))) <= DEFAULT_MAX_STEPS:
        links += 1
    y = chain(links, reuse=False)
    assert DEFAULT_MAX_STEPS - 5 <= len(graph_order(y)) <= DEFAULT_MAX_STEPS
    size, _, _ = page_parts(y)
    assert size < 2_000_000


def test_the_tutorial_page_is_under_a_megabyte_and_names_the_leaves_in_layer_order():
    _, _, error = tutorial_error()
    steps = step_through(error, lr=LEARNING_RATE)
    assert len(steps.to_html().encode("utf-8")) <= 1_000_000
    assert steps.frames[0].caption.startswith(
        "the leaves: w1 = 0.15, i1 = 0.05, w2 = 0.2, i2 = 0.1, w3 = 0.25, w4 = 0.3, b1 = 0.35, "
        "w5 = 0.4, w6 = 0.45, w7 = 0.5, w8 = 0.55, b2 = 0.6;")


def test_gradient_descent_moves_the_parameters_never_the_inputs():
    net, xs, error = tutorial_error(inputs_take_grad=True)
    update = step_through(error, lr=LEARNING_RATE).frames[-1]
    assert update.phase == "update"
    moved = {v for v, kind, _ in update.changes if kind == "data"}
    assert moved == {p for p in net.parameters() if p.requires_grad}
    assert not moved & set(xs) and "i1 =" not in update.caption
    assert "w5 = 0.4 - 0.5 × 0.08217 = 0.3589" in update.caption
    # A graph without a model: the leaves given as params, or else every leaf with a gradient.
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    y = a * b
    assert {v for v, *_ in step_through(y, lr=0.1, params=[a]).frames[-1].changes} == {a}
    assert {v for v, *_ in step_through(y, lr=0.1).frames[-1].changes} == {a, b}
