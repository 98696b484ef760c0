"""Why backward needs a topological order: the recursive pass a beginner writes first, compared.

The naive pass starts at the root and, for each input of a node, adds local × gradient to the
input and, the first time it meets that input, passes the input's gradient on at once::

    def backward(node):
        for child, local in zip(node.inputs, node.local_grads):
            child.grad += local * node.grad
            if child not in visited:
                visited.add(child)
                backward(child)

A node used by several others is passed on after its *first* consumer has added to it; what the
later consumers add arrives too late.  ``explain(root).naive()`` runs this on the same graph (on
its own numbers: no ``.grad`` is touched) and shows it next to the correct pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..core.value import Value
from ..output.escape import html_text
from .records import Step
from .rules import number


@dataclass(frozen=True)
class NaiveRow:
    """One node's gradient from the correct pass and from the naive one."""

    node: Value
    name: str
    correct: float
    naive: float
    differs: bool


@dataclass(frozen=True)
class EarlyNode:
    """A node the naive pass passed on before all of its consumers had added to its gradient."""

    node: Value
    name: str
    passed_on: float  # its gradient when the naive pass sent it to its inputs
    late: float  # its naive gradient at the end: what the later consumers added never went on
    complete: float  # its gradient in the correct pass
    consumers: int
    first: str  # the consumer whose contribution was the only one in when it was passed on


def _edges(v: Value) -> list[tuple[Value, float]]:
    return [(x, d) for x, d in zip(v.inputs, v.local_grads, strict=False)
            if d is not None and not (x.is_leaf and not x.requires_grad)]


def _close(a: float, b: float, abs_tol: float = 1e-12) -> bool:
    # The two passes add the same products in a different order: the last bits may differ.
    return a == b or (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9,
                                                                         abs_tol=abs_tol)


def naive_pass(root: Value, seed: float) -> tuple[dict[Value, float], dict[Value, float],
                                                  dict[Value, Value]]:
    """Run the recursive pass (with an explicit stack, so deep graphs work).

    Returns each node's final gradient, its gradient when it was passed on, and the consumer
    through which the pass first reached it.
    """
    grads: dict[Value, float] = {root: seed}
    passed: dict[Value, float] = {root: seed}
    first: dict[Value, Value] = {}
    stack = [(root, iter(_edges(root)))]
    while stack:
        v, pending = stack[-1]
        edge = next(pending, None)
        if edge is None:
            stack.pop()
            continue
        x, local = edge
        grads[x] = grads.get(x, 0.0) + local * grads[v]
        if x not in passed:  # first time here: pass it on now, complete or not
            passed[x] = grads[x]
            first[x] = v
            stack.append((x, iter(_edges(x))))
    return grads, passed, first


class NaiveComparison:
    """The naive pass next to the correct one: which gradients differ, and which node is why."""

    def __init__(self, rows: list[NaiveRow], early: list[EarlyNode], root_name: str,
                 number_format: str) -> None:
        self.rows = rows
        self.early = early
        self.root_name = root_name
        self.number_format = number_format

    @property
    def differing(self) -> list[Value]:
        """The nodes whose naive gradient is wrong."""
        return [r.node for r in self.rows if r.differs]

    def __repr__(self) -> str:
        return (f"<NaiveComparison of {self.root_name!r}: {len(self.differing)} of "
                f"{len(self.rows)} gradients differ>")

    def _table(self) -> list[tuple[str, ...]]:
        f = self.number_format
        header: list[tuple[str, ...]] = [("node", "backward()", "naive", "")]
        return header + [
            (r.name, number(r.correct, f), number(r.naive, f), "✗ differs" if r.differs else "")
            for r in self.rows]

    def _why(self) -> list[str]:
        f = self.number_format
        if not self.early:
            return ["every node was complete when the naive pass reached it (no node is used "
                    "twice on the way), so both passes agree"]
        many = len(self.early) != 1
        lines = [f"why: {len(self.early)} reused node{'s were' if many else ' was'} passed on "
                 f"before all {'their' if many else 'its'} consumers had added to "
                 f"{'their' if many else 'its'} gradient:"]
        for e in self.early:
            lines.append(f"  {e.name} (used by {e.consumers}) was passed on with grad "
                         f"{number(e.passed_on, f)}, from {e.first} alone; later consumers "
                         f"brought it to {number(e.late, f)} (correct: {number(e.complete, f)}),"
                         " but that never reached its inputs")
        lines.append("backward() visits nodes in reverse topological order: every consumer "
                     "first, so each gradient is complete before it is passed on")
        return lines

    def __str__(self) -> str:
        table = self._table()
        widths = [max(len(r[i]) for r in table) for i in range(4)]
        lines = [f"naive recursive backward (each node passed on as soon as it is reached) vs "
                 f"backward() (topological order), gradients of {self.root_name}:"]
        for n, r in enumerate(table):
            lines.append("  " + "  ".join(c.rjust(w) if 0 < i < 3 else c.ljust(w)
                                          for i, (c, w) in enumerate(zip(r, widths, strict=True)))
                         .rstrip())
            if n == 0:
                lines.append("  " + "  ".join("-" * w for w in widths[:3]))
        return "\n".join(lines + self._why())

    def _repr_pretty_(self, p: object, cycle: bool) -> None:
        p.text(repr(self) if cycle else str(self))  # type: ignore[attr-defined]

    def _repr_html_(self) -> str:
        head, *rows = self._table()
        cells = "".join(
            "<tr" + (' style="color: #b71c1c; font-weight: bold"' if r[3] else "") + ">"
            + "".join(f"<td>{html_text(c)}</td>" for c in r) + "</tr>" for r in rows)
        why = "".join(f"<p>{html_text(line)}</p>" for line in self._why())
        return ('<div><table style="font-family: monospace; text-align: right"><thead><tr>'
                + "".join(f"<th>{html_text(h)}</th>" for h in head)
                + f"</tr></thead><tbody>{cells}</tbody></table>{why}</div>")


def compare(root: Value, seed: float, order: Sequence[Value], steps: Sequence[Step],
            names: dict[Value, str], number_format: str,
            correct_grad: Callable[[Value], float]) -> NaiveComparison:
    """Run the naive pass on the explained graph and line it up with the recorded correct one.

    `steps` are the correct pass's, `correct_grad(v)` what it sent into v (Explanation.naive()
    gives both).
    """
    grads, passed, first = naive_pass(root, seed)
    consumers: dict[Value, int] = {}
    for v in order:
        for x, _ in _edges(v):
            consumers[x] = consumers.get(x, 0) + 1
    rows, early = [], []
    for step in steps:
        v = step.node
        correct = correct_grad(v)
        got = grads.get(v, 0.0)
        rows.append(NaiveRow(v, step.name, correct, got, not _close(correct, got)))
        # Both numbers come from the naive pass itself: any relative difference is a late one.
        if v in passed and v.op is not None and not _close(passed[v], got, abs_tol=0.0):
            early.append(EarlyNode(v, step.name, passed[v], got, correct, consumers.get(v, 0),
                                   names[first[v]]))
    return NaiveComparison(rows, early, names[root], number_format)
