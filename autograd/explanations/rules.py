"""How one step of a pass reads as text: each op written with the actual operands, and numbers.

``expression("*", ["x", "w"])`` is ``x*w``; ``derivative("/", ["y", "x"], 0)`` is ``1/x``, so a
rule reads ``∂(y/x)/∂y = 1/x = 0.5`` with the user's names, never the op table's generic x and y.
Operands that are themselves expressions are parenthesised only where the reading needs it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

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


# --- writing the op table's templates (Op.expression, Op.derivatives) with the user's names ------
# One text per op lives in the table (autograd/core/ops.py); this module only decides where an
# operand needs parentheses, from the operator the template puts next to it (its precedence),
# and writes products and quotients tight (x*w + b).  No op is special-cased here.

_KEYWORDS = ("if", "else", "and", "or", "not")
_FOLDABLE = re.compile(r"\((-?\d+(?:\.\d*)?(?:e[+-]?\d+)?)([+-])(\d+(?:\.\d*)?)\)")


def _needs_parentheses(text: str, before: str, after: str) -> bool:
    """Whether operand `text`, written between `before` and `after`, must be parenthesised."""
    need = SUM  # alone in (...), |...|, after ", " or a keyword, beside a comparison: never
    if before.endswith(("**", "*", "/", "·")):
        need = POWER  # the right side of a product or a power: x*(a*b), x**(-1)
    elif before.endswith("√"):
        need = ATOM
    elif before.endswith((" + ", " - ")):
        if strength(text) == NEGATION:  # x + (-3): a sign right after an operator reads badly
            return True
        need = PRODUCT
    elif before.endswith("-"):  # a unary minus at the start or after "(": -(a + b)
        need = POWER
    else:
        word = re.search(r"([A-Za-z]+) $", before)
        if word and word.group(1) not in _KEYWORDS:  # "log x": a function applied to an atom
            need = ATOM
    if after.startswith(("**", "²")):
        need = ATOM  # (a + b)**2, (x*w)²
    elif after.startswith(("*", "/", "·")):
        need = max(need, PRODUCT)  # (a + b)*c
    return strength(text) < need


def _fill(template: str, operands: dict[str, str]) -> str:
    """Put the operands' texts into a table template, parenthesised where precedence needs it."""
    template = template.replace(" * ", "*").replace(" / ", "/")
    pieces = re.split(r"(\{[xy]\})", template)
    out = []
    for k, piece in enumerate(pieces):
        if k % 2 == 0:
            out.append(piece)
            continue
        text = operands[piece[1]]
        before, after = "".join(out), pieces[k + 1] if k + 1 < len(pieces) else ""
        out.append(f"({text})" if _needs_parentheses(text, before, after) else text)
    return "".join(out)


def _fold(text: str) -> str:
    """Work out arithmetic on plain numbers a template leaves: x**(2-1) reads x, 1·x**0 reads 1."""
    while (found := _FOLDABLE.search(text)) is not None:
        a, sign, b = found.groups()
        value = number(float(a) + float(b) if sign == "+" else float(a) - float(b))
        before, after = text[:found.start()], text[found.end():]
        text = before + (f"({value})" if _needs_parentheses(value, before, after) else value) \
            + after
    text = re.sub(r"\*\*1(?![\d.])", "", text)  # x**1 is x
    text = re.sub(r"([\w.')|]+|\([^()]*\))\*\*0(?![\d.])", "1", text)  # x**0 is 1
    return re.sub(r"(?<![\w.)])1·", "", text)  # 1·x is x


def _forms(op: str) -> tuple[str, tuple[str | None, ...]]:
    """The op's expression and derivative templates; a made-up op (not in the table) in words."""
    entry = OPS.get(op)
    if entry is None:
        return f"{op}({{x}}, {{y}})", (f"∂{op}/∂1", f"∂{op}/∂2")
    return entry.expression, entry.derivatives


def expression(op: str, operands: Sequence[str]) -> str:
    """The node written with its operands' names: ``x*w``, ``tanh(x*w + b)``."""
    a, b = (*operands, "")[:2]
    template = _forms(op)[0]
    if op not in OPS and not b:
        template = f"{op}({{x}})"
    return _fill(template, {"x": a, "y": b})


def derivative(op: str, operands: Sequence[str], position: int) -> str:
    """The local derivative with respect to operand `position`, in the operands' names."""
    a, b = (*operands, "")[:2]
    template = _forms(op)[1][position]
    return "0" if template is None else _fold(_fill(template, {"x": a, "y": b}))


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
