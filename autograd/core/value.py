"""Value: one float, the operation that made it, and the gradient that flows back into it."""

from __future__ import annotations

import math
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Union

from . import checks, graphbreak, ops

Number = Union[int, float]  # noqa: UP007 (a runtime alias; `|` needs 3.10 objects)
Operand = Union["Value", int, float]  # noqa: UP007

# While autograd.compile traces a function: its guards.Recorder, which is told about the leaves
# that detach() and no_grad() make inside it (compile refuses them: a replay would freeze their
# numbers), every comparison of Values (kept as guards) and every number taken out of a Value
# (refused).  None otherwise.
trace_sink: ContextVar[Any] = ContextVar("valuegrad_trace_sink", default=None)

class Value:
    """A scalar that records the operations applied to it, so gradients can flow back.

    ``data`` and ``grad`` are plain floats.  A node made by an operation keeps its inputs and the
    local derivatives of its output with respect to them (computed in the forward pass); it keeps
    no closure and no reference to its consumers, so a graph is a tree of plain references with no
    cycles and is freed by reference counting alone.
    """

    # _mark: the token of the last graph walk that reached this node (see graph.py).  A tenth
    # slot is free: CPython rounds the object to 112 bytes either way.  Every Value made here
    # sets every slot (nodes get an empty _label), so a reader never meets an unset one.
    __slots__ = ("data", "grad", "_op", "_a", "_b", "_da", "_db", "_label", "_rg", "_mark")

    data: float  # a property keeping one float64 (set below the class)
    grad: float

    if TYPE_CHECKING:  # at run time the very slot descriptor behind `data`, set below the class
        @property
        def _data(self) -> float: ...
        @_data.setter
        def _data(self, number: float) -> None: ...

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
    def local_grads(self) -> tuple[float | None, ...]:
        """d(self)/d(input) for each input, as computed in the forward pass (None: no gradient)."""
        return () if self._a is None else (self._da,) if self._b is None else (self._da, self._db)

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
        from .backward import backward

        backward(self, grad)

    def detach(self) -> Value:
        """A new leaf with the same number, cut off from the graph (no gradient flows through)."""
        leaf = Value(self.data, self.label, requires_grad=False)
        sink = trace_sink.get()
        if sink is not None:
            sink.append(leaf)
        return leaf

    def __repr__(self) -> str:
        parts = [f"data={self.data!r}", f"grad={self.grad!r}"]
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
        if self._a is None:
            state = getattr(self, "__dict__", None) or None  # a subclass's own attributes
            return _leaf, (type(self), self.data, self.grad, self.label, self._rg), state
        return _graph, (_flatten(self),)

    def __copy__(self) -> Value:
        """copy.copy: a new node with the same number, gradient, inputs and local derivatives."""
        v = _new(type(self))
        v._data, v.grad, v._op, v._a, v._b = self.data, self.grad, self._op, self._a, self._b
        v._da, v._db, v._label, v._rg, v._mark = self._da, self._db, self.label, True, None
        if self._a is None:
            v._rg = self._rg
        if hasattr(self, "__dict__"):
            v.__dict__.update(self.__dict__)
        return v

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Jupyter display: the graph as SVG, or a summary when it is large."""
        from ..viz.display import mimebundle

        return mimebundle(self, include, exclude)

    def __float__(self) -> float:
        # float(loss) takes the number out on purpose; math.exp(x) does it silently and cuts the
        # graph: graphbreak.py tells the two apart and warns about the second.
        _number_out(self, "float()")
        graphbreak.taken(self)
        return self.data

    # --- numbers out, as PyTorch's scalars give them: none of these records anything ----------

    def item(self) -> float:
        """The number this Value holds (``.data``), as ``tensor.item()`` gives it."""
        _number_out(self, "item()")
        return self.data

    def __format__(self, spec: str) -> str:
        # A format spec applies to the number (f"{loss:.4f}"); no spec shows the Value itself.
        return format(self.data, spec) if spec else str(self)

    def __int__(self) -> int:
        _number_out(self, "int()")
        return int(self.data)

    def __round__(self, ndigits: int | None = None) -> int | float:
        _number_out(self, "round()")
        return round(self.data, ndigits)

    def __trunc__(self) -> int:
        _number_out(self, "math.trunc()")
        return math.trunc(self.data)

    def __floor__(self) -> int:
        _number_out(self, "math.floor()")
        return math.floor(self.data)

    def __ceil__(self) -> int:
        _number_out(self, "math.ceil()")
        return math.ceil(self.data)

    def __bool__(self) -> bool:
        # As for a float (and a PyTorch scalar): `if loss:` is False for 0.0, not always True.
        outcome = self.data != 0.0
        _decided(self, "!=", 0.0, outcome)
        return outcome

    # Comparisons read the numbers (handy for `if v > 0`) and record nothing in the graph; while
    # autograd.compile traces, each outcome is kept as a guard of the trace.  __eq__ is left as
    # identity so Values can be dict keys and set members, as graph walkers need.
    def __lt__(self, other: Operand) -> bool:
        outcome = self.data < _data_of(other)
        _decided(self, "<", other, outcome)
        return outcome

    def __le__(self, other: Operand) -> bool:
        outcome = self.data <= _data_of(other)
        _decided(self, "<=", other, outcome)
        return outcome

    def __gt__(self, other: Operand) -> bool:
        outcome = self.data > _data_of(other)
        _decided(self, ">", other, outcome)
        return outcome

    def __ge__(self, other: Operand) -> bool:
        outcome = self.data >= _data_of(other)
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
    v._data, v.grad, v._op, v._a, v._b, v._da, v._db = (to_float(data), grad, None, None, None,
                                                         None, None)
    v._label, v._rg, v._mark = label, requires_grad, None
    return v


def _flatten(root: Value) -> tuple[Any, ...]:
    """root's graph as records in topological order: a leaf as itself, a computed node as
    (op, index of input a, index of input b or -1, da, db, data, grad, label)."""
    from . import graph  # graph imports this module

    with graph.walk_lock:
        order = graph.walk(root)[0]
    index = {v: k for k, v in enumerate(order)}
    return tuple(v if v._a is None else
                 (v._op, index[v._a], -1 if v._b is None else index[v._b], v._da, v._db, v.data,
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
        v._data, v.grad, v._op, v._a, v._b = (to_float(data), grad, op, nodes[a],
                                              None if b < 0 else nodes[b])
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
    v._mark = None
    return v


def _data_of(x: Operand) -> float:
    return x.data if isinstance(x, Value) else to_float(x)


def _decided(a: Value, op: str, b: Operand, outcome: bool) -> None:
    """Tell a running trace (autograd/replay/guards.py) that `a op b` came out as `outcome`."""
    sink = trace_sink.get()
    if sink is not None:
        sink.compared(a, op, b if isinstance(b, Value) else to_float(b), outcome)


def _number_out(v: Value, how: str) -> None:
    """Tell a running trace that its function takes v's number out (the trace refuses that)."""
    sink = trace_sink.get()
    if sink is not None:
        sink.read(how)


_new = object.__new__


# `_data` is the raw slot (the one named "data" in __slots__), which the operators (methods.py)
# read and write at C speed; while a trace runs, guards.py swaps `Value.data` for a watching
# property and the operators' own accesses are not watched.  `data` itself is a property: its
# reads are the slot's own C getter, and an assignment keeps one float64 per Value, as the
# constructor does (`p.data -= np.float32(0.1) * p.grad` would otherwise store an np.float32
# that every result computed from p then carries).
_DATA_SLOT = Value.__dict__["data"]
_slot_set = _DATA_SLOT.__set__


def _set_data(v: Value, number: Any) -> None:
    """Value.data = number: stored as a float64 (int, NumPy scalars); a non-number is refused."""
    _slot_set(v, number if number.__class__ is float else checks.real(number, "Value.data"))


type.__setattr__(Value, "_data", _DATA_SLOT)
type.__setattr__(Value, "data", property(_DATA_SLOT.__get__, _set_data,
                                         doc="The float64 this Value holds."))

# Value's arithmetic methods, apply() and autograd.exp & co. live in methods.py; importing it
# installs them, so a Value has its operators as soon as this module is imported.
from .methods import apply, functions  # noqa: E402, F401
