"""crosscheck: valuegrad against its PyTorch twin, node by node; a wrong op is named."""

from __future__ import annotations

import dataclasses
import math
import sys

import pytest
from conftest import require_torch
from hypothesis import given, settings
from test_property import SETTINGS, build, programs

import autograd
from autograd import OPS, Value
from autograd.twin.crosscheck import first_disagreement


def neuron():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    return ((x * w + b).tanh() * x.exp()).sigmoid()


def test_a_correct_graph_passes_and_grads_are_untouched():
    require_torch()
    y = neuron()
    assert autograd.crosscheck(y) is True
    assert all(v.grad == 0.0 for v in autograd.leaves(y))


def broken(monkeypatch, name, forward):
    """Replace op `name`'s float forward in the table; autograd.apply reads it at each call."""
    monkeypatch.setitem(OPS, name, dataclasses.replace(OPS[name], forward=forward))


def test_a_wrong_forward_that_finite_differences_cannot_see_is_named(monkeypatch):
    require_torch()

    def exp_off_by_a_tenth_of_a_percent(x):
        out = math.exp(x) * 1.001  # wrong, and its derivative wrong in the same way
        return out, out

    broken(monkeypatch, "exp", exp_off_by_a_tenth_of_a_percent)
    f = lambda x: autograd.apply("exp", x * 0.5).tanh()  # noqa: E731
    assert autograd.gradcheck(f, [0.3])  # blind to it
    y = f(Value(0.3, label="x"))
    found = first_disagreement(y)
    assert found.kind == "value" and found.node.op == "exp"
    assert found.ours == pytest.approx(math.exp(0.15) * 1.001)
    assert found.theirs == pytest.approx(math.exp(0.15))
    with pytest.raises(autograd.CrosscheckError, match=r"value of the 'exp' node of \(an unlab"):
        autograd.crosscheck(y)


def test_a_wrong_local_derivative_is_named_with_both_numbers(monkeypatch):
    require_torch()
    right = OPS["tanh"].forward
    broken(monkeypatch, "tanh", lambda x: (right(x)[0], right(x)[1] + 0.01))
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    y = (autograd.apply("tanh", x * w + b) * x.exp()).sigmoid()
    found = first_disagreement(y)
    assert found.kind == "local derivative" and found.node.op == "tanh"
    assert found.ours - found.theirs == pytest.approx(0.01)
    message = str(found)
    assert "'tanh' node" in message
    assert repr(found.ours) in message and repr(found.theirs) in message
    assert autograd.crosscheck(y, raise_exception=False) is False


def test_a_product_pytorch_masks_is_traced_to_where_it_enters():
    # sqrt(relu(x)) at x = -1: sqrt's slope at 0 is inf, relu's is 0; valuegrad multiplies them
    # (nan), PyTorch's relu masks the product to 0.  Both local derivatives agree.
    require_torch()
    x = Value(-1.0, label="x")
    found = first_disagreement(x.relu().sqrt())
    assert found.kind == "gradient" and found.node is x
    assert math.isnan(found.ours) and found.theirs == 0.0
    assert "every local derivative agrees" in str(found) and "'relu' consumer" in str(found)


def test_tolerances_are_checked():
    with pytest.raises(ValueError, match="rtol"):
        autograd.crosscheck(neuron(), rtol=-1.0)
    with pytest.raises(ValueError, match="atol"):
        autograd.crosscheck(neuron(), atol=math.nan)


def test_without_torch_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"pip install 'valuegrad\[torch\]'"):
        autograd.crosscheck(neuron())


@settings(max_examples=1000, **SETTINGS)
@given(programs())
def test_random_graphs_raise_no_false_alarm(program):
    # No conditioning filter: the tolerance follows each node's rounding scale, so even graphs
    # that reach 1e300 or saturate must pass.
    require_torch()
    leaves, steps = program
    _, root, _ = build(leaves, steps)
    assert first_disagreement(root) is None
