"""Argument checks shared by the engine and nn: one wording for every "must be a number" error.

One rule for numbers beyond float64: a finite number too large for a float64 (``10**400``,
``np.longdouble("1e4000")``, ``Fraction(10**400)``) is a ValueError naming it, never a silent
``inf``; ``inf`` and ``nan`` given as such are kept (IEEE); a number too small rounds to a
subnormal or 0, as ``float()`` rounds it.
"""

from __future__ import annotations

import math
import numbers
from typing import Any


def is_real(x: Any) -> bool:
    """Whether x is one real number: int, float, NumPy scalar, Fraction; not bool, not a Value."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def real(x: Any, what: str = "a Value") -> float:
    """`x` as a float, or a TypeError (not a number) / ValueError (beyond float64) naming `what`."""
    if x.__class__ is float:
        return x
    if not is_real(x):
        raise TypeError(f"{what} must be a number, got {type(x).__name__}: {x!r}"[:160]
                        + " (one real number: int, float or NumPy scalar)")
    try:
        out = float(x)
    except OverflowError:  # an int or Fraction beyond float64
        out = math.inf
    if math.isinf(out) and -math.inf < x < math.inf:  # float() rounded a finite number to inf
        raise ValueError(f"{what}: {x!r}"[:80] + " is too large for a float64 (largest: "
                         "1.8e308)")
    return out


def finite_real(x: Any, what: str) -> float:
    """`x` as a float that is neither inf nor nan, else an error naming `what`."""
    out = real(x, what)
    if not math.isfinite(out):
        raise ValueError(f"{what} must be a finite number, got {x!r}")
    return out


def nonnegative(x: Any, what: str, upper: float | None = None) -> float:
    """`x` as a finite float >= 0 (and < `upper` if given), else an error naming `what`.

    For rates, tolerances and penalties: a negative, inf or nan one is a ValueError.
    """
    out = real(x, what)
    if not (math.isfinite(out) and out >= 0.0) or (upper is not None and out >= upper):
        bound = f"in [0, {upper})" if upper is not None else "a finite number >= 0"
        raise ValueError(f"{what} must be {bound}, got {out!r}")
    return out


def positive_int(n: Any, what: str, least: int = 1) -> int:
    """`n` as an int >= `least` (1 unless given; a NumPy integer is fine), else an error naming
    `what`."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{what} must be an int, got {type(n).__name__}: {n!r}"[:200])
    if n < least:
        raise ValueError(f"{what} must be at least {least}, got {n}")
    return int(n)


def seed(value: Any, what: str) -> int | None:
    """A random seed as an int (a NumPy integer is fine; random.Random refuses one), or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what}: seed must be an int or None, got {type(value).__name__}: "
                        f"{value!r}"[:200])
    return int(value)
