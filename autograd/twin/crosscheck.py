"""crosscheck: every node's value and every leaf's gradient against a PyTorch twin of the graph.

Tolerances are relative to how large rounding can get at each node, not to the numbers alone:
a value is compared within ``rtol`` times its forward rounding scale (what an ulp of error in
every input could grow into), a gradient within ``rtol`` times the sum over paths of the products
of local derivatives, as tests/test_property.py does.  So a badly conditioned graph is not a
false alarm, while on a well-conditioned one a formula off by more than about 1e-9 relatively is
reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..core.backward import grad
from ..core.checks import nonnegative
from ..core.graph import topological_order
from ..core.modes import describe
from ..core.value import Value
from .torch_twin import require_torch, to_torch, twin_of


class CrosscheckError(AssertionError):
    """valuegrad and PyTorch disagree; the message names the node, its op and both numbers."""


@dataclass(frozen=True)
class Disagreement:
    """The first place valuegrad and PyTorch differ: what, where, and both numbers."""

    kind: str  # "value", "local derivative" or "gradient"
    node: Value
    ours: float
    theirs: float
    input_index: int | None = None
    note: str = ""  # why, when it is more than the two numbers

    def __str__(self) -> str:
        where = f"the {self.node.op!r} node" if self.node.op else "the leaf"
        label = f" labelled {self.node.label!r}" if self.node.label else ""
        inputs = ", ".join(f"{describe(x)}={x.data!r}" for x in self.node.inputs)
        of = f" of ({inputs})" if inputs else ""
        slot = "" if self.input_index is None else f" with respect to input {self.input_index}"
        note = f"; {self.note}" if self.note else ""
        return (f"{self.kind}{slot} of {where}{label}{of}: valuegrad {self.ours!r}, "
                f"PyTorch {self.theirs!r}{note}")


def _agree(ours: float, theirs: float, tol: float) -> bool:
    if math.isnan(ours) or math.isnan(theirs):
        return math.isnan(ours) and math.isnan(theirs)
    if math.isinf(ours) or math.isinf(theirs):
        return ours == theirs
    return not abs(ours - theirs) > tol  # an infinite or nan tolerance bounds nothing


def forward_scales(order: list[Value]) -> dict[Value, float]:
    """How large a value's rounding can get: max(|v|, Σ |local_k| · scale(input_k))."""
    scale: dict[Value, float] = {}
    for v in order:
        total = 0.0
        for x, local in zip(v.inputs, v.local_grads, strict=False):
            if local is not None:
                total += abs(local) * scale[x]
        scale[v] = max(abs(v.data), total)
    return scale


def backward_scales(root: Value, order: list[Value], floor: float) -> dict[Value, float]:
    """Σ over paths from root of Π max(|local derivative|, floor): how large rounding can get."""
    scale = {root: 1.0}
    for v in reversed(order):
        s = scale.get(v, 0.0)
        for x, local in zip(v.inputs, v.local_grads, strict=False):
            if local is not None:
                scale[x] = scale.get(x, 0.0) + max(abs(local), floor) * s
    return scale


def crosscheck(root: Value, rtol: float = 1e-9, atol: float = 1e-13,
               raise_exception: bool = True) -> bool:
    """Compare every node's value and every leaf's gradient with PyTorch float64.

    Returns True when all agree.  Otherwise raises CrosscheckError (or returns False) naming the
    first node, in the order the graph was computed, whose value or local derivative differs,
    with both numbers.  Leaves' ``.grad`` are not touched.
    """
    for name, number in (("rtol", rtol), ("atol", atol)):
        nonnegative(number, f"crosscheck: {name}")
    found = first_disagreement(root, rtol, atol)
    if found is None:
        return True
    if raise_exception:
        raise CrosscheckError(f"crosscheck failed: {found}")
    return False


def first_disagreement(root: Value, rtol: float = 1e-9, atol: float = 1e-13
                       ) -> Disagreement | None:
    """The first value, local derivative or leaf gradient where PyTorch differs; None if none."""
    torch = require_torch("crosscheck")
    twin = to_torch(root)
    order = topological_order(root)
    scale = forward_scales(order)
    for v in order:
        theirs = twin.tensors[v].item()
        if not _agree(v.data, theirs, rtol * scale[v] + atol):
            return Disagreement("value", v, v.data, theirs)
    leaves = [v for v in order if v.is_leaf and v.requires_grad]
    if not leaves or not twin.root.requires_grad:
        return None
    ours = grad(root, leaves, create_graph=False)
    for v, t in twin.tensors.items():
        if not v.is_leaf and t.requires_grad:
            t.retain_grad()  # interior gradients, to say where a difference enters
    twin.root.backward()
    tight, loose = backward_scales(root, order, 0.0), backward_scales(root, order, 1.0)

    def differs(v: Value, g: float) -> float | None:
        t = twin.tensors[v].grad
        theirs = 0.0 if t is None else t.item()
        tol = rtol * max(tight.get(v, 0.0), abs(theirs)) + 1e-4 * rtol * loose.get(v, 0.0) + atol
        return None if _agree(g, theirs, tol) else theirs

    for leaf, g in zip(leaves, ours, strict=True):
        if differs(leaf, g) is not None:
            return _first_bad_local(torch, order, rtol, atol) or _first_bad_adjoint(
                root, order, differs)
    return None


def _first_bad_adjoint(root: Value, order: list[Value], differs: Any) -> Disagreement:
    """With every local derivative right, the first node (from the root) whose gradient differs.

    There the chain rule's products differ: typically 0 · inf, which valuegrad multiplies out to
    nan and PyTorch masks to 0 (relu and abs after an infinite slope).
    """
    adjoint = {root: 1.0}
    for v in reversed(order):
        g = adjoint.get(v, 0.0)
        theirs = differs(v, g)
        if theirs is not None:
            consumers = [c for c in order if any(x is v for x in c.inputs)]
            via = ", ".join(sorted({repr(c.op) for c in consumers}))
            return Disagreement("gradient", v, g, theirs,
                                note=f"every local derivative agrees: the products of the "
                                     f"chain rule differ where this node's gradient flows in "
                                     f"from its {via} consumer(s) (0 · inf is nan here; "
                                     f"PyTorch masks some such products to 0)")
        for x, local in zip(v.inputs, v.local_grads, strict=False):
            if local is not None:
                adjoint[x] = adjoint.get(x, 0.0) + local * g
    raise AssertionError("a leaf's gradient differs, yet no node's does")  # cannot happen


def _first_bad_local(torch: Any, order: list[Value], rtol: float, atol: float
                     ) -> Disagreement | None:
    """The first node whose stored local derivative differs from PyTorch's at the same inputs."""
    for v in order:
        if v.is_leaf:
            continue
        locals_ = v.local_grads
        xs = [torch.tensor(x.data, dtype=torch.float64, requires_grad=local is not None)
              for x, local in zip(v.inputs, locals_, strict=False)]
        out = twin_of(v.op)(torch, *xs)  # type: ignore[arg-type]  # not a leaf: op is set
        wanted = [x for x in xs if x.requires_grad]
        slopes = iter(torch.autograd.grad(out, wanted, allow_unused=True))
        for k, local in enumerate(locals_):
            if local is None:
                continue
            t = next(slopes)
            theirs = 0.0 if t is None else t.item()
            tol = rtol * max(abs(local), abs(theirs)) + 1e-4 * rtol * max(1.0, abs(v.data)) + atol
            if not _agree(local, theirs, tol):
                return Disagreement("local derivative", v, local, theirs, k)
    return None
