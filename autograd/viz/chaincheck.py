"""Check a graph's gradients against one fresh backward pass before they are shown.

After one backward pass every node's grad is what the chain rule gives from the root's seed.
That fails when the numbers in ``.grad`` do not come from one pass: leaf gradients left over
from earlier passes (they accumulate), a node used by a graph outside the picture, or gradients
set by hand.  The check runs that one pass itself, on its own buffers (core/fresh.py), over every
node and every op (a constant operand such as the 2 of ``x ** 2`` takes no gradient and needs
none), and compares: draw() shows the fresh pass's numbers and marks where ``.grad`` differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core.fresh import ABS_TOL, REL_TOL, fresh_grads, held_elsewhere, held_lines
from ..core.value import Value

__all__ = ["ABS_TOL", "REL_TOL", "ChainRuleReport", "check_chain_rule"]


@dataclass(frozen=True)
class ChainRuleReport:
    """Where .grad is not what one fresh pass gives: node -> the fresh pass's gradient."""

    expected: dict[Value, float]
    no_backward: bool  # the roots' gradients are all 0: backward has not run from them
    fresh: dict[Value, float] = field(default_factory=dict)  # every node's fresh gradient

    def __bool__(self) -> bool:
        return bool(self.expected) or self.no_backward

    def message(self, names: dict[Value, str] | None = None, number_format: str = ".4g") -> str:
        """The banner a drawing shows, one short line each: what .grad holds, why, what is shown."""
        if self.no_backward:
            return ("no backward pass has run from this graph yet:\nevery grad shown is 0 or "
                    "left over; call backward() first")
        wrong = [(v, v.grad, want) for v, want in self.expected.items()]
        n = len(wrong)
        head = (f"⚠ .grad is not one backward pass's gradient at {n} box{'es' if n != 1 else ''}"
                " (red):")
        return "\n".join(held_lines(wrong, names or {}, number_format, head=head,
                                     written="zero_grad(), then backward() once"))


def _seeds(order: Sequence[Value], roots: Sequence[Value]) -> list[tuple[Value, float]]:
    """Each root the others do not reach, with the seed its .grad shows (1 before any pass)."""
    inner: set[Value] = set()  # every node some root depends on
    root_set = set(roots)
    for v in reversed(order):  # consumers first: order lists inputs first
        if v in root_set or v in inner:
            inner.update(v.inputs)
    tops = [r for r in dict.fromkeys(roots) if r not in inner]
    if all(r.grad == 0.0 for r in tops):
        return [(r, 1.0) for r in tops]
    return [(r, r.grad) for r in tops]


def check_chain_rule(order: Sequence[Value], roots: Sequence[Value]) -> ChainRuleReport:
    """Compare each node's .grad in `order` with one fresh pass from `roots`.

    order: every Value of the graph, inputs first (autograd.viz.layout.graph_order).  The roots
    are seeded with their own .grad (the seed the user's pass used; 1 before any pass), so they
    always agree; constants (requires_grad=False leaves) take no gradient and are not checked.
    """
    seeds = _seeds(order, roots)
    fresh = fresh_grads(seeds)
    no_backward = all(r.grad == 0.0 for r, _ in seeds) and any(r.op is not None for r in roots)
    wrong = {} if no_backward else {v: want for v, _, want in held_elsewhere(fresh, list(order))}
    return ChainRuleReport(wrong, no_backward, fresh)
