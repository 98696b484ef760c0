"""Replay kernels that op table entries name (``Op.kernels``), one kind per replay backend.

As JAX keeps one rule table per interpreter, an op may carry a kernel for a backend: an
``Inline`` for the python backend (``replay_python.py``), a function of NumPy arrays for the numpy
backend (``replay_numpy.py``).  Either must round exactly as the op's float ``forward``; a backend
without a kernel for an op calls ``forward``.  NumPy kernels take the numpy module as their first
argument, so this module imports no NumPy (an optional dependency).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Inline:
    """A python-backend kernel: the op as Python expressions the generated code writes in place.

    ``value`` computes the output from ``{x}`` (and ``{y}``); ``locals`` gives each input's local
    derivative as an expression ("1.0", "-1.0" and a bare operand need no stored number).  Each
    must round exactly as ``forward`` does.
    """

    value: str
    locals: tuple[str, ...]


def np_add(np: Any, x: Any, y: Any) -> tuple[Any, ...]:
    """x + y on arrays."""
    return x + y, 1.0, 1.0


def np_sub(np: Any, x: Any, y: Any) -> tuple[Any, ...]:
    """x - y on arrays."""
    return x - y, 1.0, -1.0


def np_mul(np: Any, x: Any, y: Any) -> tuple[Any, ...]:
    """x * y on arrays."""
    return x * y, y, x


def np_div(np: Any, x: Any, y: Any) -> tuple[Any, ...]:
    """x / y on arrays (IEEE division, as ops.div)."""
    out = x / y
    return out, 1.0 / y, -out / y  # as ops.div(): -(x/y)/y


def np_neg(np: Any, x: Any) -> tuple[Any, ...]:
    """-x on arrays."""
    return -x, -1.0


def np_abs(np: Any, x: Any) -> tuple[Any, ...]:
    """|x| on arrays, slope 0 at 0."""
    return np.abs(x), np.where(x > 0.0, 1.0, np.where(x < 0.0, -1.0, 0.0))


def np_relu(np: Any, x: Any) -> tuple[Any, ...]:
    """max(x, 0) on arrays, nan kept."""
    # ops.relu() keeps nan as nan: `nan <= 0` is False, so where() picks x.
    return np.where(x <= 0.0, 0.0, x), np.where(x > 0.0, 1.0, 0.0)


def np_sqrt(np: Any, x: Any) -> tuple[Any, ...]:
    """Square root on arrays."""
    out = np.sqrt(x)  # nan below 0, -0.0 at -0.0: as ops.sqrt()
    return out, 0.5 / out


def np_maximum(np: Any, x: Any, y: Any) -> tuple[Any, ...]:
    """The larger of x and y on arrays, half slopes at ties."""
    out = np.where(x >= y, x, np.where(y > x, y, x + y))
    tie = x == y
    return out, np.where(tie, 0.5, np.where(x < y, 0.0, 1.0)), np.where(
        tie, 0.5, np.where(x > y, 0.0, 1.0))


def np_minimum(np: Any, x: Any, y: Any) -> tuple[Any, ...]:
    """The smaller of x and y on arrays, half slopes at ties."""
    out = np.where(x <= y, x, np.where(y < x, y, x + y))
    tie = x == y
    return out, np.where(tie, 0.5, np.where(x > y, 0.0, 1.0)), np.where(
        tie, 0.5, np.where(x < y, 0.0, 1.0))
