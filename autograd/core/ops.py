"""The op table: every primitive, written once, with everything the rest of the engine needs.

An ``Op`` entry holds an operation's two derivative faces side by side:

* ``forward(*xs)`` works on floats and returns ``(out, d_out/d_x0, d_out/d_x1, ...)``.  The
  derivatives are computed once, in the forward pass, and stored on the node: this is the fast path
  that ``backward()`` uses.  ``None`` marks an input that receives no gradient (a constant
  exponent).
* ``local_value(node)`` returns the same derivatives built from Value operations, so that a gradient
  can itself be differentiated (``grad(..., create_graph=True)``).

and what the other faces derive from it: ``Value``'s method and the module-level function
(``method``, ``function``, ``doc``), the drawing's ``symbol``, the explanations' rule text
(``expression`` and ``derivatives``, with ``{x}`` and ``{y}`` standing for the operands), the
PyTorch function the parity tests compare with (``torch``), where it is defined (``domain``), where
its derivative jumps (``kink``) and optional replay kernels per backend (``kernels``, as JAX keeps
one rule table per interpreter; a backend without a kernel calls ``forward``).  Adding an op is
adding one entry to ``OPS`` and running ``python -m autograd.core.generate``, which writes Value's
methods and autograd's functions out from the table (tests/test_generate.py checks they match).

Numerics follow IEEE-754 float64 as PyTorch does (``ieee.py``): overflow gives ``inf``, a domain
error gives ``nan``, a pole gives ``±inf``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .ieee import (
    NAN,
    safe_cos,
    safe_div,
    safe_exp,
    safe_expm1,
    safe_log,
    safe_log1p,
    safe_pow,
    safe_sin,
    sigmoid_float,
    softplus_float,
)
from .kernels import (
    Inline,
    np_abs,
    np_add,
    np_div,
    np_maximum,
    np_minimum,
    np_mul,
    np_neg,
    np_relu,
    np_sqrt,
    np_sub,
)

# A node of the graph, i.e. a Value: value.py imports this table, so the table does not import
# value.py, not even for type checking (the core's modules form one chain, each above the last).
Node = Any

# Where an input of an op is defined (Op.domain): the property tests keep random inputs there.
REAL, POSITIVE, NONZERO, ABOVE_MINUS_ONE = "real", "positive", "nonzero", "above -1"
# The backends that may carry a kernel in Op.kernels (replay_python.py, replay_numpy.py).
BACKENDS = ("python", "numpy")


# --- forward functions: floats in, (value, local derivatives...) out ----------

def add(x: float, y: float) -> tuple[float, float, float]:
    """x + y and its slopes."""
    return x + y, 1.0, 1.0


def sub(x: float, y: float) -> tuple[float, float, float]:
    """x - y and its slopes."""
    return x - y, 1.0, -1.0


def mul(x: float, y: float) -> tuple[float, float, float]:
    """x * y and its slopes."""
    return x * y, y, x


def div(x: float, y: float) -> tuple[float, float, float]:
    """x / y (IEEE: x/0 is ±inf or nan) and its slopes."""
    # d/dy as -(x/y)/y, PyTorch's form: -x/(y*y) would square y first, so y*y under- or overflows
    # (y = 1e-200 gives -inf, y = 1e200 gives 0) where the true slope is a finite number.
    out = safe_div(x, y)
    return out, safe_div(1.0, y), safe_div(-out, y)


def pow_(x: float, y: float) -> tuple[float, float, float]:
    """x ** y (as C pow()) and its slopes, masked where PyTorch masks them."""
    out, dx, _ = pow_constant(x, y)
    # PyTorch masks 0 * inf: 0**y for y >= 0 has zero slope in y.
    dy = 0.0 if (x == 0.0 and y >= 0.0) else out * safe_log(x)
    return out, dx, dy


def pow_constant(x: float, c: float) -> tuple[float, float, None]:
    """x ** c for a constant exponent (the `2` of `x ** 2`): the exponent takes no gradient."""
    # A zero exponent has zero slope in x (PyTorch's mask; else 0 * inf at x = 0).
    return safe_pow(x, c), (0.0 if c == 0.0 else c * safe_pow(x, c - 1.0)), None


def neg(x: float) -> tuple[float, float]:
    """-x and its slope."""
    return -x, -1.0


def abs_(x: float) -> tuple[float, float]:
    """|x| and its slope (0 at 0, as PyTorch)."""
    return abs(x), (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0)


def exp(x: float) -> tuple[float, float]:
    """e**x (inf on overflow) and its slope."""
    out = safe_exp(x)
    return out, out


def expm1(x: float) -> tuple[float, float]:
    """e**x - 1, exact near 0, and its slope (PyTorch's form: out + 1)."""
    out = safe_expm1(x)
    return out, out + 1.0


def log(x: float) -> tuple[float, float]:
    """Natural log (-inf at 0, nan below) and its slope."""
    return safe_log(x), safe_div(1.0, x)


def log1p(x: float) -> tuple[float, float]:
    """log(1 + x), exact near 0 (-inf at -1, nan below), and its slope."""
    return safe_log1p(x), safe_div(1.0, x + 1.0)


def sin(x: float) -> tuple[float, float]:
    """sin(x) (nan at ±inf) and its slope."""
    return safe_sin(x), safe_cos(x)


def cos(x: float) -> tuple[float, float]:
    """cos(x) (nan at ±inf) and its slope."""
    return safe_cos(x), -safe_sin(x)


def tanh(x: float) -> tuple[float, float]:
    """tanh(x) and its slope."""
    t = math.tanh(x)
    return t, 1.0 - t * t


def sigmoid(x: float) -> tuple[float, float]:
    """Logistic function and its slope."""
    s = sigmoid_float(x)
    return s, s * (1.0 - s)


def relu(x: float) -> tuple[float, float]:
    """max(x, 0) (nan stays nan) and its slope."""
    # `not x <= 0` lets nan through as nan, like PyTorch.
    return (x if not x <= 0.0 else 0.0), (1.0 if x > 0.0 else 0.0)


def softplus(x: float) -> tuple[float, float]:
    """log(1 + e**x) and its slope."""
    return softplus_float(x), sigmoid_float(x)


def sqrt(x: float) -> tuple[float, float]:
    """Square root (nan below 0) and its slope."""
    out = math.sqrt(x) if x >= 0.0 else NAN
    return out, safe_div(0.5, out)


def maximum(x: float, y: float) -> tuple[float, float, float]:
    """The larger of x and y (nan if either is) and its slopes: half each at a tie, as PyTorch."""
    # At a tie PyTorch returns x (so maximum(-0.0, 0.0) is -0.0) and splits the gradient.
    out = x if x >= y else y if y > x else x + y  # the last case: a nan, kept
    if x == y:
        return out, 0.5, 0.5
    return out, (0.0 if x < y else 1.0), (0.0 if x > y else 1.0)


def minimum(x: float, y: float) -> tuple[float, float, float]:
    """The smaller of x and y (nan if either is) and its slopes: half each at a tie, as PyTorch."""
    out = x if x <= y else y if y < x else x + y
    if x == y:
        return out, 0.5, 0.5
    return out, (0.0 if x > y else 1.0), (0.0 if x < y else 1.0)


# --- the same local derivatives as Value expressions (for create_graph) ----------
# Each takes the node whose inputs are differentiated and returns one entry per input.

def _local_pow(v: Node) -> tuple[Any, Any]:
    x, y = v.inputs
    # The same masks as the fast path in pow_(), else 0 * inf would make these nan where pow_()
    # gives 0.  Where a mask applies the local derivative is the constant 0, as in PyTorch.
    power = x ** (y - 1.0)
    # The masks compare Values, not their numbers: inside a compiled function each comparison
    # is a guard of the trace (`not y` is y == 0; `-inf < power < inf` is isfinite).
    dx = 0.0 if (not y and not -math.inf < power < math.inf) else y * power
    dy = 0.0 if (not x and y >= 0.0) else v * x.log()
    return dx, dy


def _local_pow_constant(v: Node) -> tuple[Any, None]:
    # Keep the exponent a number, so it stays a constant (read from the slot: the engine's read).
    x, c = v.inputs[0], v.inputs[1]._data
    return (0.0 if c == 0.0 else c * x ** (c - 1.0)), None


def _steps(v: Node) -> tuple[Any, ...]:
    """The local derivatives of a piecewise-linear op: constants, already stored on the node."""
    # Which piece applies is decided by comparing the inputs as Values, so that inside a compiled
    # function each comparison is a guard of the trace (outside one they only cost the compare).
    x, y = v._a, v._b
    if y is None:  # relu, abs: positive, negative, zero or nan
        _ = (x > 0.0, x < 0.0, x >= 0.0)
    else:  # max, min: x below, above, tied with y, or a nan
        _ = (x < y, x > y, x <= y)
    return (v._da,) if v._b is None else (v._da, v._db)


def _distance_to_zero(x: float, *_: float) -> float:
    return abs(x)


def _distance_to_tie(x: float, y: float) -> float:
    return abs(x - y)


# --- the entry ----------

@dataclass(frozen=True)
class Op:
    """One primitive: how it computes, how it differentiates, and how every face shows it."""

    name: str  # the key in OPS, and Value.op of the nodes it makes
    arity: int
    forward: Callable[..., tuple[Any, ...]]
    local_value: Callable[[Node], tuple[Any, ...]]
    expression: str  # the op on placeholders, e.g. "{x} / {y}" or "tanh({x})"
    derivatives: tuple[str | None, ...]  # d(out)/d(input) per input, same placeholders
    doc: str  # one line: what the method and the function compute
    method: str | None = None  # Value's method, e.g. "__add__" or "tanh"
    reflected: str | None = None  # the method for a plain number on the left, e.g. "__radd__"
    function: str | None = None  # the function autograd exports, e.g. "tanh"
    symbol: str = ""  # shown in drawings; the name if empty
    torch: str = ""  # the PyTorch function computing the same, a path in `torch` (parity tests)
    domain: tuple[str, ...] = ()  # per input: REAL, POSITIVE, NONZERO or ABOVE_MINUS_ONE
    kink: Callable[..., float] | None = None  # distance from where the derivative jumps
    constant_form: str | None = None  # the op used when the right operand is a plain number
    commutative: bool = False  # drawings label the operands of the others x and y
    # For ops nn offers as a neuron's activation: the torch.nn module applying it elementwise
    # ("Tanh"; nn.layers.ACTIVATIONS and nn.torch_bridge read it); "" for the other ops.
    torch_module: str = ""
    # What each operand is to the op ("numerator", "denominator"), so explanations can tell the
    # two paths through x*x apart; () for a one-input op, whose operand is its "argument".
    operands: tuple[str, ...] = ()
    # The local derivative written with the op's output {out} where that reads simpler (tanh:
    # 1 - {out}²); the matrix view writes act'(net) with it.  "": `derivatives` says it.
    output_derivative: str = ""
    kernels: Mapping[str, Any] = field(default_factory=dict)  # backend name -> kernel

    @property
    def shown(self) -> str:
        """The symbol drawings show for this op."""
        return self.symbol or self.name

    @property
    def takes_gradient(self) -> tuple[bool, ...]:
        """Per input, whether a gradient flows into it (False for a constant exponent)."""
        return tuple(d is not None for d in self.derivatives)

    def written(self, *operands: str) -> str:
        """The op applied to the given operand texts, e.g. written("a", "b") == "a / b"."""
        return self.expression.format(**dict(zip("xy", operands, strict=False)))

    def rules(self, *operands: str) -> list[str]:
        """Each local derivative as a reader writes it, e.g. ["∂(a / b)/∂a = 1/b", ...]."""
        names = dict(zip("xy", operands, strict=False))
        out = self.written(*operands)
        return [f"∂({out})/∂{names['xy'[k]]} = {d.format(**names)}"
                for k, d in enumerate(self.derivatives) if d is not None]

    @property
    def formula(self) -> str:
        """The local derivatives in one line, with x and y as operands: d(x / y) = 1/y, -x/y²."""
        shown = [d.format(x="x", y="y") for d in self.derivatives if d is not None]
        written = self.written("x", "y")
        function_like = written[0].isalpha() and written.endswith(")")  # tanh(x), max(x, y)
        head = f"d {written}" if function_like else f"d({written})"
        return f"{head} = {', '.join(shown)}"


def _unary(name: str, forward: Callable[..., tuple[Any, ...]],
           local_value: Callable[[Node], tuple[Any, ...]], derivative: str, doc: str,
           **more: Any) -> Op:
    """An entry for a function of one Value, `x.name()` and `autograd.name(x)` (most ops)."""
    settings: dict[str, Any] = {"method": name, "function": name, "torch": name,
                                "domain": (REAL,)}
    settings.update(more)
    return Op(name, 1, forward, local_value, f"{name}({{x}})", (derivative,), doc, **settings)


def _extremum(name: str, forward: Callable[..., tuple[Any, ...]], symbol: str, beats: str,
              which: str, kernel: Callable[..., tuple[Any, ...]]) -> Op:
    """The entry for maximum or minimum: `beats` is ">" or "<"."""
    rule = "1 if {a} " + beats + " {b}, ½ if {x} = {y}, else 0"
    return Op(name, 2, forward, _steps, f"{symbol}({{x}}, {{y}})",
              (rule.format(a="{x}", b="{y}", x="{x}", y="{y}"),
               rule.format(a="{y}", b="{x}", x="{x}", y="{y}")),
              f"The {which} of x and y; at a tie each gets half the gradient, as in PyTorch.",
              method=name, function=name, symbol=symbol, torch=name, domain=(REAL, REAL),
              kink=_distance_to_tie, commutative=True, kernels={"numpy": kernel},
              operands=("first argument", "second argument"))


OPS: dict[str, Op] = {op.name: op for op in (
    Op("+", 2, add, lambda v: (1.0, 1.0), "{x} + {y}", ("1", "1"), "x + y",
       method="__add__", reflected="__radd__", torch="add", domain=(REAL, REAL), commutative=True,
       operands=("left term", "right term"),
       kernels={"python": Inline("{x} + {y}", ("1.0", "1.0")), "numpy": np_add}),
    Op("-", 2, sub, lambda v: (1.0, -1.0), "{x} - {y}", ("1", "-1"), "x - y",
       method="__sub__", reflected="__rsub__", torch="sub", domain=(REAL, REAL),
       operands=("left operand", "right operand"),
       kernels={"python": Inline("{x} - {y}", ("1.0", "-1.0")), "numpy": np_sub}),
    Op("*", 2, mul, lambda v: (v.inputs[1], v.inputs[0]), "{x} * {y}", ("{y}", "{x}"),
       "x * y", method="__mul__", reflected="__rmul__", torch="mul", domain=(REAL, REAL),
       commutative=True, operands=("left factor", "right factor"),
       kernels={"python": Inline("{x} * {y}", ("{y}", "{x}")), "numpy": np_mul}),
    Op("/", 2, div, lambda v: (1.0 / v.inputs[1], -v / v.inputs[1]), "{x} / {y}",
       ("1/{y}", "-{x}/{y}²"), "x / y (IEEE: x/0 is ±inf or nan)", method="__truediv__",
       reflected="__rtruediv__", torch="div", domain=(REAL, NONZERO),
       operands=("numerator", "denominator"),
       kernels={"numpy": np_div}),
    Op("**", 2, pow_, _local_pow, "{x}**{y}", ("{y}·{x}**({y}-1)", "{x}**{y}·log {x}"),
       "x ** y (a plain-number exponent is a constant: the '**c' op)", method="__pow__",
       reflected="__rpow__", torch="pow", domain=(POSITIVE, REAL), constant_form="**c",
       operands=("base", "exponent")),
    Op("**c", 2, pow_constant, _local_pow_constant, "{x}**{y}", ("{y}·{x}**({y}-1)", None),
       "x ** c for a plain number c, which takes no gradient", symbol="**", torch="pow",
       domain=(POSITIVE, REAL), operands=("base", "exponent")),
    Op("neg", 1, neg, lambda v: (-1.0,), "-{x}", ("-1",), "-x", method="__neg__", torch="neg",
       domain=(REAL,), kernels={"python": Inline("-{x}", ("-1.0",)), "numpy": np_neg}),
    Op("abs", 1, abs_, _steps, "|{x}|", ("sign({x})",), "abs(x), with slope 0 at 0",
       method="__abs__", torch="abs", domain=(REAL,), kink=_distance_to_zero,
       kernels={"numpy": np_abs}),
    _unary("exp", exp, lambda v: (v,), "exp({x})", "e to the power of x."),
    _unary("expm1", expm1, lambda v: (v + 1.0,), "exp({x})", "exp(x) - 1, exact for small x."),
    _unary("log", log, lambda v: (1.0 / v.inputs[0],), "1/{x}",
           "Natural logarithm (-inf at 0, nan below).", domain=(POSITIVE,)),
    _unary("log1p", log1p, lambda v: (1.0 / (v.inputs[0] + 1.0),), "1/(1 + {x})",
           "log(1 + x), exact for small x (-inf at -1, nan below).", domain=(ABOVE_MINUS_ONE,)),
    _unary("sin", sin, lambda v: (v.inputs[0].cos(),), "cos({x})", "Sine (x in radians)."),
    _unary("cos", cos, lambda v: (-v.inputs[0].sin(),), "-sin({x})", "Cosine (x in radians)."),
    _unary("tanh", tanh, lambda v: (1.0 - v * v,), "1 - tanh²({x})", "Hyperbolic tangent.",
           torch_module="Tanh", output_derivative="1 - {out}²"),
    _unary("sigmoid", sigmoid, lambda v: (v * (1.0 - v),), "σ({x})(1 - σ({x}))",
           "Logistic function 1 / (1 + e^-x).", torch_module="Sigmoid",
           output_derivative="{out}·(1 - {out})"),
    _unary("relu", relu, _steps, "1 if {x} > 0 else 0", "max(x, 0), with slope 0 at 0.",
           kink=_distance_to_zero, torch_module="ReLU",
           kernels={"python": Inline("{x} if not {x} <= 0.0 else 0.0",
                                     ("1.0 if {x} > 0.0 else 0.0",)), "numpy": np_relu}),
    _unary("softplus", softplus, lambda v: (v.inputs[0].sigmoid(),), "σ({x})",
           "log(1 + e^x), a smooth relu.", torch="nn.functional.softplus"),
    _unary("sqrt", sqrt, lambda v: (0.5 / v,), "1/(2√{x})", "Square root (nan below 0).",
           domain=(POSITIVE,), kernels={"numpy": np_sqrt}),
    _extremum("maximum", maximum, "max", ">", "larger", np_maximum),
    _extremum("minimum", minimum, "min", "<", "smaller", np_minimum),
)}

# Python's own syntax for the unary operators an op may stand behind.
_OPERATOR_SYNTAX = {"__neg__": "-x", "__abs__": "abs(x)"}


def how_written(op: Op) -> str:
    """How a user writes op `op` on Values x (and y), as README's op list shows it."""
    if op.method is None:
        parents = [p for p in OPS.values() if p.constant_form == op.name]
        return f"x {parents[0].shown} c (c a number)" if parents else f"apply({op.name!r}, ...)"
    if op.method in _OPERATOR_SYNTAX:
        return _OPERATOR_SYNTAX[op.method]
    if op.method.startswith("__"):
        return f"x {op.shown} y"
    operands = ", ".join("xy"[:op.arity])
    text = f"x.{op.method}({operands[3:]})"
    return text + (f", {op.function}({operands})" if op.function else "")


REFERENCE_HEADER = "| op | written | local derivatives | |\n|---|---|---|---|\n"


def reference_row(op: Op) -> str:
    """The op's row in README's op list (Markdown): its name, how it is written, its rules."""
    names = ["x", "y" if op.takes_gradient[-1] else "c"][:op.arity]
    rules = "; ".join(f"`{r}`" for r in op.rules(*names)).replace("|", "\\|")
    return f"| `{op.name}` | `{how_written(op)}` | {rules} | {op.doc} |"


def reference_table() -> str:
    """The op list of README.md, in Markdown: every op, how it is written, its derivatives."""
    return REFERENCE_HEADER + "".join(reference_row(op) + "\n" for op in OPS.values())
