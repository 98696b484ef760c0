"""jvp: forward mode on the op table's local derivatives, for every op, nested with grad."""

from __future__ import annotations

import math

import pytest
from conftest import require_torch
from opcases import apply_value

import autograd
from autograd import OPS, Value
from autograd.twin.torch_twin import TWINS

POINT = (0.7, 1.3)  # inside every op's domain and away from every kink


def op_function(name):
    arity = OPS[name].arity
    return lambda *xs: apply_value(name, *xs[:arity]), POINT[:arity]


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_jvp_equals_backward_and_finite_differences(name):
    f, point = op_function(name)
    value, gradient = autograd.value_and_grad(f, argnums=tuple(range(len(point))))(*point)
    for k in range(len(point)):
        direction = tuple(1.0 if j == k else 0.0 for j in range(len(point)))
        out, tangent = autograd.jvp(f, point, direction)
        assert out == value
        assert tangent == pytest.approx(gradient[k], rel=1e-15, abs=0.0)
        h = 1e-6
        up = [p + h * d for p, d in zip(point, direction)]
        down = [p - h * d for p, d in zip(point, direction)]
        numeric = (f(*map(Value, up)).data - f(*map(Value, down)).data) / (2 * h)
        assert tangent == pytest.approx(numeric, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_second_derivative_three_ways_agrees_with_pytorch(name):
    torch = require_torch()
    f, point = op_function(name)
    x = point[0]
    rest = point[1:]
    g = lambda x: f(x, *rest)  # noqa: E731
    reverse_reverse = autograd.derivative(autograd.derivative(g))(x)
    forward_reverse = autograd.jvp(autograd.derivative(g), (x,), (1.0,))[1]
    forward_forward = autograd.jvp(lambda y: autograd.jvp(g, (y,), (1.0,))[1], (x,), (1.0,))[1]
    t = lambda y: TWINS[name](torch, y, *[torch.tensor(r) for r in rest])  # noqa: E731
    expected = torch.autograd.functional.hessian(t, torch.tensor(x)).item()
    for ours in (reverse_reverse, forward_reverse, forward_forward):
        assert ours == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_jvp_of_value_and_grad_equals_hvp():
    f = lambda x, y: (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2  # noqa: E731
    gradient = lambda x, y: autograd.value_and_grad(f, argnums=(0, 1))(x, y)[1]  # noqa: E731
    for point, v in [((1.2, 0.7), (1.0, 0.0)), ((-0.3, 2.0), (0.5, -2.0))]:
        _, tangent = autograd.jvp(gradient, point, v)
        _, product = autograd.hvp(f, point, v)
        x, y = point
        h = ((2 - 400 * (y - x * x) + 800 * x * x, -400 * x), (-400 * x, 200.0))
        by_hand = [h[0][0] * v[0] + h[0][1] * v[1], h[1][0] * v[0] + h[1][1] * v[1]]
        assert tangent == pytest.approx(list(product), rel=1e-14)
        assert tangent == pytest.approx(by_hand, rel=1e-12)


def test_jvp_of_a_vector_function_and_a_list_argument():
    out, tangent = autograd.jvp(lambda xs: [xs[0] * xs[1], xs[0].exp()], ([2.0, 3.0],),
                                ([1.0, 0.5],))
    assert out == [6.0, pytest.approx(math.exp(2.0))]
    assert tangent == [3.0 + 0.5 * 2.0, pytest.approx(math.exp(2.0))]


def test_a_bare_number_is_one_primal_and_constants_have_zero_tangent():
    assert autograd.jvp(lambda x: x * x, 3.0, 1.0) == (9.0, 6.0)
    assert autograd.jvp(lambda x: 5.0, (3.0,), (1.0,)) == (5.0, 0.0)
    w = Value(4.0)  # captured, not a primal: its tangent is 0
    assert autograd.jvp(lambda x: x * w, (3.0,), (1.0,)) == (12.0, 4.0)


def test_an_input_the_output_ignores_gets_no_nan():
    # sqrt(0) has an infinite slope; a branch no tangent reaches must not make 0 * inf = nan.
    f = lambda x, y: x + (y * 0.0).sqrt()  # noqa: E731
    assert autograd.jvp(f, (1.0, 2.0), (1.0, 0.0)) == (1.0, 1.0)


def test_nested_jvp_keeps_the_inner_variable_separate():
    # d/dx [x * d/dy (x + y)] = 1: the inner seed must not land on x (perturbation confusion).
    f = lambda x: x * autograd.jvp(lambda y: x + y, (x,), (1.0,))[1]  # noqa: E731
    assert autograd.jvp(f, (2.0,), (1.0,)) == (2.0, 1.0)


def test_jvp_with_values_returns_values():
    x = Value(2.0)
    out, tangent = autograd.jvp(lambda y: y ** 3, (x,), (1.0,))
    assert isinstance(out, Value) and isinstance(tangent, Value)
    assert tangent.data == 12.0
    assert autograd.grad(tangent, x) == 12.0  # d/dx 3x² = 6x


def test_jvp_refuses_mismatched_shapes_and_bad_values():
    with pytest.raises(ValueError, match="2 primals but 1 tangents"):
        autograd.jvp(lambda x, y: x * y, (1.0, 2.0), (1.0,))
    with pytest.raises(ValueError, match="shape of primal 0"):
        autograd.jvp(lambda xs: xs[0], ([1.0, 2.0],), ([1.0],))
    with pytest.raises(TypeError, match="numbers or Values"):
        autograd.jvp(lambda x: x, ("a",), (1.0,))
    with pytest.raises(TypeError):
        autograd.jvp(lambda x: x, (1.0,), ("a",))
    with pytest.raises(TypeError, match="must return"):
        autograd.jvp(lambda x: "x", (1.0,), (1.0,))


def test_jvp_of_plain_grad_equals_hvp():
    # Inside a transform, grad() builds its gradient as a graph by default, so the transform
    # differentiates it instead of seeing a constant (as JAX's grad inside jvp).
    f = lambda x, y: (x * y).exp() + x ** 3  # noqa: E731
    gradient = lambda x, y: autograd.grad(f(x, y), [x, y])  # noqa: E731
    point, v = (0.6, -1.1), (2.0, -3.0)
    assert autograd.jvp(gradient, point, v)[1] == pytest.approx(
        list(autograd.hvp(f, point, v)[1]), rel=1e-14)
    assert autograd.derivative(lambda x: autograd.grad(x ** 3, x))(2.0) == 12.0
    x = Value(2.0)
    assert autograd.grad(x ** 3, x) == 12.0  # outside a transform: a float, as always
