"""explain_modes: forward mode's tangent trace beside reverse mode's adjoints, with their costs."""

from __future__ import annotations

import pytest

import autograd
from autograd import Value


def neuron():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    return (x * w + b).tanh(), [x, w, b]


def test_tangents_and_adjoints_are_the_derivatives():
    y, (x, w, b) = neuron()
    e = autograd.explain_modes(y, [x, w, b])
    assert e.tangent[y] == pytest.approx(autograd.jvp(
        lambda x: (x * w + b).tanh(), (x.data,), (1.0,))[1], rel=1e-15)
    assert [e.adjoint[v] for v in (x, w, b)] == autograd.grad(y, [x, w, b])
    assert e.tangent[x] == 1.0 and w not in e.tangent  # only x moves in this sweep


def test_one_loss_many_parameters_reverse_mode_is_cheaper():
    y, inputs = neuron()
    e = autograd.explain_modes(y, inputs)
    # A backward pass multiplies once along each of the 5 edges; a forward sweep only along
    # the edges its input reaches: 3 from x, 3 from w, 2 from b.
    assert e.counts() == {"forward_sweep": 3, "backward_pass": 5, "jacobian_forward": 8,
                          "jacobian_reverse": 5}
    assert "reverse mode is cheaper here (fewer outputs than inputs)" in str(e)


def test_one_input_many_outputs_forward_mode_is_cheaper():
    t = Value(0.5, label="t")
    outs = [(t * k).sin() if hasattr(t, "sin") else (t * k).tanh() for k in (1.0, 2.0, 3.0)]
    e = autograd.explain_modes(outs, t)
    c = e.counts()
    assert c["jacobian_forward"] < c["jacobian_reverse"]
    assert "forward mode is cheaper here (fewer inputs than outputs)" in e.summary()


def test_the_table_shows_both_traces_with_the_numbers_that_were_multiplied():
    y, inputs = neuron()
    e = autograd.explain_modes(y, inputs)
    text = str(e)
    assert text.splitlines()[0].split()[:4] == ["node", "op", "value", "tangent"]
    x_row = next(line for line in text.splitlines() if line.startswith("x "))
    assert "1 (seed)" in x_row  # the tangent seed
    assert "-3 × 0.5 [v2]" in x_row  # the adjoint: w times the upstream adjoint
    md = e.to_markdown()
    assert md.startswith("| node | op | value |") and "whole Jacobian" in md


def test_explain_modes_refuses_what_is_not_a_value():
    with pytest.raises(TypeError, match="outputs"):
        autograd.explain_modes(1.0, [Value(1.0)])
    with pytest.raises(TypeError, match="inputs"):
        autograd.explain_modes(Value(1.0), [])


def test_the_html_table_escapes_labels():
    x = Value(1.0, label="<x & y>")
    e = autograd.explain_modes(x * 2.0, x)
    page = e._repr_html_()
    assert "&lt;x &amp; y&gt;" in page and "<x & y>" not in page
    assert page.count("<tr>") == 4  # the header, x, the constant 2 and the product
    assert "whole Jacobian" in page
