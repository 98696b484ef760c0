"""Step through a pass as the tutorials do: initialise, forward, result, backward, update.

One drawing, one frame per step, saved as one self-contained HTML page.  The first frame shows the
leaves' values; each forward frame computes one node (``x*w = 2*(-3) = -6``); the result frame
seeds the backward pass; each backward frame processes one node, its edges coloured, with
captions such as ``grad(x) += 0.5 × 1 = 0.5 (so far 0.5)``; with ``lr=`` a last frame shows the
gradient-descent update.  Numbers not known yet show as ``?``.  Constants are numbers in the
boxes of their consumers' drawing, never steps.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..core.value import Value, to_float
from ..explanations.explain import Explanation, Step, explain
from ..explanations.names import display_names
from ..explanations.naming import describe
from ..explanations.rules import POWER, expression, number, wrap
from ..output.files import check_target, write_file
from ..viz.draw import DEFAULT_MAX_NODES, GraphTooLargeError, draw
from ..viz.layout import graph_order
from .page import PageFrame, embed, page
from .svg import Layout

DEFAULT_MAX_STEPS = 200  # nodes; each frame is a full drawing, more than this is unreadable


Change = tuple[Value, str, "float | None"]  # (node, "data" or "grad", the number shown)


@dataclass(frozen=True)
class Frame:
    """One picture: its phase, the backward step just done (or None), caption, and what changes.

    A frame keeps only the numbers it changes and the node and edges it lights; ``svg`` draws
    the whole picture on demand (the page holds one drawing and the frames' changes).
    """

    index: int
    phase: str  # "initialise", "forward", "result", "backward" or "update"
    step: Step | None
    caption: str
    changes: tuple[Change, ...]
    active: tuple[Value, ...]
    edges: tuple[tuple[Value, Value], ...]
    focus: tuple[float, float] = (0.0, 0.0)  # the current node's centre, px at zoom 1
    film: _Film | None = field(default=None, repr=False, compare=False)

    @property
    def svg(self) -> str:
        """This frame's whole drawing as SVG (built when asked: the page does not need it)."""
        if self.film is None:
            raise ValueError("this frame is not part of a step-through")
        return self.film.svg(self.index)


class _Film:
    """The shared drawing, the numbers it starts with, and the frames that change them."""

    def __init__(self, layout: Layout, values: dict[Value, float | None],
                 grads: dict[Value, float | None]) -> None:
        self.layout = layout
        self.values, self.grads = dict(values), dict(grads)
        self.frames: list[Frame] = []

    def state(self, index: int) -> tuple[dict[Value, float | None], dict[Value, float | None]]:
        """The numbers shown in frame `index`: the start, with every change up to it applied."""
        values, grads = dict(self.values), dict(self.grads)
        for frame in self.frames[:index + 1]:
            for v, kind, x in frame.changes:
                (values if kind == "data" else grads)[v] = x
        return values, grads

    def svg(self, index: int) -> str:
        values, grads = self.state(index)
        frame = self.frames[index]
        return self.layout.frame(values, grads, list(frame.active), list(frame.edges))

    def page_frames(self) -> tuple[str, list[PageFrame]]:
        """The page's drawing and, per frame, its texts to change and ids to light."""
        layout = self.layout
        svg, edge_ids = layout.page_svg(self.values, self.grads)
        out = []
        for frame in self.frames:
            texts = []
            for v, kind, x in frame.changes:
                node = layout.ids[v]
                texts += ([f"d{node}", layout.data_text(x)] if kind == "data"
                          else [f"g{node}", layout.grad_text(x)])
            lit = [box for v in frame.active for box in
                   (f"b{layout.ids[v]}", *([f"b{layout.ids[v]}op"] if v.op is not None else []))]
            lit += [e for title in layout.edge_titles(list(frame.active), list(frame.edges))
                    for e in edge_ids.get(title, [])]
            out.append(PageFrame(frame.phase, frame.caption, frame.focus, texts, lit))
        return svg, out


class StepThrough:
    """The frames of one pass; ``save(path)`` writes the HTML page."""

    def __init__(self, explanation: Explanation, frames: list[Frame], width: float = 0.0,
                 height: float = 0.0, film: _Film | None = None) -> None:
        self.explanation = explanation
        self.frames = frames
        self.width, self.height = width, height
        self._film = film

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"<StepThrough: {len(self.frames)} frames>"

    def to_html(self) -> str:
        """One self-contained page (one inline drawing, inline script) with controls."""
        title = f"forward and backward pass of {self.explanation.names[self.explanation.root]}"
        if self._film is None:
            raise ValueError("this step-through has no drawing to page")
        svg, frames = self._film.page_frames()
        return page(title, svg, frames, self.width, self.height)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to `path` (conventionally .html) and return the path."""
        target = Path(path)
        check_target(target, "a step-through page")  # before the work: a FIFO would block
        write_file(target, self.to_html().encode("utf-8"), what="a step-through page")
        return target

    def _repr_html_(self) -> str:
        # In a notebook: the page itself, in a frame a column wide, opening on the first frame.
        return embed(self.to_html())


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
                 lr: float | None = None, params: list[Value] | None = None) -> StepThrough:
    """Draw a frame per step of one backward pass from `root` (explain()'s).

    The gradients are those one ``root.backward(grad)`` gives on zeroed leaves.  As explain(),
    it fills .grad with them only when every leaf holds 0; otherwise .grad is left as it is and,
    where it differs, the first frame's caption says what it holds and why.

    names: names for unlabelled nodes (the CLI passes the source text of sub-expressions).
    lr: also show the update data -= lr × grad of the parameters (the page shows it; the Values
    keep their numbers).
    params: the leaves that update changes (default: an nn model's parameters if the graph has
    any, else every leaf that takes a gradient); inputs are never updated.
    """
    rate = _check(root, max_steps, lr)
    order = graph_order(root)
    shown = display_names(order, names)
    ex = explain(root, grad=grad, number_format=number_format, names=names)
    f = number_format
    leaves = _leaves_in_use_order(order)
    movers = _parameters(order, leaves, params)
    # This pass's gradients, not whatever .grad holds.
    moved = {v: v.data - rate * ex.grad_of(v) for v in movers} if rate is not None else {}
    base = draw(root, number_format=number_format, rankdir=rankdir, max_nodes=max_nodes,
                grads=_widest(ex, order, number_format), names=names,
                datas=_widest_data(order, moved, number_format)).svg()
    layout = Layout(base, order, number_format)
    film = _Film(layout, {v: (v.data if v.is_leaf else None) for v in order},
                 dict.fromkeys(order))
    frames = film.frames

    def add(phase: str, step: Step | None, caption: str, active: list[Value],
            edges: list[tuple[Value, Value]], changes: list[Change]) -> None:
        focus = layout.centre(active[0]) if active else (layout.width / 2, layout.height / 2)
        frames.append(Frame(len(frames), phase, step, caption, tuple(changes), tuple(active),
                            tuple(edges), focus, film))

    told = dict.fromkeys(f"{shown[v]} = {number(v.data, f)}" for v in leaves
                         if v.label or v.requires_grad)
    warning = ex.warning() + " " if ex.held else ""
    add("initialise", None, warning + "the leaves: " + ", ".join(told)
        + "; every other value is still unknown",
        [v for v in leaves if v.requires_grad], [], [])
    for v in order:
        if v.op is not None:
            add("forward", None, _forward_caption(v, shown, f), [v],
                [(x, v) for x in v.inputs], [(v, "data", v.data)])
    add("result", None, f"{shown[root]} = {number(root.data, f)}; backward starts here: "
        f"grad({shown[root]}) = {number(ex.seed, f)}, the gradient of {shown[root]} with "
        "respect to itself", [root], [], [(root, "grad", ex.start[root])])
    for step in ex.steps:
        add("backward", step, _backward_caption(ex, step), [step.node],
            [(t.input, step.node) for t in step.terms],
            [(t.input, "grad", t.running) for t in step.terms])
    if rate is not None and movers:
        lines = [f"{shown[v]} = {number(v.data, f)} - {number(rate, f)} × "
                 f"{wrap(number(ex.grad_of(v), f), POWER)} = {number(moved[v], f)}" for v in movers]
        add("update", None, f"gradient descent with lr={number(rate, f)}: " + "; ".join(lines)
            + " (shown here; the Values keep their numbers)", movers, [],
            [(v, "data", moved[v]) for v in movers])
    return StepThrough(ex, frames, layout.width, layout.height, film)


def _leaves_in_use_order(order: list[Value]) -> list[Value]:
    """The leaves layer by layer: by the depth of their first use, then the forward pass's order.

    In a network that lists w1 … w4 (used by the hidden layer) before w5 … w8, as a tutorial does.
    """
    depth: dict[Value, int] = {}
    first: dict[Value, tuple[int, int]] = {}
    for k, v in enumerate(order):
        depth[v] = 1 + max((depth.get(x, 0) for x in v.inputs), default=-1)
        for x in v.inputs:
            first[x] = min(first.get(x, (depth[v], k)), (depth[v], k))
    place = {v: k for k, v in enumerate(order)}
    unused = (math.inf, math.inf)
    return sorted((v for v in order if v.is_leaf),
                  key=lambda v: (*first.get(v, unused), place[v]))


def _parameters(order: list[Value], leaves: list[Value],
                params: list[Value] | None) -> list[Value]:
    """The leaves gradient descent moves: those given, an nn model's, or all with gradients."""
    if params is not None:
        wanted = set(params)
        return [v for v in leaves if v in wanted and v.requires_grad]
    infos = describe(order)
    grouped = [v for v in leaves if v.requires_grad and v in infos and infos[v].group]
    return grouped or [v for v in leaves if v.requires_grad]


def _widest_data(order: list[Value], moved: dict[Value, float],
                 spec: str) -> dict[Value, float]:
    """For each node the number with the longer text, now or after the update frame."""
    return {v: (moved[v] if v in moved and len(number(moved[v], spec))
                > len(number(v.data, spec)) else v.data) for v in order}


def _widest(ex: Explanation, order: list[Value], spec: str) -> dict[Value, float | None]:
    """For each node the gradient with the longest text any frame shows, to size the boxes."""
    widest: dict[Value, float | None] = {ex.root: ex.start.get(ex.root)}
    for step in ex.steps:
        for t in step.terms:
            old = widest.get(t.input)
            if old is None or len(number(t.running, spec)) > len(number(old, spec)):
                widest[t.input] = t.running
    return {v: widest.get(v) for v in order}
