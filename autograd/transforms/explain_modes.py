"""Forward mode next to reverse mode on one graph: both traces, and what each costs.

``explain_modes(outputs, inputs)`` shows, for every node in the order the graph was computed,
its tangent (forward mode: Σ local derivative × the input's tangent, along one input) beside its
adjoint (reverse mode: Σ local derivative × the consumer's adjoint, from one output), then counts
the multiplications each mode needs for one sweep and for the whole Jacobian: one forward sweep
per input against one backward pass per output.  That count is why reverse mode wins for one loss
and many parameters, and forward mode for one input and many outputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core.value import Value
from ..output.escape import html_text, markdown_text
from .forward import order_of, tangent_sweep
from .jacobians import adjoint_sweep

_CELL = "border: 1px solid #bbb; padding: 2px 8px; text-align: left; white-space: nowrap"

# One term of a trace: (the other node, local derivative, that node's tangent or adjoint).
Term = tuple[Value, float, float]


@dataclass
class ModeComparison:
    """Both traces over one graph, and the multiplication counts of both modes."""

    outputs: list[Value]
    inputs: list[Value]
    order: list[Value]
    tangent: dict[Value, float]  # along inputs[0]
    tangent_terms: dict[Value, list[Term]]
    adjoint: dict[Value, float]  # of outputs[0]
    adjoint_terms: dict[Value, list[Term]]
    forward_counts: list[int] = field(default_factory=list)  # multiplications, per input
    reverse_counts: list[int] = field(default_factory=list)  # multiplications, per output

    def name(self, v: Value) -> str:
        """How a node is called in the tables: its label, else its position."""
        return v.label or f"v{self.order.index(v)}"

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """(node, op, value, tangent formula, adjoint formula) per node, in computing order."""
        out = []
        for v in self.order:
            out.append((self.name(v), v.op or "leaf", f"{v.data:.6g}",
                        self._formula(v, self.tangent, self.tangent_terms, "seed"),
                        self._formula(v, self.adjoint, self.adjoint_terms, "seed")))
        return out

    def _formula(self, v: Value, result: dict[Value, float], terms: dict[Value, list[Term]],
                 seed: str) -> str:
        if v not in result:
            return "0 (not reached)"
        parts = terms.get(v)
        if not parts:
            return f"{result[v]:.6g} ({seed})"
        shown = " + ".join(f"{local:.4g} × {number:.4g} [{self.name(x)}]"
                           for x, local, number in parts)
        return f"{shown} = {result[v]:.6g}"

    def counts(self) -> dict[str, int]:
        """Multiplications: one forward sweep, one backward pass, and each mode's full Jacobian."""
        return {"forward_sweep": self.forward_counts[0], "backward_pass": self.reverse_counts[0],
                "jacobian_forward": sum(self.forward_counts),
                "jacobian_reverse": sum(self.reverse_counts)}

    def summary(self) -> str:
        """The cost paragraph: which mode needs fewer multiplications for the whole Jacobian."""
        c = self.counts()
        n, m = len(self.inputs), len(self.outputs)
        if c["jacobian_forward"] == c["jacobian_reverse"]:
            verdict = "both modes cost the same here"
        elif c["jacobian_forward"] < c["jacobian_reverse"]:
            verdict = "forward mode is cheaper here (fewer inputs than outputs)"
        else:
            verdict = "reverse mode is cheaper here (fewer outputs than inputs)"
        return (f"one forward sweep: {c['forward_sweep']} multiplications, giving d(every "
                f"output)/d {self.name(self.inputs[0])}\n"
                f"one backward pass: {c['backward_pass']} multiplications, giving "
                f"d {self.name(self.outputs[0])}/d(every input)\n"
                f"whole Jacobian ({m} output{'s' * (m != 1)} × {n} input{'s' * (n != 1)}): "
                f"forward {n} sweep{'s' * (n != 1)} = {c['jacobian_forward']}, reverse {m} "
                f"pass{'es' * (m != 1)} = {c['jacobian_reverse']} multiplications: {verdict}")

    def __str__(self) -> str:
        head = ("node", "op", "value", f"tangent d/d {self.name(self.inputs[0])} = Σ local × "
                "tangent [input] (top to bottom)", f"adjoint d {self.name(self.outputs[0])}/d = "
                "Σ local × adjoint [consumer] (bottom to top)")
        table = [head, *self.rows()]
        widths = [max(len(r[k]) for r in table) for k in range(5)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
                 for r in table]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines) + "\n\n" + self.summary()

    __repr__ = __str__

    def to_html(self) -> str:
        """Both traces as one HTML table with the costs below it (what Jupyter shows)."""
        def cell(text: str, tag: str = "td") -> str:
            return f"<{tag} style='{_CELL}'>{html_text(text)}</{tag}>"
        head = ["node", "op", "value",
                f"tangent d/d {self.name(self.inputs[0])} (forward ↓)",
                f"adjoint d {self.name(self.outputs[0])}/d (reverse ↑)"]
        rows = ["<tr>" + "".join(cell(h, "th") for h in head) + "</tr>"]
        rows += ["<tr>" + "".join(cell(c) for c in r) + "</tr>" for r in self.rows()]
        summary = "<br>".join(html_text(line) for line in self.summary().splitlines())
        return (f"<table style='border-collapse: collapse; font-family: monospace'>"
                f"{''.join(rows)}</table><p style='font-family: monospace'>{summary}</p>")

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_markdown(self) -> str:
        """The same tables as Markdown (for notes and notebooks)."""
        cell = markdown_text
        head = ["node", "op", "value", f"tangent d/d {self.name(self.inputs[0])}",
                f"adjoint d {self.name(self.outputs[0])}/d"]
        lines = ["| " + " | ".join(map(cell, head)) + " |", "|" + "---|" * 5]
        lines += ["| " + " | ".join(map(cell, r)) + " |" for r in self.rows()]
        return "\n".join(lines) + "\n\n" + "  \n".join(map(markdown_text,
                                                        self.summary().splitlines()))


def _as_list(x: Value | Sequence[Value], what: str) -> list[Value]:
    items = [x] if isinstance(x, Value) else list(x) if isinstance(x, (list, tuple)) else None
    if not items or not all(isinstance(v, Value) for v in items):
        raise TypeError(f"explain_modes: {what} must be a Value or a non-empty list of Values")
    return items


def _reverse(order: list[Value], root: Value) -> tuple[dict[Value, float],
                                                        dict[Value, list[Term]], int]:
    """Adjoints from root (as grad() computes them), each node's terms, and the multiplications."""
    adjoint: dict[Value, float] = {root: 1.0}
    terms: dict[Value, list[Term]] = {}
    count = 0
    for v, x, local, g in adjoint_sweep(order, adjoint):
        terms.setdefault(x, []).append((v, local, g))
        count += 1
    return adjoint, terms, count


def _forward(order: list[Value], x: Value) -> tuple[dict[Value, float],
                                                    dict[Value, list[Term]], int]:
    """Tangents along x from the forward sweep itself, each node's terms, the multiplications."""
    terms: dict[Value, list[Term]] = {}

    def record(node: Value, node_terms: list[Term]) -> None:
        terms[node] = node_terms

    tangent = tangent_sweep(order, {x: 1.0}, record=record)
    return tangent, terms, sum(len(t) for t in terms.values())


def explain_modes(outputs: Value | Sequence[Value], inputs: Value | Sequence[Value]
                  ) -> ModeComparison:
    """Forward mode's tangent trace (along inputs[0]) beside reverse mode's adjoint trace."""
    outs, ins = _as_list(outputs, "outputs"), _as_list(inputs, "inputs")
    order = order_of(outs)
    tangent, tangent_terms, _ = _forward(order, ins[0])
    adjoint, adjoint_terms, _ = _reverse(order, outs[0])
    result = ModeComparison(outs, ins, order, tangent, tangent_terms, adjoint, adjoint_terms)
    result.forward_counts = [_forward(order, x)[2] for x in ins]
    result.reverse_counts = [_reverse(order, y)[2] for y in outs]
    return result
