"""IEEE-754 float64 arithmetic as PyTorch does it, where Python's ``math`` module raises instead.

Overflow gives ``±inf``, a domain error gives ``nan``, a pole gives ``±inf``: the op table's
forward functions (``ops.py``) are written with these helpers so that no input makes them raise.
"""

from __future__ import annotations

import math

INF = math.inf
NAN = math.nan


def safe_div(x: float, y: float) -> float:
    """Divide like float64 hardware: x/0 is ±inf (or nan for 0/0) instead of an exception."""
    try:
        return x / y
    except ZeroDivisionError:
        if x != x or x == 0.0:
            return NAN
        # The sign of a signed zero divisor matters: 1/-0.0 is -inf.
        return math.copysign(INF, x) * math.copysign(1.0, y)


def is_odd_integer(y: float) -> bool:
    """Whether y is an odd whole number (the case where a negative base keeps its sign)."""
    return math.isfinite(y) and y == math.floor(y) and math.fmod(y, 2.0) != 0.0


def safe_pow(x: float, y: float) -> float:
    """Raise x to y like C's pow(): overflow is ±inf, a negative base to a fraction is nan."""
    try:
        return math.pow(x, y)
    except OverflowError:
        return -INF if (x < 0.0 and is_odd_integer(y)) else INF
    except ValueError:
        if x == 0.0:  # zero to a negative power is a pole
            return math.copysign(INF, x) if is_odd_integer(y) else INF
        return NAN  # negative base, non-integer exponent


def safe_exp(x: float) -> float:
    """exp(x), with overflow giving inf."""
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def safe_expm1(x: float) -> float:
    """exp(x) - 1 without cancellation near 0, with overflow giving inf."""
    try:
        return math.expm1(x)
    except OverflowError:
        return INF


def safe_log(x: float) -> float:
    """Natural log: log(0) is -inf, log of a negative number is nan."""
    if x > 0.0:
        return math.log(x)
    if x == 0.0:
        return -INF
    return NAN  # negative, or nan


def safe_log1p(x: float) -> float:
    """log(1 + x) without cancellation near 0: -inf at -1, nan below."""
    if x > -1.0:
        return math.log1p(x)
    if x == -1.0:
        return -INF
    return NAN  # below -1, or nan


def safe_sin(x: float) -> float:
    """sin(x); nan at ±inf (math.sin raises there)."""
    return math.sin(x) if math.isfinite(x) else NAN


def safe_cos(x: float) -> float:
    """cos(x); nan at ±inf (math.cos raises there)."""
    return math.cos(x) if math.isfinite(x) else NAN


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
