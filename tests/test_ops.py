"""Each primitive: value and local derivative against closed forms, ordinary and extreme inputs."""

import math

import opmap
import pytest

import autograd
from autograd import OPS, Value, grad
from autograd.core.ops import ABOVE_MINUS_ONE, NONZERO, POSITIVE

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
    "sin": (lambda x: x.sin(), math.sin, math.cos),
    "cos": (lambda x: x.cos(), math.cos, lambda x: -math.sin(x)),
    "log1p": (lambda x: x.log1p(), lambda x: math.log(1 + x), lambda x: 1 / (1 + x)),
    "expm1": (lambda x: x.expm1(), lambda x: math.exp(x) - 1, math.exp),
}
ORDINARY = [-2.5, -0.3, 0.7, 1.9]
POSITIVE_ONLY = {"log", "sqrt", "log1p"}


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
    assert y.data == pytest.approx(value(x0), rel=1e-13)
    assert x.grad == pytest.approx(slope(x0), rel=1e-12)


BINARY = {
    "+": (lambda a, b: a + b, lambda a, b: (1.0, 1.0)),
    "-": (lambda a, b: a - b, lambda a, b: (1.0, -1.0)),
    "*": (lambda a, b: a * b, lambda a, b: (b, a)),
    "/": (lambda a, b: a / b, lambda a, b: (1 / b, -a / b**2)),
    "**": (lambda a, b: a**b, lambda a, b: (b * a ** (b - 1), a**b * math.log(a))),
    "maximum": (lambda a, b: a.maximum(b) if isinstance(a, Value) else max(a, b),
                lambda a, b: (1.0, 0.0) if a > b else (0.0, 1.0)),
    "minimum": (lambda a, b: a.minimum(b) if isinstance(a, Value) else min(a, b),
                lambda a, b: (1.0, 0.0) if a < b else (0.0, 1.0)),
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
    for op in OPS.values():
        if op.function is None:
            continue
        fn = getattr(autograd, op.function)
        assert op.function in autograd.__all__
        numbers = [2.0, 0.5][:op.arity]
        by_method = getattr(Value(2.0), op.method)(*numbers[1:])
        assert fn(*numbers).data == by_method.data
        assert fn(*[Value(n) for n in numbers]).op == op.name
        assert fn(*numbers).inputs[0].requires_grad is False  # numbers are constants


def test_maximum_and_minimum_split_the_gradient_at_a_tie_as_pytorch():
    for name in ("maximum", "minimum"):
        x, y = Value(1.5), Value(1.5)
        getattr(autograd, name)(x, y).backward()
        assert (x.grad, y.grad) == (0.5, 0.5)
    x = Value(2.0)
    x.maximum(x).backward()  # max(x, x) = x: the halves add up to 1
    assert x.grad == 1.0
    assert math.copysign(1.0, Value(-0.0).maximum(0.0).data) == -1.0  # the first at a tie
    assert math.isnan(Value(1.0).maximum(math.nan).data)
    assert math.isnan(autograd.minimum(math.nan, 1.0).data)


def test_apply_names_the_problem():
    with pytest.raises(ValueError, match="no op named 'tan'"):
        autograd.apply("tan", 1.0)
    with pytest.raises(TypeError, match="takes 2 operands, got 1"):
        autograd.apply("maximum", 1.0)
    with pytest.raises(TypeError, match="str"):
        autograd.apply("+", Value(1.0), "2")
    assert autograd.apply("**", Value(2.0), 3).op == "**c"  # as the operator x ** 3


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


def _inside(name: str, x: float, k: int) -> float:
    """An ordinary point of op `name`'s k-th input domain."""
    domain = OPS[name].domain[k]
    if domain == POSITIVE:
        return abs(x) + 0.1
    if domain == ABOVE_MINUS_ONE:
        return abs(x) - 0.9
    if domain == NONZERO:
        return x if abs(x) > 0.1 else 1.0
    return x


@pytest.mark.parametrize("name", opmap.NAMES)
def test_stored_derivatives_match_finite_differences(name):
    """Every op of the table, closed form or not: its stored slopes against central differences."""
    op = OPS[name]
    for point in ([0.7, -1.3], [-2.1, 1.6], [1.9, 0.4]):
        xs = [_inside(name, p, k) for k, p in enumerate(point[:op.arity])]
        stored = op.forward(*xs)[1:]
        for k, slope in enumerate(stored):
            if slope is None:
                assert not op.takes_gradient[k]
                continue
            h = 1e-6
            up, down = list(xs), list(xs)
            up[k] += h
            down[k] -= h
            numeric = (opmap.on_floats(name, *up) - opmap.on_floats(name, *down)) / (2 * h)
            assert slope == pytest.approx(numeric, rel=1e-6, abs=1e-8), (name, xs, k)


def test_closed_forms_cover_the_ops_they_name():
    assert set(UNARY) | set(BINARY) <= set(OPS)


@pytest.mark.parametrize("name", opmap.NAMES)
def test_every_face_of_an_op_is_derived_from_its_entry(name):
    op = OPS[name]
    assert len(op.derivatives) == len(op.domain) == op.arity
    assert op.doc and op.expression.count("{x}") >= 1
    assert len(op.rules(*"ab"[:op.arity])) == sum(op.takes_gradient)
    if op.method:
        method = getattr(Value, op.method)
        assert method.__name__ == op.method and method.__doc__
    assert op.method or opmap.parent(name), f"{name}: no way to reach it from a Value"
    if op.torch:
        assert callable(opmap.torch_function(name))


def test_rule_text_takes_the_users_operand_names():
    assert OPS["/"].rules("y", "x") == ["∂(y / x)/∂y = 1/x", "∂(y / x)/∂x = -y/x²"]
    assert OPS["**c"].rules("w", "2") == ["∂(w**2)/∂w = 2·w**(2-1)"]
    assert OPS["tanh"].formula == "d tanh(x) = 1 - tanh²(x)"


@pytest.mark.parametrize("name", sorted(OPS))
def test_float_and_value_derivatives_agree(name):
    """The op table's two faces of each derivative give the same numbers."""
    op = OPS[name]
    points = [(0.8,), (1.7,)] if op.arity == 1 else [(0.8, 1.3), (1.7, -0.6)]
    for point in points:
        xs = [Value(p) for p in point]
        if name in opmap.WITH_CONSTANT:
            xs[1] = point[1]
        node = opmap.on_values(name, *xs)
        for as_value, as_float in zip(op.local_value(node), node.local_grads):
            if as_float is None:  # an input that takes no gradient, in both faces
                assert as_value is None
                continue
            as_value = as_value.data if isinstance(as_value, Value) else as_value
            assert as_value == pytest.approx(as_float, rel=1e-14)


# --- IEEE edge cases of the op table: the division slope, pow's masks, both faces ----------

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


@pytest.mark.parametrize("name", opmap.NAMES)
def test_both_faces_of_every_derivative_agree_at_extreme_inputs(name):
    """The first-order and the create_graph face must give the same number everywhere."""
    op = OPS[name]
    points = [(x,) for x in EXTREMES] if op.arity == 1 else [
        (x, y) for x in EXTREMES for y in EXTREMES]
    bad = []
    for point in points:
        xs = [Value(p) for p in point]
        if name in opmap.WITH_CONSTANT:
            xs[1] = point[1]  # x ** c: c is a plain number
        node = opmap.on_values(name, *xs)
        for k, (as_value, as_float) in enumerate(zip(op.local_value(node), node.local_grads)):
            as_value = as_value.data if isinstance(as_value, Value) else as_value
            if as_float is not None and not _same(as_value, as_float):
                bad.append((point, k, as_value, as_float))
    assert not bad
