"""Edges of a placed drawing (placement.py): each a smooth curve through the gaps of the ranks.

An edge runs straight along the flow while it is inside a rank (and past the title of a box
that starts there), in the free gap nearest the line from its tail to its head, and bends only
between ranks, where nothing stands; so no edge crosses a box or a box's title.  An edge's
label goes beside its own curve, at the spot farthest from every other edge.  Coordinates are
(along the flow, across it), as placement computes them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
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


@dataclass
class Route:
    """An edge's Bézier points, and where a label goes: beside its last bend, on its tail's side."""

    curve: list[tuple[float, float]]
    bend: tuple[float, float]
    side: float  # -1: the label goes before the curve across, +1 after it


def route(lanes: dict[int, Lane], tail: tuple[int, float, float, float],
          head: tuple[int, float, float, float]) -> Route:
    """An edge's route; tail and head are (rank, along, across, size along) of a node.

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
    (fa, aa), (fb, ab) = kept[-3:-1] if len(kept) >= 3 else (kept[0], kept[-1])
    return Route(curve, ((fa + fb) / 2, (aa + ab) / 2), -1.0 if aa < ab - 0.5 else 1.0)


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


def _bezier(piece: list[tuple[float, float]], t: float) -> tuple[float, float]:
    (f0, a0), (f1, a1), (f2, a2), (f3, a3) = piece
    u = 1 - t
    return (u ** 3 * f0 + 3 * u * u * t * f1 + 3 * u * t * t * f2 + t ** 3 * f3,
            u ** 3 * a0 + 3 * u * u * t * a1 + 3 * u * t * t * a2 + t ** 3 * a3)


def _samples(curve: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Points along a curve of cubic pieces."""
    return [_bezier(curve[i:i + 4], k / 8) for i in range(0, len(curve) - 3, 3)
            for k in range(9)]


def label_spots(routes: list[Route], labels: dict[int, tuple[float, float]],
                nodes: list[tuple[float, float, float, float]]) -> dict[int, tuple[float, float]]:
    """Centre (along, across) of each edge's label: beside its own curve, where it is farthest
    from every other edge and covers no node.

    labels: edge index -> the label's size (along, across); nodes: (along, across, half along,
    half across) of every node.
    """
    samples = sorted((p, i) for i, r in enumerate(routes) for p in _samples(r.curve))
    along = [p[0] for p, _ in samples]
    spots: dict[int, tuple[float, float]] = {}
    for i, (half_f, half_a) in ((i, (s[0] / 2, s[1] / 2)) for i, s in labels.items()):
        curve = routes[i].curve
        pieces = [curve[k:k + 4] for k in range(len(curve) - 7, -1, -3)]  # the last bend first
        best, best_score = routes[i].bend, float("-inf")
        for piece in pieces:
            for t in (0.5, 0.3, 0.7):
                f, a = _bezier(piece, t)
                for side in (routes[i].side, -routes[i].side):
                    centre = (f, a + side * (half_a + 3))
                    if any(abs(centre[0] - nf) < half_f + hf and abs(centre[1] - na) < half_a + ha
                           for nf, na, hf, ha in nodes):
                        continue
                    lo = bisect_left(along, f - half_f - CLEAR)
                    hi = bisect_right(along, f + half_f + CLEAR)
                    gaps = [(max(abs(p[0] - f) - half_f, abs(p[1] - centre[1]) - half_a), j)
                            for p, j in samples[lo:hi]]
                    own = max(min((d for d, j in gaps if j == i), default=0.0), 0.0)
                    score = min(min((d for d, j in gaps if j != i), default=CLEAR), CLEAR) - own
                    if score > best_score + 0.5:  # the earlier (nearer the head) on a tie
                        best, best_score = centre, score
        spots[i] = best
    return spots
