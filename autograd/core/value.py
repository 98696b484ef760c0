"""Value: one float, the operation that made it, and the gradient that flows back into it.

Its arithmetic (one method per op of the table in ops.py, the engine's hot path) is written out
from the table by ``python -m autograd.core.generate`` between the marked lines below: edit the
table and rerun it, not the methods.
"""

from __future__ import annotations

import math
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Union

from . import checks, ops

Number = Union[int, float]  # noqa: UP007 (a runtime alias; `|` needs 3.10 objects)
Operand = Union["Value", int, float]  # noqa: UP007

# While autograd.compile traces a function: its guards.Recorder, which is told about the leaves
# that detach() and no_grad() make inside it (compile refuses them: a replay would freeze their
# numbers), every comparison of Values (kept as guards) and every number taken out of a Value
# (refused).  None otherwise.
trace_sink: ContextVar[Any] = ContextVar("valuegrad_trace_sink", default=None)

# How many no_grad / detect_anomaly blocks are open anywhere (see modes.py).  While it is zero the
# hot path (the op methods below) pays one global read per operation and nothing else.
_special_modes = 0


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

    data: float
    grad: float
    _op: str | None
    _a: Value | None
    _b: Value | None
    _da: float | None
    _db: float | None
    _label: str
    _rg: bool
    _mark: Any  # a walk's token; a trace's node index while it is being traced

    if TYPE_CHECKING:  # at run time the very slot descriptor of `data`, set below the class
        @property
        def _data(self) -> float: ...
        @_data.setter
        def _data(self, number: float) -> None: ...

    def __init__(self, data: Any, label: str = "", requires_grad: bool = True) -> None:
        self.data = to_float(data)
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
        v.data, v.grad, v._op, v._a, v._b = self.data, self.grad, self._op, self._a, self._b
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
        _number_out(self, "float()")
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
    v.data, v.grad, v._op, v._a, v._b, v._da, v._db = data, grad, None, None, None, None, None
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
        v.data, v.grad, v._op, v._a, v._b = data, grad, op, nodes[a], (None if b < 0 else nodes[b])
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
    v.data, v.grad, v._op, v._a, v._b, v._da, v._db = x, 0.0, None, None, None, None, None
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


# The `data` slot again under a second name, which the operators (methods.py) read: while a
# trace runs, guards.py swaps `Value.data` for a watching property, and the operators' own reads
# (one or two per node) keep the slot's C-speed access through this alias.  One slot, two names.
type.__setattr__(Value, "_data", Value.__dict__["data"])



def _special_node(out: float, op: str, a: Value, b: Value | None, da: float | None,
                  db: float | None) -> Value:
    """_node while some no_grad or detect_anomaly block is open somewhere."""
    from . import modes

    if modes.anomaly_enabled():
        modes.check_forward(out, op, a, b)
    if not modes.is_grad_enabled():
        leaf = Value(out, requires_grad=False)
        sink = trace_sink.get()
        if sink is not None:
            sink.append(leaf)
        return leaf
    v = _new(Value)
    v.data, v.grad, v._op, v._a, v._b, v._da, v._db = out, 0.0, op, a, b, da, db
    v._label = ""
    v._mark = None
    return v


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
