"""Drawings check the chain rule on what they show: a banner and marked boxes where it fails."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import nn
from autograd import Value, draw
from autograd.viz.chaincheck import check_chain_rule
from autograd.viz.layout import graph_order
from nn.demo import readme_expression

SVG = "{http://www.w3.org/2000/svg}"


def texts(graph) -> list[str]:
    return [t.text or "" for t in ET.fromstring(graph.svg()).iter(f"{SVG}text")]


def random_graph(seed: int) -> Value:
    rng = random.Random(seed)
    nodes = [Value(rng.uniform(-2, 2), label=f"x{i}") for i in range(4)]
    for _ in range(30):
        a, b = rng.choice(nodes), rng.choice(nodes)
        op = rng.choice(["+", "*", "tanh", "relu", "sq"])
        nodes.append(a + b if op == "+" else a * b if op == "*" else a.tanh() if op == "tanh"
                     else a.relu() if op == "relu" else a ** 2)
    return nodes[-1]


def test_one_fresh_backward_always_adds_up():
    roots = [random_graph(seed) for seed in range(20)]
    _, _, g = readme_expression()
    roots.append(g)
    for root in roots:
        root.backward()
        report = check_chain_rule(graph_order(root), [root])
        assert not report, report.expected
    assert not any("backward pass" in t for t in texts(draw(g)))


def test_stale_leaf_gradients_are_flagged_with_a_banner_and_red_boxes():
    model = nn.MLP(2, [3, 1], activation="tanh", seed=1)
    neuron = model.layers[0].neurons[0]
    earlier = model([0.3, -0.7])
    earlier.backward()  # a training step's leftovers in every weight's .grad
    out = neuron([1.0, 2.0])
    out.backward()  # adds to the weights: their grads are now the sum of two passes
    report = check_chain_rule(graph_order(out), [out])
    assert report.expected and set(report.expected) <= set(neuron.parameters())
    for p, want in report.expected.items():
        assert want != p.grad  # what this pass gave, not what .grad holds
    shown = texts(draw(out))
    assert any("is not one backward pass's gradient" in t for t in shown)
    source = draw(out).source
    assert source.count("#c62828") == len(report.expected) + 1  # the boxes and the banner
    for p, want in report.expected.items():  # the pass's number shown, .grad's beside it
        assert any(t.startswith(f"grad {want:.4g} (.grad {p.grad:.4g})") for t in shown)
    model.zero_grad()
    fresh = neuron([1.0, 2.0])
    fresh.backward()
    assert not any("backward pass" in t for t in texts(draw(fresh)))


def test_a_graph_drawn_before_backward_says_so():
    x = Value(2.0, label="x")
    y = (x * 3.0).tanh()
    assert any("no backward pass" in t for t in texts(draw(y)))
    y.backward()
    assert not any("no backward pass" in t for t in texts(draw(y)))
    assert not any("backward" in t for t in texts(draw(y, check=False, grads={y: 1.0})))


def test_the_banner_shows_every_word_of_a_long_warning():
    # Eight stale weights make a long warning: wrapped into lines, none cut with an ellipsis.
    net = nn.tutorial_network()
    error = nn.tutorial_error(net)
    error.backward()
    error.backward()
    lines = [t for t in texts(draw(error)) if t and not t.startswith(("data", "grad"))]
    shown = " ".join(" ".join(lines).split())  # wrapped lines read as one text
    assert "…" not in shown
    assert "why: 2 backward passes added into it" in shown
    assert "Shown: one fresh backward pass; zero_grad(), then backward() once." in shown
