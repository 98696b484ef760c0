"""Nesting transforms through closures, and gradcheck's argument checks."""

import math
import threading

import pytest

from autograd import derivative, gradcheck, value_and_grad


def test_inner_transform_called_with_numbers_sees_the_outer_variable():
    # d/dx [ d/dy (x·y) at y=1 ] = d/dx x = 1  (JAX gives 1; a float-returning inner gives 0)
    def f(x):
        return derivative(lambda y: x * y)(1.0)

    assert derivative(f)(3.0) == 1.0

    def g(x):
        return derivative(lambda y: x * y * y)(2.0)  # 4x

    assert derivative(g)(3.0) == 4.0
    assert value_and_grad(g)(3.0) == (12.0, 4.0)


def test_top_level_calls_still_return_plain_floats():
    value, slope = value_and_grad(lambda x: x * x)(3.0)
    assert (type(value), type(slope)) == (float, float)
    assert (value, slope) == (9.0, 6.0)
    # After a nested use has finished, the next top-level call is top level again.
    derivative(lambda x: derivative(lambda y: x * y)(1.0))(2.0)
    assert type(derivative(lambda x: x * x)(3.0)) is float


def test_an_exception_inside_a_transform_does_not_leave_it_open():
    def broken(x):
        raise KeyError("boom")

    with pytest.raises(KeyError):
        derivative(broken)(1.0)
    assert type(derivative(lambda x: x * x)(3.0)) is float


def test_a_transform_in_another_thread_is_top_level():
    result = {}

    def outer(x):
        worker = threading.Thread(target=lambda: result.update(d=derivative(lambda y: y * y)(2.0)))
        worker.start()
        worker.join()
        return x * x

    assert derivative(outer)(1.0) == 2.0
    assert type(result["d"]) is float and result["d"] == 4.0


@pytest.mark.parametrize("argnums", ["0", 1.0, True, (0, "1")])
def test_argnums_must_be_ints(argnums):
    with pytest.raises(TypeError, match="argnums"):
        value_and_grad(lambda x, y: x * y, argnums)


@pytest.mark.parametrize(("option", "bad"), [("eps", 0.0), ("eps", -1e-6), ("eps", math.nan),
                                             ("atol", -1.0), ("rtol", math.inf)])
def test_gradcheck_rejects_meaningless_tolerances(option, bad):
    with pytest.raises(ValueError, match=option):
        gradcheck(lambda x: x * x, [1.0], **{option: bad})

