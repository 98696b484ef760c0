"""Value's arithmetic, made from the op table: one method per op, apply(), autograd.exp & co.

This is the engine's hot path: every operation on Values runs one of the methods made here.
They read their operands' numbers from the ``_data`` slot (``data`` is a property over it that
tells a running trace about reads from outside the engine), so a traced op costs an eager one.
"""

from __future__ import annotations

import linecache
import textwrap
from collections.abc import Callable
from typing import Any

from . import modes, ops
from .value import Number, Operand, Value, _lift, _new, trace_hook, tracing

# The no_grad / detect_anomaly blocks open anywhere (modes.py keeps the list).  While it is empty
# the hot path pays one global read per operation and nothing else.
_special_modes = modes.open_blocks

# --- making a node: written once, compiled into _node and into both method templates ----------
# Each method computes the value and local derivatives with the op's float function and records
# the node.  Recording is written out inside each method rather than called as _node(): the call
# alone costs about 7 % of the W1 build and the W2 step (callgrind, bench/instructions.py).  So
# that those nine slot stores exist once in the source, not once per template, _node and the two
# method templates are compiled at import from the one text _RECORD (`self` is the node's first
# input, `other` its second or None).

_RECORD = """\
if _special_modes:
    return _special_node(out, name, self, other, da, db)
v = _new(Value)
v._data = out
v.grad = 0.0
v._op = name
v._a = self
v._b = other
v._da = da
v._db = db
v._label = ""
v._mark = None
return v
"""

_SOURCE = f"""\
def _node(out: float, name: str, self: Value, other: Value | None, da: float,
          db: float | None) -> Value:
{textwrap.indent(_RECORD, "    ")}

def _unary_method(name: str, forward: Callable[..., Any]) -> Callable[..., Value]:
    def method(self: Value) -> Value:
        out, da = forward(self._data)
        other = db = None
{textwrap.indent(_RECORD, "        ")}
    return method


def _binary_method(name: str, forward: Callable[..., Any]) -> Callable[..., Value]:
    def method(self: Value, other: Operand) -> Value:
        if other.__class__ is not Value:
            other = _lift(other)
            if other is NotImplemented:
                return NotImplemented
        out, da, db = forward(self._data, other._data)
{textwrap.indent(_RECORD, "        ")}
    return method
"""

# Tracebacks through the compiled functions show their lines, as for any other source file.
_FILENAME = "<autograd/core/methods.py: _SOURCE>"
linecache.cache[_FILENAME] = (len(_SOURCE), None, _SOURCE.splitlines(True), _FILENAME)
_made: dict[str, Any] = {}
exec(compile(_SOURCE, _FILENAME, "exec"), globals(), _made)  # our text; globals: this module's
_node: Callable[..., Value] = _made["_node"]
_node.__doc__ = "Make the Value for one operation.  The hot path: nine slot stores, nothing else."
_unary_method: Callable[[str, Callable[..., Any]], Callable[..., Any]] = _made["_unary_method"]
_binary_method: Callable[[str, Callable[..., Any]], Callable[..., Any]] = _made["_binary_method"]


def _special_node(out: float, op: str, a: Value, b: Value | None, da: float,
                  db: float | None) -> Value:
    """_node while some no_grad or detect_anomaly block is open somewhere."""
    if modes.anomaly_enabled():
        modes.check_forward(out, op, a, b)
    if not modes.is_grad_enabled():
        leaf = Value(out, requires_grad=False)
        if tracing:
            trace_hook(leaf, "no_grad()", other=(a, b))
        return leaf
    v = _new(Value)
    v._data, v.grad, v._op, v._a, v._b, v._da, v._db = out, 0.0, op, a, b, da, db
    v._label = ""
    v._mark = None
    return v


# --- the methods of each op ----------

def _binary_with_constant_form(op: ops.Op) -> Callable[..., Any]:
    """``x <op> y`` where a plain-number y makes the op's constant form (``x ** 2``: '**c')."""
    name, forward = op.name, op.forward
    constant = ops.OPS[op.constant_form or name]

    def method(self: Value, other: Operand) -> Value:
        if isinstance(other, Value):  # a user's subclass of Value is a Value too
            out, da, db = forward(self._data, other._data)
            return _node(out, name, self, other, da, db)
        lifted = _lift(other)
        if lifted is NotImplemented:
            return NotImplemented
        out, da, db = constant.forward(self._data, lifted._data)
        return _node(out, constant.name, self, lifted, da, db)

    return method


def _reflected(op: ops.Op) -> Callable[..., Any]:
    """``y <op> x`` for a plain number y on the left of the Value x."""
    name, forward = op.name, op.forward

    def reflected(self: Value, other: Number) -> Value:
        x = _lift(other)
        if x is NotImplemented:
            return NotImplemented
        out, da, db = forward(x._data, self._data)
        return _node(out, name, x, self, da, db)

    return reflected


def _name(f: Callable[..., Any], name: str, doc: str) -> Callable[..., Any]:
    f.__name__, f.__qualname__, f.__doc__ = name, f"Value.{name}", doc
    return f


def _install_methods() -> None:
    """Give Value one method per op of the table (and its reflected twin for operators)."""
    for op in ops.OPS.values():
        if op.method is None:
            continue
        if op.arity == 1:
            setattr(Value, op.method, _name(_unary_method(op.name, op.forward), op.method, op.doc))
            continue
        method = _binary_with_constant_form(op) if op.constant_form else \
            _binary_method(op.name, op.forward)
        setattr(Value, op.method, _name(method, op.method, f"{op.doc}; recorded as a "
                                        f"{op.name!r} node."))
        if op.reflected:
            setattr(Value, op.reflected, _name(_reflected(op), op.reflected,
                                               f"{op.doc}, with a plain number on the left."))


# --- apply() and the module-level functions ----------

def apply(name: str, *operands: Operand) -> Value:
    """Apply the op table's op `name` to Values or numbers (numbers become constant leaves)."""
    op = ops.OPS.get(name) if isinstance(name, str) else None
    if op is None:
        raise ValueError(f"no op named {name!r} in the op table (known: "
                         f"{', '.join(ops.OPS)})"[:400])
    if op.constant_form and len(operands) == op.arity and not isinstance(operands[-1], Value):
        op = ops.OPS[op.constant_form]  # x ** 2 as the operator makes it
        name = op.name
    if len(operands) != op.arity:
        raise TypeError(f"{name!r} takes {op.arity} operand{'s' if op.arity != 1 else ''}, "
                        f"got {len(operands)}")
    lifted = []
    for k, x in enumerate(operands):
        if not op.takes_gradient[k] and isinstance(x, Value):
            raise TypeError(f"operand {k} of {name!r} takes no gradient: pass a plain number")
        v = _lift(x)
        if v is NotImplemented:
            raise TypeError(f"{name!r} works on Values and real numbers, got "
                            f"{type(x).__name__}: {x!r}"[:200])
        lifted.append(v)
    out, *local = op.forward(*(v._data for v in lifted))
    if op.arity == 1:
        return _node(out, name, lifted[0], None, local[0], None)
    return _node(out, name, lifted[0], lifted[1], local[0], local[1])


def _function(op: ops.Op) -> Callable[..., Value]:
    """autograd.<op.function>: the op on Values or numbers."""
    name = op.name
    if op.arity == 1:
        def function(x: Operand) -> Value:
            return apply(name, x)
    else:
        def function(x: Operand, y: Operand) -> Value:  # type: ignore[misc]
            return apply(name, x, y)
    function.__name__ = function.__qualname__ = op.function or name
    function.__doc__ = f"{op.doc} For a Value or a number."
    return function


_install_methods()

# The module-level functions (autograd.exp, autograd.maximum, ...), one per op that names one.
functions: dict[str, Callable[..., Value]] = {
    op.function: _function(op) for op in ops.OPS.values() if op.function}
globals().update(functions)
