"""Explain a backward pass as the arithmetic a tutorial writes by hand, with the actual numbers.

``explain(root)`` runs ``backward(root, record=...)`` and keeps every multiplication the pass made:
for each node in the order the pass visits it, the upstream gradient, and for each input the
local derivative, their product, and the input's gradient so far (the running sum when several
paths meet).  The numbers are the very ones the pass added into ``.grad``; nothing is recomputed.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterator
from dataclasses import dataclass

from .backward import backward
from .escape import INVISIBLE as _INVISIBLE
from .graph import topological_order
from .naming import node_names
from .ops import OPS
from .value import Value, to_float

DEFAULT_MAX_PATHS = 1000
MAX_HTML_ROWS = 400  # Jupyter shows at most this many rows, so a big pass cannot freeze it


@dataclass(frozen=True)
class Term:
    """One input's share of a step: local derivative × upstream = product, added to its grad."""

    input: Value
    name: str
    local: float
    product: float
    running: float  # the input's .grad right after this product was added


@dataclass(frozen=True)
class Step:
    """One node of the backward pass: its gradient so far and what it sends to each input."""

    index: int
    node: Value
    name: str
    op: str | None
    upstream: float
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Path:
    """One chain from the root down to a node, and the product of the local derivatives on it."""

    nodes: tuple[Value, ...]  # root first
    names: tuple[str, ...]
    locals: tuple[float, ...]  # locals[i] = d nodes[i] / d nodes[i+1]
    product: float  # seed × every local


def printable(text: str) -> str:
    """Spell out control, bidi and zero-width characters (\\x1b, \\u202e) so text prints as is.

    A label holding a terminal escape sequence must not recolour or retitle the terminal when the
    table is printed, nor a newline break the table's rows.
    """
    out = []
    for ch in text:
        code = ord(ch)
        if code < 32 or 0x7F <= code < 0xA0:
            out.append(f"\\x{code:02x}")
        elif ch in _INVISIBLE or 0xD800 <= code < 0xE000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _count(n: int, noun: str) -> str:
    """'1 step', '7 steps'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _wrap(name: str) -> str:
    """Parenthesise a name that is an expression, so ∂(x*y)/∂x reads as one fraction."""
    plain = name.replace(".", "").replace("_", "").rstrip("'")  # v2' is a generated name
    return name if plain.isalnum() else f"({name})"


class PathReport:
    """Every root-to-node path with its chain-rule product; their sum is the node's gradient."""

    def __init__(self, target: Value, name: str, root_name: str, seed: float, paths: list[Path],
                 count: int, gained: float, number_format: str) -> None:
        self.target = target
        self.name = name
        self.root_name = root_name
        self.seed = seed
        self.paths = paths
        self.count = count  # all paths, even those left out above the cap
        self.truncated = len(paths) < count
        self.total = math.fsum(p.product for p in paths)
        self.gradient = gained  # what this backward pass added to the node's .grad
        self._fmt = number_format

    def __repr__(self) -> str:
        return (f"PathReport({self.name!r}: {len(self.paths)} of {self.count} paths, "
                f"sum={self.total!r}, gradient={self.gradient!r})")

    def __str__(self) -> str:
        f = self._fmt
        top = f"∂{_wrap(self.root_name)}/∂{_wrap(self.name)}"
        lines = [f"{top}: {self.count} path{'s' if self.count != 1 else ''} from "
                 f"{self.root_name} to {self.name}"]
        for i, p in enumerate(self.paths, 1):
            factors = [f"∂{_wrap(a)}/∂{_wrap(b)}"
                       for a, b in zip(p.names, p.names[1:], strict=False)]
            numbers = [format(x, f) for x in p.locals]
            if self.seed != 1.0:
                factors.insert(0, "seed")
                numbers.insert(0, format(self.seed, f))
            chain = " · ".join(factors) or "1"
            lines.append(f"  path {i}: {chain}")
            lines.append(f"          = {' · '.join(numbers) or '1'} = {format(p.product, f)}")
        if self.truncated:
            lines.append(f"  ... {self.count - len(self.paths)} more paths not listed "
                         "(raise max_paths to see them)")
        else:
            lines.append(f"  sum of the paths = {format(self.total, f)}; the backward pass gave "
                         f"{format(self.gradient, f)}")
        return "\n".join(lines)


class Explanation:
    """The recorded backward pass: ``steps`` in pass order; prints as a table, HTML, Markdown."""

    def __init__(self, root: Value, seed: float, steps: list[Step], names: dict[Value, str],
                 start: dict[Value, float], number_format: str) -> None:
        self.root = root
        self.seed = seed
        self.steps = steps
        self.names = names
        self.start = start  # each node's .grad when the pass began (leaves may hold old sums)
        self.number_format = number_format

    # --- reading the numbers ----------

    def grad_of(self, node: Value) -> float:
        """The gradient the pass gave `node`: its last running sum (the root: its seed).

        For a constant (requires_grad=False) this is what flowed into it; backward() then
        discards it, so the constant's .grad stays 0.
        """
        value = self.start.get(node, 0.0)
        for step in self.steps:
            for t in step.terms:
                if t.input is node:
                    value = t.running
        return value

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def _find(self, node: Value | str) -> Value:
        if isinstance(node, Value):
            if node not in self.names:
                raise ValueError("that Value is not part of the explained graph")
            return node
        if isinstance(node, str):
            # The shown name, or the label itself when printing had to spell characters out.
            found = [v for v, n in self.names.items() if n == node or (v.label == node != n)]
            if len(found) == 1:
                return found[0]
            if not found:
                known = ", ".join(sorted({n for v, n in self.names.items() if v.label}))
                raise ValueError(f"no node named {node!r} (labelled nodes: {known or 'none'})")
            raise ValueError(f"{len(found)} nodes are named {node!r}; pass the Value itself")
        raise TypeError(f"expected a Value or a node name, got {type(node).__name__}")

    def paths(self, node: Value | str, max_paths: int = DEFAULT_MAX_PATHS) -> PathReport:
        """Every path from the root to `node` with its chain-rule product (at most max_paths)."""
        if isinstance(max_paths, bool) or not isinstance(max_paths, int) or max_paths < 1:
            raise ValueError(f"max_paths must be a positive int, got {max_paths!r}")
        target = self._find(node)
        order = topological_order(self.root)
        # Only edges that carry a gradient count (a constant exponent carries none).
        edges = {v: [(x, d) for x, d in zip(v.inputs, v.local_grads, strict=False) if d is not None]
                 for v in order}
        reaches = {target}
        for v in order:  # inputs first, so each input's answer is known when v is seen
            if any(x in reaches for x, _ in edges[v]):
                reaches.add(v)
        counts: dict[Value, int] = {v: 0 for v in order}
        counts[self.root] = 1 if self.root in reaches else 0
        for v in reversed(order):
            for x, _ in edges[v]:
                counts[x] += counts[v]
        found: list[Path] = []
        if self.root in reaches:
            # Depth-first with an explicit stack: (node, path so far, locals so far).
            stack: list[tuple[Value, tuple[Value, ...], tuple[float, ...]]] = [
                (self.root, (self.root,), ())]
            while stack and len(found) < max_paths:
                v, trail, factors = stack.pop()
                if v is target:
                    product = self.seed
                    for d in factors:
                        product *= d
                    found.append(Path(trail, tuple(self.names[n] for n in trail), factors,
                                      product))
                    continue
                for x, d in reversed(edges[v]):
                    if x in reaches:
                        stack.append((x, (*trail, x), (*factors, d)))
        gained = self.grad_of(target) - self.start.get(target, 0.0)
        if target is self.root:
            gained = self.seed
        return PathReport(target, self.names[target], self.names[self.root], self.seed, found,
                          counts[target], gained, self.number_format)

    # --- showing ----------

    _HEADER = ("step", "node", "op", "upstream grad", "input", "local grad", "product",
               "input grad so far", "rule")

    def rows(self) -> list[tuple[str, ...]]:
        """The table as strings, one row per (node, input) multiplication."""
        f = self.number_format
        out = []
        for s in self.steps:
            op = s.op or ("leaf" if s.node.requires_grad else "const")
            up = format(s.upstream, f)
            rule = OPS[s.op].formula if s.op else ""
            if not s.terms:
                out.append((str(s.index), s.name, op, up, "", "", "", "", rule))
            for k, t in enumerate(s.terms):
                first = k == 0
                out.append((str(s.index) if first else "", s.name if first else "",
                            op if first else "", up if first else "", t.name,
                            format(t.local, f), format(t.product, f), format(t.running, f),
                            rule if first else ""))
        return out

    def _title(self) -> str:
        root = self.names[self.root]
        return (f"backward pass of {root} (seed {format(self.seed, self.number_format)}): "
                f"{_count(len(self.steps), 'step')}; product = local grad × upstream grad")

    def _notes(self) -> list[str]:
        f = self.number_format
        notes = []
        for v, g in self.start.items():
            if v is not self.root and v.is_leaf and v.requires_grad and g != 0.0:
                notes.append(f"{self.names[v]} held grad {format(g, f)} from an earlier pass; "
                             "leaf gradients accumulate (zero them between passes)")
        return notes

    def __str__(self) -> str:
        rows = [self._HEADER, *self.rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(self._HEADER))]
        lines = [self._title()]
        for n, r in enumerate(rows):
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines.extend(self._notes())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Explanation of {self.names[self.root]!r}: {_count(len(self.steps), 'step')}>"

    def to_markdown(self) -> str:
        """The table as GitHub Markdown."""
        def cell(text: str) -> str:
            out = []
            for ch in text:
                if ch in "\\`*_[]|":
                    out.append("\\" + ch)
                elif ch == "<":
                    out.append("&lt;")
                elif ch == ">":
                    out.append("&gt;")
                elif ch == "&":
                    out.append("&amp;")
                elif ch in "\r\n":
                    out.append(" ")
                else:
                    out.append(ch)
            return "".join(out)

        lines = [cell(self._title()), ""]
        lines.append("| " + " | ".join(self._HEADER) + " |")
        lines.append("|" + "|".join("---" for _ in self._HEADER) + "|")
        for r in self.rows():
            lines.append("| " + " | ".join(cell(c) for c in r) + " |")
        for note in self._notes():
            lines.append("")
            lines.append(cell(note))
        return "\n".join(lines) + "\n"

    def to_html(self, max_rows: int | None = None) -> str:
        """The table as an HTML fragment (all text escaped), cut after max_rows rows if given."""
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self._HEADER)
        rows = self.rows()
        shown = rows if max_rows is None else rows[:max_rows]
        body = []
        for r in shown:
            body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>")
        notes_text = self._notes()
        if len(shown) < len(rows):
            notes_text.insert(0, f"... {len(rows) - len(shown)} more rows: print() the "
                                 "explanation or use to_markdown() to see them all")
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in notes_text)
        return (f"<div><p>{html.escape(self._title())}</p>"
                '<table style="font-family: monospace; text-align: right">'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
                f"{notes}</div>")

    def _repr_html_(self) -> str:
        return self.to_html(max_rows=MAX_HTML_ROWS)


def explain(root: Value, grad: float = 1.0, number_format: str = ".6g") -> Explanation:
    """Run backward from `root` (filling .grad as backward() does) and record every step."""
    if not isinstance(root, Value):
        raise TypeError(f"explain() needs a Value, got {type(root).__name__}")
    seed = to_float(grad)
    try:
        format(1.5, number_format)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"number_format {number_format!r} is not a float format spec") from exc
    order = topological_order(root)
    names = {v: printable(n) for v, n in node_names(order).items()}
    # What each .grad holds when the pass starts: backward() zeroes interior nodes and seeds
    # the root; leaves keep what earlier passes left (they accumulate).
    start = {v: (v.grad if v.is_leaf else 0.0) for v in order}
    start[root] = start[root] + seed if root.is_leaf else seed
    if root.is_leaf and not root.requires_grad:
        start[root] = 0.0
    running = dict(start)
    steps: list[Step] = []

    def record(step: tuple[Value, float, tuple[tuple[Value, float, float], ...]]) -> None:
        node, upstream, contributions = step
        terms = []
        for x, local, product in contributions:
            running[x] += product  # the same additions, in the same order, as the pass makes
            terms.append(Term(x, names[x], local, product, running[x]))
        steps.append(Step(len(steps) + 1, node, names[node], node.op, upstream, tuple(terms)))

    backward(root, seed, record=record)
    return Explanation(root, seed, steps, names, start, number_format)
