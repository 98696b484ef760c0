"""Names and numbers as LaTeX math (for Jupyter's MathJax and for pasting into a write-up)."""

from __future__ import annotations

import re

from ..output.escape import latex_text
from .rules import ATOM, strength
from .rules import number as plain_number

_SIMPLE = re.compile(r"([A-Za-z])(\d*)")  # x, w5: a letter and an optional index


def name(text: str) -> str:
    """A node name as math: ``w5`` -> ``w_{5}``; anything else as escaped ``\\text{...}``."""
    simple = _SIMPLE.fullmatch(text)
    if simple:
        letter, index = simple.groups()
        return f"{letter}_{{{index}}}" if index else letter
    return latex_text(text)


def fraction(top: str, bottom: str) -> str:
    """∂top/∂bottom as a TeX fraction, each side parenthesised when it is an expression."""
    def side(text: str) -> str:
        shown = name(text)
        return shown if strength(text) >= ATOM else f"\\left({shown}\\right)"
    return f"\\frac{{\\partial {side(top)}}}{{\\partial {side(bottom)}}}"


def number(x: float, spec: str) -> str:
    """A number as TeX: 1.5e-07 -> 1.5 \\times 10^{-7}, negatives parenthesised."""
    text = plain_number(x, spec)
    mantissa, _, exponent = text.partition("e")
    if exponent:
        text = f"{mantissa} \\times 10^{{{int(exponent)}}}"
    text = text.replace("inf", "\\infty")
    return f"({text})" if text.startswith("-") else text
