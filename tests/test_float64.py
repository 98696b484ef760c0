"""One float64 per Value, on assignment too; compile refuses numbers beyond float64, as Value."""

from __future__ import annotations

import copy
import inspect
import pickle
from fractions import Fraction

import pytest

import autograd
import nn
from autograd import Value
from autograd.core import value

np = pytest.importorskip("numpy")


def test_a_float32_learning_rate_leaves_every_number_a_float64():
    model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    lr = np.float32(0.05)  # micrograd's update, with a NumPy learning rate
    for _ in range(3):
        loss = (model([0.5, -1.0]) - 1.0) ** 2
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
    assert all(type(p.data) is float for p in model.parameters())
    out = model([0.5, -1.0])
    assert type(out.data) is float and type(((out - 1.0) ** 2).data) is float


@pytest.mark.parametrize("number", [np.float32(0.1), np.float64(0.1), np.float16(0.5), np.int64(3),
                                    3, Fraction(1, 3), np.longdouble("0.25")])
def test_assigning_any_real_number_stores_a_float64(number):
    v = Value(1.0)
    v.data = number
    assert type(v.data) is float and v.data == float(number)
    assert type((v * v).data) is float


def test_assigning_a_non_number_or_one_beyond_float64_is_refused():
    v = Value(1.0)
    with pytest.raises(TypeError, match=r"Value\.data must be a number, got str"):
        v.data = "0.5"
    with pytest.raises(TypeError, match=r"Value\.data must be a number, got bool"):
        v.data = True
    with pytest.raises(ValueError, match="too large for a float64"):
        v.data = np.longdouble("1e4000")
    with pytest.raises(ValueError, match="too large for a float64"):
        v.data = 10**400
    assert v.data == 1.0  # a refused assignment changes nothing


class Named(Value):
    """A user's subclass of Value (with a __dict__)."""


def test_slots_pickling_copies_and_subclasses_keep_working():
    x = Named(np.float32(2.0), label="x")
    x.data = np.float32(1.5)
    x.note = "kept"  # a subclass has a __dict__
    y = x * 2.0
    assert type(x.data) is float and x.note == "kept"
    # One slot holds the number (_data); `data` is the property that keeps it a float64.
    assert value._PythonNode.__slots__[0] == "_data" and not hasattr(Value(1.0), "__dict__")
    # (a property of the Python core, a getset of the native one: either is a data descriptor)
    assert hasattr(inspect.getattr_static(Value, "data"), "__set__")
    for twin in (pickle.loads(pickle.dumps(y)), copy.deepcopy(y), copy.copy(y)):
        assert type(twin.data) is float and twin.data == 3.0
    leaf = copy.deepcopy(x)
    assert type(leaf) is Named and leaf.note == "kept" and leaf.data == 1.5


def test_compile_refuses_a_number_beyond_float64_in_calls_and_example_inputs():
    f = autograd.compile(lambda x: x * 2.0, [1.0])
    with pytest.raises(ValueError, match="input 0 is too large for a float64"):
        f(np.longdouble("1e4000"))
    with pytest.raises(ValueError, match="example_inputs: input 0 is too large for a float64"):
        autograd.compile(lambda x: x * 2.0, [np.longdouble("-1e4000")])
    with pytest.raises(ValueError, match="too large for a float64"):
        Value(np.longdouble("1e4000"))  # the same rule as every other entry point
    assert f(np.longdouble("2"))[0] == 4.0
