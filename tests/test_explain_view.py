"""How an Explanation shows at network size: bounded print, totals, only=, IPython, LaTeX."""

from __future__ import annotations

import re

import pytest
from IPython.lib.pretty import pretty

import nn
from autograd import Value, explain


def moons_loss() -> tuple[nn.MLP, Value]:
    X, y = nn.make_moons(20, noise=0.1, seed=1337)
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    loss = nn.hinge([model(x) for x in X[:2]], nn.signed(y)[:2])
    loss.label = "loss"
    return model, loss


def test_a_network_prints_a_bounded_view_with_the_parameters_totals():
    model, loss = moons_loss()
    ex = explain(loss)
    text = str(ex)
    lines = text.splitlines()
    assert len(model.parameters()) == 337 and len(ex.steps) > 900
    assert len(lines) <= 60
    assert "rows not shown: .table(all=True) or .to_markdown()" in text
    assert "gradients of the 337 parameters:" in text
    for layer, count in (("layers.0", 48), ("layers.1", 272), ("layers.2", 17)):
        assert re.search(rf"^  {layer}: {count} parameters, largest \|grad\| ", text, re.M)
    full = ex.table(all=True)
    assert len(full.splitlines()) > 1000 and ex.to_markdown().count("\n") > 1000


def test_totals_name_the_largest_gradient_of_each_layer_correctly():
    model, loss = moons_loss()
    ex = explain(loss)
    first = [p for name, p in model.named_parameters() if name.startswith("layers.0.")]
    top = max(first, key=lambda p: abs(p.grad))
    line = next(t for t in ex.totals() if t.startswith("  layers.0:"))
    assert f"({top.label})" in line


def test_only_shows_what_flows_into_one_parameter():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(0.5, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    ex = explain(y, only=w)
    names = {r[1] for r in ex.rows()} - {""}
    inputs = {r[4] for r in ex.rows()} - {""}
    assert names == {"y", "x*w + b", "x*w", "w"} and "x" not in inputs and "b" not in inputs
    assert "only what flows into w" in str(ex)
    assert x.grad != 0.0  # the pass itself is the whole pass; only the view is restricted
    with pytest.raises(ValueError, match="no node named 'zz'"):
        explain(y, only="zz")
    # The same view (the numbers differ: w's gradient accumulates over the passes).
    assert [r[:2] + r[4:5] for r in explain(y, paths_to="w").rows()] == [
        r[:2] + r[4:5] for r in explain(y, only=w).rows()]
    with pytest.raises(TypeError, match="not both"):
        explain(y, only=w, paths_to=w)
    model, loss = moons_loss()
    w0 = model.layers[0].neurons[0].w[0]
    focused = explain(loss, only=w0)
    assert len(focused.rows()) < len(explain(moons_loss()[1]).rows()) / 4
    assert all(w0 is t.input or t.input in focused.only for s in focused.steps for t in s.terms
               if s.node in focused.only and t.input in focused.only)


def test_terminal_ipython_shows_the_table_not_the_repr():
    x = Value(2.0, label="x")
    y = x * 3.0
    y.label = "y"
    ex = explain(y)
    assert pretty(ex) == str(ex) and "∂y/∂x = 3" in pretty(ex)
    assert repr(ex) == "<Explanation of 'y': 2 steps>"
    assert pretty(ex.paths(x)) == str(ex.paths(x))


def test_explanation_renders_every_multiplication_as_latex():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = x * w
    y.label = "y"
    tex = explain(y)._repr_latex_()
    assert tex.startswith("$$\\begin{aligned}") and tex.endswith("\\end{aligned}$$")
    assert ("\\frac{\\partial y}{\\partial x} &\\mathrel{+}= \\frac{\\partial y}{\\partial x} = "
            "1 \\cdot (-3) = (-3)") in tex
