"""Each primitive: value and local derivative against closed forms, ordinary and extreme inputs."""

import math

import pytest

import autograd
from autograd import OPS, Value

INF, NAN = math.inf, math.nan

# name -> (how to apply it to Values, closed-form value, closed-form derivative(s))
UNARY = {
    "neg": (lambda x: -x, lambda x: -x, lambda x: -1.0),
    "abs": (abs, abs, lambda x: math.copysign(1.0, x) if x != 0 else 0.0),
    "exp": (lambda x: x.exp(), math.exp, math.exp),
    "log": (lambda x: x.log(), math.log, lambda x: 1 / x),
    "tanh": (lambda x: x.tanh(), math.tanh, lambda x: 1 - math.tanh(x) ** 2),
    "sigmoid": (lambda x: x.sigmoid(), lambda x: 1 / (1 + math.exp(-x)),
                lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
    "relu": (lambda x: x.relu(), lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0),
    "softplus": (lambda x: x.softplus(), lambda x: math.log(1 + math.exp(x)),
                 lambda x: 1 / (1 + math.exp(-x))),
    "sqrt": (lambda x: x.sqrt(), math.sqrt, lambda x: 0.5 / math.sqrt(x)),
}
ORDINARY = [-2.5, -0.3, 0.7, 1.9]
POSITIVE_ONLY = {"log", "sqrt"}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("x0", ORDINARY)
def test_unary_value_and_derivative(name, x0):
    apply, value, slope = UNARY[name]
    if name in POSITIVE_ONLY:
        x0 = abs(x0)
    x = Value(x0)
    y = apply(x)
    y.backward()
    assert y.op == name
    assert y.data == pytest.approx(value(x0), rel=1e-14)
    assert x.grad == pytest.approx(slope(x0), rel=1e-12)


BINARY = {
    "+": (lambda a, b: a + b, lambda a, b: (1.0, 1.0)),
    "-": (lambda a, b: a - b, lambda a, b: (1.0, -1.0)),
    "*": (lambda a, b: a * b, lambda a, b: (b, a)),
    "/": (lambda a, b: a / b, lambda a, b: (1 / b, -a / b**2)),
    "**": (lambda a, b: a**b, lambda a, b: (b * a ** (b - 1), a**b * math.log(a))),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize(("a0", "b0"), [(1.5, 2.25), (0.4, -1.7), (3.0, 0.5)])
def test_binary_value_and_derivatives(name, a0, b0):
    f, slopes = BINARY[name]
    a, b = Value(a0), Value(b0)
    y = f(a, b)
    y.backward()
    assert y.op == name
    assert y.data == pytest.approx(f(a0, b0), rel=1e-14)
    da, db = slopes(a0, b0)
    assert a.grad == pytest.approx(da, rel=1e-12)
    assert b.grad == pytest.approx(db, rel=1e-12)


def test_numbers_on_either_side():
    x = Value(3.0)
    assert (x + 1).data == (1 + x).data == 4.0
    assert (x - 1).data == 2.0 and (1 - x).data == -2.0
    assert (x * 2).data == (2 * x).data == 6.0
    assert (x / 2).data == 1.5 and (6 / x).data == 2.0
    assert (x**2).data == 9.0 and (2**x).data == 8.0
    y = 2**x
    y.backward()
    assert x.grad == pytest.approx(8.0 * math.log(2.0), rel=1e-15)


def test_power_with_value_exponent_and_constant_exponent():
    x, n = Value(2.0), Value(3.0)
    y = x**n
    y.backward()
    assert (x.grad, n.grad) == (pytest.approx(12.0), pytest.approx(8.0 * math.log(2.0)))
    z = Value(2.0)
    w = z**3
    assert w.local_grads == (12.0, None)  # a number exponent is a constant: no gradient for it
    w.backward()
    assert z.grad == 12.0 and w.inputs[1].grad == 0.0


def test_module_functions_accept_values_and_numbers():
    for name in ("exp", "log", "tanh", "sigmoid", "relu", "softplus", "sqrt"):
        fn = getattr(autograd, name)
        assert fn(2.0).data == getattr(Value(2.0), name)().data
        assert fn(Value(2.0)).op == name


# --- IEEE float64 semantics: never an exception, never a NaN where the true value is finite -----

@pytest.mark.parametrize(("expr", "expected"), [
    (lambda: Value(1000.0).exp(), INF),
    (lambda: Value(-1000.0).exp(), 0.0),
    (lambda: Value(-1000.0).sigmoid(), 0.0),
    (lambda: Value(1000.0).sigmoid(), 1.0),
    (lambda: Value(356.0).tanh(), 1.0),
    (lambda: Value(-356.0).tanh(), -1.0),
    (lambda: Value(0.0).log(), -INF),
    (lambda: Value(-1.0).log(), NAN),
    (lambda: Value(-8.0) ** (1 / 3), NAN),
    (lambda: Value(-8.0) ** Value(0.5), NAN),
    (lambda: Value(-2.0) ** 3, -8.0),
    (lambda: Value(10.0) ** 400, INF),
    (lambda: Value(-10.0) ** 401, -INF),
    (lambda: Value(0.0) ** -1, INF),
    (lambda: Value(-0.0) ** -1, -INF),
    (lambda: Value(1.0) / 0.0, INF),
    (lambda: Value(-1.0) / 0.0, -INF),
    (lambda: Value(1.0) / -0.0, -INF),
    (lambda: Value(0.0) / 0.0, NAN),
    (lambda: Value(1000.0).softplus(), 1000.0),
    (lambda: Value(-1000.0).softplus(), 0.0),
    (lambda: Value(-1.0).sqrt(), NAN),
    (lambda: Value(1e308) * 10, INF),
])
def test_ieee_values(expr, expected):
    y = expr()
    if math.isnan(expected):
        assert math.isnan(y.data)
    else:
        assert y.data == expected
        assert math.copysign(1.0, y.data) == math.copysign(1.0, expected)


@pytest.mark.parametrize(("make", "expected_grad"), [
    (lambda x: x.sigmoid(), 0.0),  # at -1000 and +1000 the slope is 0, not nan
    (lambda x: x.tanh(), 0.0),
    (lambda x: x.softplus(), None),  # 0 at -1000, 1 at +1000
])
@pytest.mark.parametrize("x0", [-1000.0, 1000.0])
def test_saturating_functions_have_finite_slopes(make, expected_grad, x0):
    x = Value(x0)
    make(x).backward()
    if expected_grad is None:
        expected_grad = 1.0 if x0 > 0 else 0.0
    assert x.grad == expected_grad


def test_ieee_derivatives():
    x = Value(0.0)
    x.log().backward()
    assert x.grad == INF
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == INF
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0  # PyTorch's choice at the kink
    x = Value(0.0)
    abs(x).backward()
    assert x.grad == 0.0
    x, y = Value(0.0), Value(2.0)
    (x**y).backward()  # d/dy of 0**y is masked to 0 (not 0 * -inf = nan), as PyTorch does
    assert (x.grad, y.grad) == (0.0, 0.0)
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0


def test_every_op_in_table_is_tested_here():
    assert set(OPS) == set(UNARY) | set(BINARY)


@pytest.mark.parametrize("name", sorted(OPS))
def test_float_and_value_derivatives_agree(name):
    """The op table's two faces of each derivative give the same numbers."""
    op = OPS[name]
    points = [(0.8,), (1.7,)] if op.arity == 1 else [(0.8, 1.3), (1.7, -0.6)]
    for point in points:
        xs = [Value(p) for p in point]
        node = UNARY[name][0](*xs) if op.arity == 1 else BINARY[name][0](*xs)
        for as_value, as_float in zip(op.local_value(node), node.local_grads):
            as_value = as_value.data if isinstance(as_value, Value) else as_value
            assert as_value == pytest.approx(as_float, rel=1e-14)
