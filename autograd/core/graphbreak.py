"""Graph breaks: a Value turned into a plain float by ``math.exp(x)`` & co. while recording.

``math.exp(x)`` calls ``x.__float__()`` and computes on the number: the result is a constant, so
no gradient flows back through it and ``.grad`` comes out wrong without a word.  Value.__float__
calls taken() here, which tells an implicit conversion by a math function (GraphBreakWarning,
pointing at the user's line, naming the call and the fix) from an explicit number taken out
(``float(loss)``, ``loss.item()``, ``f"{loss:.4f}"``: PyTorch's habits, quiet).  It looks at the
calling expression in the source, once per call site.  Inside a transform (grad, jacobian, ...)
a break of a Value that depends on the transform's inputs is kept, and the transform raises
GraphBreakError instead of returning a wrong derivative; autograd.grad() raises it when an input
it is asked about was cut off this way.

Quiet as well: anything under no_grad(), constants (requires_grad=False leaves), reads from the
engine's own modules, and a trace of autograd.compile (which refuses numbers taken out itself).
"""

from __future__ import annotations

import ast
import cmath
import linecache
import math
import sys
import warnings
from collections import deque
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from types import BuiltinFunctionType, CodeType, FrameType, ModuleType
from typing import Any

from . import modes
from .graph import leaves
from .op_functions import functions
from .value import Value, trace_sink


class GraphBreakWarning(UserWarning):
    """A Value needing a gradient was turned into a plain float (math.exp(x)): the graph is cut."""


class GraphBreakError(ValueError):
    """A transform's result does not depend on its inputs through the graph: it was cut."""


# Functions that compute float from float, so that a Value given to them silently becomes a
# number: math's and cmath's, less the predicates (math.isnan(x) only asks about the number).
_BREAKERS = frozenset(name for module in (math, cmath) for name in dir(module)
                      if not name.startswith(("_", "is")) and callable(getattr(module, name)))
# Builtins that take the number out on purpose: never a break (and no lookup needed).
_EXPLICIT = frozenset({"float", "int", "complex", "round", "format", "str", "repr", "print"})
# The Value spelling of the math functions that have one (autograd.functions adds the rest).
_SPELLED = {"pow": "{x} ** y", "fabs": "abs({x})"}


@dataclass(frozen=True)
class Break:
    """One Value turned into a float: the call, where it was, the fix, the leaves it cut off."""

    call: str
    where: str
    fix: str
    leaves: frozenset[Value]

    def describe(self) -> str:
        """One clause for an error message: the call, where, the fix."""
        return f"{self.call} at {self.where} turned a Value into a plain float ({self.fix})"


# Inside a transform: the breaks seen while its function runs (None outside every transform).
_inside: ContextVar[list[Break] | None] = ContextVar("valuegrad_graph_breaks", default=None)
# The last few breaks anywhere, for autograd.grad(): bounded, so nothing is kept alive for long.
_recent: deque[Break] = deque(maxlen=16)
# Per call site (code, instruction): the call's function expression and first argument as
# written, or None where the conversion is no call (f"{x:f}", an exec'd string without source).
_sites: dict[tuple[CodeType, int], tuple[ast.expr, str] | None] = {}


def taken(v: Value) -> None:
    """Value.__float__'s check: warn (and keep) a math function's conversion while recording."""
    if (v._a is None and not v._rg) or trace_sink.get() is not None \
            or not modes.is_grad_enabled():
        return
    try:
        frame = sys._getframe(2)  # taken() <- Value.__float__ <- the code that converted
    except ValueError:  # called from C with no Python caller: nothing to point at
        return
    name = frame.f_globals.get("__name__", "")
    if name in ("autograd", "nn") or name.startswith(("autograd.", "nn.")):
        return
    call, operand = _call_at(frame)
    if not call:
        return
    fix = _fix(call, operand)
    where = f"{frame.f_code.co_filename}:{frame.f_lineno}"
    found = Break(call, where, fix, frozenset(x for x in leaves(v) if x._rg))
    _recent.append(found)
    log = _inside.get()
    if log is not None:
        log.append(found)
    warnings.warn(f"{call}() turned a Value that needs a gradient into a plain float, so no "
                  f"gradient flows back through it and .grad will be wrong: {fix}",
                  GraphBreakWarning, stacklevel=3)


def _call_at(frame: FrameType) -> tuple[str, str]:
    """(the called function as written, its first argument as written) of the call that is
    converting, when that function is one of math's or cmath's; ("", "") otherwise or if the
    source cannot be read (an exec'd string, say: then say nothing rather than guess)."""
    code, at = frame.f_code, frame.f_lasti
    if (code, at) in _sites:
        site = _sites[(code, at)]
    else:
        site = None
        try:
            call = _source_call(frame, code, at)
            if call is not None:
                site = (call.func, ast.unparse(call.args[0]) if call.args else "x")
        except (IndexError, ValueError, SyntaxError, TypeError):
            pass
        if len(_sites) < 4096:
            _sites[(code, at)] = site
    if site is None:
        return "", ""
    func, operand = site
    called = _breaker(func, frame)
    return (called, operand) if called else ("", "")


def _breaker(func: ast.expr, frame: FrameType) -> str:
    """The math/cmath function the called expression is ("math.exp"), else "".  Looked up, not
    guessed, when its name leads to it through variables and modules only (`fn = math.exp;
    fn(x)` counts); a name reached any other way counts if it is one of theirs."""
    if isinstance(func, ast.Name) and func.id in _EXPLICIT:
        return ""  # float(loss), round(x): the number taken out on purpose
    written = ast.unparse(func)
    names = []
    while isinstance(func, ast.Attribute):
        names.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return written if names and names[0] in _BREAKERS else ""
    scopes = (frame.f_locals, frame.f_globals, frame.f_builtins)
    obj = next((scope[func.id] for scope in scopes if func.id in scope), None)
    for attr in reversed(names):
        if not isinstance(obj, ModuleType):  # only modules are looked into: no code runs
            return written if names[0] in _BREAKERS else ""
        obj = getattr(obj, attr, None)
    if isinstance(obj, BuiltinFunctionType) and getattr(obj, "__module__", "") in (
            "math", "cmath") and obj.__name__ in _BREAKERS:
        return f"{obj.__module__}.{obj.__name__}"
    return ""


def _source_call(frame: FrameType, code: CodeType, at: int) -> ast.Call | None:
    """The call expression the instruction at `at` makes, parsed; None if it is no call.

    Python 3.11+ gives each instruction's source span; 3.10 only its line, where the first call
    of a math function is taken (a line mixing float(x) with math.exp(y) may be misread there).
    """
    lines = linecache.getlines(code.co_filename, frame.f_globals)
    positions = getattr(code, "co_positions", None)
    if positions is None:  # Python 3.10
        line = frame.f_lineno
        if not lines or not 0 < line <= len(lines):
            return None
        tree = ast.parse(lines[line - 1].strip())
        return next((n for n in ast.walk(tree) if isinstance(n, ast.Call)
                     and _breaker(n.func, frame)), None)
    first, last, col, end_col = list(positions())[at // 2]
    if first is None or last is None or col is None or end_col is None or last > len(lines):
        return None
    chunk = lines[first - 1:last]
    if len(chunk) == 1:
        text = chunk[0].encode()[col:end_col].decode()
    else:
        text = "".join([chunk[0].encode()[col:].decode(), *chunk[1:-1],
                        chunk[-1].encode()[:end_col].decode()])
    body = ast.parse(text.strip(), mode="eval").body
    return body if isinstance(body, ast.Call) else None


def _fix(call: str, operand: str) -> str:
    short = call.rsplit(".", 1)[-1]
    x = operand if operand.isidentifier() else f"({operand})"
    if short in functions:
        return f"use {x}.{short}() or autograd.{short}({operand}) instead"
    if short in _SPELLED:
        return f"use {_SPELLED[short].format(x=x)} instead"
    return (f"no Value operation computes {short}(); write it with Value operations (or add "
            f"one with autograd.apply), or take the number out on purpose with {x}.item()")


def start() -> Any:
    """Begin keeping breaks for a transform's function call; returns the token for stop()."""
    return _inside.set([])


def stop(token: Any) -> list[Break]:
    """End keeping breaks; return them (an enclosing transform keeps them too: its function may
    close over Values the inner function cut off)."""
    log = _inside.get() or []
    _inside.reset(token)
    outer = _inside.get()
    if outer is not None:
        outer.extend(log)
    return log


def check(log: list[Break], inputs: Iterable[Any], f: Any) -> None:
    """Raise GraphBreakError if a break in `log` cut the graph off from one of the inputs."""
    if not log:
        return
    wanted = {x for x in inputs if _is_value(x)}
    cut = [b for b in log if b.leaves & wanted]
    if cut:
        name = getattr(f, "__name__", "f")
        raise GraphBreakError(
            f"{name}'s result does not depend on its inputs through the graph (it was cut): "
            + "; ".join(b.describe() for b in cut[:3])
            + ". Its derivative would come out wrong, so none is returned.")


def check_reached(inputs: Iterable[Value], reached: Any) -> None:
    """autograd.grad(): an input the output does not reach, cut off by a recent break, raises."""
    if not _recent:
        return
    for x in inputs:
        if reached(x):
            continue
        for b in reversed(_recent):
            if x in b.leaves:
                label = f" {x.label!r}" if x.label else ""
                raise GraphBreakError(
                    f"the output does not depend on the input{label} through the graph: "
                    f"{b.describe()}")


def last() -> str:
    """'; perhaps because ...' naming the latest break, for an error about a plain number."""
    return f"; perhaps because {_recent[-1].describe()}" if _recent else ""


def _is_value(x: Any) -> bool:
    return isinstance(x, Value)
