"""The eager fast paths (templated methods, cheap constants, stamped walks, fused backward walk)
behave exactly like the plain definitions they replace."""

import random

import numpy as np
import pytest

import autograd
from autograd import Value
from autograd.core import value


def random_graph(seed, n=300):
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(6)]
    leaves.append(Value(0.5, requires_grad=False))
    nodes = list(leaves)
    for _ in range(n):
        a, b = rng.choice(nodes), rng.choice(nodes[-20:])
        kind = rng.randrange(6)
        v = (a + b, a * b, a - 2.0, 3.0 * a, (a * 0.5).tanh(), a**2)[kind]
        nodes.append(v)
    return leaves, nodes[-1] + nodes[-2] * nodes[-3]


@pytest.mark.parametrize("seed", range(5))
def test_fast_backward_matches_the_instrumented_passes(seed):
    leaves, root = random_graph(seed)
    root.backward()
    fast = [x.grad for x in leaves]
    interior = [v.grad for v in autograd.topological_order(root) if not v.is_leaf]
    for x in leaves:
        x.grad = 0.0
    steps = []
    autograd.backward(root, record=steps.append)  # the recording pass visits every node
    assert [x.grad for x in leaves] == fast
    assert [v.grad for v in autograd.topological_order(root) if not v.is_leaf] == interior
    assert len(steps) == len(autograd.topological_order(root))
    for x in leaves:
        x.grad = 0.0
    with autograd.detect_anomaly():
        root.backward()
    assert [x.grad for x in leaves] == fast
    assert leaves[-1].grad == 0.0  # requires_grad=False


def test_walks_of_overlapping_graphs_are_each_complete():
    x, y = Value(2.0), Value(3.0)
    inner = x * y
    outer = inner + x
    assert autograd.topological_order(outer) == [x, y, inner, outer]
    assert autograd.topological_order(inner) == [x, y, inner]  # earlier stamps hide nothing
    outer.backward()
    inner.backward()
    assert (x.grad, y.grad) == (4.0 + 3.0, 2.0 + 2.0)


def test_backward_twice_resets_interior_and_accumulates_leaves():
    x = Value(1.5)
    y = (x * x + x).tanh()
    y.backward()
    once, mid = x.grad, y.inputs[0].grad
    y.backward()
    assert x.grad == 2 * once and y.inputs[0].grad == mid


@pytest.mark.parametrize("number", [2, 2.5, np.float64(2.5), np.int64(3), np.float32(0.25)])
def test_lifted_constants_are_plain_frozen_leaves(number):
    x = Value(1.0)
    for out in (x * number, number * x, x + number, number - x, x / number, number / x,
                x**number):
        c = out.inputs[1] if out.inputs[0] is x else out.inputs[0]
        assert c.is_leaf and not c.requires_grad and c.label == "" and c.grad == 0.0
        assert type(c.data) is float and c.data == float(number)
    for bad in (True, "2", None, [2.0], 1j):
        with pytest.raises(TypeError):
            x * bad
        with pytest.raises(TypeError):
            bad + x


def test_reflected_operations_put_the_number_first():
    x = Value(3.0)
    for out, want, grad in ((2.0 - x, -1.0, -1.0), (6.0 / x, 2.0, -6.0 / 9.0),
                            (2.0**x, 8.0, 8.0 * np.log(2.0))):
        x.grad = 0.0
        out.backward()
        assert out.data == want and x.grad == pytest.approx(grad)
        assert out.inputs[1] is x and out.inputs[0].is_leaf


def test_templated_methods_keep_their_names_and_docs():
    for name in ("__add__", "__radd__", "__mul__", "__rtruediv__", "__neg__", "exp", "relu"):
        method = getattr(Value, name)
        owner = "Node" if name in dir(value._Core) and value._IN_C else "Value"
        assert method.__name__ == name and method.__qualname__ == f"{owner}.{name}"
        assert method.__doc__


def test_lifting_an_int_beyond_float64_is_a_value_error():
    x = Value(1.0)
    with pytest.raises(ValueError, match="too large"):
        x * 10**400
    with pytest.raises(ValueError, match="too large"):
        10**400 + x
