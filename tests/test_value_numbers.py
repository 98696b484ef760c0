"""Value gives plain numbers the way a PyTorch scalar does: item, format, int, round, floor..."""

from __future__ import annotations

import math

import pytest

import autograd
from autograd import Value


@pytest.mark.parametrize("x", [2.75, -2.75, 0.5, -0.5, 3.0, 1e17, -0.0])
def test_numbers_from_a_value_equal_those_from_its_float(x):
    v = Value(x) * 1.0
    assert v.item() == x and type(v.item()) is float
    assert int(v) == int(x) and type(int(v)) is int
    assert round(v) == round(x) and type(round(v)) is int
    assert round(v, 1) == round(x, 1)
    assert math.floor(v) == math.floor(x)
    assert math.ceil(v) == math.ceil(x)
    assert math.trunc(v) == math.trunc(x)


def test_format_spec_applies_to_the_number():
    loss = Value(0.123456789, label="loss")
    assert f"{loss:.4f}" == "0.1235"
    assert f"{loss:>10.2e}" == "  1.23e-01"
    assert f"{loss:%}" == "12.345679%"
    assert f"{loss}" == str(loss) == repr(loss)  # no spec: the Value itself


def test_bad_format_spec_is_a_value_error():
    with pytest.raises(ValueError):
        f"{Value(1.0):q}"  # noqa: B018


def test_int_of_nan_and_inf_raise_as_for_floats():
    with pytest.raises(ValueError):
        int(Value(math.nan))
    with pytest.raises(OverflowError):
        math.floor(Value(math.inf))


def test_reading_numbers_records_nothing():
    x = Value(1.5)
    y = x * 2.0
    numbers = [y.item(), int(y), round(y), math.floor(y), math.ceil(y), math.trunc(y), f"{y:.1f}"]
    assert numbers == [3.0, 3, 3, 3, 3, 3, "3.0"]
    assert len(autograd.topological_order(y)) == 3  # x, the constant 2 and y: nothing added
    y.backward()
    assert x.grad == 2.0
