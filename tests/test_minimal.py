"""autograd/minimal.py, the engine in one screen, gives the fast path's gradients bit for bit."""

from __future__ import annotations

import doctest

from hypothesis import HealthCheck, given, settings
from test_property import build, programs

import autograd.minimal
from autograd import Value, topological_order
from autograd.minimal import backward, gradients
from autograd.replay.check import same_float as same  # equal bits, any two NaNs alike


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_minimal_gradients_equal_the_fast_path_on_random_graphs(program):
    leaves, steps = program
    xs, root, _ = build(leaves, steps)
    g = gradients(root)
    root.backward()
    for v in topological_order(root):
        if v.is_leaf and not v.requires_grad:
            continue  # constants: backward() keeps their .grad at 0
        assert same(g.get(v, 0.0), v.grad), (v, g.get(v))
    # minimal.backward() writes the same numbers into .grad (from zeroed leaves).
    fast = [x.grad for x in xs]
    for x in xs:
        x.grad = 0.0
    backward(root)
    assert all(same(a, x.grad) for a, x in zip(fast, xs))


def test_minimal_order_is_the_engine_order():
    x, w = Value(2.0), Value(-3.0)
    y = ((x * w).tanh() + x * x) ** 2
    assert autograd.minimal.topological_order(y) == topological_order(y)


def test_minimal_docstring_example_runs():
    failures, tried = doctest.testmod(autograd.minimal)
    assert tried > 0 and failures == 0


def test_constant_exponent_takes_no_gradient():
    x = Value(3.0)
    y = x ** 2
    g = gradients(y)
    assert g[x] == 6.0 and y.inputs[1] not in g
