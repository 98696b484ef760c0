"""What explain() records of a backward pass: one Step per node, one Term per input of it."""

from __future__ import annotations

from typing import NamedTuple

from ..core.value import Value
from .rules import expression, rule


class Term(NamedTuple):
    """One input's share of a step: local derivative × upstream = product, added to its grad."""

    input: Value
    name: str
    value: float  # the input's forward value
    position: int  # which operand of the node it is
    local: float
    product: float
    running: float  # the input's .grad right after this product was added
    op: str
    operands: tuple[str, ...]  # the names of the node's inputs
    number_format: str
    output: str  # the node's name if the user labelled it, else "" (it reads as its expression)

    @property
    def rule(self) -> str:
        """The local derivative in the operands' names: ∂(x*w)/∂x = w = -3."""
        # Written when shown, not in the pass: a big pass prints only a few of its rows.
        return rule(self.op, self.operands, self.position, self.local, self.number_format,
                    self.output)


class Step(NamedTuple):
    """One node of the backward pass: its value, its gradient, what it sends to each input."""

    # A public field named as tuple's method index(), which it hides on a Step (a NamedTuple).
    index: int  # type: ignore[assignment]
    node: Value
    name: str
    value: float
    op: str | None
    upstream: float
    terms: tuple[Term, ...]

    @property
    def expression(self) -> str:
        """The node in its operands' names (x*w); its own name for a leaf."""
        if self.op is None or not self.terms:
            return self.name
        return expression(self.op, self.terms[0].operands)
