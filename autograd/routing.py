"""Edges of a placed drawing (placement.py): each a smooth curve through the gaps of the ranks.

An edge runs straight along the flow while it is inside a rank (and past the title of a box
that starts there), in the free gap nearest the line from its tail to its head, and bends only
between ranks, where nothing stands; so no edge crosses a box or a box's title.  Coordinates
are (along the flow, across it), as placement computes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ARROW = 7.0  # the arrowhead's length at arrowsize 0.7; Graphviz draws it up to the tip
CLEAR = 20.0  # how far from a box an edge passes, where the gap allows (midway between boxes)


@dataclass
class Lane:
    """One rank as edges see it: where it lies along the flow and what it holds across."""

    level: float  # centre along the flow
    thick: float  # its widest node along the flow
    taken: list[tuple[float, float]] = field(default_factory=list)  # across: nodes and titles
    lead: float = 0.0  # room before the rank an edge also passes straight (a box's title row)


def route(lanes: dict[int, Lane], tail: tuple[int, float, float, float],
          head: tuple[int, float, float, float]) -> list[tuple[float, float]]:
    """Bézier points of an edge; tail and head are (rank, along, across, size along) of a node.

    The last point stops an arrowhead short of the head.
    """
    (r0, f0, a0, s0), (r1, f1, a1, s1) = tail, head
    start, end = f0 + s0 / 2, f1 - s1 / 2 - ARROW
    points = [(start, a0), (f0 + lanes[r0].thick / 2, a0)]
    for r in range(r0 + 1, r1):
        lane = lanes.get(r)
        if lane is None:
            continue
        t = (lane.level - start) / max(end - start, 1e-9)
        gap = _gap_near(lane.taken, a0 + t * (a1 - a0))
        points += [(lane.level - lane.thick / 2 - lane.lead, gap),
                   (lane.level + lane.thick / 2, gap)]
    points += [(min(f1 - lanes[r1].thick / 2, end - 0.1), a1), (end, a1)]
    kept = [points[0]]
    for p in points[1:]:  # a node as wide as its rank gives a point twice
        if p[0] > kept[-1][0] + 0.01:
            kept.append(p)
    curve = [kept[0]]
    for (fa, aa), (fb, ab) in zip(kept, kept[1:]):
        bend = (fb - fa) / 2  # leave and arrive along the flow: smooth at every point
        curve += [(fa + bend, aa), (fb - bend, ab), (fb, ab)]
    return curve


def _gap_near(taken: list[tuple[float, float]], wanted: float) -> float:
    """The point nearest `wanted` that nothing in the lane covers, well clear of it."""
    merged: list[list[float]] = []
    for lo, hi in sorted(taken):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    if not merged:
        return wanted
    edges = [float("-inf")] + [x for m in merged for x in m] + [float("inf")]
    best: float | None = None
    for lo, hi in zip(edges[0::2], edges[1::2]):
        margin = min(CLEAR, (hi - lo) / 2)
        here = min(max(wanted, lo + margin), hi - margin)
        if best is None or abs(here - wanted) < abs(best - wanted):
            best = here
    return wanted if best is None else best


def spline_text(points: list[tuple[float, float]], tip: tuple[float, float]) -> str:
    """Graphviz's edge pos: the arrow's tip, then the Bézier points."""
    return " ".join([f"e,{tip[0]:.2f},{tip[1]:.2f}"] + [f"{x:.2f},{y:.2f}" for x, y in points])
