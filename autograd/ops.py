"""The op table: every primitive's forward value and local derivatives, written once, side by side.

Each entry has two faces of the same formula:

* ``forward(*xs)`` works on floats and returns ``(out, d_out/d_x0, d_out/d_x1, ...)``.  The
  derivatives are computed once, in the forward pass, and stored on the node: this is the fast path
  that ``backward()`` uses.
* ``local_value(node)`` returns the same derivatives built from Value operations, so that a gradient
  can itself be differentiated (``grad(..., create_graph=True)``).  ``None`` marks an input that
  receives no gradient (a constant exponent).

Numerics follow IEEE-754 float64 as PyTorch does: overflow gives ``inf``, a domain error gives
``nan``, a pole gives ``±inf``.  Python's ``math`` module raises instead, hence the ``safe_*``
helpers below.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .value import Value

INF = math.inf
NAN = math.nan


# --- IEEE-safe float helpers ----------

def safe_div(x: float, y: float) -> float:
    """Divide like float64 hardware: x/0 is ±inf (or nan for 0/0) instead of an exception."""
    try:
        return x / y
    except ZeroDivisionError:
        if x != x or x == 0.0:
            return NAN
        # The sign of a signed zero divisor matters: 1/-0.0 is -inf.
        return math.copysign(INF, x) * math.copysign(1.0, y)


def _is_odd_integer(y: float) -> bool:
    return math.isfinite(y) and y == math.floor(y) and math.fmod(y, 2.0) != 0.0


def safe_pow(x: float, y: float) -> float:
    """Raise x to y like C's pow(): overflow is ±inf, a negative base to a fraction is nan."""
    try:
        return math.pow(x, y)
    except OverflowError:
        return -INF if (x < 0.0 and _is_odd_integer(y)) else INF
    except ValueError:
        if x == 0.0:  # zero to a negative power is a pole
            return math.copysign(INF, x) if _is_odd_integer(y) else INF
        return NAN  # negative base, non-integer exponent


def safe_exp(x: float) -> float:
    """exp(x), with overflow giving inf."""
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def safe_log(x: float) -> float:
    """Natural log: log(0) is -inf, log of a negative number is nan."""
    if x > 0.0:
        return math.log(x)
    if x == 0.0:
        return -INF
    return NAN  # negative, or nan


def sigmoid_float(x: float) -> float:
    """Logistic function without overflow on either side."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = safe_exp(x)  # x may be nan, which falls through to here and stays nan
    return z / (1.0 + z)


def softplus_float(x: float) -> float:
    """log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|)."""
    if x != x:
        return x  # nan stays nan
    return (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))


# --- forward functions: floats in, (value, local derivatives...) out ----------

def add(x: float, y: float) -> tuple[float, float, float]:
    """x + y and its slopes."""
    return x + y, 1.0, 1.0


def sub(x: float, y: float) -> tuple[float, float, float]:
    """x - y and its slopes."""
    return x - y, 1.0, -1.0


def mul(x: float, y: float) -> tuple[float, float, float]:
    """x * y and its slopes."""
    return x * y, y, x


def div(x: float, y: float) -> tuple[float, float, float]:
    """x / y (IEEE: x/0 is ±inf or nan) and its slopes."""
    # d/dy as -(x/y)/y, PyTorch's form: -x/(y*y) would square y first, so y*y under- or overflows
    # (y = 1e-200 gives -inf, y = 1e200 gives 0) where the true slope is a finite number.
    out = safe_div(x, y)
    return out, safe_div(1.0, y), safe_div(-out, y)


def pow_(x: float, y: float) -> tuple[float, float, float]:
    """x ** y (as C pow()) and its slopes, masked where PyTorch masks them."""
    out, dx = pow_constant(x, y)
    # PyTorch masks 0 * inf: 0**y for y >= 0 has zero slope in y.
    dy = 0.0 if (x == 0.0 and y >= 0.0) else out * safe_log(x)
    return out, dx, dy


def pow_constant(x: float, c: float) -> tuple[float, float]:
    """x ** c for a constant exponent (the `2` of `x ** 2`): pow_ without the exponent's slope."""
    # A zero exponent has zero slope in x (PyTorch's mask; else 0 * inf at x = 0).
    return safe_pow(x, c), (0.0 if c == 0.0 else c * safe_pow(x, c - 1.0))


def neg(x: float) -> tuple[float, float]:
    """-x and its slope."""
    return -x, -1.0


def abs_(x: float) -> tuple[float, float]:
    """|x| and its slope (0 at 0, as PyTorch)."""
    return abs(x), (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0)


def exp(x: float) -> tuple[float, float]:
    """e**x (inf on overflow) and its slope."""
    out = safe_exp(x)
    return out, out


def log(x: float) -> tuple[float, float]:
    """Natural log (-inf at 0, nan below) and its slope."""
    return safe_log(x), safe_div(1.0, x)


def tanh(x: float) -> tuple[float, float]:
    """tanh(x) and its slope."""
    t = math.tanh(x)
    return t, 1.0 - t * t


def sigmoid(x: float) -> tuple[float, float]:
    """Logistic function and its slope."""
    s = sigmoid_float(x)
    return s, s * (1.0 - s)


def relu(x: float) -> tuple[float, float]:
    """max(x, 0) (nan stays nan) and its slope."""
    # `not x <= 0` lets nan through as nan, like PyTorch.
    return (x if not x <= 0.0 else 0.0), (1.0 if x > 0.0 else 0.0)


def softplus(x: float) -> tuple[float, float]:
    """log(1 + e**x) and its slope."""
    return softplus_float(x), sigmoid_float(x)


def sqrt(x: float) -> tuple[float, float]:
    """Square root (nan below 0) and its slope."""
    out = math.sqrt(x) if x >= 0.0 else NAN
    return out, safe_div(0.5, out)


# --- the same local derivatives as Value expressions (for create_graph) ----------
# Each takes the node whose inputs are differentiated and returns one entry per input.

def _local_pow(v: Value) -> tuple[Any, Any]:
    x, y = v.inputs
    if v.local_grads[1] is None:  # constant exponent: keep it a number, so it stays a constant
        c = y.data
        return (0.0 if c == 0.0 else c * x ** (c - 1.0)), None
    # The same masks as the fast path in pow_(), else 0 * inf would make these nan where pow_()
    # gives 0.  Where a mask applies the local derivative is the constant 0, as in PyTorch.
    power = x ** (y - 1.0)
    dx = 0.0 if (y.data == 0.0 and not math.isfinite(power.data)) else y * power
    dy = 0.0 if (x.data == 0.0 and y.data >= 0.0) else v * x.log()
    return dx, dy


def _local_relu(v: Value) -> tuple[float]:
    return (1.0 if v.inputs[0].data > 0.0 else 0.0,)


def _local_abs(v: Value) -> tuple[float]:
    return (v.local_grads[0],)  # a step function: its derivative is a constant


class Op(NamedTuple):
    """One primitive: its name, how many inputs, and its two derivative faces."""

    name: str
    arity: int
    forward: Callable[..., tuple[float, ...]]
    local_value: Callable[[Value], tuple[Any, ...]]
    formula: str  # the derivative as a reader writes it, for explanations


OPS: dict[str, Op] = {op.name: op for op in (
    Op("+", 2, add, lambda v: (1.0, 1.0), "d(x+y) = 1, 1"),
    Op("-", 2, sub, lambda v: (1.0, -1.0), "d(x-y) = 1, -1"),
    Op("*", 2, mul, lambda v: (v.inputs[1], v.inputs[0]), "d(x*y) = y, x"),
    Op("/", 2, div, lambda v: (1.0 / v.inputs[1], -v / v.inputs[1]), "d(x/y) = 1/y, -x/y²"),
    Op("**", 2, pow_, _local_pow, "d(x**y) = y·x**(y-1), x**y·log x"),
    Op("neg", 1, neg, lambda v: (-1.0,), "d(-x) = -1"),
    Op("abs", 1, abs_, _local_abs, "d|x| = sign(x)"),
    Op("exp", 1, exp, lambda v: (v,), "d exp(x) = exp(x)"),
    Op("log", 1, log, lambda v: (1.0 / v.inputs[0],), "d log(x) = 1/x"),
    Op("tanh", 1, tanh, lambda v: (1.0 - v * v,), "d tanh(x) = 1 - tanh²(x)"),
    Op("sigmoid", 1, sigmoid, lambda v: (v * (1.0 - v),), "d σ(x) = σ(x)(1 - σ(x))"),
    Op("relu", 1, relu, _local_relu, "d relu(x) = 1 if x > 0 else 0"),
    Op("softplus", 1, softplus, lambda v: (v.inputs[0].sigmoid(),), "d softplus(x) = σ(x)"),
    Op("sqrt", 1, sqrt, lambda v: (0.5 / v,), "d √x = 1/(2√x)"),
)}
