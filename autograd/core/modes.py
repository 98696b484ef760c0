"""Switches that change how operations behave: no_grad and detect_anomaly.

Both are context managers backed by ``contextvars``, so a block in one thread or asyncio task does
not leak into another.  A task (or a context copy) made inside a block is inside it until the
block is left, then outside it.  While no block is open anywhere, operations pay a single global
read.
"""

from __future__ import annotations

import functools
import inspect
import math
import threading
from collections.abc import Callable
from contextvars import ContextVar
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from . import value as _value

if TYPE_CHECKING:
    from .value import Value

F = TypeVar("F", bound=Callable[..., Any])


class _Block:
    """One entered block: its setting, the block it sits in, and whether it is still open."""

    __slots__ = ("setting", "outer", "open")

    def __init__(self, setting: bool, outer: _Block | None) -> None:
        self.setting = setting
        self.outer = outer
        self.open = True


# Each mode's context variable holds the innermost block entered in this context (None: none).
# A block that has been left counts for nothing, even in a context copied while it was open (an
# asyncio task created inside it, say): operations take the fast path, which records, as soon as
# no block is open anywhere, so the setting a copy sees must not outlive its block either.
_grad_enabled: ContextVar[_Block | None] = ContextVar("valuegrad_grad_enabled", default=None)
_anomaly: ContextVar[_Block | None] = ContextVar("valuegrad_detect_anomaly", default=None)
# The blocks open in this context, innermost last, each with the switch that entered it.  Kept in
# a context variable (not on the switch object) so one switch object can be entered again,
# nested, or shared by threads and tasks.
_saved: ContextVar[tuple[tuple[Switch, ContextVar[_Block | None], _Block], ...]] = ContextVar(
    "valuegrad_saved_modes", default=())
_lock = threading.Lock()
# One entry per block open anywhere, in any thread or task (guarded by _lock).  The operators
# (value.py) test it, under the name _special_modes, before each node: while it is empty they
# pay one global read and nothing else.
open_blocks: list[Switch] = _value._special_modes
# How many transformed functions (functional.py, forward mode) are running in this thread or
# task.  Inside one, an inner transform must build its gradient as a graph even when called with
# plain numbers: the function it differentiates may close over the outer transform's Values
# (JAX's nesting rule), and grad() must return Values there.
transform_depth: ContextVar[int] = ContextVar("valuegrad_transform_depth", default=0)


def _setting(var: ContextVar[_Block | None], default: bool) -> bool:
    block = var.get()
    while block is not None:
        if block.open:
            return block.setting
        block = block.outer
    return default


class Switch:
    """A reusable context manager (and decorator) that sets one mode for the code inside it.

    Like PyTorch's ``no_grad``: the same object may be used in several ``with`` statements, and
    ``@no_grad()`` (or bare ``@no_grad``) on a function, a generator function or an ``async def``
    applies the mode only while that function's own code runs.
    """

    def __init__(self, var: ContextVar[_Block | None], setting: bool, name: str) -> None:
        self._var = var
        self._setting = setting
        self._name = name

    def __enter__(self) -> None:
        with _lock:
            open_blocks.append(self)
        block = _Block(self._setting, self._var.get())
        _saved.set((*_saved.get(), (self, self._var, block)))
        self._var.set(block)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        # Close this switch's innermost block, which need not be the innermost block of all: a
        # generator's `with` runs in its caller's context, so closing the generator inside the
        # caller's own block ends the generator's block while the caller's stays open.
        stack = _saved.get()
        for k in range(len(stack) - 1, -1, -1):
            if stack[k][0] is self:
                break
        else:
            raise RuntimeError(
                f"{self._name}() block left in a thread, task or context that did not enter "
                f"it: leave a block where it was entered (use `with`)")
        _, var, block = stack[k]
        _saved.set(stack[:k] + stack[k + 1:])
        block.open = False
        if var.get() is block:
            var.set(block.outer)
        # else a block entered later is still open in this context: it keeps the variable, and
        # _setting() skips the closed block on its way out.
        with _lock:
            open_blocks.remove(self)

    def __call__(self, fn: F) -> F:
        """Decorate `fn` so that its body runs with this mode set."""
        if inspect.isgeneratorfunction(fn):
            def generator(*args: Any, **kwargs: Any) -> Any:
                return (yield from _generator_in_mode(self, fn, *args, **kwargs))
            return functools.wraps(fn)(generator)  # type: ignore[return-value]
        if inspect.iscoroutinefunction(fn):
            async def coroutine(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await fn(*args, **kwargs)
            return functools.wraps(fn)(coroutine)  # type: ignore[return-value]

        def plain(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)
        return functools.wraps(fn)(plain)  # type: ignore[return-value]


def _generator_in_mode(switch: Switch, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    # The mode must be set each time the generator's own code runs, not while its consumer runs
    # between two `next()` calls, so every resumption is wrapped separately.
    gen = fn(*args, **kwargs)  # creating a generator runs none of its code
    try:
        with switch:
            reply = next(gen)
        while True:
            try:
                sent = yield reply
            except GeneratorExit:
                with switch:
                    gen.close()
                raise
            except BaseException as err:  # thrown into us: pass it on to the wrapped generator
                with switch:
                    reply = gen.throw(err)
            else:
                with switch:
                    reply = gen.send(sent)
    except StopIteration as done:
        return done.value


def _switch(var: ContextVar[_Block | None], setting: bool, fn: Callable[..., Any] | None,
            name: str) -> Any:
    switch = Switch(var, setting, name)
    if fn is None:
        return switch
    if not callable(fn):
        raise TypeError(f"takes no arguments, or a function to decorate; got "
                        f"{type(fn).__name__}: {fn!r}"[:200])
    return switch(fn)


def no_grad(fn: F | None = None) -> Any:
    """Inside this block operations compute numbers but record no graph (results are leaves)."""
    return _switch(_grad_enabled, False, fn, "no_grad")


def enable_grad(fn: F | None = None) -> Any:
    """Turn recording back on inside a no_grad block."""
    return _switch(_grad_enabled, True, fn, "enable_grad")


def detect_anomaly(fn: F | None = None) -> Any:
    """In this block the first NaN or infinity, forward or backward, raises FloatingPointError."""
    return _switch(_anomaly, True, fn, "detect_anomaly")


def is_grad_enabled() -> bool:
    """False inside no_grad()."""
    return _setting(_grad_enabled, True)


def anomaly_enabled() -> bool:
    """True inside detect_anomaly()."""
    return _setting(_anomaly, False)


def describe(v: Value) -> str:
    """A short name for a node in error messages: its label, or its operation."""
    if v.label:
        return repr(v.label)
    return f"an unlabelled {v.op!r} node" if v.op else "an unlabelled leaf"


def check_forward(out: float, op: str, a: Value, b: Value | None) -> None:
    """Raise if an operation made a nan from inputs without one, or an inf from finite inputs."""
    if math.isfinite(out):
        return
    inputs = [a] if b is None else [a, b]
    if math.isnan(out):
        # inf - inf and 0 * inf are where a NaN first appears, even though an input is infinite.
        new = not any(math.isnan(x._data) for x in inputs)
    else:
        new = all(math.isfinite(x._data) for x in inputs)
    if new:
        shown = ", ".join(f"{describe(x)}={x._data!r}" for x in inputs)
        raise FloatingPointError(f"forward: {op!r} of ({shown}) gave {out!r}")


def check_backward(node: Value, x: Value, upstream: float, local: float, product: float) -> None:
    """Raise if a gradient contribution became nan or inf while the upstream gradient was finite."""
    if not math.isfinite(product) and math.isfinite(upstream):
        named = f" {node.label!r}" if node.label else ""
        raise FloatingPointError(
            f"backward: gradient into {describe(x)} through the {node.op!r} node{named} "
            f"(data={node._data!r}) is {product!r} = local derivative {local!r} × upstream "
            f"{upstream!r}"
        )


def special_node(out: float, op: str, a: Value, b: Value | None, da: float | None,
                 db: float | None) -> Value:
    """An operation's node while some no_grad or detect_anomaly block is open somewhere."""
    if anomaly_enabled():
        check_forward(out, op, a, b)
    if not is_grad_enabled():
        leaf = _value.Value(out, requires_grad=False)
        if _value.tracing:
            _value.trace_hook(leaf, "no_grad()", other=(a, b))
        return leaf
    v = _value._new(_value.Value)
    v._data, v.grad, v._op, v._a, v._b, v._da, v._db = out, 0.0, op, a, b, da, db
    v._label = ""
    v._mark = None
    return v
