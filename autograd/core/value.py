"""Value: one float, the operation that made it, and the gradient that flows back into it."""

from __future__ import annotations

import math
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Union

from . import checks, ops

Number = Union[int, float]  # noqa: UP007 (a runtime alias; `|` needs 3.10 objects)
Operand = Union["Value", int, float]  # noqa: UP007

# While autograd.compile traces a function, in the context (thread or task) that runs it: its
# guards.Recorder, which is told about the leaves that detach() and no_grad() make inside it
# (compile refuses them: a replay would freeze their numbers), every comparison of Values (kept
# as guards) and every number taken out of a Value (refused).  None otherwise.  See "Hooks for a
# running trace" at the end of this module.
trace_sink: ContextVar[Any] = ContextVar("valuegrad_trace_sink", default=None)

class Value:
    """A scalar that records the operations applied to it, so gradients can flow back.

    ``data`` and ``grad`` are plain floats.  A node made by an operation keeps its inputs and the
    local derivatives of its output with respect to them (computed in the forward pass); it keeps
    no closure and no reference to its consumers, so a graph is a tree of plain references with no
    cycles and is freed by reference counting alone.
    """

    # _mark: the token of the last graph walk that reached this node (see graph.py); LIFTED on
    # a constant that arithmetic made from a plain number, until a walk reaches it.  A tenth
    # slot is free: CPython rounds the object to 112 bytes either way.  Every Value made here
    # sets every slot (nodes get an empty _label), so a reader never meets an unset one.
    # _data holds the number; `data` is a property over it, so that a running trace hears of
    # every read by code outside the engine (the engine reads _data).
    __slots__ = ("_data", "grad", "_op", "_a", "_b", "_da", "_db", "_label", "_rg", "_mark")

    grad: float
    _data: float

    def __init__(self, data: Any, label: str = "", requires_grad: bool = True) -> None:
        self._data = to_float(data)
        self.grad = 0.0
        self._op = self._a = self._b = self._da = self._db = self._mark = None  # a leaf
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}")
        self._label = label
        if not isinstance(requires_grad, bool):
            raise TypeError(f"requires_grad must be True or False, got "
                            f"{type(requires_grad).__name__}")
        self._rg = requires_grad

    @property
    def data(self) -> float:
        """The number this Value holds."""
        if tracing:
            trace_hook(self, ".data")
        return self._data

    @data.setter
    def data(self, number: float) -> None:
        if tracing:
            trace_hook(self, ".data =")
        self._data = number

    # --- the read-only graph API (minimal.py, draw, explain, replay, forward mode use it) -------
    # graph.walk and backward's hot loop read the slots behind it (_a, _b, _da, _db, _rg)
    # directly, for speed: each property read is a Python function call per node.

    @property
    def op(self) -> str | None:
        """Name of the operation that made this Value (a key of ``ops.OPS``); None for a leaf."""
        return self._op

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The Values this one was computed from, in argument order."""
        return () if self._a is None else (self._a,) if self._b is None else (self._a, self._b)

    @property
    def _prev(self) -> frozenset[Value]:
        """micrograd's name for the inputs, as a set: lecture code (``draw_dot``) walks it."""
        # A read-only copy: the graph's own references stay in the slots (a set would also
        # fold x*x's two operands into one, as micrograd's set does).
        return frozenset(self.inputs)

    @property
    def local_grads(self) -> tuple[float | None, ...]:
        """d(self)/d(input) for each input, as computed in the forward pass (None: no gradient)."""
        if self._a is None:
            return ()
        if tracing:
            trace_hook(self, "local_grads")
        return (self._da,) if self._b is None else (self._da, self._db)

    @property
    def is_leaf(self) -> bool:
        """True for a Value made by the user (or under no_grad), not by an operation."""
        return self._a is None

    @property
    def label(self) -> str:
        """A name shown in drawings and explanations; empty for most intermediate nodes."""
        try:
            return self._label
        except AttributeError:  # a Value made outside this module (object.__new__) may lack it
            return ""

    @label.setter
    def label(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"label must be a str, got {type(text).__name__}")
        self._label = text

    @property
    def requires_grad(self) -> bool:
        """Whether backward() writes a gradient into this Value (always True for computed nodes)."""
        return self._rg if self._a is None else True

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self._a is not None:
            raise ValueError("requires_grad can only be changed on a leaf Value; use detach()")
        if not isinstance(flag, bool):
            raise TypeError(f"requires_grad must be True or False, got {type(flag).__name__}")
        self._rg = flag

    # --- everyday helpers ----------

    def backward(self, grad: float = 1.0) -> None:
        """Fill ``.grad`` of every Value this one depends on with d(self)/d(that Value)."""
        _hooks.backward(self, grad)

    def detach(self) -> Value:
        """A new leaf with the same number, cut off from the graph (no gradient flows through)."""
        leaf = Value(self._data, self.label, requires_grad=False)
        if tracing:
            trace_hook(leaf, "detach()", other=self)
        return leaf

    def __repr__(self) -> str:
        if tracing:
            trace_hook(self, "repr()")
        parts = [f"data={self._data!r}", f"grad={self.grad!r}"]
        if self.label:
            parts.append(f"label={self.label!r}")
        if self._op is not None:
            parts.append(f"op={self._op!r}")
        elif not self._rg:
            parts.append("requires_grad=False")
        return f"Value({', '.join(parts)})"

    # --- pickling and copying: iterative, so a graph of any depth works ----------
    # Pickle's (and deepcopy's) default would follow _a/_b recursively and stop with a
    # RecursionError about a thousand operations deep.  A leaf pickles as its numbers; a computed
    # node as its whole graph flattened in topological order, each node naming its inputs by
    # position, the leaves kept as objects (so a leaf pickled twice in one dump, a model's
    # parameter say, stays one object when loaded).  Interior nodes pickled separately are loaded
    # as separate copies.

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        """Pickle/deepcopy support: a leaf by value, a computed node as its flattened graph."""
        if tracing:
            trace_hook(self, "pickle or copy.deepcopy()")
        if self._a is None:
            state = getattr(self, "__dict__", None) or None  # a subclass's own attributes
            return _leaf, (type(self), self._data, self.grad, self.label, self._rg), state
        return _graph, (_flatten(self),)

    def __copy__(self) -> Value:
        """copy.copy: a new node with the same number, gradient, inputs and local derivatives."""
        if tracing:
            trace_hook(self, "copy.copy()")
        v = _new(type(self))
        v._data, v.grad, v._op, v._a, v._b = self._data, self.grad, self._op, self._a, self._b
        v._da, v._db, v._label, v._rg, v._mark = self._da, self._db, self.label, True, None
        if self._a is None:
            v._rg = self._rg
        if hasattr(self, "__dict__"):
            v.__dict__.update(self.__dict__)
        return v

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Jupyter display: the graph as SVG, or a summary when it is large."""
        if tracing:
            trace_hook(self, "display")
        if _hooks.display is None:  # only value.py loaded, without the package around it
            return {"text/plain": repr(self)}
        return _hooks.display(self, include, exclude)

    def __float__(self) -> float:
        _number_out(self, "float()")
        return self._data

    # --- numbers out, as PyTorch's scalars give them: none of these records anything ----------

    def item(self) -> float:
        """The number this Value holds (``.data``), as ``tensor.item()`` gives it."""
        _number_out(self, "item()")
        return self._data

    def __format__(self, spec: str) -> str:
        # A format spec applies to the number (f"{loss:.4f}"); no spec shows the Value itself.
        if not spec:
            return str(self)
        _number_out(self, "format()")
        return format(self._data, spec)

    def __int__(self) -> int:
        _number_out(self, "int()")
        return int(self._data)

    def __round__(self, ndigits: int | None = None) -> int | float:
        _number_out(self, "round()")
        return round(self._data, ndigits)

    def __trunc__(self) -> int:
        _number_out(self, "math.trunc()")
        return math.trunc(self._data)

    def __floor__(self) -> int:
        _number_out(self, "math.floor()")
        return math.floor(self._data)

    def __ceil__(self) -> int:
        _number_out(self, "math.ceil()")
        return math.ceil(self._data)

    def __bool__(self) -> bool:
        # As for a float (and a PyTorch scalar): `if loss:` is False for 0.0, not always True.
        outcome = self._data != 0.0
        _decided(self, "!=", 0.0, outcome)
        return outcome

    # Comparisons read the numbers (handy for `if v > 0`) and record nothing in the graph; while
    # autograd.compile traces, each outcome is kept as a guard of the trace.  __eq__ is left as
    # identity so Values can be dict keys and set members, as graph walkers need.
    def __lt__(self, other: Operand) -> bool:
        outcome = self._data < _data_of(other)
        _decided(self, "<", other, outcome)
        return outcome

    def __le__(self, other: Operand) -> bool:
        outcome = self._data <= _data_of(other)
        _decided(self, "<=", other, outcome)
        return outcome

    def __gt__(self, other: Operand) -> bool:
        outcome = self._data > _data_of(other)
        _decided(self, ">", other, outcome)
        return outcome

    def __ge__(self, other: Operand) -> bool:
        outcome = self._data >= _data_of(other)
        _decided(self, ">=", other, outcome)
        return outcome

    __hash__ = object.__hash__

    def __pos__(self) -> Value:
        """+x is x itself: no node is recorded."""
        return self

    # The arithmetic methods (__add__, tanh, ...) are made from the op table in methods.py.


# --- pickling ----------

def _leaf(cls: type, data: float, grad: float, label: str, requires_grad: bool) -> Value:
    """Rebuild a pickled leaf."""
    v = _new(cls)
    v._data, v.grad, v._op, v._a, v._b, v._da, v._db = data, grad, None, None, None, None, None
    v._label, v._rg, v._mark = label, requires_grad, None
    return v


def _flatten(root: Value) -> tuple[Any, ...]:
    """root's graph as records in topological order: a leaf as itself, a computed node as
    (op, index of input a, index of input b or -1, da, db, data, grad, label)."""
    # The order graph.walk gives (inputs first, a before b), from a walk of its own: graph.py
    # imports this module, and pickling is no hot path, so a set of seen nodes does (no stamps,
    # hence no walk_lock).
    order: list[Value] = []
    seen, stack = {root}, [root]
    while stack:
        v = stack[-1]
        for x in (v._a, v._b):
            if x is not None and x not in seen:
                seen.add(x)
                stack.append(x)
                break
        else:
            order.append(stack.pop())
    index = {v: k for k, v in enumerate(order)}
    return tuple(v if v._a is None else
                 (v._op, index[v._a], -1 if v._b is None else index[v._b], v._da, v._db, v._data,
                  v.grad, v.label) for v in order)


def _graph(records: tuple[Any, ...]) -> Value:
    """Rebuild a pickled graph from _flatten's records; returns its root (the last)."""
    nodes: list[Value] = []
    for r in records:
        if isinstance(r, Value):
            nodes.append(r)
            continue
        op, a, b, da, db, data, grad, label = r
        if op not in ops.OPS or not 0 <= a < len(nodes) or not -1 <= b < len(nodes):
            raise ValueError(f"not a pickled valuegrad graph: record {len(nodes)} is {r!r}"[:200])
        v = _new(Value)
        v._data, v.grad, v._op, v._a, v._b = data, grad, op, nodes[a], (None if b < 0 else nodes[b])
        v._da, v._db, v._label, v._rg, v._mark = da, db, label, True, None
        nodes.append(v)
    return nodes[-1]


# --- construction ----------

def to_float(data: Any) -> float:
    """Check that `data` is one real number (int, float, NumPy scalar) and return it as a float.

    A finite number beyond float64's range is a ValueError (see checks.py), not a silent inf.
    """
    return checks.real(data, "a Value")


def _lift(x: Any) -> Any:
    """Wrap a plain number met in arithmetic as a constant leaf; NotImplemented for other types."""
    cls = x.__class__
    if cls is float:  # the common cases first: the ABC check below costs more than the node
        return _constant(x)
    if cls is Value or isinstance(x, Value):  # a user's subclass of Value is a Value too
        return x
    if cls is int:
        try:
            return _constant(float(x))
        except OverflowError:  # an int beyond float64: to_float says so as a ValueError
            return _constant(to_float(x))
    if checks.is_real(x):  # NumPy scalars, Fractions: with the check for numbers beyond float64
        return _constant(to_float(x))
    return NotImplemented


def _constant(x: float) -> Value:
    """The leaf for a number met in arithmetic: Value(x, requires_grad=False) minus the checks."""
    v = _new(Value)
    v._data, v.grad, v._op, v._a, v._b, v._da, v._db = x, 0.0, None, None, None, None, None
    v._label = ""
    v._rg = False
    v._mark = LIFTED  # until a graph walk stamps it: see LIFTED
    return v


def _data_of(x: Operand) -> float:
    return x._data if isinstance(x, Value) else to_float(x)


def _decided(a: Value, op: str, b: Operand, outcome: bool) -> None:
    """Tell a running trace that `a op b` came out as `outcome` (it keeps that as a guard)."""
    if tracing:
        trace_hook(a, "a comparison", op, b if isinstance(b, Value) else to_float(b), outcome)


def _number_out(v: Value, how: str) -> None:
    """Tell a running trace that its function takes v's number out (the trace refuses that)."""
    if tracing:
        trace_hook(v, how)


_new = object.__new__


# --- Hooks for a running trace (autograd.compile: autograd/replay/guards.py) ----------
# Every place where a number leaves a Value (.data, float(), repr(), copies, ...), where a
# decision is made on one (comparisons, bool()) or where a leaf is cut from the graph (detach(),
# no_grad) first reads `tracing`: empty unless a trace runs somewhere in the process, so eager
# code pays one global read there and nothing else.  The engine itself reads the `_data` slot.

# While any trace runs: [the guards.Elsewhere log of what threads without a trace of their own
# do meanwhile]; empty otherwise.  Set by guards.recording only.
tracing: list[Any] = []

# The walk mark of a constant lifted from a plain number by arithmetic (x * 2.0), until a graph
# walk stamps it: nothing outside the graph holds such a leaf, so a trace may keep its number.
LIFTED = object()


def trace_hook(v: Value, how: str, op: str | None = None, other: Any = None,
               outcome: bool = False) -> None:
    """Tell the trace of this context (or the log of other threads) about `v`.

    `how` names what happens: a number taken out (".data", "float()", "repr()", ...: refused),
    a comparison `v op other` that came out `outcome` (kept as a guard), or a leaf cut from the
    graph ("detach()", "no_grad()", with its source in `other`).
    """
    sink = trace_sink.get()
    if sink is None:
        try:
            sink = tracing[0]
        except IndexError:  # the last trace ended since the caller looked
            return
    sink.hear(v, how, op, other, outcome)



# --- what Value's own methods call in the layers above it ----------
# value.py imports nothing above it (tests/test_architecture.py checks it): the backward pass and
# the Jupyter picture are handed to it by the layers that define them, when the package loads
# (autograd/core/__init__.py connects backward, autograd/__init__.py the display).  Value's
# arithmetic is installed the same way: autograd/core/__init__.py imports methods.py.

class _Hooks:
    """The functions Value.backward() and Value._repr_mimebundle_() call."""

    backward: Callable[[Value, float], None]
    display: Callable[[Value, Any, Any], dict[str, Any]] | None = None


def _not_connected(root: Value, grad: float) -> None:
    raise RuntimeError("Value.backward() needs autograd.core.backward, which is not loaded")


_hooks = _Hooks()
_hooks.backward = _not_connected


def connect(*, backward: Callable[[Value, float], None] | None = None,
            display: Callable[[Value, Any, Any], dict[str, Any]] | None = None) -> None:
    """Give Value its backward pass and its Jupyter display (the package does, when it loads)."""
    if backward is not None:
        _hooks.backward = backward
    if display is not None:
        _hooks.display = display
