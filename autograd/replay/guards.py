"""Guards: the data-dependent decisions a trace makes, recorded so that a replay can check them.

While ``autograd.compile`` traces a function, a :class:`Recorder` is the trace sink
(``value.trace_sink``).  It collects

* every comparison and ``bool()`` of a Value, with its outcome (``max``/``min`` over Values are
  comparisons too).  These are the *guards*: a replay recomputes both sides and checks that every
  outcome is the same before it trusts its numbers;
* the leaves that ``detach()`` and ``no_grad()`` make from the function's own Values;

and it refuses, at the line that does it, anything that takes a number out of a Value (``.data``,
``float()``, ``int()``, ``round()``, ``item()``, ``math.floor``...): whatever the function does
with such a number is invisible to the trace, so a replay would silently keep it at its
trace-time value.  Reads of ``.data`` are seen by swapping Value's ``data`` slot for a watching
descriptor while some trace runs; the engine's own reads (modules ``autograd.*``) pass unwatched.
"""

from __future__ import annotations

import linecache
import operator
import random
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from ..core.value import Value, trace_sink

# Comparison name -> the float operation a guard repeats in the replay.
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "!=": operator.ne,
}


class TraceError(ValueError):
    """The traced function does something a replay could not repeat faithfully."""


class Recorder:
    """The trace sink of one trace: guards and detached leaves, refusing reads of numbers."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.guards: list[tuple[Value, str, Value | float, bool]] = []
        self.detached: list[Value] = []
        self.refused: TraceError | None = None

    def append(self, leaf: Value) -> None:
        """A leaf made by detach() or under no_grad() from the traced function's Values."""
        self.detached.append(leaf)

    def compared(self, a: Value, op: str, b: Any, outcome: bool) -> None:
        """A comparison `a op b` (b a Value or a float) decided `outcome` while tracing."""
        self.guards.append((a, op, b, outcome))

    def read(self, how: str) -> None:
        """The traced function takes a number out of a Value: refuse it, naming the line."""
        # Kept as well as raised: a function that swallows the error must not get a trace.
        self.refused = TraceError(
            f"compile: {self.name} reads the number inside a Value ({how}) at {user_line()}.  "
            f"A replay would keep that number at its trace-time value while eager recomputes "
            f"it.  Use Value operations instead (x * x, not x * x.data), compare Values directly "
            f"(`if x > 0:`, max(x, y): compile guards those and re-traces when they change), or "
            f"pass the number to the function as an input.")
        raise self.refused


def user_line() -> str:
    """'file:line: source' of the innermost frame outside the engine, for error messages."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and _engine(frame.f_globals):
        frame = frame.f_back
    if frame is None:
        return "an unknown line"
    code = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    return f"{frame.f_code.co_filename}:{frame.f_lineno}" + (f" `{code}`" if code else "")


def _engine(globals_: dict[str, Any]) -> bool:
    name = globals_.get("__name__", "")
    return name == "autograd" or name.startswith("autograd.")


# --- watching .data while a trace runs ----------

_SLOT = Value.__dict__["data"]  # the member descriptor of Value's `data` slot
_slot_get = _SLOT.__get__
_slot_set = _SLOT.__set__
_getframe = sys._getframe
_VALUE_GLOBALS = vars(sys.modules[Value.__module__])


def _watched_get(obj: Value) -> Any:
    """Value.data while some trace runs: a read from outside the engine is reported."""
    caller = _getframe(1).f_globals
    # The operators read the slot as Value._data, unwatched; value.py's own reads (comparisons,
    # repr) pass here at once.
    if caller is _VALUE_GLOBALS:
        return _slot_get(obj)
    sink = trace_sink.get()
    if sink is not None and not _engine(caller):
        sink.read(".data")
    return _slot_get(obj)


# Stands in for Value.data during a trace.  A property (written in C) calling the slot's own
# setter leaves writes, one per new node, at C speed; only reads run Python.
_WATCHED = property(_watched_get, _slot_set, doc="The float this Value holds (watched).")


_watchers = 0
_watch_lock = threading.Lock()


@contextmanager
def recording(name: str) -> Iterator[Recorder]:
    """Make a Recorder the trace sink and watch .data reads for the duration of a trace."""
    global _watchers
    recorder = Recorder(name)
    with _watch_lock:
        if _watchers == 0:
            type.__setattr__(Value, "data", _WATCHED)
        _watchers += 1
    token = trace_sink.set(recorder)
    state = _random_states()
    try:
        yield recorder
    finally:
        trace_sink.reset(token)
        with _watch_lock:
            _watchers -= 1
            if _watchers == 0:
                type.__setattr__(Value, "data", _SLOT)
    if recorder.refused is not None:
        raise recorder.refused
    if _random_states() != state:
        raise TraceError(
            f"compile: {name} draws random numbers while it is traced (the state of Python's "
            f"`random` module or NumPy's global generator changed).  A replay would repeat the "
            f"trace-time draws on every call.  Draw them outside and pass them in as inputs.")


def _random_states() -> tuple[Any, ...]:
    numpy = sys.modules.get("numpy")
    if numpy is None:
        return random.getstate(), None
    legacy = numpy.random.get_state()  # ('MT19937', key array, pos, has_gauss, cached gauss)
    return random.getstate(), (legacy[1].tobytes(), *legacy[2:])


def guard_outcomes(guards: list[tuple[int, str, int | None, float, bool]],
                   values: Callable[[int], float]) -> bool:
    """Whether every guard (slot a, op, slot b or None, constant b, outcome) holds again."""
    for a, op, b, const, outcome in guards:
        right = const if b is None else values(b)
        if COMPARISONS[op](values(a), right) != outcome:
            return False
    return True
