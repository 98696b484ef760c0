"""Guards: the data-dependent decisions a trace makes, recorded so that a replay can check them.

While ``autograd.compile`` traces a function, a :class:`Recorder` is the trace sink of the
context that runs it (``value.trace_sink``, a ContextVar: no other thread or task sees it).  The
core tells it, through its one hook ``value.trace_hook``, about

* every comparison and ``bool()`` of a Value, with its outcome (``max``/``min`` over Values are
  comparisons too).  These are the *guards*: a replay recomputes both sides and checks that every
  outcome is the same before it trusts its numbers;
* the leaves that ``detach()`` and ``no_grad()`` make from the function's own Values;
* every number taken out of a Value: ``.data`` (a property over the ``_data`` slot the engine
  reads), ``float()``, ``int()``, ``round()``, ``item()``, ``math.floor``, ``repr()``, a format
  spec, ``local_grads``, copies and pickles, ``backward()``, ``grad()`` giving numbers.  These
  are refused, at the user's line: whatever the function does with such a number is invisible
  to the trace, so a replay would silently keep it at its trace-time value.

Other threads (a ``ThreadPoolExecutor`` the function hands its Values to) have no trace sink.
While any trace runs, what they do is written to one shared log, :class:`Elsewhere`; when a
trace ends it takes the entries about its own Values (the Value, or one it was computed from, is
in the traced graph): their comparisons become guards, their reads refuse the trace.  Nothing
is patched, and no decision depends on which module makes a read; file names only pick the
line an error message shows.
"""

from __future__ import annotations

import linecache
import operator
import os
import random
import sys
import sysconfig
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from ..core import value as core_value
from ..core.value import Value, trace_sink

# Comparison name -> the float operation a guard repeats in the replay.
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "!=": operator.ne,
}

# What the core calls a leaf cut from the graph (see value.trace_hook); other `how`s are reads.
DETACHING = ("detach()", "no_grad()")


class TraceError(ValueError):
    """The traced function does something a replay could not repeat faithfully."""


class Recorder:
    """The trace sink of one trace: guards and detached leaves, refusing reads of numbers."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.guards: list[tuple[Value, str, Value | float, bool]] = []
        self.detached: list[Value] = []
        self.refused: TraceError | None = None
        self.elsewhere: Elsewhere | None = None  # the other threads' log while this trace runs
        self.elsewhere_start = 0  # where this trace's entries begin in it

    def hear(self, v: Value, how: str, op: str | None, other: Any, outcome: bool) -> None:
        """value.trace_hook's report from the traced context (see there)."""
        if op is not None:
            self.guards.append((v, op, other, outcome))
        elif how in DETACHING:
            self.detached.append(v)
        else:
            self.refuse(how, user_line())

    def refuse(self, how: str, line: str, thread: str = "") -> None:
        """The traced function takes a number out of a Value: refuse it, naming the line."""
        self.refuse_because(
            f"reads the number inside a Value ({how})", line,
            "A replay would keep that number at its trace-time value while eager recomputes "
            "it.  Use Value operations instead (x * x, not x * x.data), compare Values directly "
            "(`if x > 0:`, max(x, y): compile guards those and re-traces when they change), "
            "take gradients inside fn with grad(..., create_graph=True), or pass the number to "
            "the function as an input.", thread)

    def refuse_because(self, what: str, line: str, why: str, thread: str = "") -> None:
        """Refuse the trace: `what` the function does at `line` (in `thread`), and `why` not."""
        where = f" in thread {thread!r}" if thread else ""
        # Kept as well as raised: a function that swallows the error must not get a trace.
        self.refused = TraceError(f"compile: {self.name} {what} at {line}{where}.  {why}")
        raise self.refused

    def adopt(self, graph_roots: Iterable[Value]) -> None:
        """Take the other threads' log entries about this trace's graph (call once fn returns).

        Comparisons become guards, detached leaves are recorded, reads refuse the trace.  An
        entry is this trace's when its Value, or one that Value was computed from, is in the
        graph of `graph_roots` (the inputs, the result, aux outputs and guarded Values).
        """
        log = self.elsewhere
        if log is None:
            return
        entries = log.entries[self.elsewhere_start:]
        if log.overflowed:
            raise TraceError(
                f"compile: while {self.name} was traced, other threads used Values more than "
                f"{Elsewhere.LIMIT} times; compile cannot tell whether they used this trace's "
                f"Values.  Trace it while no other thread computes with Values.")
        if not entries:
            return
        ours = _Membership(graph_roots)
        for v, how, op, other, outcome, line, thread in entries:
            if op is not None:
                if ours.holds(v) or (isinstance(other, Value) and ours.holds(other)):
                    self.guards.append((v, op, other, outcome))
                    ours.add(v)
                    if isinstance(other, Value):
                        ours.add(other)
            elif how in DETACHING:
                sources = other if isinstance(other, tuple) else (other,)
                if any(s is not None and ours.holds(s) for s in sources):
                    self.detached.append(v)
            elif ours.holds(v):
                try:
                    self.refuse(how, line, thread)
                except TraceError:
                    return  # kept in self.refused; recording() raises it


class _Membership:
    """Is a Value in a graph, or computed from one of its Values?  (Ids seen, walked lazily.)"""

    def __init__(self, roots: Iterable[Value]) -> None:
        self.keep = [v for v in roots if isinstance(v, Value)]  # ids stay valid while kept
        self.members: set[int] = set()
        self.outside: set[int] = set()
        for v in self.keep:
            self.members |= self._graph(v)

    def add(self, v: Value) -> None:
        """Count v's graph in (a guard's Values become part of the trace)."""
        self.members |= self._graph(v)
        self.keep.append(v)
        self.outside.clear()  # what was outside may now be computed from a member

    def holds(self, v: Value) -> bool:
        """Whether v, or a Value it was computed from, is a member."""
        seen: list[Value] = []
        stack = [v]
        found = False
        visited: set[int] = set()
        while stack:
            x = stack.pop()
            if id(x) in self.members:
                found = True
                break
            if id(x) in visited or id(x) in self.outside:
                continue
            visited.add(id(x))
            seen.append(x)
            stack.extend(y for y in (x._a, x._b) if y is not None)
        if not found:
            self.outside.update(id(x) for x in seen)
            self.keep.extend(seen)
        return found

    @staticmethod
    def _graph(v: Value) -> set[int]:
        ids: set[int] = set()
        stack = [v]
        while stack:
            x = stack.pop()
            if id(x) not in ids:
                ids.add(id(x))
                stack.extend(y for y in (x._a, x._b) if y is not None)
        return ids


class Elsewhere:
    """While any trace runs: what threads without a trace of their own do with Values.

    Each entry is (Value, how, op, other, outcome, user line, thread name), as value.trace_hook
    reports it; traces take their own entries when they end (Recorder.adopt).  The log lives
    only while some trace runs and holds at most LIMIT entries.
    """

    LIMIT = 100_000

    def __init__(self) -> None:
        self.entries: list[tuple[Any, ...]] = []
        self.overflowed = False

    def hear(self, v: Value, how: str, op: str | None, other: Any, outcome: bool) -> None:
        """value.trace_hook's report from a thread that runs no trace."""
        if len(self.entries) >= self.LIMIT:
            self.overflowed = True
            return
        line = "" if op is not None or how in DETACHING else user_line()
        # list.append is atomic: threads need no lock to log.
        self.entries.append((v, how, op, other, outcome, line, threading.current_thread().name))


# --- the user's line, for error messages only ----------

_AUTOGRAD = os.path.dirname(os.path.dirname(os.path.abspath(core_value.__file__)))
_PACKAGES = (_AUTOGRAD + os.sep, os.path.join(os.path.dirname(_AUTOGRAD), "nn") + os.sep)
_STDLIB = os.path.abspath(sysconfig.get_paths()["stdlib"]) + os.sep  # copy, pickle, threading


def user_line() -> str:
    """'file:line: source' of the innermost frame outside valuegrad's files, for a message."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and _ours(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return "an unknown line"
    code = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    return f"{frame.f_code.co_filename}:{frame.f_lineno}" + (f" `{code}`" if code else "")


def _ours(filename: str) -> bool:
    # The files of the autograd and nn packages and the standard library, and code valuegrad
    # generates ("<valuegrad replay>", "<autograd/core/methods.py: ...>"): only the line an error
    # message names depends on it.
    return (filename.startswith(_PACKAGES) or filename.startswith(("<autograd/", "<valuegrad"))
            or (filename.startswith(_STDLIB) and "site-packages" not in filename))


# --- one trace's recording ----------

_running = 0  # traces running in the process (value.tracing holds the log while it is > 0)
_running_lock = threading.Lock()


@contextmanager
def recording(name: str) -> Iterator[Recorder]:
    """Make a Recorder this context's trace sink for the duration of a trace.

    The caller calls ``recorder.adopt(...)`` with the traced graph before leaving the block, so
    that what other threads did with its Values meanwhile is counted too.
    """
    global _running
    recorder = Recorder(name)
    with _running_lock:
        if _running == 0:
            core_value.tracing[:] = [Elsewhere()]
        _running += 1
        recorder.elsewhere = core_value.tracing[0]
        recorder.elsewhere_start = len(recorder.elsewhere.entries)
    token = trace_sink.set(recorder)
    state = _random_states()
    try:
        yield recorder
    finally:
        trace_sink.reset(token)
        with _running_lock:
            _running -= 1
            if _running == 0:
                core_value.tracing.clear()
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
