"""Value: one float, the operation that made it, and the gradient that flows back into it."""

from __future__ import annotations

import numbers
from typing import Any, Union

from . import ops

Number = Union[int, float]  # noqa: UP007 (a runtime alias; `|` needs 3.10 objects)
Operand = Union["Value", int, float]  # noqa: UP007

# How many no_grad / detect_anomaly blocks are open anywhere (see modes.py).  While it is zero the
# hot path pays one global read per operation and nothing else.
_special_modes = 0


class Value:
    """A scalar that records the operations applied to it, so gradients can flow back.

    ``data`` and ``grad`` are plain floats.  A node made by an operation keeps its inputs and the
    local derivatives of its output with respect to them (computed in the forward pass); it keeps
    no closure and no reference to its consumers, so a graph is a tree of plain references with no
    cycles and is freed by reference counting alone.
    """

    __slots__ = ("data", "grad", "_op", "_a", "_b", "_da", "_db", "_label", "_rg")

    data: float
    grad: float

    def __init__(self, data: Any, label: str = "", requires_grad: bool = True) -> None:
        self.data = to_float(data)
        self.grad = 0.0
        self._op = None
        self._a = None
        self._b = None
        self._da = None
        self._db = None
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}")
        self._label = label
        if not isinstance(requires_grad, bool):
            raise TypeError(f"requires_grad must be True or False, got "
                            f"{type(requires_grad).__name__}")
        self._rg = requires_grad

    # --- the read-only graph API every walker (backward, draw, explain, replay) uses ----------

    @property
    def op(self) -> str | None:
        """Name of the operation that made this Value (a key of ``ops.OPS``); None for a leaf."""
        return self._op

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The Values this one was computed from, in argument order."""
        if self._a is None:
            return ()
        if self._b is None:
            return (self._a,)
        return (self._a, self._b)

    @property
    def local_grads(self) -> tuple[float | None, ...]:
        """d(self)/d(input) for each input, as computed in the forward pass (None: no gradient)."""
        if self._a is None:
            return ()
        if self._b is None:
            return (self._da,)
        return (self._da, self._db)

    @property
    def is_leaf(self) -> bool:
        """True for a Value made by the user (or under no_grad), not by an operation."""
        return self._a is None

    @property
    def label(self) -> str:
        """A name shown in drawings and explanations; empty for most intermediate nodes."""
        try:
            return self._label
        except AttributeError:  # nodes made by operations skip this store on the hot path
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
        return Value(self.data, self.label, requires_grad=False)

    def __repr__(self) -> str:
        parts = [f"data={self.data!r}", f"grad={self.grad!r}"]
        if self.label:
            parts.append(f"label={self.label!r}")
        if self._op is not None:
            parts.append(f"op={self._op!r}")
        elif not self._rg:
            parts.append("requires_grad=False")
        return f"Value({', '.join(parts)})"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Jupyter display: the graph as SVG, or a summary when it is large."""
        from .draw import mimebundle

        return mimebundle(self, include, exclude)

    def __float__(self) -> float:
        return self.data

    def __bool__(self) -> bool:
        # As for a float (and a PyTorch scalar): `if loss:` is False for 0.0, not always True.
        return self.data != 0.0

    # Comparisons read the numbers (handy for `if v > 0`); they record nothing.  __eq__ is left as
    # identity so Values can be dict keys and set members, as graph walkers need.
    def __lt__(self, other: Operand) -> bool:
        return self.data < _data_of(other)

    def __le__(self, other: Operand) -> bool:
        return self.data <= _data_of(other)

    def __gt__(self, other: Operand) -> bool:
        return self.data > _data_of(other)

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _data_of(other)

    __hash__ = object.__hash__

    # --- arithmetic: each line sends the numbers to the op table and records the node ----------

    def __add__(self, other: Operand) -> Value:
        other = other if other.__class__ is Value else _lift(other)
        if other is NotImplemented:
            return NotImplemented
        out, da, db = ops.add(self.data, other.data)
        return _node(out, "+", self, other, da, db)

    def __radd__(self, other: Number) -> Value:
        other = _lift(other)
        return other if other is NotImplemented else other.__add__(self)

    def __sub__(self, other: Operand) -> Value:
        other = other if other.__class__ is Value else _lift(other)
        if other is NotImplemented:
            return NotImplemented
        out, da, db = ops.sub(self.data, other.data)
        return _node(out, "-", self, other, da, db)

    def __rsub__(self, other: Number) -> Value:
        other = _lift(other)
        return other if other is NotImplemented else other.__sub__(self)

    def __mul__(self, other: Operand) -> Value:
        other = other if other.__class__ is Value else _lift(other)
        if other is NotImplemented:
            return NotImplemented
        out, da, db = ops.mul(self.data, other.data)
        return _node(out, "*", self, other, da, db)

    def __rmul__(self, other: Number) -> Value:
        other = _lift(other)
        return other if other is NotImplemented else other.__mul__(self)

    def __truediv__(self, other: Operand) -> Value:
        other = other if other.__class__ is Value else _lift(other)
        if other is NotImplemented:
            return NotImplemented
        out, da, db = ops.div(self.data, other.data)
        return _node(out, "/", self, other, da, db)

    def __rtruediv__(self, other: Number) -> Value:
        other = _lift(other)
        return other if other is NotImplemented else other.__truediv__(self)

    def __pow__(self, other: Operand) -> Value:
        if other.__class__ is Value:
            out, da, db = ops.pow_(self.data, other.data)
            return _node(out, "**", self, other, da, db)
        exponent = _lift(other)
        if exponent is NotImplemented:
            return NotImplemented
        # A plain-number exponent is a constant: no derivative is computed or stored for it.
        out, da, _ = ops.pow_(self.data, exponent.data)
        return _node(out, "**", self, exponent, da, None)

    def __rpow__(self, other: Number) -> Value:
        base = _lift(other)
        return base if base is NotImplemented else base.__pow__(self)

    def __neg__(self) -> Value:
        out, da = ops.neg(self.data)
        return _node(out, "neg", self, None, da, None)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        out, da = ops.abs_(self.data)
        return _node(out, "abs", self, None, da, None)

    def exp(self) -> Value:
        """e to the power of this Value."""
        out, da = ops.exp(self.data)
        return _node(out, "exp", self, None, da, None)

    def log(self) -> Value:
        """Natural logarithm (-inf at 0, nan below)."""
        out, da = ops.log(self.data)
        return _node(out, "log", self, None, da, None)

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        out, da = ops.tanh(self.data)
        return _node(out, "tanh", self, None, da, None)

    def sigmoid(self) -> Value:
        """Logistic function 1 / (1 + e^-x)."""
        out, da = ops.sigmoid(self.data)
        return _node(out, "sigmoid", self, None, da, None)

    def relu(self) -> Value:
        """max(x, 0), with slope 0 at 0."""
        out, da = ops.relu(self.data)
        return _node(out, "relu", self, None, da, None)

    def softplus(self) -> Value:
        """log(1 + e^x), a smooth relu."""
        out, da = ops.softplus(self.data)
        return _node(out, "softplus", self, None, da, None)

    def sqrt(self) -> Value:
        """Square root (nan below 0)."""
        out, da = ops.sqrt(self.data)
        return _node(out, "sqrt", self, None, da, None)


# --- construction ----------

def to_float(data: Any) -> float:
    """Check that `data` is one real number (int, float, NumPy scalar) and return it as a float."""
    if data.__class__ is float:
        return data
    if isinstance(data, bool) or not isinstance(data, numbers.Real):
        raise TypeError(
            f"Value holds one real number (int, float or NumPy scalar), got {type(data).__name__}: "
            f"{data!r}"[:200]
        )
    try:
        return float(data)
    except OverflowError:  # an int beyond float64: say which, rather than "int too large"
        raise ValueError(f"{data!r}"[:60] + " is too large for a float64 Value") from None


def _lift(x: Any) -> Any:
    """Wrap a plain number met in arithmetic as a constant leaf; NotImplemented for other types."""
    if x.__class__ is Value:
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return NotImplemented
    return Value(float(x), requires_grad=False)


def _data_of(x: Operand) -> float:
    return x.data if isinstance(x, Value) else to_float(x)


_new = object.__new__


def _node(out: float, op: str, a: Value, b: Value | None, da: float, db: float | None) -> Value:
    """Make the Value for one operation.  The hot path: seven slot stores and nothing else."""
    if _special_modes:
        return _special_node(out, op, a, b, da, db)
    v = _new(Value)
    v.data = out
    v.grad = 0.0
    v._op = op
    v._a = a
    v._b = b
    v._da = da
    v._db = db
    return v


def _special_node(out: float, op: str, a: Value, b: Value | None, da: float,
                  db: float | None) -> Value:
    """_node while some no_grad or detect_anomaly block is open somewhere."""
    from . import modes

    if modes.anomaly_enabled():
        modes.check_forward(out, op, a, b)
    if not modes.is_grad_enabled():
        return Value(out, requires_grad=False)
    v = _new(Value)
    v.data, v.grad, v._op, v._a, v._b, v._da, v._db = out, 0.0, op, a, b, da, db
    return v


def _unary(name: str, x: Operand) -> Value:
    if not isinstance(x, Value):
        x = Value(to_float(x), requires_grad=False)
    return getattr(x, name)()


def exp(x: Operand) -> Value:
    """e**x for a Value or a number."""
    return _unary("exp", x)


def log(x: Operand) -> Value:
    """Natural logarithm of a Value or a number."""
    return _unary("log", x)


def tanh(x: Operand) -> Value:
    """tanh of a Value or a number."""
    return _unary("tanh", x)


def sigmoid(x: Operand) -> Value:
    """Logistic function of a Value or a number."""
    return _unary("sigmoid", x)


def relu(x: Operand) -> Value:
    """max(x, 0) of a Value or a number."""
    return _unary("relu", x)


def softplus(x: Operand) -> Value:
    """log(1 + e^x) of a Value or a number."""
    return _unary("softplus", x)


def sqrt(x: Operand) -> Value:
    """Square root of a Value or a number."""
    return _unary("sqrt", x)
