"""A Value in Jupyter and in text: its graph as inline SVG, or a summary when it is too large."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..core.value import Value
from ..output.escape import html_text
from .draw import DEFAULT_MAX_NODES, draw
from .layout import graph_order
from .render import RendererNotFoundError, RenderError, legible_html

WHOLE_NODES = 50  # a larger graph displays as its summary and a scrolling, legible drawing
WAY_IN_HEIGHT = 600  # px: the box that drawing scrolls in


def summary(roots: Value | Iterable[Value]) -> str:
    """A few lines describing a graph (sizes, ops, leaves), for graphs too large to draw."""
    order = graph_order(roots)
    leaves = [v for v in order if v.is_leaf]
    counts: dict[str, int] = {}
    for v in order:
        if v.op is not None:
            counts[v.op] = counts.get(v.op, 0) + 1
    ops_text = ", ".join(f"{op} ×{n}" for op, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    trainable = sum(1 for v in leaves if v.requires_grad)
    return (f"graph of {len(order)} Values: {len(order) - len(leaves)} operations "
            f"({ops_text or 'none'}), {len(leaves)} leaves ({trainable} take gradients)")


def mimebundle(obj: Any, include: Any = None, exclude: Any = None,
               max_nodes: int = DEFAULT_MAX_NODES) -> dict[str, Any]:
    """IPython display data for a Value: its graph as SVG, else a text summary.

    Value calls this from its ``_repr_mimebundle_`` (an nn Module shows its network diagram
    instead); nothing here needs IPython.
    """
    text = repr(obj)
    if not isinstance(obj, Value):
        return {"text/plain": f"{text}\n[graph not shown: only a Value has a graph to draw]"}
    try:
        roots, params = [obj], None
        size = len(graph_order(roots))
        if size > max_nodes:
            note = f"{text}\n{summary(roots)}; too large to draw inline (limit {max_nodes})"
            return {"text/plain": note,
                    "text/html": "<pre>" + html_text(note) + "</pre>"}
        svg = draw(roots, params=params, max_nodes=max_nodes).svg()
    except (RendererNotFoundError, RenderError, TypeError) as exc:
        return {"text/plain": f"{text}\n[graph not shown: {exc}]"}
    if size <= WHOLE_NODES:
        return {"text/plain": text, "image/svg+xml": svg, "text/html": legible_html(svg)}
    # Too big to take in at once: say what it is, and show it at a legible size in a box that
    # scrolls both ways, rather than whole at a few pixels per letter.
    note = (f"{summary(roots)}; drawn below at a readable size (scroll inside the box), or "
            "look closer with explain(root), draw(root, paths_to=leaf), step_through(root)")
    return {"text/plain": f"{text}\n{note}",
            "text/html": (f'<p style="margin:2px 0 6px 0">{html_text(note)}</p>'
                          + legible_html(svg, max_height=WAY_IN_HEIGHT))}
