"""Chain-rule paths: every way a gradient travels from the root down to one node, and its product.

Each path names the operand position it goes through at every hop (``x`` as the left factor of
``x*x``, then as the right), so two paths through the same nodes can always be told apart.  Finding
the paths costs time linear in the graph plus the length of each path found: one depth-first walk
with a single trail that grows and shrinks, never a copy of the trail per step.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from ..core.value import Value
from . import latex
from .rules import POWER, number, partial, position_name, wrap

DEFAULT_MAX_PATHS = 1000
SHOWN_HOPS = 8  # a longer path prints its first and last hops around an ellipsis
TEXT_WIDTH = 100  # characters: a printed path's lines fit a 900 px notebook column


@dataclass(frozen=True)
class Path:
    """One chain from the root down to a node, the operand it enters at each hop, its product."""

    nodes: tuple[Value, ...]  # root first
    operands: tuple[int, ...]  # operands[i]: which input of nodes[i] nodes[i+1] is
    locals: tuple[float, ...]  # locals[i] = d nodes[i] / d nodes[i+1]
    product: float  # seed × every local
    shown: dict[Value, str]  # the explanation's names (kept, not copied: a path may be long)

    @property
    def names(self) -> tuple[str, ...]:
        """The nodes' display names, root first."""
        return tuple(self.shown[n] for n in self.nodes)

    @property
    def positions(self) -> tuple[str, ...]:
        """What each next node is to the one before it: 'left factor', 'argument', ..."""
        return tuple(position_name(v.op or "", k)
                     for v, k in zip(self.nodes, self.operands, strict=False))


def reaching(order: list[Value], target: Value) -> set[Value]:
    """The nodes from which some gradient-carrying chain leads down to `target` (it included)."""
    reaches = {target}
    add = reaches.add
    # The slots are read directly (as backward() does): this walk is the cost of a deep path.
    for v in order:  # inputs first, so each input's answer is known when v is seen
        if (v._a in reaches and v._da is not None) or (v._b in reaches and v._db is not None):
            add(v)
    return reaches


def count_paths(order: list[Value], root: Value, target: Value, reaches: set[Value]) -> int:
    """How many root-to-target paths there are (exactly, however many that is)."""
    counts: dict[Value, int] = dict.fromkeys(reaches, 0)
    counts[root] = 1 if root in reaches else 0
    for v in reversed(order):
        n = counts.get(v)
        if n:
            if v._da is not None and v._a in reaches:
                counts[v._a] += n
            if v._db is not None and v._b in reaches:
                counts[v._b] += n
    return counts[target]


def find_paths(root: Value, target: Value, reaches: set[Value], names: dict[Value, str],
               seed: float, max_paths: int) -> list[Path]:
    """Up to max_paths paths from root to target, depth first, left operand first.

    `max_paths` should not exceed the number of paths (count_paths): the walk stops at the last
    one instead of climbing back up a long trail to make sure there is none after it.
    """
    if root not in reaches:
        return []
    if root is target:
        return [Path((root,), (), (), seed, names)]
    found: list[Path] = []
    nodes: list[Value] = [root]
    operands: list[int] = []
    factors: list[float] = []
    pending = [_down(root, reaches)]  # per node on the trail: the edges still to try
    # The loop body is _down() inlined: a 100,000-deep chain makes it run 200,000 times.
    while pending and len(found) < max_paths:
        edges = pending[-1]
        if edges:
            x, k, d = edges.pop()
            nodes.append(x)
            operands.append(k)
            factors.append(d)
            if x is not target:
                below = []
                if x._b in reaches and x._db is not None:
                    below.append((x._b, 1, x._db))
                if x._a in reaches and x._da is not None:
                    below.append((x._a, 0, x._da))
                pending.append(below)
                continue
            product = seed
            for factor in factors:
                product *= factor
            found.append(Path(tuple(nodes), tuple(operands), tuple(factors), product, names))
        else:  # every edge below this node tried: step back up the trail
            pending.pop()
        if len(nodes) > len(pending):  # the target just recorded, or the node just finished
            nodes.pop()
            if operands:
                operands.pop()
                factors.pop()
    return found


def _down(v: Value, reaches: set[Value]) -> list[tuple[Value, int, float]]:
    """The edges below v that lead to the target, right operand first (pop() takes the left)."""
    out = []
    # A constant reaches nothing, so is never in `reaches`; a None slot is never in it either.
    if v._b in reaches and v._db is not None:
        out.append((v._b, 1, v._db))
    if v._a in reaches and v._da is not None:
        out.append((v._a, 0, v._da))
    return out


def _ends(hops: int) -> list[int]:
    """The hops a long path prints: its first and last few, -1 marking the gap between them."""
    if hops <= SHOWN_HOPS:
        return list(range(hops))
    half = SHOWN_HOPS // 2
    return [*range(half), -1, *range(hops - half, hops)]


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

    def _line(self, i: int, p: Path) -> str:
        f = self._fmt
        hops = len(p.locals)
        shown = _ends(hops)  # only these are written out: a path may be 200,000 hops long
        gap = f"… {hops - SHOWN_HOPS} more …".replace(" ", "\u00a0")  # wrapped as one word
        names = p.shown

        def each(write: Callable[[int], str]) -> list[str]:
            return [gap if k < 0 else write(k) for k in shown]

        factors = each(lambda k: partial(names[p.nodes[k]], names[p.nodes[k + 1]]))
        numbers = each(lambda k: wrap(number(p.locals[k], f), POWER))
        via = each(lambda k: f"{names[p.nodes[k + 1]]}: "
                             f"{position_name(p.nodes[k].op or '', p.operands[k])}")
        if self.seed != 1.0:
            factors.insert(0, "seed")
            numbers.insert(0, wrap(number(self.seed, f), POWER))
        chain = " · ".join(factors) or "1"
        values = " · ".join(numbers) or "1"
        where = f"   [{' → '.join(via)}]" if via else ""
        line = f"  path {i}: {chain} = {values} = {number(p.product, f)}{where}"
        if len(line) <= TEXT_WIDTH:
            return line.replace("\u00a0", " ")
        # Too long for a notebook column: the chain, its numbers and the route on lines of
        # their own, each wrapped under the first.
        pad = " " * 10
        parts = [f"  path {i}: {chain}", f"= {values} = {number(p.product, f)}",
                 f"[{' → '.join(via)}]" if via else ""]
        return "\n".join(
            wrapped for k, part in enumerate(parts) if part
            for wrapped in textwrap.wrap(part, TEXT_WIDTH, initial_indent="" if k == 0 else pad,
                                         subsequent_indent=pad, break_long_words=False,
                                         break_on_hyphens=False)).replace("\u00a0", " ")

    def __str__(self) -> str:
        f = self._fmt
        lines = [f"{partial(self.root_name, self.name)}: {self.count} "
                 f"path{'s' if self.count != 1 else ''} from {self.root_name} to {self.name}"]
        lines.extend(self._line(i, p) for i, p in enumerate(self.paths, 1))
        if self.truncated:
            lines.append(f"  ... {self.count - len(self.paths)} more paths not listed "
                         "(raise max_paths to see them)")
        else:
            lines.append(f"  sum of the paths = {number(self.total, f)}; the backward pass gave "
                         f"{number(self.gradient, f)}")
        return "\n".join(lines)

    def _repr_pretty_(self, p: object, cycle: bool) -> None:
        p.text(str(self))  # type: ignore[attr-defined]

    def to_latex(self, max_terms: int = 8) -> str:
        """The chain rule as mathematics, numbers in: ∂L/∂w = ∂L/∂a · ∂a/∂w = 1 · 0.5 = 0.5.

        Written as aligned lines short enough for a notebook column: each path's fractions, then
        its numbers, a few to a line, and the total on its own line.
        """
        f = self._fmt
        top = latex.fraction(self.root_name, self.name)
        shown = self.paths[:max_terms]
        more = len(self.paths) > max_terms or self.truncated
        seed = [] if self.seed == 1.0 else [(latex.number(self.seed, f), len(str(self.seed)))]
        gap = "\\underbrace{{\\cdots}}_{{{}\\ \\text{{more}}}}"
        symbols, numbers = [], []
        for p in shown:
            ends = _ends(len(p.locals))
            more_hops = gap.format(len(p.locals) - SHOWN_HOPS)
            symbols.append([(more_hops, 6) if k < 0 else (
                latex.fraction(p.shown[p.nodes[k]], p.shown[p.nodes[k + 1]]),
                max(len(p.shown[p.nodes[k]]), len(p.shown[p.nodes[k + 1]])) + 3) for k in ends]
                or [("1", 1)])
            numbers.append(seed + [(more_hops, 6) if k < 0 else
                                   (latex.number(p.locals[k], f), len(number(p.locals[k], f)) + 3)
                                   for k in ends] or [("1", 1)])
        total = latex.number(self.total if not self.truncated else self.gradient, f)
        if not shown:
            return f"$${top} = 0$$"
        if len(shown) == 1 and not more and sum(w for _, w in symbols[0] + numbers[0]) \
                + len(total) <= LATEX_LINE:  # short enough for one line
            dot = " \\cdot "
            return (f"$${top} = {dot.join(t for t, _ in symbols[0])} = "
                    f"{dot.join(t for t, _ in numbers[0])} = {total}$$")
        left = max(len(self.root_name), len(self.name)) + 3
        lines = _latex_lines(symbols, more, left) + _latex_lines(numbers, more)
        body = " \\\\\n".join(f"{top} &{line}" if k == 0 else f"&{line}"
                                  for k, line in enumerate(lines))
        return f"$$\\begin{{aligned}}\n{body} \\\\\n&= {total}\n\\end{{aligned}}$$"

    def _repr_latex_(self) -> str:
        return self.to_latex()


LATEX_LINE = 56  # characters of names or numbers on one line of a LaTeX report (about 600 px)


def _latex_lines(paths: list[list[tuple[str, int]]], more: bool, start: int = 0) -> list[str]:
    """Paths of (TeX, width) factors as lines: a path's factors joined by ·, paths by +.

    start: the width already taken on the first line (the fraction left of the =).
    """
    lines: list[str] = []
    line, used, empty = "= ", start, True
    for k, factors in enumerate(paths):
        for j, (tex, width) in enumerate(factors):
            join = "" if k == j == 0 else " \\cdot " if j else " + "
            if not empty and used + width > LATEX_LINE:
                lines.append(line)
                line, used = "\\quad" + join, 0
            else:
                line += join
            line += tex
            used += width
            empty = False
    lines.append(line + (" + \\dots" if more else ""))
    return lines
