"""The shape rule for gradients: one input in, one gradient out; several in, several out."""

from __future__ import annotations

import pytest

import autograd
from autograd import Value


def test_grad_of_a_single_value_is_a_single_number():
    x = Value(3.0)
    assert autograd.grad(x * x, x) == 6.0


def test_grad_of_a_list_is_a_list_even_of_one():
    x = Value(3.0)
    assert autograd.grad(x * x, [x]) == [6.0]


def test_value_and_grad_follows_the_same_rule():
    f = lambda x, y: x * y  # noqa: E731
    assert autograd.value_and_grad(f)(2.0, 5.0) == (10.0, 5.0)
    assert autograd.value_and_grad(f, argnums=(0,))(2.0, 5.0) == (10.0, (5.0,))
    assert autograd.value_and_grad(f, argnums=(0, 1))(2.0, 5.0) == (10.0, (5.0, 2.0))


def test_jacobian_follows_the_same_rule():
    f = lambda x, y: x * y  # noqa: E731
    assert autograd.jacobian(f)(2.0, 5.0) == 5.0
    assert autograd.jacobian(f, argnums=(0,))(2.0, 5.0) == (5.0,)
    assert autograd.jacobian(f, argnums=(0, 1))(2.0, 5.0) == (5.0, 2.0)
    assert autograd.hessian(f, argnums=(0, 1))(2.0, 5.0) == ((0.0, 1.0), (1.0, 0.0))


def test_grad_outputs_is_the_pytorch_spelling_of_the_seed():
    x = Value(3.0)
    y = x * x
    assert autograd.grad(y, x, grad_outputs=2.0) == 12.0
    assert autograd.grad(y, [x], grad_outputs=[0.5]) == [3.0]
    assert autograd.grad(y, x, grad_outputs=Value(2.0)) == 12.0
    second = autograd.grad(y, x, create_graph=True, grad_outputs=(2.0,))
    assert second.data == 12.0 and autograd.grad(second, x) == 4.0


def test_grad_outputs_refuses_a_wrong_count_or_both_spellings():
    x = Value(3.0)
    with pytest.raises(ValueError, match="one entry per output"):
        autograd.grad(x * x, x, grad_outputs=[1.0, 2.0])
    with pytest.raises(TypeError, match="not both"):
        autograd.grad(x * x, x, 2.0, grad_outputs=3.0)
    with pytest.raises(TypeError):
        autograd.grad(x * x, x, grad_outputs="1")
