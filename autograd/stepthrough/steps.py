"""Step through a pass as the tutorials do: initialise, forward, result, backward, update.

One drawing, one frame per step, saved as one self-contained HTML page.  The first frame shows the
leaves' values; each forward frame computes one node (``x*w = 2*(-3) = -6``); the result frame
seeds the backward pass; each backward frame processes one node, its edges coloured, with
captions such as ``grad(x) += 0.5 × 1 = 0.5 (so far 0.5)``; with ``lr=`` a last frame shows the
gradient-descent update.  Numbers not known yet show as ``?``.  Constants are numbers in the
boxes of their consumers' drawing, never steps.
"""

from __future__ import annotations

import base64
import html
import os
from dataclasses import dataclass
from pathlib import Path

from ..core.value import Value, to_float
from ..explanations.explain import Explanation, Step, explain
from ..explanations.names import display_names
from ..explanations.rules import POWER, expression, number, wrap
from ..viz.draw import DEFAULT_MAX_NODES, GraphTooLargeError, draw
from ..viz.layout import graph_order
from .page import page
from .svg import Layout

DEFAULT_MAX_STEPS = 200  # nodes; each frame is a full drawing, more than this is unreadable


@dataclass(frozen=True)
class Frame:
    """One picture: its phase, the backward step just done (or None), caption, SVG, focus."""

    index: int
    phase: str  # "initialise", "forward", "result", "backward" or "update"
    step: Step | None
    caption: str
    svg: str
    focus: tuple[float, float] = (0.0, 0.0)  # the current node's centre, px at zoom 1


class StepThrough:
    """The frames of one pass; ``save(path)`` writes the HTML page."""

    def __init__(self, explanation: Explanation, frames: list[Frame], width: float = 0.0,
                 height: float = 0.0) -> None:
        self.explanation = explanation
        self.frames = frames
        self.width, self.height = width, height

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"<StepThrough: {len(self.frames)} frames>"

    def to_html(self) -> str:
        """One self-contained page (inline drawings, inline script) with controls."""
        title = f"forward and backward pass of {self.explanation.names[self.explanation.root]}"
        return page(title, [(f.phase, f.caption, f.svg, f.focus) for f in self.frames],
                    self.width, self.height)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to `path` (conventionally .html) and return the path."""
        target = Path(path)
        target.write_text(self.to_html(), encoding="utf-8")
        return target

    def _repr_html_(self) -> str:
        # In a notebook show the last frame and the captions; the page itself is for a browser.
        data = base64.b64encode(self.frames[-1].svg.encode("utf-8")).decode("ascii")
        captions = "".join(f"<li>{html.escape(fr.caption)}</li>" for fr in self.frames)
        return (f'<div><img alt="last frame" style="max-width:100%" '
                f'src="data:image/svg+xml;base64,{data}"/><ol start="0">{captions}</ol></div>')


def _backward_caption(ex: Explanation, step: Step) -> str:
    f = ex.number_format
    up = number(step.upstream, f)
    if step.op is None:
        return f"{step.name} is a leaf: its gradient is complete, grad({step.name}) = {up}"
    parts = [f"{t.rule}: grad({t.name}) += {number(t.local, f)} × {wrap(up, POWER)} = "
             f"{number(t.product, f)} (so far {number(t.running, f)})" for t in step.terms]
    head = f"{step.name} passes on grad {up}"
    return head + ("; " + "; ".join(parts) if parts else "; no gradient flows to its inputs")


def _forward_caption(v: Value, names: dict[Value, str], spec: str) -> str:
    operands = [names[x] for x in v.inputs]
    numbers = [number(x.data, spec) for x in v.inputs]
    written = expression(v.op or "", operands)
    filled = expression(v.op or "", numbers)
    head = names[v] if names[v] != written else written
    same = f" = {written}" if head != written else ""
    return f"{head}{same} = {filled} = {number(v.data, spec)}"


def _check(root: Value, max_steps: int, lr: float | None) -> float | None:
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise ValueError(f"max_steps must be a positive int, got {max_steps!r}")
    if not isinstance(root, Value):
        raise TypeError(f"step_through() needs a Value, got {type(root).__name__}")
    # The pass visits every node once: refuse before it runs, drawing nothing.
    size = len(graph_order(root))
    if size > max_steps:
        raise GraphTooLargeError(
            f"the pass has {size} steps, more than max_steps={max_steps}; raise "
            "max_steps or step through a smaller part of the graph")
    return None if lr is None else to_float(lr)


def step_through(root: Value, *, grad: float = 1.0, rankdir: str = "LR",
                 number_format: str = ".4g", max_steps: int = DEFAULT_MAX_STEPS,
                 max_nodes: int = DEFAULT_MAX_NODES, names: dict[Value, str] | None = None,
                 lr: float | None = None) -> StepThrough:
    """Draw a frame per step of one backward pass from `root` (explain()'s).

    The gradients are those one ``root.backward(grad)`` gives on zeroed leaves.  As explain(),
    it fills .grad with them only when every leaf holds 0; otherwise .grad is left as it is and,
    where it differs, the first frame's caption says what it holds and why.

    names: names for unlabelled nodes (the CLI passes the source text of sub-expressions).
    lr: also show the update data -= lr × grad of every leaf that takes a gradient (the page
    shows it; the Values keep their numbers).
    """
    rate = _check(root, max_steps, lr)
    order = graph_order(root)
    shown = display_names(order, names)
    ex = explain(root, grad=grad, number_format=number_format, names=names)
    base = draw(root, number_format=number_format, rankdir=rankdir, max_nodes=max_nodes,
                grads=_widest(ex, order, number_format), names=names).svg()
    layout = Layout(base, order, number_format)
    f = number_format
    values: dict[Value, float | None] = {v: (v.data if v.is_leaf else None) for v in order}
    grads: dict[Value, float | None] = dict.fromkeys(order)
    leaves = [v for v in order if v.is_leaf and v.requires_grad]
    frames: list[Frame] = []

    def add(phase: str, step: Step | None, caption: str, active: list[Value],
            edges: list[tuple[Value, Value]]) -> None:
        focus = layout.centre(active[0]) if active else (layout.width / 2, layout.height / 2)
        frames.append(Frame(len(frames), phase, step, caption,
                            layout.frame(values, grads, active, edges), focus))

    warning = ex.warning() + " " if ex.held else ""
    add("initialise", None, warning + "the leaves: " + ", ".join(
        f"{shown[v]} = {number(v.data, f)}" for v in order if v.is_leaf and v.label
        or (v.is_leaf and v.requires_grad)) + "; every other value is still unknown",
        leaves, [])
    for v in order:
        if v.op is not None:
            values[v] = v.data
            add("forward", None, _forward_caption(v, shown, f), [v],
                [(x, v) for x in v.inputs])
    grads[root] = ex.start[root]
    add("result", None, f"{shown[root]} = {number(root.data, f)}; backward starts here: "
        f"grad({shown[root]}) = {number(ex.seed, f)}, the gradient of {shown[root]} with "
        "respect to itself", [root], [])
    for step in ex.steps:
        for t in step.terms:
            grads[t.input] = t.running
        add("backward", step, _backward_caption(ex, step), [step.node],
            [(t.input, step.node) for t in step.terms])
    if rate is not None and leaves:
        moves = []
        for v in leaves:
            g = ex.grad_of(v)  # this pass's gradient, not whatever .grad holds
            new = v.data - rate * g
            moves.append(f"{shown[v]} = {number(v.data, f)} - {number(rate, f)} × "
                         f"{wrap(number(g, f), POWER)} = {number(new, f)}")
            values[v] = new
        add("update", None, f"gradient descent with lr={number(rate, f)}: " + "; ".join(moves)
            + " (shown here; the Values keep their numbers)", leaves, [])
    return StepThrough(ex, frames, layout.width, layout.height)


def _widest(ex: Explanation, order: list[Value], spec: str) -> dict[Value, float | None]:
    """For each node the gradient with the longest text any frame shows, to size the boxes."""
    widest: dict[Value, float | None] = {ex.root: ex.start.get(ex.root)}
    for step in ex.steps:
        for t in step.terms:
            old = widest.get(t.input)
            if old is None or len(number(t.running, spec)) > len(number(old, spec)):
                widest[t.input] = t.running
    return {v: widest.get(v) for v in order}
