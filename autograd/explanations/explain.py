"""Explain a backward pass as the arithmetic a tutorial writes by hand, with the actual numbers.

``explain(root)`` runs one backward pass from `root` on its own buffers (core/fresh.py) and keeps
every multiplication the pass made: for each node in the order the pass visits it, its value and
upstream gradient, and for each input its value, the local derivative written with the operands'
own names (``∂(y/x)/∂y = 1/x = 0.5``), their product, and the input's gradient so far (the
running sum when several paths meet).  The numbers are bit for bit those ``root.backward()``
puts into zeroed ``.grad``, whatever earlier passes left there.  The pass lands in ``.grad``
when every leaf holds 0 (as backward() would put it); otherwise ``.grad`` is left alone and,
where it differs, the header says what it holds.  Constants are numbers inside the expressions,
never rows that "get a gradient".
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Iterator
from typing import Any

from ..core.fresh import fill_if_empty, fresh_grads, held_elsewhere, held_note
from ..core.gcpause import paused_gc
from ..core.graph import topological_order
from ..core.value import Value, to_float
from . import formats as explain_formats
from .naive import NaiveComparison, compare
from .names import display_names, printable
from .paths import DEFAULT_MAX_PATHS, PathReport, count_paths, find_paths, reaching
from .records import Step, Term
from .rules import number, partial

MAX_HTML_ROWS = 400  # Jupyter shows at most this many rows, so a big pass cannot freeze it
SHOWN_ROWS = 8  # print() shows this many rows at each end of a longer table
TEXT_WIDTH = 100  # characters: print()'s lines fit a 900 px notebook column
MAX_LISTED = 12  # more parameters than this are summed up per layer

__all__ = ["DEFAULT_MAX_PATHS", "Explanation", "PathReport", "Step", "Term", "explain",
           "printable"]


def find_node(names: dict[Value, str], node: Value | str) -> Value:
    """The Value `node`, or the one shown under that name, checked to be in the graph."""
    if isinstance(node, Value):
        if node not in names:
            raise ValueError("that Value is not part of the explained graph")
        return node
    if isinstance(node, str):
        # The shown name, or the label itself when printing had to spell characters out.
        found = [v for v, n in names.items() if n == node or (v.label == node != n)]
        if len(found) == 1:
            return found[0]
        if not found:
            known = ", ".join(sorted({n for v, n in names.items() if v.label}))
            raise ValueError(f"no node named {node!r} (labelled nodes: {known or 'none'})")
        raise ValueError(f"{len(found)} nodes are named {node!r}; pass the Value itself")
    raise TypeError(f"expected a Value or a node name, got {type(node).__name__}")


def _count(n: int, noun: str) -> str:
    """'1 step', '7 steps'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _is_constant(v: Value) -> bool:
    return v.is_leaf and not v.requires_grad


def _group(label: str) -> str:
    """The layer a parameter belongs to: 'layers.1.neurons.0.w.0' -> 'layers.1'."""
    parts = label.split(".")
    if "neurons" in parts[1:]:
        return ".".join(parts[:parts.index("neurons", 1)])
    return ".".join(parts[:-2]) if len(parts) > 2 else "other"


class Explanation:
    """The recorded backward pass: ``steps`` in pass order; prints as a table, HTML, Markdown."""

    def __init__(self, root: Value, seed: float, steps: list[Step], names: dict[Value, str],
                 start: dict[Value, float], number_format: str,
                 only: set[Value] | None = None, only_names: tuple[str, ...] = (),
                 held: list[tuple[Value, float, float]] | None = None) -> None:
        self.root = root
        self.seed = seed
        self.steps = steps
        self.names = names
        self.start = start  # each node's gradient when the pass began: 0, the root its seed
        # (leaf, its .grad, this pass's gradient) where .grad holds something else
        self.held = held or []
        self.number_format = number_format
        self.only = only  # the nodes shown: those that pass gradient on to `only_names`
        self.only_names = only_names
        self._order: list[Value] | None = None
        self._final: dict[Value, float] | None = None

    # --- reading the numbers ----------

    def grad_of(self, node: Value) -> float:
        """The gradient the pass gave `node`: its last running sum (the root: its seed)."""
        if self._final is None:  # one walk for every node, not one per question
            final = dict(self.start)
            for step in self.steps:
                for t in step.terms:
                    final[t.input] = t.running
            self._final = final
        return self._final.get(node, 0.0)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def order(self) -> list[Value]:
        """The explained graph's nodes, inputs first (computed once)."""
        if self._order is None:
            self._order = topological_order(self.root)
        return self._order

    def find(self, node: Value | str) -> Value:
        """The node itself, or the node of that name (a TypeError/ValueError names the problem)."""
        return find_node(self.names, node)

    _find = find

    def paths(self, node: Value | str, max_paths: int = DEFAULT_MAX_PATHS) -> PathReport:
        """Every path from the root to `node` with its chain-rule product (at most max_paths)."""
        if isinstance(max_paths, bool) or not isinstance(max_paths, int) or max_paths < 1:
            raise ValueError(f"max_paths must be a positive int, got {max_paths!r}")
        target = self.find(node)
        with paused_gc():
            return self._paths(target, max_paths)

    def _paths(self, target: Value, max_paths: int) -> PathReport:
        if _is_constant(target):  # a constant is a number, never a destination of gradient
            return PathReport(target, self.names[target], self.names[self.root], self.seed, [],
                              0, 0.0, self.number_format)
        order = self.order()
        reaches = reaching(order, target)
        count = count_paths(order, self.root, target, reaches)
        found = find_paths(self.root, target, reaches, self.names, self.seed,
                           min(max_paths, count))
        gained = self.grad_of(target) - self.start.get(target, 0.0)
        if target is self.root:
            gained = self.seed
        return PathReport(target, self.names[target], self.names[self.root], self.seed, found,
                          count, gained, self.number_format)

    def naive(self) -> NaiveComparison:
        """The wrong backward a beginner writes first, side by side with this (correct) pass."""
        return compare(self.root, self.seed, self.order(), self.steps, self.names,
                       self.number_format, self._correct)

    def _correct(self, v: Value) -> float:
        """What the correct pass sent into `v` (the root: the seed; a leaf: minus old sums)."""
        return self.seed if v is self.root else self.grad_of(v) - self.start.get(v, 0.0)

    # --- showing ----------

    HEADER = ("step", "node", "value", "grad", "input", "input value", "local grad",
               "product", "input grad so far", "rule")

    def shown_steps(self) -> list[Step]:
        """The steps the view shows (all, or those that pass gradient on to `only`)."""
        return self._shown_steps()

    def _shown_steps(self) -> list[Step]:
        if self.only is None:
            return self.steps
        return [s for s in self.steps if s.node in self.only]

    def rows(self) -> list[tuple[str, ...]]:
        """The table as strings, one row per (node, input) multiplication."""
        f = self.number_format
        out: list[tuple[str, ...]] = []
        for s in self._shown_steps():
            head = (str(s.index), s.name, number(s.value, f), number(s.upstream, f))
            terms = [t for t in s.terms if self.only is None or t.input in self.only]
            if not terms:
                out.append((*head, "", "", "", "", "", "leaf" if s.op is None else ""))
            for k, t in enumerate(terms):
                out.append((*(head if k == 0 else ("",) * 4), t.name, number(t.value, f),
                            number(t.local, f), number(t.product, f), number(t.running, f),
                            t.rule))
        return out

    def title(self) -> str:
        """The line above the table: the root, its value, the seed, how many steps."""
        root = self.names[self.root]
        only = f", only what flows into {', '.join(self.only_names)}" if self.only_names else ""
        return (f"backward pass of {root} = {number(self.root.data, self.number_format)} "
                f"(seed {number(self.seed, self.number_format)}): "
                f"{_count(len(self.steps), 'step')}{only}; product = local grad × grad")

    def warning(self) -> str:
        """The line under the title when the leaves' .grad hold other numbers than this pass."""
        return held_note(self.held, self.names, self.number_format)

    def notes(self) -> list[str]:
        """Lines under the table (none today: the .grad warning sits under the title)."""
        return []

    def _leaves(self) -> list[Value]:
        """The leaves that get a gradient (the parameters), in the order the pass reached them."""
        shown = [s.node for s in self._shown_steps() if s.op is None and s.node is not self.root]
        return shown

    def totals(self) -> list[str]:
        """Each leaf's gradient, or per layer (count, largest |grad| and where) for many leaves."""
        f = self.number_format
        leaves = self._leaves()
        if not leaves:
            return []
        if len(leaves) <= MAX_LISTED:
            return ["gradients: " + ", ".join(
                f"{partial(self.names[self.root], self.names[v])} = "
                f"{number(self.grad_of(v), f)}" for v in leaves)]
        groups: dict[str, list[Value]] = {}
        for v in leaves:
            groups.setdefault(_group(self.names[v]), []).append(v)
        lines = [f"gradients of the {len(leaves)} parameters:"]
        for key, members in list(groups.items())[:MAX_LISTED]:
            grads = [(abs(self.grad_of(v)), v) for v in members]
            top, where = max(grads, key=lambda pair: pair[0])
            mean = sum(g for g, _ in grads) / len(grads)
            lines.append(f"  {key}: {_count(len(members), 'parameter')}, largest |grad| "
                         f"{number(top, f)} ({self.names[where]}), mean |grad| {number(mean, f)}")
        if len(groups) > MAX_LISTED:
            lines.append(f"  ... {len(groups) - MAX_LISTED} more groups")
        return lines

    def table(self, all: bool = False) -> str:  # noqa: A002 (the issue's own spelling)
        """The pass as short lines (a notebook column reads them): per step its node, then per
        input the rule and the product; a long pass shows its first and last rows unless all=True.
        """
        rows = self.rows()
        cut = None
        if not all and len(rows) > 2 * SHOWN_ROWS + 1:
            cut = len(rows) - 2 * SHOWN_ROWS
            rows = rows[:SHOWN_ROWS] + [("…",) * len(self.HEADER)] + rows[-SHOWN_ROWS:]
        lines = [*_wrap(self.title())]
        if self.held:
            lines.extend(_wrap(self.warning()))
        lines += [*_wrap(
            "each step: node = value, grad; under it, per input: the rule for the local grad, "
            "then input += local grad × grad = product (so far)")]
        upstream = ""
        for r in rows:
            step, node, value, grad, name, _, local, product, running, rule = r
            if step == "…":
                lines.extend(_wrap(f"... {cut} rows not shown: .table(all=True) or "
                                   ".to_markdown() shows them all; explain(root, only=w) "
                                   "what flows into w"))
                continue
            if step:
                upstream = grad
                leaf = "  (a leaf: its gradient is complete)" if rule == "leaf" else ""
                lines.append(f"{step:>3}  {node} = {value}, grad {grad}{leaf}")
            if name:
                lines.extend(_wrap(rule, indent=7))
                factor = f"({upstream})" if upstream.startswith("-") else upstream
                lines.extend(_wrap(f"→ {name} += {local} × {factor} = {product} "
                                   f"(so far {running})", indent=7))
        for note in self.notes() + self.totals():
            lines.extend(_wrap(note, indent=len(note) - len(note.lstrip())))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"<Explanation of {self.names[self.root]!r}: {_count(len(self.steps), 'step')}>"

    def _repr_pretty_(self, p: object, cycle: bool) -> None:
        # Terminal IPython shows the table, as print() does, not the one-line repr.
        p.text(repr(self) if cycle else str(self))  # type: ignore[attr-defined]

    def to_markdown(self) -> str:
        """The whole table as GitHub Markdown."""
        return explain_formats.markdown(self.title(), self.HEADER, self.rows(),
                                       self.notes() + self.totals(),
                                       self.warning() if self.held else "")

    def to_html(self, max_rows: int | None = None) -> str:
        """The table as an HTML fragment (all text escaped), cut after max_rows rows if given."""
        return explain_formats.html_table(self.title(), self.rows(), self.notes() + self.totals(),
                                         max_rows, self.warning() if self.held else "")

    def _repr_html_(self) -> str:
        return self.to_html(max_rows=MAX_HTML_ROWS)

    def to_latex(self, max_rows: int = 40) -> str:
        """Every multiplication as an equation, ∂g/∂x += ∂g/∂v · ∂v/∂x = 1 · 0.5 = 0.5."""
        return explain_formats.latex_lines(self.shown_steps(), self.names[self.root], self.root,
                                          self.only, self.number_format, max_rows)

    def _repr_latex_(self) -> str:
        return self.to_latex()


def _wrap(text: str, indent: int = 0) -> list[str]:
    """`text` in lines of at most TEXT_WIDTH characters (a long name stays whole), indented."""
    pad = " " * indent
    return textwrap.wrap(text.strip(), TEXT_WIDTH, initial_indent=pad,
                         subsequent_indent=pad + "    ", break_long_words=False,
                         break_on_hyphens=False) or [pad]


def _focus(order: list[Value], names: dict[Value, str], only: object
           ) -> tuple[set[Value] | None, tuple[str, ...]]:
    """The nodes that pass gradient on to the nodes `only` names (None: show everything)."""
    if only is None:
        return None, ()
    # Values or names; find_node checks each.
    targets: list[Any] = list(only) if isinstance(only, (list, tuple, set)) else [only]
    chosen = [find_node(names, t) for t in targets]
    keep: set[Value] = set()
    for t in chosen:
        keep |= reaching(order, t)
    return keep, tuple(names[t] for t in chosen)


def explain(root: Value, grad: float = 1.0, number_format: str = ".6g", *,
            only: Value | str | Iterable[Value | str] | None = None,
            names: dict[Value, str] | None = None,
            paths_to: Value | str | Iterable[Value | str] | None = None) -> Explanation:
    """Record one backward pass from `root`, step by step, on its own buffers.

    The numbers are those one ``root.backward(grad)`` gives on zeroed leaves.  If every leaf's
    ``.grad`` is 0 the pass is also put there, as backward() would; otherwise no ``.grad`` is
    changed (nothing is added to what an earlier pass left), and where they differ from this
    pass the line under the title says what they hold and why.

    `only=w` (a Value, a name, or several; `paths_to=w` is the same, as in draw()) shows just
    what flows into w; `names` gives
    unlabelled nodes display names (the CLI passes the expression's own text).
    """
    if not isinstance(root, Value):
        raise TypeError(f"explain() needs a Value, got {type(root).__name__}")
    if paths_to is not None:
        if only is not None:
            raise TypeError("explain(): give only= or paths_to=, not both (they are the same)")
        only = paths_to
    seed = to_float(grad)
    try:
        format(1.5, number_format)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"number_format {number_format!r} is not a float format spec") from exc
    with paused_gc():
        return _explain(root, seed, number_format, only, names)


def _explain(root: Value, seed: float, number_format: str, only: object,
             names: dict[Value, str] | None) -> Explanation:
    """explain()'s body, once its arguments are checked."""
    order = topological_order(root)
    shown = {v: printable(n) for v, n in display_names(order, names).items()}
    focus, focus_names = _focus(order, shown, only)  # before the pass: a bad name changes nothing
    # One fresh pass: every gradient starts at 0 and the root at its seed, whatever .grad holds.
    if _is_constant(root):  # a constant takes no gradient, not even its own seed
        seed = 0.0
    start = dict.fromkeys(order, 0.0)
    start[root] = seed
    running = dict(start)
    steps: list[Step] = []

    def record(step: tuple[Value, float, tuple[tuple[Value, float, float], ...]]) -> None:
        node, upstream, contributions = step
        if node.is_leaf and not node.requires_grad and node is not root:
            return  # a constant is a number in its consumer's expression, not a step
        inputs = node.inputs
        operands = tuple([shown[x] for x in inputs])
        terms: list[Term] = []
        left_taken = False  # x*x: the first contribution is the left factor's
        output = shown[node] if node.label else ""
        for x, local, product in contributions:
            running[x] += product  # the same additions, in the same order, as the pass makes
            if x.is_leaf and not x.requires_grad:
                continue  # a constant (inlined: this runs once per edge of the graph)
            k = 0 if inputs[0] is x and not left_taken else 1
            left_taken = left_taken or k == 0
            terms.append(Term(x, shown[x], x.data, k, local, product, running[x],
                              node.op or "", operands, number_format, output))
        steps.append(Step(len(steps) + 1, node, shown[node], node.data, node.op, upstream,
                          tuple(terms)))

    fresh = fresh_grads([(root, seed)], record=record)
    held = [] if fill_if_empty(fresh, order) else \
        held_elsewhere(fresh, [v for v in order if v.is_leaf and v is not root])
    ex = Explanation(root, seed, steps, shown, start, number_format, focus, focus_names, held)
    ex._order = order  # the graph cannot change under it: no op edits a node's inputs
    return ex
