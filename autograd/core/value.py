"""Value: one float, the operation that made it, and the gradient that flows back into it.

Its arithmetic (one method per op of the table in ops.py, the engine's hot path) is written out
from the table by ``python -m autograd.core.generate`` between the marked lines below: edit the
table and rerun it, not the methods.

This is the pure-Python engine, the reference.  Where the native core is built (native.py,
_native.c), Value stands on its C node instead of the Python slots, with the same slot names, and
every op the C core has a kernel for runs there, giving the same numbers bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Union

from . import checks, native, ops

Number = Union[int, float]  # noqa: UP007 (a runtime alias; `|` needs 3.10 objects)
Operand = Union["Value", int, float]  # noqa: UP007

# While autograd.compile traces a function, in the context (thread or task) that runs it: its
# guards.Recorder, which is told about the leaves that detach() and no_grad() make inside it
# (compile refuses them: a replay would freeze their numbers), every comparison of Values (kept
# as guards) and every number taken out of a Value (refused).  None otherwise.  See "Hooks for a
# running trace" at the end of this module.
trace_sink: ContextVar[Any] = ContextVar("valuegrad_trace_sink", default=None)

# The no_grad / detect_anomaly blocks open anywhere (modes.py keeps them in this list, as
# open_blocks).  While it is empty the hot path (the op methods below) pays one global read per
# operation and nothing else.
_special_modes: list[Any] = []


class _PythonNode:
    """The pure-Python core of a Value: its storage (slots), made by Value's Python arithmetic.

    The reference engine, and the fallback where the native core (_native.c) is not built.
    """

    # _mark: the token of the last graph walk that reached this node (see graph.py); LIFTED on
    # a constant that arithmetic made from a plain number, until a walk reaches it.  Weak
    # references work on either core (the native Node has their list too).  Every Value made here
    # sets every slot (nodes get an empty _label), so a reader never meets an unset one.
    # _data holds the number; `data` is a property over it, so that a running trace hears of
    # every read by code outside the engine (the engine reads _data).
    __slots__ = ("_data", "grad", "_op", "_a", "_b", "_da", "_db", "_label", "_rg", "_mark",
                 "__weakref__")

    grad: float
    _data: float
    _op: str | None
    _a: Value | None
    _b: Value | None
    _da: float | None
    _db: float | None
    _label: str
    _rg: bool
    _mark: Any  # a walk's token; a trace's node index while it is being traced


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
        # One float64 per Value, as the constructor keeps: `p.data -= np.float32(0.1) * p.grad`
        # would otherwise store an np.float32 that every result computed from p then carries.
        if tracing:
            trace_hook(self, ".data =")
        self._data = number if number.__class__ is float else _data_number(number)


# The core Value stands on: the compiled Node where it is built (native.py decides), with the
# same slot names and the arithmetic of every op it has a kernel for (_IN_C); else the Python
# storage above, and the Python arithmetic below for every op.  Type checkers read the latter.
if TYPE_CHECKING or native.module is None:
    _Core = _PythonNode
    _IN_C: frozenset[str] = frozenset()
else:
    _Core = native.module.Node
    _IN_C = frozenset(native.module.KERNELS)


class Value(_Core):
    """A scalar that records the operations applied to it, so gradients can flow back.

    ``data`` and ``grad`` are plain floats.  A node made by an operation keeps its inputs and the
    local derivatives of its output with respect to them (computed in the forward pass); it keeps
    no closure and no reference to its consumers, so a graph is a tree of plain references with no
    cycles and is freed by reference counting alone.
    """

    __slots__ = ()

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
        # float(loss) takes the number out on purpose; math.exp(x) does it silently and cuts the
        # graph: graphbreak.py tells the two apart and warns about the second.
        _number_out(self, "float()")
        _hooks.number_taken(self)
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

    if TYPE_CHECKING:
        def __hash__(self) -> int: ...
    else:
        __hash__ = object.__hash__  # identity, at C speed (defining __eq__ would unset it)

    def __pos__(self) -> Value:
        """+x is x itself: no node is recorded."""
        return self

    # --- the arithmetic: one method per op of the table (ops.py), written out from it ----------
    # Each computes the number and its local derivatives with the op's float function and records
    # the node with the nine slot stores written out: a call to _node() instead costs about 7 % of
    # building a graph (bench/instructions.py).  Operands' numbers are read as `_data`, the slot
    # alias a trace's watcher of `.data` does not replace, so a traced op costs an eager one.

    # --- begin generated by `python -m autograd.core.generate` (methods): do not edit ---
    if "+" not in _IN_C:  # else the native core's serves
        def __add__(self, other: Operand) -> Value:
            """x + y.

            Records a node of op "+", x being this Value and y the other operand:
                ∂(x + y)/∂x = 1
                ∂(x + y)/∂y = 1
            """
            if other.__class__ is not Value:
                other = _lift(other)
                if other is NotImplemented:
                    return NotImplemented
            out, da, db = _forward_add(self._data, other._data)
            if _special_modes:
                return _special_node(out, "+", self, other, da, db)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "+"
            v._a = self
            v._b = other
            v._da = da
            v._db = db
            v._label = ""
            v._mark = None
            return v

        def __radd__(self, other: Number) -> Value:
            """x + y.

            Records a node of op "+", x being the plain number on the left and y this Value:
                ∂(x + y)/∂x = 1
                ∂(x + y)/∂y = 1
            """
            x = _lift(other)
            if x is NotImplemented:
                return NotImplemented
            out, da, db = _forward_add(x._data, self._data)
            if _special_modes:
                return _special_node(out, "+", x, self, da, db)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "+"
            v._a = x
            v._b = self
            v._da = da
            v._db = db
            v._label = ""
            v._mark = None
            return v

    if "-" not in _IN_C:  # else the native core's serves
        def __sub__(self, other: Operand) -> Value:
            """x - y.

            Records a node of op "-", x being this Value and y the other operand:
                ∂(x - y)/∂x = 1
                ∂(x - y)/∂y = -1
            """
            if other.__class__ is not Value:
                other = _lift(other)
                if other is NotImplemented:
                    return NotImplemented
            out, da, db = _forward_sub(self._data, other._data)
            if _special_modes:
                return _special_node(out, "-", self, other, da, db)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "-"
            v._a = self
            v._b = other
            v._da = da
            v._db = db
            v._label = ""
            v._mark = None
            return v

        def __rsub__(self, other: Number) -> Value:
            """x - y.

            Records a node of op "-", x being the plain number on the left and y this Value:
                ∂(x - y)/∂x = 1
                ∂(x - y)/∂y = -1
            """
            x = _lift(other)
            if x is NotImplemented:
                return NotImplemented
            out, da, db = _forward_sub(x._data, self._data)
            if _special_modes:
                return _special_node(out, "-", x, self, da, db)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "-"
            v._a = x
            v._b = self
            v._da = da
            v._db = db
            v._label = ""
            v._mark = None
            return v

    if "*" not in _IN_C:  # else the native core's serves
        def __mul__(self, other: Operand) -> Value:
            """x * y.

            Records a node of op "*", x being this Value and y the other operand:
                ∂(x * y)/∂x = y
                ∂(x * y)/∂y = x
            """
            if other.__class__ is not Value:
                other = _lift(other)
                if other is NotImplemented:
                    return NotImplemented
            out, da, db = _forward_mul(self._data, other._data)
            if _special_modes:
                return _special_node(out, "*", self, other, da, db)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "*"
            v._a = self
            v._b = other
            v._da = da
            v._db = db
            v._label = ""
            v._mark = None
            return v

        def __rmul__(self, other: Number) -> Value:
            """x * y.

            Records a node of op "*", x being the plain number on the left and y this Value:
                ∂(x * y)/∂x = y
                ∂(x * y)/∂y = x
            """
            x = _lift(other)
            if x is NotImplemented:
                return NotImplemented
            out, da, db = _forward_mul(x._data, self._data)
            if _special_modes:
                return _special_node(out, "*", x, self, da, db)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "*"
            v._a = x
            v._b = self
            v._da = da
            v._db = db
            v._label = ""
            v._mark = None
            return v

    if "/" not in _IN_C:  # else the native core's serves
        def __truediv__(self, other: Operand) -> Value:
            """x / y (IEEE: x/0 is ±inf or nan).

            Records a node of op "/", x being this Value and y the other operand:
                ∂(x / y)/∂x = 1/y
                ∂(x / y)/∂y = -x/y²
            """
            if other.__class__ is not Value:
                other = _lift(other)
                if other is NotImplemented:
                    return NotImplemented
            out, da, db = _forward_truediv(self._data, other._data)
            if _special_modes:
                return _special_node(out, "/", self, other, da, db)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "/"
            v._a = self
            v._b = other
            v._da = da
            v._db = db
            v._label = ""
            v._mark = None
            return v

        def __rtruediv__(self, other: Number) -> Value:
            """x / y (IEEE: x/0 is ±inf or nan).

            Records a node of op "/", x being the plain number on the left and y this Value:
                ∂(x / y)/∂x = 1/y
                ∂(x / y)/∂y = -x/y²
            """
            x = _lift(other)
            if x is NotImplemented:
                return NotImplemented
            out, da, db = _forward_truediv(x._data, self._data)
            if _special_modes:
                return _special_node(out, "/", x, self, da, db)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "/"
            v._a = x
            v._b = self
            v._da = da
            v._db = db
            v._label = ""
            v._mark = None
            return v

    if "**" not in _IN_C:  # else the native core's serves
        def __pow__(self, other: Operand) -> Value:
            """x ** y (a plain-number exponent is a constant: the '**c' op).

            Records a node of op "**", x being this Value and y the other operand (a Value):
                ∂(x**y)/∂x = y·x**(y-1)
                ∂(x**y)/∂y = x**y·log x

            With a plain number c as y, records a node of op "**c":
                ∂(x**c)/∂x = c·x**(c-1)
            """
            if isinstance(other, Value):  # a user's subclass of Value is a Value too
                out, da, db = _forward_pow(self._data, other._data)
                if _special_modes:
                    return _special_node(out, "**", self, other, da, db)
                v = _new(Value)
                v._data = out
                v.grad = 0.0
                v._op = "**"
                v._a = self
                v._b = other
                v._da = da
                v._db = db
                v._label = ""
                v._mark = None
                return v
            lifted = _lift(other)
            if lifted is NotImplemented:
                return NotImplemented
            out, da, db = _forward_pow_constant(self._data, lifted._data)
            if _special_modes:
                return _special_node(out, "**c", self, lifted, da, db)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "**c"
            v._a = self
            v._b = lifted
            v._da = da
            v._db = db
            v._label = ""
            v._mark = None
            return v

        def __rpow__(self, other: Number) -> Value:
            """x ** y (a plain-number exponent is a constant: the '**c' op).

            Records a node of op "**", x being the plain number on the left and y this Value:
                ∂(x**y)/∂x = y·x**(y-1)
                ∂(x**y)/∂y = x**y·log x
            """
            x = _lift(other)
            if x is NotImplemented:
                return NotImplemented
            out, da, db = _forward_pow(x._data, self._data)
            if _special_modes:
                return _special_node(out, "**", x, self, da, db)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "**"
            v._a = x
            v._b = self
            v._da = da
            v._db = db
            v._label = ""
            v._mark = None
            return v

    if "neg" not in _IN_C:  # else the native core's serves
        def __neg__(self) -> Value:
            """-x.

            Records a node of op "neg", x being this Value:
                ∂(-x)/∂x = -1
            """
            out, da = _forward_neg(self._data)
            if _special_modes:
                return _special_node(out, "neg", self, None, da, None)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "neg"
            v._a = self
            v._b = None
            v._da = da
            v._db = None
            v._label = ""
            v._mark = None
            return v

    if "abs" not in _IN_C:  # else the native core's serves
        def __abs__(self) -> Value:
            """abs(x), with slope 0 at 0.

            Records a node of op "abs", x being this Value:
                ∂(|x|)/∂x = sign(x)
            """
            out, da = _forward_abs(self._data)
            if _special_modes:
                return _special_node(out, "abs", self, None, da, None)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "abs"
            v._a = self
            v._b = None
            v._da = da
            v._db = None
            v._label = ""
            v._mark = None
            return v

    if "exp" not in _IN_C:  # else the native core's serves
        def exp(self) -> Value:
            """e to the power of x.

            Records a node of op "exp", x being this Value:
                ∂(exp(x))/∂x = exp(x)
            """
            out, da = _forward_exp(self._data)
            if _special_modes:
                return _special_node(out, "exp", self, None, da, None)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "exp"
            v._a = self
            v._b = None
            v._da = da
            v._db = None
            v._label = ""
            v._mark = None
            return v

    if "expm1" not in _IN_C:  # else the native core's serves
        def expm1(self) -> Value:
            """exp(x) - 1, exact for small x.

            Records a node of op "expm1", x being this Value:
                ∂(expm1(x))/∂x = exp(x)
            """
            out, da = _forward_expm1(self._data)
            if _special_modes:
                return _special_node(out, "expm1", self, None, da, None)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "expm1"
            v._a = self
            v._b = None
            v._da = da
            v._db = None
            v._label = ""
            v._mark = None
            return v

    if "log" not in _IN_C:  # else the native core's serves
        def log(self) -> Value:
            """Natural logarithm (-inf at 0, nan below).

            Records a node of op "log", x being this Value:
                ∂(log(x))/∂x = 1/x
            """
            out, da = _forward_log(self._data)
            if _special_modes:
                return _special_node(out, "log", self, None, da, None)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "log"
            v._a = self
            v._b = None
            v._da = da
            v._db = None
            v._label = ""
            v._mark = None
            return v

    if "log1p" not in _IN_C:  # else the native core's serves
        def log1p(self) -> Value:
            """log(1 + x), exact for small x (-inf at -1, nan below).

            Records a node of op "log1p", x being this Value:
                ∂(log1p(x))/∂x = 1/(1 + x)
            """
            out, da = _forward_log1p(self._data)
            if _special_modes:
                return _special_node(out, "log1p", self, None, da, None)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "log1p"
            v._a = self
            v._b = None
            v._da = da
            v._db = None
            v._label = ""
            v._mark = None
            return v

    if "sin" not in _IN_C:  # else the native core's serves
        def sin(self) -> Value:
            """Sine (x in radians).

            Records a node of op "sin", x being this Value:
                ∂(sin(x))/∂x = cos(x)
            """
            out, da = _forward_sin(self._data)
            if _special_modes:
                return _special_node(out, "sin", self, None, da, None)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "sin"
            v._a = self
            v._b = None
            v._da = da
            v._db = None
            v._label = ""
            v._mark = None
            return v

    if "cos" not in _IN_C:  # else the native core's serves
        def cos(self) -> Value:
            """Cosine (x in radians).

            Records a node of op "cos", x being this Value:
                ∂(cos(x))/∂x = -sin(x)
            """
            out, da = _forward_cos(self._data)
            if _special_modes:
                return _special_node(out, "cos", self, None, da, None)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "cos"
            v._a = self
            v._b = None
            v._da = da
            v._db = None
            v._label = ""
            v._mark = None
            return v

    if "tanh" not in _IN_C:  # else the native core's serves
        def tanh(self) -> Value:
            """Hyperbolic tangent.

            Records a node of op "tanh", x being this Value:
                ∂(tanh(x))/∂x = 1 - tanh²(x)
            """
            out, da = _forward_tanh(self._data)
            if _special_modes:
                return _special_node(out, "tanh", self, None, da, None)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "tanh"
            v._a = self
            v._b = None
            v._da = da
            v._db = None
            v._label = ""
            v._mark = None
            return v

    if "sigmoid" not in _IN_C:  # else the native core's serves
        def sigmoid(self) -> Value:
            """Logistic function 1 / (1 + e^-x).

            Records a node of op "sigmoid", x being this Value:
                ∂(sigmoid(x))/∂x = σ(x)(1 - σ(x))
            """
            out, da = _forward_sigmoid(self._data)
            if _special_modes:
                return _special_node(out, "sigmoid", self, None, da, None)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "sigmoid"
            v._a = self
            v._b = None
            v._da = da
            v._db = None
            v._label = ""
            v._mark = None
            return v

    if "relu" not in _IN_C:  # else the native core's serves
        def relu(self) -> Value:
            """max(x, 0), with slope 0 at 0.

            Records a node of op "relu", x being this Value:
                ∂(relu(x))/∂x = 1 if x > 0 else 0
            """
            out, da = _forward_relu(self._data)
            if _special_modes:
                return _special_node(out, "relu", self, None, da, None)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "relu"
            v._a = self
            v._b = None
            v._da = da
            v._db = None
            v._label = ""
            v._mark = None
            return v

    if "softplus" not in _IN_C:  # else the native core's serves
        def softplus(self) -> Value:
            """log(1 + e^x), a smooth relu.

            Records a node of op "softplus", x being this Value:
                ∂(softplus(x))/∂x = σ(x)
            """
            out, da = _forward_softplus(self._data)
            if _special_modes:
                return _special_node(out, "softplus", self, None, da, None)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "softplus"
            v._a = self
            v._b = None
            v._da = da
            v._db = None
            v._label = ""
            v._mark = None
            return v

    if "sqrt" not in _IN_C:  # else the native core's serves
        def sqrt(self) -> Value:
            """Square root (nan below 0).

            Records a node of op "sqrt", x being this Value:
                ∂(sqrt(x))/∂x = 1/(2√x)
            """
            out, da = _forward_sqrt(self._data)
            if _special_modes:
                return _special_node(out, "sqrt", self, None, da, None)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "sqrt"
            v._a = self
            v._b = None
            v._da = da
            v._db = None
            v._label = ""
            v._mark = None
            return v

    if "maximum" not in _IN_C:  # else the native core's serves
        def maximum(self, other: Operand) -> Value:
            """The larger of x and y; at a tie each gets half the gradient, as in PyTorch.

            Records a node of op "maximum", x being this Value and y the other operand:
                ∂(max(x, y))/∂x = 1 if x > y, ½ if x = y, else 0
                ∂(max(x, y))/∂y = 1 if y > x, ½ if x = y, else 0
            """
            if other.__class__ is not Value:
                other = _lift(other)
                if other is NotImplemented:
                    return NotImplemented
            out, da, db = _forward_maximum(self._data, other._data)
            if _special_modes:
                return _special_node(out, "maximum", self, other, da, db)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "maximum"
            v._a = self
            v._b = other
            v._da = da
            v._db = db
            v._label = ""
            v._mark = None
            return v

    if "minimum" not in _IN_C:  # else the native core's serves
        def minimum(self, other: Operand) -> Value:
            """The smaller of x and y; at a tie each gets half the gradient, as in PyTorch.

            Records a node of op "minimum", x being this Value and y the other operand:
                ∂(min(x, y))/∂x = 1 if x < y, ½ if x = y, else 0
                ∂(min(x, y))/∂y = 1 if y < x, ½ if x = y, else 0
            """
            if other.__class__ is not Value:
                other = _lift(other)
                if other is NotImplemented:
                    return NotImplemented
            out, da, db = _forward_minimum(self._data, other._data)
            if _special_modes:
                return _special_node(out, "minimum", self, other, da, db)
            v = _new(Value)
            v._data = out
            v.grad = 0.0
            v._op = "minimum"
            v._a = self
            v._b = other
            v._da = da
            v._db = db
            v._label = ""
            v._mark = None
            return v
    # --- end generated (methods) ---


# --- pickling ----------

def _leaf(cls: type[Value], data: float, grad: float, label: str, requires_grad: bool) -> Value:
    """Rebuild a pickled leaf."""
    v = _new(cls)
    v._data, v.grad, v._op, v._a, v._b, v._da, v._db = (to_float(data), grad, None, None, None,
                                                         None, None)
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


def _lift(x: Any) -> Value:
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
    return NotImplemented  # (typed Value: callers test for it before use, as operators do)


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


def trace_hook(v: _PythonNode, how: str, op: str | None = None, other: Any = None,
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
# (autograd/core/__init__.py connects backward and no_grad/detect_anomaly's node maker from
# modes.py, autograd/__init__.py the display).

class _Hooks:
    """The functions Value.backward(), Value._repr_mimebundle_() and _special_node() call."""

    backward: Callable[[Value, float], None]
    number_taken: Callable[[Value], None] = staticmethod(lambda v: None)  # graphbreak.taken
    special_node: Callable[[float, str, Value, Value | None, float | None, float | None], Value]
    display: Callable[[Value, Any, Any], dict[str, Any]] | None = None


def _not_connected(root: Value, grad: float) -> None:
    raise RuntimeError("Value.backward() needs autograd.core.backward, which is not loaded")


_hooks = _Hooks()
_hooks.backward = _not_connected


def connect(*, backward: Callable[[Value, float], None] | None = None,
            special_node: Callable[[float, str, Value, Value | None, float | None,
                                    float | None], Value] | None = None,
            display: Callable[[Value, Any, Any], dict[str, Any]] | None = None,
            number_taken: Callable[[Value], None] | None = None) -> None:
    """Give Value its backward pass, its modes' node maker, its Jupyter display, its float()."""
    if backward is not None:
        _hooks.backward = backward
    if number_taken is not None:
        _hooks.number_taken = number_taken
    if special_node is not None:
        _hooks.special_node = special_node
    if display is not None:
        _hooks.display = display


def _special_node(out: float, op: str, a: Value, b: Value | None, da: float | None,
                  db: float | None) -> Value:
    """_node while some no_grad or detect_anomaly block is open somewhere (modes.py decides)."""
    return _hooks.special_node(out, op, a, b, da, db)


# The ops' float functions under the names the methods above call, and _node: the methods'
# recording as a function, for apply() (op_functions.py).
# --- begin generated by `python -m autograd.core.generate` (forwards): do not edit ---
_forward_add = ops.OPS["+"].forward
_forward_sub = ops.OPS["-"].forward
_forward_mul = ops.OPS["*"].forward
_forward_truediv = ops.OPS["/"].forward
_forward_pow = ops.OPS["**"].forward
_forward_pow_constant = ops.OPS["**c"].forward
_forward_neg = ops.OPS["neg"].forward
_forward_abs = ops.OPS["abs"].forward
_forward_exp = ops.OPS["exp"].forward
_forward_expm1 = ops.OPS["expm1"].forward
_forward_log = ops.OPS["log"].forward
_forward_log1p = ops.OPS["log1p"].forward
_forward_sin = ops.OPS["sin"].forward
_forward_cos = ops.OPS["cos"].forward
_forward_tanh = ops.OPS["tanh"].forward
_forward_sigmoid = ops.OPS["sigmoid"].forward
_forward_relu = ops.OPS["relu"].forward
_forward_softplus = ops.OPS["softplus"].forward
_forward_sqrt = ops.OPS["sqrt"].forward
_forward_maximum = ops.OPS["maximum"].forward
_forward_minimum = ops.OPS["minimum"].forward


def _node(out: float, name: str, self: Value, other: Value | None,
          da: float | None, db: float | None) -> Value:
    """Make the Value for one operation: what each method above writes out."""
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
# --- end generated (forwards) ---


def _data_number(number: Any) -> float:
    """A number stored by `v.data = number` that is not a float: checked, as a float64."""
    return checks.real(number, "Value.data")


if native.module is not None:  # the compiled core makes Values of this class, with these helpers
    native.module.setup(Value, _special_modes, _special_node, _lift, to_float, LIFTED, tracing,
                        trace_hook, _data_number)
