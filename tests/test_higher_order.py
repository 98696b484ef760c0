"""grad() with create_graph, the functional transforms, and gradcheck."""

import math

import opmap
import pytest

import autograd
from autograd import OPS, Value, derivative, grad, gradcheck, value_and_grad


def nth_derivatives(f, x0, n):
    """d^k f / dx^k at x0 for k = 1..n, by differentiating the gradient graph again and again."""
    x = Value(x0)
    g = f(x)
    out = []
    for _ in range(n):
        g = grad(g, x, create_graph=True)
        out.append(g.data)
    return out


def test_cube():
    assert nth_derivatives(lambda x: x**3, 2.0, 4) == [12.0, 12.0, 6.0, 0.0]


def test_tanh():
    t = math.tanh(0.7)
    expected = [1 - t**2, -2 * t * (1 - t**2), (1 - t**2) * (6 * t**2 - 2)]
    assert nth_derivatives(lambda x: x.tanh(), 0.7, 3) == pytest.approx(expected, rel=1e-12)


def test_sigmoid():
    s = 1 / (1 + math.exp(-0.4))
    expected = [s * (1 - s), s * (1 - s) * (1 - 2 * s),
                s * (1 - s) * (1 - 6 * s + 6 * s**2)]
    assert nth_derivatives(lambda x: x.sigmoid(), 0.4, 3) == pytest.approx(expected, rel=1e-12)


def test_mixed_partials_of_exp_xy():
    x, y = Value(0.3), Value(-1.2)
    f = (x * y).exp()
    fx, fy = grad(f, [x, y], create_graph=True)
    e = math.exp(0.3 * -1.2)
    assert (fx.data, fy.data) == (pytest.approx(-1.2 * e), pytest.approx(0.3 * e))
    fxx, fxy = grad(fx, [x, y], create_graph=True)
    assert fxx.data == pytest.approx(1.44 * e, rel=1e-13)
    assert fxy.data == pytest.approx(e * (1 + 0.3 * -1.2), rel=1e-13)
    fxxy = grad(fxx, y)
    assert fxxy == pytest.approx(e * (2 * -1.2 + 1.44 * 0.3), rel=1e-13)


@pytest.mark.parametrize("name", sorted(OPS))
def test_second_derivative_of_every_op_matches_finite_differences(name):
    op = OPS[name]
    special = {"+": lambda x: x + x * x, "-": lambda x: x * x - x, "*": lambda x: x * x.exp(),
               "/": lambda x: 1.0 / x, "**": lambda x: x**x}
    if name in special:
        f = special[name]
    elif op.arity == 1:
        f = lambda x: opmap.on_values(name, x)  # noqa: E731
    elif name in opmap.WITH_CONSTANT:
        f = lambda x: opmap.on_values(name, x, 2.5)  # noqa: E731
    else:  # both operands depend on x
        f = lambda x: opmap.on_values(name, x, x * 0.5 + 1.0)  # noqa: E731
    x0 = 0.9
    second = nth_derivatives(f, x0, 2)[1]
    h = 1e-4

    def slope(t):
        x = Value(t)
        return grad(f(x), x)

    numeric = (slope(x0 + h) - slope(x0 - h)) / (2 * h)
    assert second == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_grad_does_not_touch_dot_grad():
    x = Value(2.0)
    y = x * x
    assert grad(y, x) == 4.0
    assert x.grad == 0.0 and y.grad == 0.0


def test_grad_of_unused_and_frozen_inputs_is_zero():
    x, u, c = Value(1.0), Value(2.0), Value(3.0, requires_grad=False)
    assert grad(x * c, [x, u, c]) == [3.0, 0.0, 0.0]


def test_value_and_grad():
    f = lambda x, y: x * y + y.exp()  # noqa: E731
    val, g = value_and_grad(f)(2.0, 0.5)
    assert val == pytest.approx(1.0 + math.exp(0.5))
    assert g == 0.5
    val, (gx, gy) = value_and_grad(f, argnums=(0, 1))(2.0, 0.5)
    assert (gx, gy) == (0.5, pytest.approx(2.0 + math.exp(0.5)))
    with pytest.raises(ValueError, match="argnums"):
        value_and_grad(f, argnums=3)(1.0, 2.0)


def test_nested_derivative_transform():
    f = lambda x: x**4  # noqa: E731
    d1, d2, d3 = derivative(f), derivative(derivative(f)), derivative(derivative(derivative(f)))
    assert (d1(1.5), d2(1.5), d3(1.5)) == (4 * 1.5**3, 12 * 1.5**2, 24 * 1.5)


def test_derivative_of_constant_function_is_zero():
    assert derivative(lambda x: 3.0)(1.0) == 0.0


def test_transform_rejects_non_value_output():
    with pytest.raises(TypeError, match="must return a Value"):
        derivative(lambda x: "oops")(1.0)


def test_gradcheck_passes_on_correct_ops():
    assert gradcheck(lambda x, y: (x * y).tanh() + (x / y).exp() + x**y, [0.7, 1.3])


def test_gradcheck_names_a_wrong_local_derivative(monkeypatch):
    import dataclasses

    true_tanh = OPS["tanh"].forward
    broken = dataclasses.replace(OPS["tanh"], forward=lambda x: (true_tanh(x)[0], 2.0))
    monkeypatch.setitem(OPS, "tanh", broken)  # autograd.apply reads the table at each call
    with pytest.raises(autograd.GradcheckError) as err:
        gradcheck(lambda x, w: autograd.apply("tanh", x * w) * 3, [0.5, -0.8])
    message = str(err.value)
    assert "'tanh' node" in message and "stored 2.0" in message


def test_transforms_pass_other_arguments_and_keywords_through():
    def loss(w, data, *, scale=1.0):
        return scale * sum((w * x - y) ** 2 for x, y in data)

    data = [(1.0, 2.0), (2.0, 3.0)]
    value, slope = value_and_grad(loss)(0.5, data, scale=2.0)
    assert value == 2.0 * ((0.5 - 2.0) ** 2 + (1.0 - 3.0) ** 2)
    assert slope == 2.0 * (2 * (0.5 - 2.0) * 1.0 + 2 * (1.0 - 3.0) * 2.0)
    assert derivative(loss)(0.5, data) == slope / 2.0
