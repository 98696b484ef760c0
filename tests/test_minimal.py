"""autograd/minimal.py, the engine on two screens: its forward half and its backward half give
the engine's numbers and gradients bit for bit."""

from __future__ import annotations

import doctest
import inspect

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_property import build, programs

import autograd.minimal
from autograd import Value, topological_order
from autograd.minimal import backward, gradients
from autograd.replay.check import same_float as same  # equal bits, any two NaNs alike

# The operations minimal.Value has, each written once for both kinds of Value.
_OPS = {
    "+": lambda a, b, c: a + b, "-": lambda a, b, c: a - b, "*": lambda a, b, c: a * b,
    "**": lambda a, b, c: a ** c, "neg": lambda a, b, c: -a, "tanh": lambda a, b, c: a.tanh(),
    "exp": lambda a, b, c: a.exp(), "relu": lambda a, b, c: a.relu(),
    "c+": lambda a, b, c: c + a, "c*": lambda a, b, c: c * a, "+c": lambda a, b, c: a + c,
}
_steps = st.lists(st.tuples(st.sampled_from(sorted(_OPS)), st.integers(0, 10**6),
                            st.integers(0, 10**6), st.sampled_from([0, 1, 2, 3, -0.5, 1.5])),
                  min_size=1, max_size=25)
_leaves = st.lists(st.floats(-2.0, 2.0, allow_subnormal=False), min_size=1, max_size=4)


def _run(cls, leaves, steps):
    """The same program on Values of class `cls`: every node made, in order."""
    nodes = [cls(x) for x in leaves]
    for op, i, j, c in steps:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op == "**" and (c != int(c) and a.data < 0 or c < 0 and a.data == 0):
            c = 2  # minimal.Value's ** is Python's: a complex or a ZeroDivisionError there
        nodes.append(_OPS[op](a, b, c))
    return nodes


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_leaves, _steps)
def test_minimal_forward_records_the_engines_numbers_and_local_derivatives(leaves, steps):
    try:
        mine = _run(autograd.minimal.Value, leaves, steps)
    except OverflowError:  # math.exp past float64; the engine says inf instead
        assume(False)
    engine = _run(Value, leaves, steps)
    for m, e in zip(mine, engine, strict=True):
        assert same(m.data, e.data)
        # The engine keeps a constant exponent as a second input with no derivative (None).
        assert all(same(a, b) for a, b in zip(m.local_grads, e.local_grads, strict=False))
    # ... and the minimal backward on the minimal graph gives the engine's gradients.
    g = gradients(mine[-1])
    engine[-1].backward()
    for m, e in zip(mine[:len(leaves)], engine[:len(leaves)], strict=True):
        assert same(g.get(m, 0.0), e.grad), (m, e)


def test_each_half_of_minimal_fits_on_one_screen():
    source = inspect.getsource(autograd.minimal)
    forward = source.split("# ============ the forward half")[1].split("# ============")[0]
    backward_half = source.split("# ============ the backward half")[1]
    assert len(forward.splitlines()) <= 60 and len(backward_half.splitlines()) <= 60
    assert "autograd" not in source.split('"""')[2].split("class Value")[0]  # imports no engine


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
