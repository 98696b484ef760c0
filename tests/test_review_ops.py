"""Review: IEEE edge cases of the op table that the per-op tests did not reach."""

import math

import pytest

from autograd import Value, grad


@pytest.mark.parametrize(("x", "y", "expected"), [
    (1e-200, 1e-200, -1e200),  # y*y underflows to 0: -x/(y*y) would be -inf
    (1e200, 1e200, -1e-200),  # y*y overflows to inf: -x/(y*y) would be -0.0
    (0.0, 1e-200, -0.0),  # 0/(y*y) would be 0/0 = nan
    (math.inf, 1e200, -math.inf),  # inf/(y*y) would be inf/inf = nan
    (3.0, 2.0, -0.75),
])
def test_division_slope_in_the_divisor_is_finite_where_the_true_slope_is(x, y, expected):
    a, b = Value(x), Value(y)
    (a / b).backward()
    assert b.grad == expected
    # The create_graph face of the op table must give the same number.
    assert grad(a / b, b, create_graph=True).data == expected


def test_division_second_derivative_in_the_divisor():
    x, y = Value(3.0), Value(2.0)
    dy = grad(x / y, y, create_graph=True)
    assert grad(dy, y) == pytest.approx(2 * 3.0 / 2.0 ** 3, rel=1e-15)  # 2x / y³
    assert grad(dy, x) == pytest.approx(-1 / 2.0 ** 2, rel=1e-15)  # -1 / y²


@pytest.mark.parametrize(("x", "y"), [(0.0, 2.0), (0.0, 0.0), (0.0, 0.5), (-0.0, 3.0)])
def test_pow_with_value_exponent_create_graph_matches_first_order_at_zero_base(x, y):
    a, b = Value(x), Value(y)
    first = grad(a ** b, [a, b])
    higher = grad(a ** b, [a, b], create_graph=True)
    assert [g.data for g in higher] == first
    assert not any(math.isnan(g.data) for g in higher)


def test_pow_masks_do_not_hide_a_true_mixed_second_derivative():
    # d/dy [y · x**(y-1)] at y = 0 is x**-1 (the mask for 0 * inf must not zero this).
    x, y = Value(2.0), Value(0.0)
    dx = grad(x ** y, x, create_graph=True)
    assert dx.data == 0.0
    assert grad(dx, y) == pytest.approx(0.5, rel=1e-15)


EXTREMES = [-1000.0, -2.0, -1e-300, -0.0, 0.0, 1e-300, 0.5, 2.0, 356.0, 1000.0, math.inf,
            -math.inf]


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-14 * abs(b)


@pytest.mark.parametrize("name", ["neg", "abs", "exp", "log", "tanh", "sigmoid", "relu",
                                  "softplus", "sqrt", "+", "-", "*", "/", "**"])
def test_both_faces_of_every_derivative_agree_at_extreme_inputs(name):
    """The first-order and the create_graph face must give the same number everywhere."""
    from autograd import OPS

    op = OPS[name]
    points = [(x,) for x in EXTREMES] if op.arity == 1 else [
        (x, y) for x in EXTREMES for y in EXTREMES]
    build = {"neg": lambda x: -x, "abs": abs, "+": lambda x, y: x + y, "-": lambda x, y: x - y,
             "*": lambda x, y: x * y, "/": lambda x, y: x / y, "**": lambda x, y: x ** y}
    bad = []
    for point in points:
        xs = [Value(p) for p in point]
        node = build[name](*xs) if name in build else getattr(xs[0], name)()
        for k, (as_value, as_float) in enumerate(zip(op.local_value(node), node.local_grads)):
            as_value = as_value.data if isinstance(as_value, Value) else as_value
            if as_float is not None and not _same(as_value, as_float):
                bad.append((point, k, as_value, as_float))
    assert not bad
