"""Switches that change how operations behave: no_grad and detect_anomaly.

Both are context managers backed by ``contextvars``, so a block in one thread or asyncio task does
not leak into another.  While neither is open anywhere, operations pay a single global read.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

from . import value as _value

if TYPE_CHECKING:
    from .value import Value

_grad_enabled: ContextVar[bool] = ContextVar("valuegrad_grad_enabled", default=True)
_anomaly: ContextVar[bool] = ContextVar("valuegrad_detect_anomaly", default=False)
_lock = threading.Lock()


@contextlib.contextmanager
def _opened(var: ContextVar[bool], setting: bool) -> Iterator[None]:
    with _lock:
        _value._special_modes += 1
    token = var.set(setting)
    try:
        yield
    finally:
        var.reset(token)
        with _lock:
            _value._special_modes -= 1


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Inside this block operations compute numbers but record no graph (results are leaves)."""
    return _opened(_grad_enabled, False)


def enable_grad() -> contextlib.AbstractContextManager[None]:
    """Turn recording back on inside a no_grad block."""
    return _opened(_grad_enabled, True)


def detect_anomaly() -> contextlib.AbstractContextManager[None]:
    """In this block the first NaN or infinity, forward or backward, raises FloatingPointError."""
    return _opened(_anomaly, True)


def is_grad_enabled() -> bool:
    """False inside no_grad()."""
    return _grad_enabled.get()


def anomaly_enabled() -> bool:
    """True inside detect_anomaly()."""
    return _anomaly.get()


def describe(v: Value) -> str:
    """A short name for a node in error messages: its label, or its operation."""
    if v.label:
        return repr(v.label)
    return f"an unlabelled {v.op!r} node" if v.op else "an unlabelled leaf"


def check_forward(out: float, op: str, a: Value, b: Value | None) -> None:
    """Raise if an operation on finite inputs produced nan or inf."""
    if math.isfinite(out):
        return
    inputs = [a] if b is None else [a, b]
    if all(math.isfinite(x.data) for x in inputs):
        shown = ", ".join(f"{describe(x)}={x.data!r}" for x in inputs)
        raise FloatingPointError(f"forward: {op!r} of ({shown}) gave {out!r}")


def check_backward(node: Value, x: Value, upstream: float, local: float, product: float) -> None:
    """Raise if a gradient contribution became nan or inf while the upstream gradient was finite."""
    if not math.isfinite(product) and math.isfinite(upstream):
        raise FloatingPointError(
            f"backward: gradient into {describe(x)} through {node.op!r} node {describe(node)} "
            f"(data={node.data!r}) is {product!r} = local derivative {local!r} × upstream "
            f"{upstream!r}"
        )
