"""How one step of a pass reads as text: each op written with the actual operands, and numbers.

``expression("*", ["x", "w"])`` is ``x*w``; ``derivative("/", ["y", "x"], 0)`` is ``1/x``, so a
rule reads ``∂(y/x)/∂y = 1/x = 0.5`` with the user's names, never the op table's generic x and y.
Operands that are themselves expressions are parenthesised only where the reading needs it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from ..core.ops import OPS

# Binding strength of a piece of text, as Python reads it: a sum binds loosest, a name tightest.
SUM, PRODUCT, NEGATION, POWER, ATOM = 1, 2, 3, 4, 5

_NEGATIVE_ZERO = re.compile(r"-[0.,_ ]*(e[+-]?0+)?%?", re.IGNORECASE)
_NAME = re.compile(r"[^\W\d][\w.']*|\d+(\.\d*)?")  # x, w.0, v2', 12: nothing to split
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?|[+-]?inf|nan", re.IGNORECASE)


def number(x: float, spec: str = ".6g") -> str:
    """format(x, spec), but a zero never shows a sign (-0 and a rounded -0.00 read as 0)."""
    if x == 0.0:
        return format(0.0, spec)
    text = format(x, spec)
    if _NEGATIVE_ZERO.fullmatch(text):  # -1e-9 shown with two decimals is -0.00
        return text[1:]
    return text


def strength(text: str) -> int:
    """How tightly `text` binds: SUM for `a + b`, PRODUCT for `a*b`, ... ATOM for `x` or `f(x)`."""
    if _NAME.fullmatch(text):
        return ATOM
    if _NUMBER.fullmatch(text):
        return NEGATION if text.startswith("-") else ATOM
    if text.startswith("-"):
        return min(NEGATION, _loosest(text[1:]))
    return _loosest(text)


def _loosest(text: str) -> int:
    """The loosest operator outside parentheses and |...| bars."""
    depth, loosest, i, bars = 0, ATOM, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "|":
            bars ^= 1
        elif depth == 0 and not bars:
            if ch in "+-" and i > 0 and not _exponent_sign(text, i):
                return SUM
            if text.startswith("**", i):
                loosest = min(loosest, POWER)
                i += 1
            elif ch in "*/·×":
                loosest = min(loosest, PRODUCT)
        i += 1
    return loosest


def _exponent_sign(text: str, i: int) -> bool:
    """True for the - of 1e-05, which is part of a number, not a subtraction."""
    return i >= 2 and text[i - 1] in "eE" and text[i - 2].isdigit() and (
        i == 2 or not (text[i - 3].isalpha() or text[i - 3] == "_"))


def wrap(text: str, need: int) -> str:
    """Parenthesise `text` unless it binds at least as tightly as `need`."""
    return text if strength(text) >= need else f"({text})"


Template = Callable[[str, str], str]


def _term(b: str) -> str:
    """The right side of + or -: a sum or a negative number is parenthesised (x + (-a))."""
    return b if strength(b) in (PRODUCT, POWER, ATOM) else f"({b})"


def _pow_base_slope(a: str, b: str) -> str:
    if _NUMBER.fullmatch(b):  # a constant exponent: write the power it leaves, 2·x for x**2
        c = float(b)
        rest = c - 1.0
        if rest == 0.0:
            return "1"
        power = wrap(a, ATOM) if rest == 1.0 else f"{wrap(a, ATOM)}**{wrap(number(rest), POWER)}"
        return f"{number(c)}·{power}" if c != 1.0 else power
    return f"{wrap(b, POWER)}·{wrap(a, ATOM)}**({b} - 1)"


# op -> (the node as an expression of its operands, the local derivative for each operand).
_FORMS: dict[str, tuple[Template, tuple[Template, ...]]] = {
    "+": (lambda a, b: f"{a} + {_term(b)}", (lambda a, b: "1", lambda a, b: "1")),
    "-": (lambda a, b: f"{a} - {_term(b)}", (lambda a, b: "1", lambda a, b: "-1")),
    "*": (lambda a, b: f"{wrap(a, PRODUCT)}*{wrap(b, POWER)}",
          (lambda a, b: b, lambda a, b: a)),
    "/": (lambda a, b: f"{wrap(a, PRODUCT)}/{wrap(b, POWER)}",
          (lambda a, b: f"1/{wrap(b, POWER)}",
           lambda a, b: f"-{wrap(a, POWER)}/{wrap(b, ATOM)}²")),
    "**": (lambda a, b: f"{wrap(a, ATOM)}**{wrap(b, POWER)}",
           (_pow_base_slope, lambda a, b: f"{wrap(a, ATOM)}**{wrap(b, POWER)}·log({a})")),
    "**c": (lambda a, b: f"{wrap(a, ATOM)}**{wrap(b, POWER)}", (_pow_base_slope,)),
    "neg": (lambda a, b: f"-{wrap(a, POWER)}", (lambda a, b: "-1",)),
    "abs": (lambda a, b: f"|{a}|", (lambda a, b: f"sign({a})",)),
    "exp": (lambda a, b: f"exp({a})", (lambda a, b: f"exp({a})",)),
    "log": (lambda a, b: f"log({a})", (lambda a, b: f"1/{wrap(a, POWER)}",)),
    "tanh": (lambda a, b: f"tanh({a})", (lambda a, b: f"1 - tanh²({a})",)),
    "sigmoid": (lambda a, b: f"σ({a})", (lambda a, b: f"σ({a})·(1 - σ({a}))",)),
    "relu": (lambda a, b: f"relu({a})", (lambda a, b: f"(1 if {a} > 0 else 0)",)),
    "softplus": (lambda a, b: f"softplus({a})", (lambda a, b: f"σ({a})",)),
    "sqrt": (lambda a, b: f"√{wrap(a, ATOM)}", (lambda a, b: f"1/(2√{wrap(a, ATOM)})",)),
}

def _from_table(op: str) -> tuple[Template, tuple[Template, ...]]:
    """An op this module has no form for: the op table's own templates, operands wrapped."""
    entry = OPS.get(op)
    if entry is None:
        return ((lambda a, b: f"{op}({a}, {b})" if b else f"{op}({a})"),
                (lambda a, b: f"∂{op}/∂1", lambda a, b: f"∂{op}/∂2"))

    def fill(template: str | None) -> Template:
        def written(a: str, b: str) -> str:
            if template is None:
                return "0"
            return _fill(template, {"x": a, "y": b})
        return written

    return fill(entry.expression), tuple(fill(d) for d in entry.derivatives)


def _fill(template: str, operands: dict[str, str]) -> str:
    """Put operands into a template, parenthesising one unless it sits alone in (...) or |...|."""
    out = template
    for key, text in operands.items():
        marker = "{" + key + "}"
        pieces = out.split(marker)
        if len(pieces) == 1:
            continue
        joined = pieces[0]
        for after in pieces[1:]:
            alone = (joined.endswith(("(", ", ", "|")) and after.startswith((")", ",", "|")))
            joined += (text if alone else wrap(text, ATOM)) + after
        out = joined
    return out


def _form(op: str) -> tuple[Template, tuple[Template, ...]]:
    try:
        return _FORMS[op]
    except KeyError:  # sin, max, ...: written from the op table's templates
        return _from_table(op)


def expression(op: str, operands: Sequence[str]) -> str:
    """The node written with its operands' names: ``x*w``, ``tanh(x*w + b)``."""
    a, b = (*operands, "")[:2]
    return _form(op)[0](a, b)


def derivative(op: str, operands: Sequence[str], position: int) -> str:
    """The local derivative with respect to operand `position`, in the operands' names."""
    a, b = (*operands, "")[:2]
    return _form(op)[1][position](a, b)


def position_name(op: str, position: int) -> str:
    """'left factor', 'denominator', ... (the op table's Op.operands) or 'argument'."""
    entry = OPS.get(op)
    names = entry.operands if entry is not None and entry.operands else ("argument",
                                                                          "second argument")
    return names[position]


def partial(top: str, bottom: str) -> str:
    """∂top/∂bottom, each side parenthesised when it is an expression."""
    return f"∂{wrap(top, ATOM)}/∂{wrap(bottom, ATOM)}"


def rule(op: str, operands: Sequence[str], position: int, local: float, spec: str,
         output: str = "") -> str:
    """``∂(y/x)/∂y = 1/x = 0.5``: the local derivative written out and its number.

    `output` is the node's own name when the user gave it one (``∂y/∂(x*w + b)``); otherwise
    the node is written as its expression.
    """
    top = output or expression(op, operands)
    bottom = operands[position]
    where = ""
    if len(operands) == 2 and operands[0] == operands[1]:  # x*x: say which of the two
        where = f" ({position_name(op, position)})"
    text = derivative(op, operands, position)
    if " if " in text and not (text.startswith("(") and text.endswith(")")):
        text = f"({text})"  # a case split reads as one factor: (1 if x > y, ... else 0) = 1
    value = number(local, spec)
    if text == value or (_NUMBER.fullmatch(text) and math.isclose(float(text), local)):
        return f"{partial(top, bottom)}{where} = {value}"
    return f"{partial(top, bottom)}{where} = {text} = {value}"


# Characters a terminal that is not UTF-8 cannot print, and how to write them in ASCII.
_ASCII = str.maketrans({"∂": "d", "×": "x", "·": "*", "σ": "sigmoid", "√": "sqrt", "²": "^2",
                        "→": "->", "←": "<-", "─": "-", "…": "...", "≠": "!=", "✗": "X",
                        "≤": "<=", "≥": ">=", "−": "-", "Σ": "sum", "▶": ">", "◀": "<"})


def ascii_text(text: str) -> str:
    """The same text in ASCII: ∂ as d, × as x, · as *, σ as sigmoid; anything else as \\uXXXX."""
    return text.translate(_ASCII).encode("ascii", "backslashreplace").decode("ascii")
