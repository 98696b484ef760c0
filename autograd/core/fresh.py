"""One fresh backward pass on a view's own buffers, and what ``.grad`` holds beside it.

The teaching views (explain, step_through, draw, nn.diagram, nn.matrix_view) show the gradients
of one backward pass, whatever earlier passes left in the leaves' ``.grad`` (they accumulate).
They compute that pass here, into a dict, and never add into ``.grad``: explain and step_through
(which run backward for the user) copy the pass into ``.grad`` only when every leaf holds 0, so
nothing is lost; otherwise ``.grad`` stays as it is and the header says what it holds and why.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from . import graph
from .backward import Step, chain_rule
from .value import Value, trace_hook, tracing

REL_TOL = 1e-7  # a view's summation order may differ from backward's; more is a real difference
ABS_TOL = 1e-12
MAX_NAMED = 3  # a header names at most this many differing .grad, then counts the rest


def fresh_grads(roots: Sequence[tuple[Value, float]],
                record: Callable[[Step], Any] | None = None) -> dict[Value, float]:
    """d(Σ seed·root)/d(node) for every node the roots reach, as one backward pass gives it.

    Nothing is written into any ``.grad``.  For one root the additions are backward()'s own, in
    its order, so every number is bit for bit what ``root.backward(seed)`` would put in ``.grad``
    on zeroed leaves.  A leaf that takes no gradient gets 0.  `record` is called per node, as
    backward(record=...) calls it.
    """
    if tracing:  # inside a compiled function: its numbers would be the trace's forever
        for root, _ in roots:
            trace_hook(root, "backward() (a fresh pass: explain, draw, step_through)")
    order: list[Value] = []
    seen: set[Value] = set()
    with graph.walk_lock:
        for root, _ in roots:
            for v in graph.walk(root)[0]:
                if v not in seen:
                    seen.add(v)
                    order.append(v)
    grads: dict[Value, float] = {}
    for root, seed in roots:
        grads[root] = grads.get(root, 0.0) + seed

    def add(x: Value, product: float) -> None:
        grads[x] = grads.get(x, 0.0) + product

    chain_rule(order, grads.get, add, record=record)
    for v in order:
        if v._a is None and not v._rg:
            grads[v] = 0.0
        else:
            grads.setdefault(v, 0.0)
    return grads


def same(a: float, b: float) -> bool:
    """Whether a shown gradient and a held one are the same number (nan equals nan here)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def held_elsewhere(fresh: dict[Value, float], nodes: Sequence[Value] | None = None
                   ) -> list[tuple[Value, float, float]]:
    """(node, its .grad, the fresh pass's gradient) wherever the two differ.

    `nodes`: the nodes to look at (default: every leaf that takes a gradient).
    """
    if nodes is None:
        nodes = [v for v in fresh if v._a is None and v._rg]
    return [(v, v.grad, fresh.get(v, 0.0)) for v in nodes
            if not (v._a is None and not v._rg) and not same(v.grad, fresh.get(v, 0.0))]


def why(differences: Sequence[tuple[Value, float, float]]) -> str:
    """The likely reason .grad holds other numbers than one fresh pass gives (a short clause)."""
    if all(held == 0.0 for _, held, _ in differences):
        return "no backward() has run on this graph yet"
    ratios = {held / want for _, held, want in differences if want != 0.0 and held != 0.0}
    if len(ratios) == 1 and all(held != 0.0 for _, held, _ in differences):
        k = ratios.pop()
        if k == round(k) and 2 <= k <= 100:
            return f"{round(k)} backward passes added into it"
    return "an earlier backward() added into it, or it was set by hand"


ACCUMULATE = "leaf gradients accumulate until zero_grad()"


def held_lines(differences: Sequence[tuple[Value, float, float]], names: dict[Value, str],
               number_format: str, *, written: str = ".grad is left as it is",
               head: str = "⚠ .grad holds other numbers than shown here:") -> list[str]:
    """A view's warning as short lines (a drawing's caption): what .grad holds, why, what is
    shown.  [] when nothing differs."""
    if not differences:
        return []
    if all(held == 0.0 for _, held, _ in differences):  # nothing stale: just not written
        return ["note: .grad is 0 in every leaf, as no backward() has run on this graph;",
                f"shown: one backward pass; {written}."]
    # The largest differences first: they are the ones a reader would act on.
    differences = sorted(differences, key=lambda d: -_gap(d[1], d[2]))
    lines = [head]
    lines += [f"{names.get(v, 'a node')}.grad = {format(held, number_format)} "
              f"(one pass: {format(want, number_format)})"
              for v, held, want in differences[:MAX_NAMED]]
    if len(differences) > MAX_NAMED:
        lines.append(f"and {len(differences) - MAX_NAMED} more")
    return [*lines, f"why: {why(differences)}", f"({ACCUMULATE})",
            f"Shown: one fresh backward pass; {written}."]


def _gap(held: float, want: float) -> float:
    gap = abs(held - want)
    return math.inf if math.isnan(gap) else gap


def held_note(differences: Sequence[tuple[Value, float, float]], names: dict[Value, str],
              number_format: str, *, written: str = ".grad is left as it is") -> str:
    """held_lines() as one line, for the line under a table's title."""
    lines = held_lines(differences, names, number_format, written=written)
    if len(lines) < 3:
        return " ".join(lines)
    head, *items, reason, accumulate, shown = lines
    return f"{head} {', '.join(items)}; {reason} {accumulate}. {shown}"


def fill_if_empty(fresh: dict[Value, float], order: Sequence[Value]) -> bool:
    """Put one pass's gradients into .grad if every leaf of `order` that takes one holds 0.

    Afterwards .grad is bit for bit what backward() leaves on zeroed leaves.  Returns whether it
    wrote; a leaf holding anything (an earlier pass, a sum being accumulated) is never touched.
    """
    with graph.walk_lock:
        if any(v.grad != 0.0 for v in order if v._a is None and v._rg):
            return False
        for v in order:
            if v._a is not None or v._rg:
                v.grad = fresh.get(v, 0.0)
    return True
