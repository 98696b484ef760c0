"""Value itself: which numbers it holds, subclasses, pickling and copying graphs of any depth."""

from __future__ import annotations

import copy
import fractions
import math
import pickle

import numpy as np
import pytest

import nn
from autograd import Value, leaves, topological_order


@pytest.mark.parametrize("number", [10**400, -(10**400), np.longdouble("1e4000"),
                                    -np.longdouble("1e4000"), fractions.Fraction(10**400, 3)])
def test_a_finite_number_beyond_float64_is_refused_everywhere(number):
    with pytest.raises(ValueError, match="too large for a float64"):
        Value(number)
    with pytest.raises(ValueError, match="too large for a float64"):
        Value(1.0) * number
    with pytest.raises(ValueError, match="too large for a float64"):
        number + Value(1.0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns reading "1e-5000"
def test_infinities_and_tiny_numbers_follow_float():
    assert Value(np.longdouble("inf")).data == math.inf
    assert math.isnan(Value(np.longdouble("nan")).data)
    assert Value(np.longdouble("1e-5000")).data == 0.0  # rounds, as float() does
    assert Value(fractions.Fraction(1, 3)).data == 1 / 3


class MyValue(Value):
    """A user's subclass: still a Value everywhere."""


def test_a_value_subclass_is_a_value_as_exponent_and_operand():
    x, e = Value(2.0), MyValue(3.0)
    y = x ** e
    y.backward()
    assert y.op == "**" and e.grad == pytest.approx(8.0 * math.log(2.0))
    z = MyValue(1.5)
    (z.maximum(x) + 2.0 ** z).backward()
    assert x.grad == pytest.approx(12.0 + 1.0)  # d(x**e)/dx, plus max(z, x) = x
    assert z.grad == pytest.approx(2.0 ** 1.5 * math.log(2.0))


def test_an_mlp_takes_value_subclasses_and_numpy_sizes():
    model = nn.MLP(np.int64(2), [np.int64(3), 1], seed=0)
    out = model([MyValue(1.0), 2.0])
    out.backward()
    assert isinstance(out, Value) and len(model.parameters()) == 2 * 3 + 3 + 3 + 1


def _chain(depth: int) -> tuple[Value, Value, Value]:
    x, w = Value(0.5, label="x"), Value(1.0001, label="w")
    v = x
    for _ in range(depth):
        v = v * w
    return x, w, v


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickling_a_graph_deeper_than_the_recursion_limit(protocol):
    x, w, root = _chain(3000)
    loaded = pickle.loads(pickle.dumps(root, protocol=protocol))
    assert loaded.data == root.data and len(topological_order(loaded)) == 3002
    loaded.backward()
    root.backward()
    lx, lw = leaves(loaded)
    assert (lx.label, lx.grad, lw.grad) == ("x", x.grad, w.grad)


def test_pickle_and_deepcopy_of_a_100000_deep_graph():
    x, w, root = _chain(100_000)
    for loaded in (pickle.loads(pickle.dumps(root, protocol=pickle.HIGHEST_PROTOCOL)),
                   copy.deepcopy(root)):
        assert loaded is not root and loaded.data == root.data
        assert loaded.inputs[1] is not w and loaded.inputs[1].data == w.data


def test_leaves_keep_their_identity_within_one_pickle():
    x, w, root = _chain(10)
    got_root, got_w, got_list = pickle.loads(pickle.dumps([root, w, [w, 3]]))
    assert got_w is got_list[0] and got_root.inputs[1] is got_w
    assert not got_w.is_leaf or got_w.requires_grad
    frozen = Value(2.0, label="c", requires_grad=False)
    again = copy.deepcopy(frozen)
    assert (again.data, again.label, again.requires_grad) == (2.0, "c", False)
    sub = MyValue(4.0)
    sub.note = "kept"
    back = pickle.loads(pickle.dumps(sub))
    assert type(back) is MyValue and back.note == "kept"


def test_copy_copy_is_shallow():
    x, w, root = _chain(3)
    c = copy.copy(root)
    assert c is not root and c.inputs == root.inputs and c.local_grads == root.local_grads


def test_a_corrupt_pickled_graph_is_a_clear_error():
    from autograd.core.value import _graph

    with pytest.raises(ValueError, match="not a pickled valuegrad graph"):
        _graph((Value(1.0), ("nope", 0, -1, 1.0, None, 1.0, 0.0, "")))
