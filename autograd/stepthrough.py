"""Step through a backward pass: one drawing per step, saved as one self-contained HTML page.

Frame 0 shows the seed; frame k shows the graph right after the pass processed its k-th node: that
node and the edges its gradient flows along are coloured, and every gradient known so far is
filled in (a ``?`` marks one no path has reached yet).  The HTML file holds every frame as an
inline image, plus previous/next buttons, a slider and arrow keys: no server, nothing fetched.
"""

from __future__ import annotations

import base64
import copy
import html
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from .draw import (
    _ACTIVE_EDGE,
    _ACTIVE_FILL,
    DEFAULT_MAX_NODES,
    GraphTooLargeError,
    draw,
)
from .explain import Explanation, Step, explain
from .layout import graph_order
from .naming import node_names
from .value import Value

_SVG = "{http://www.w3.org/2000/svg}"
# Frames are written back as plain <svg> (not <ns0:svg>); this only picks the svg prefix.
ET.register_namespace("", _SVG[1:-1])
DEFAULT_MAX_STEPS = 200  # each frame is a full layout; more than this is slow and unreadable


@dataclass(frozen=True)
class Frame:
    """One picture of the pass: the step just done (None for the seed), caption and SVG."""

    index: int
    step: Step | None
    caption: str
    svg: str


def _caption(ex: Explanation, step: Step) -> str:
    f = ex.number_format
    if step.op is None:
        kind = "leaf" if step.node.requires_grad else "constant"
        return (f"step {step.index}: {step.name} is a {kind}; its gradient is "
                f"{format(step.upstream, f)}" + ("" if step.node.requires_grad
                                                 else " (not kept: it needs no gradient)"))
    parts = [f"{t.name} += {format(t.local, f)} × {format(step.upstream, f)} = "
             f"{format(t.product, f)} (so far {format(t.running, f)})" for t in step.terms]
    up = format(step.upstream, f)
    head = f"step {step.index}: {step.name} = {step.op}(...) with gradient {up}"
    return head + ("; " + "; ".join(parts) if parts else "; no gradient flows to its inputs")


class StepThrough:
    """The frames of one backward pass; ``save(path)`` writes the HTML page."""

    def __init__(self, explanation: Explanation, frames: list[Frame]) -> None:
        self.explanation = explanation
        self.frames = frames

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"<StepThrough: {len(self.frames)} frames>"

    def to_html(self) -> str:
        """One self-contained page (inline images, inline script) with controls."""
        title = html.escape(f"backward pass of {self.explanation.names[self.explanation.root]}")
        blocks = []
        for fr in self.frames:
            data = base64.b64encode(fr.svg.encode("utf-8")).decode("ascii")
            hidden = "" if fr.index == 0 else ' hidden="hidden"'
            blocks.append(
                f'<div class="frame"{hidden}><p class="caption">{html.escape(fr.caption)}</p>'
                f'<img alt="frame {fr.index}" src="data:image/svg+xml;base64,{data}"/></div>')
        last = len(self.frames) - 1
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 1em; }}
.caption {{ font-family: monospace; min-height: 3em; }}
.frame img {{ max-width: 100%; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>
<button id="prev" type="button">&#9664; previous</button>
<input id="slider" type="range" min="0" max="{last}" value="0"/>
<button id="next" type="button">next &#9654;</button>
<span id="counter"></span> (arrow keys work too)
</p>
{chr(10).join(blocks)}
<script>
(function () {{
  var frames = document.getElementsByClassName("frame");
  var slider = document.getElementById("slider");
  var counter = document.getElementById("counter");
  function show(i) {{
    i = Math.max(0, Math.min(frames.length - 1, i));
    for (var k = 0; k !== frames.length; k++) {{ frames[k].hidden = (k !== i); }}
    slider.value = String(i);
    counter.textContent = "frame " + i + " of " + (frames.length - 1);
  }}
  function current() {{ return Number(slider.value); }}
  document.getElementById("prev").onclick = function () {{ show(current() - 1); }};
  document.getElementById("next").onclick = function () {{ show(current() + 1); }};
  slider.oninput = function () {{ show(current()); }};
  document.onkeydown = function (e) {{
    if (e.key === "ArrowLeft") {{ show(current() - 1); }}
    if (e.key === "ArrowRight") {{ show(current() + 1); }}
  }};
  show(0);
}})();
</script>
</body>
</html>
"""

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to `path` (conventionally .html) and return the path."""
        target = Path(path)
        target.write_text(self.to_html(), encoding="utf-8")
        return target

    def _repr_html_(self) -> str:
        # In a notebook show the last frame and the captions; the page itself is for a browser.
        last = self.frames[-1]
        data = base64.b64encode(last.svg.encode("utf-8")).decode("ascii")
        captions = "".join(f"<li>{html.escape(fr.caption)}</li>" for fr in self.frames)
        return (f'<div><img alt="last frame" src="data:image/svg+xml;base64,{data}"/>'
                f"<ol start=\"0\">{captions}</ol></div>")


class _Layout:
    """One rendered drawing whose grad texts and highlight colours are changed per frame."""

    def __init__(self, svg: str, order: list[Value], number_format: str) -> None:
        self.root = ET.fromstring(svg)
        self.ids = {v: f"n{i}" for i, v in enumerate(order)}  # as draw() numbers them
        self.number_format = number_format

    def frame(self, grads: dict[Value, float | None], active: Value,
              edges: list[tuple[Value, Value]]) -> str:
        """The SVG of one frame: these gradients shown, `active` and its edges highlighted."""
        tree = copy.deepcopy(self.root)
        by_title: dict[str, list[ET.Element]] = {}  # x*x draws two edges with one title
        for g in tree.iter(_SVG + "g"):
            title = g.find(_SVG + "title")
            if title is not None and g.get("class") in ("node", "edge"):
                by_title.setdefault(title.text or "", []).append(g)
        for v, node_id in self.ids.items():
            box = by_title[node_id][0]
            if not (v.is_leaf and not v.requires_grad):  # a constant's box says "no grad"
                now = grads.get(v)
                shown = "?" if now is None else format(now, self.number_format)
                box.findall(_SVG + "text")[-1].text = f"grad {shown}"  # the last field
        hot = self.ids[active]
        op_node = by_title.get(hot + "op", [])
        for shape in (by_title[hot][0].find(_SVG + "polygon"),
                      *(g.find(_SVG + "ellipse") for g in op_node)):
            if shape is not None:
                shape.set("fill", _ACTIVE_FILL)
                shape.set("stroke-width", "2")
        lit = [f"{self.ids[x]}->{self.ids[v]}op" for x, v in edges]
        if active.op is not None:
            lit.append(f"{hot}op->{hot}")
        for part in (p for title in lit for edge in by_title[title] for p in edge):
            if part.tag in (_SVG + "path", _SVG + "polygon"):
                part.set("stroke", _ACTIVE_EDGE)
                part.set("stroke-width", "2.5")
                if part.tag == _SVG + "polygon":  # the arrowhead
                    part.set("fill", _ACTIVE_EDGE)
        return ET.tostring(tree, encoding="unicode")


def step_through(root: Value, *, grad: float = 1.0, rankdir: str = "LR",
                 number_format: str = ".4g", max_steps: int = DEFAULT_MAX_STEPS,
                 max_nodes: int = DEFAULT_MAX_NODES) -> StepThrough:
    """Run backward from `root` and draw one frame per step (fills .grad as backward() does)."""
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise ValueError(f"max_steps must be a positive int, got {max_steps!r}")
    if not isinstance(root, Value):
        raise TypeError(f"step_through() needs a Value, got {type(root).__name__}")
    # The pass visits every node once: refuse before it runs, so a refusal leaves .grad alone.
    size = len(graph_order(root))
    if size > max_steps:
        raise GraphTooLargeError(
            f"the pass has {size} steps, more than max_steps={max_steps}; raise "
            "max_steps or step through a smaller part of the graph")
    # The captions name nodes as the drawing does, so "v4" in a caption is the box marked v4.
    ex = explain(root, grad=grad, number_format=number_format,
                 names=node_names(graph_order(root)))
    # Gradients as the reader sees them: unknown until some contribution arrives.
    known: dict[Value, float | None] = {v: None for v in ex.names}
    known[root] = ex.start[root]
    states = [(dict(known), root, [])]
    for step in ex.steps:
        for t in step.terms:
            known[t.input] = t.running
        states.append((dict(known), step.node, [(t.input, step.node) for t in step.terms]))
    # One layout for every frame, so no box moves while the reader steps: it is sized for the
    # widest number each box will show, and each frame only changes texts and colours.
    widest: dict[Value, float | None] = {}
    for grads, _, _ in states:
        for v, g in grads.items():
            if g is not None and (widest.get(v) is None or len(format(g, number_format))
                                  > len(format(widest[v], number_format))):
                widest[v] = g
    base = draw(root, number_format=number_format, rankdir=rankdir, grads=widest,
                max_nodes=max_nodes).svg()
    layout = _Layout(base, graph_order(root), number_format)
    frames = [Frame(0, None, f"seed: the gradient of {ex.names[root]} with respect to itself "
                             f"is {format(ex.seed, number_format)}", layout.frame(*states[0]))]
    for step, state in zip(ex.steps, states[1:], strict=True):
        frames.append(Frame(step.index, step, _caption(ex, step), layout.frame(*state)))
    return StepThrough(ex, frames)
