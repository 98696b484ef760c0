"""Check a graph's gradients against the chain rule before they are shown.

After one backward pass every node's grad equals the sum, over the operations that consume it,
of that operation's grad times its local derivative.  That fails when the numbers on show do not
come from one pass: leaf gradients left over from earlier passes (they accumulate), a node used
by a graph outside the picture, or gradients set by hand.  A drawing that shows such numbers as
if they were consistent teaches the wrong thing, so draw() marks them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.value import Value

REL_TOL = 1e-7  # summation order may differ from the pass's; anything larger is a real mismatch
ABS_TOL = 1e-12


@dataclass(frozen=True)
class ChainRuleReport:
    """Where shown gradients break the chain rule: node -> the grad the chain rule gives."""

    expected: dict[Value, float]
    no_backward: bool  # the roots' gradients are all 0: backward has not run from them

    def __bool__(self) -> bool:
        return bool(self.expected) or self.no_backward

    def message(self) -> str:
        """The banner text a drawing shows."""
        if self.no_backward:
            return ("no backward pass has run from this graph yet: every grad shown is 0 "
                    "or left over; call backward() first")
        n = len(self.expected)
        return (f"⚠ these gradients do not add up: the chain rule fails at {n} "
                f"box{'es' if n != 1 else ''} (marked red). Stale gradients from an earlier "
                "backward? Zero them (zero_grad) and run backward once.")


def check_chain_rule(order: Sequence[Value], roots: Sequence[Value]) -> ChainRuleReport:
    """Compare each node's .grad with what its consumers in `order` pass down to it.

    order: every Value of the graph, inputs first (autograd.viz.layout.graph_order).  Roots are not
    checked (their grad is the seed); constants (requires_grad=False leaves) neither.
    """
    expected: dict[Value, float] = {}
    complete = True  # a consumer without float local derivatives makes the sum unknown
    for v in order:
        if v.op is None:
            continue
        locals_ = v.local_grads
        for x, local in zip(v.inputs, locals_):
            if local is None:
                complete = False
                continue
            expected[x] = expected.get(x, 0.0) + v.grad * local
    root_set = set(roots)
    wrong = {}
    for v in order:
        if v in root_set or (v.is_leaf and not v.requires_grad) or not complete:
            continue
        want = expected.get(v, 0.0)
        if math.isfinite(want) and math.isfinite(v.grad) and not math.isclose(
                v.grad, want, rel_tol=REL_TOL, abs_tol=ABS_TOL):
            wrong[v] = want
    no_backward = all(r.grad == 0.0 for r in roots) and any(r.op is not None for r in roots)
    return ChainRuleReport(wrong, no_backward)
