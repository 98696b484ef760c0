"""Where each box of a grouped drawing goes: ranks along the flow, index order across it.

dot orders the nodes of a rank by crossing heuristics and may swap whole boxes (clusters) to
save a crossing, so no hint makes it keep neuron 0 before neuron 1 in every network.  For a
drawing whose nodes belong to groups (nn's neurons), valuegrad places every node itself and
routes the edges itself (routing.py); the renderer only draws (``neato -n2``, see render.py):

* ranks: each edge goes at least one rank forward, a group starts after every group and every
  ungrouped node that feeds it, and a leaf sits just before its first use;
* across: the groups of one stage (the neurons of a layer) are stacked in index order, each as a
  band wide enough for its widest rank; inside a band the leaves keep their index order and an
  operation goes where its operands' mean is; ungrouped nodes go where their neighbours are,
  outside the bands.

Sizes come from the renderer (render.py measures the nodes first), so text never overflows.
Coordinates are in points with y growing upwards, as Graphviz reads ``pos``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .routing import ARROW, Lane, Route, label_spots, route, spline_text

Size = tuple[float, float]  # width, height in points, as the renderer drew the node
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in points, y up

NODE_SEP = 18.0  # across, between nodes of a rank (dot's nodesep 0.25 in)
RANK_SEP = 25.0  # along the flow, between ranks (dot's ranksep 0.35 in)
PAD = 8.0  # from a group's nodes to its box, as dot's clusters
GROUP_SEP = 24.0  # between the boxes of one stage: edges pass there


@dataclass
class Plan:
    """What placement needs to know of a drawing (node ids, not Values, so it can be tested).

    nodes: ids in data-flow order (an operation after its operands); edges: (tail, head, slot),
    slot being the operand's position in the head operation; group_of: node -> index into
    groups (absent: the node belongs to no group); leaves: nodes no edge enters.
    """

    nodes: list[str]
    edges: list[tuple[str, str, int]]
    group_of: dict[str, int]
    groups: list[str]
    rankdir: str
    leaves: set[str] = field(default_factory=set)


@dataclass
class Placement:
    """Centres of nodes, the boxes of groups and where their titles go, and the whole extent."""

    pos: dict[str, tuple[float, float]]
    boxes: dict[int, Rect]
    titles: dict[int, tuple[float, float]]
    bb: Rect
    routes: list[str] = field(default_factory=list)  # each edge's spline, as Graphviz's pos
    labels: dict[int, tuple[float, float]] = field(default_factory=dict)  # edge index -> centre


def place(plan: Plan, sizes: dict[str, Size], titles: dict[int, Size]) -> Placement | None:
    """Coordinates for every node and group box, or None where groups cannot be kept apart.

    None (groups feeding each other in a cycle, such as a network applied to its own output, or
    boxes that would overlap) leaves the layout to the renderer.
    """
    levels = _levels(plan)
    if levels is None:
        return None
    stage_size: defaultdict[int, int] = defaultdict(int)
    for g in levels:
        stage_size[levels[g]] += 1
    alone = {g for g in levels if stage_size[levels[g]] == 1}
    ranks = _ranks(plan, alone)
    if ranks is None:
        return None
    axes = _Axes(plan.rankdir, sizes)
    span = _group_spans(plan, ranks)
    across, bands = _place_groups(plan, ranks, axes, levels, span, titles)
    _place_ungrouped(plan, ranks, axes, across, bands, span)
    labels = {i: sizes[f"label{i}"] for i in range(len(plan.edges)) if f"label{i}" in sizes}
    flow, flow_box = _flow_positions(plan, ranks, axes, span, titles, labels)
    lanes = _lanes(plan, ranks, axes, across, flow, bands, span, titles)
    routes = [route(lanes, (ranks[t], flow[t], across[t], axes.along(t)),
                    (ranks[h], flow[h], across[h], axes.along(h))) for t, h, _ in plan.edges]
    return _to_points(plan, axes, across, flow, bands, flow_box, titles, routes, labels)


# --- ranks ----------

def _ranks(plan: Plan, alone: set[int]) -> dict[str, int] | None:
    """Rank of every node (longest path under the constraints above), None on a cycle.

    alone: groups with no sibling across; the inputs of such a group (one neuron) may sit
    beside its weights, where they fit without widening the drawing.
    """
    succ: dict[object, list[tuple[object, int]]] = defaultdict(list)
    group_of = plan.group_of
    for n in plan.nodes:
        if n in group_of:
            g = group_of[n]
            succ[("start", g)].append((n, 0))
            succ[n].append((("end", g), 0))
    after_group: dict[str, set[int]] = defaultdict(set)  # ungrouped op -> groups feeding it
    for tail, head, _ in plan.edges:
        succ[tail].append((head, 1))
        gt, gh = group_of.get(tail), group_of.get(head)
        if gh is not None and gt != gh and not (gt is None and tail in plan.leaves
                                                and gh in alone):
            succ[tail if gt is None else ("end", gt)].append((("start", gh), 1))
        elif gt is not None and gh is None:
            succ[("end", gt)].append((head, 1))
            after_group[head].add(gt)
    for tail, head, _ in plan.edges:  # a constant used after a group (a target) comes after it
        if tail in plan.leaves and tail not in group_of:
            for g in after_group.get(head, ()):
                succ[("end", g)].append((tail, 1))
    rank = _longest_paths(list(plan.nodes) + [k for k in succ if isinstance(k, tuple)], succ)
    if rank is None:
        return None
    for n in plan.leaves:  # next to its first use, as dot's shortest edges would put it
        later = [rank[s] - w for s, w in succ[n]]
        if later:
            rank[n] = max(rank[n], min(later))
    return {n: rank[n] for n in plan.nodes}


def _longest_paths(keys: list[object], succ: dict[object, list[tuple[object, int]]]
                   ) -> dict[object, int] | None:
    """Longest path from any source to every key over weighted edges; None if there is a cycle."""
    indegree: dict[object, int] = dict.fromkeys(keys, 0)
    for k in list(succ):
        for s, _ in succ[k]:
            indegree[s] = indegree.get(s, 0) + 1
    rank = dict.fromkeys(indegree, 0)
    ready = [k for k, d in indegree.items() if d == 0]
    done = 0
    while ready:
        k = ready.pop()
        done += 1
        for s, w in succ.get(k, ()):
            rank[s] = max(rank[s], rank[k] + w)
            indegree[s] -= 1
            if indegree[s] == 0:
                ready.append(s)
    return rank if done == len(indegree) else None


def _levels(plan: Plan) -> dict[int, int] | None:
    """Stage of each group: groups feeding each other are in successive stages, others share."""
    feeds: dict[object, list[tuple[object, int]]] = defaultdict(list)
    for tail, head, _ in plan.edges:
        gt, gh = plan.group_of.get(tail), plan.group_of.get(head)
        if gt is not None and gh is not None and gt != gh:
            feeds[gt].append((gh, 1))
    level = _longest_paths(list(range(len(plan.groups))), feeds)
    return None if level is None else {int(g): v for g, v in level.items()}  # type: ignore[call-overload]


def _group_spans(plan: Plan, ranks: dict[str, int]) -> dict[int, tuple[int, int]]:
    """First and last rank of each group."""
    span: dict[int, tuple[int, int]] = {}
    for n, g in plan.group_of.items():
        lo, hi = span.get(g, (ranks[n], ranks[n]))
        span[g] = (min(lo, ranks[n]), max(hi, ranks[n]))
    return span


# --- across the flow ----------

class _Axes:
    """Sizes along and across the flow: LR flows in x, so a node's height is its size across."""

    def __init__(self, rankdir: str, sizes: dict[str, Size]) -> None:
        self.rankdir = rankdir
        self.across_is_y = rankdir in ("LR", "RL")
        self.sizes = sizes

    def across(self, n: str) -> float:
        w, h = self.sizes[n]
        return h if self.across_is_y else w

    def along(self, n: str) -> float:
        w, h = self.sizes[n]
        return w if self.across_is_y else h


def _title_room(axes: _Axes, titles: dict[int, Size], g: int) -> tuple[float, float]:
    """Room a group's title takes across the flow and along it (it sits at the box's top)."""
    w, h = titles.get(g, (0.0, 0.0))
    return (h + 2, 0.0) if axes.across_is_y else (0.0, h + 2)


def _place_groups(plan: Plan, ranks: dict[str, int], axes: _Axes, levels: dict[int, int],
                  span: dict[int, tuple[int, int]], titles: dict[int, Size]
                  ) -> tuple[dict[str, float], dict[int, tuple[float, float]]]:
    """Across-positions of grouped nodes, and each group's band (its box's extent across)."""
    members: dict[int, list[str]] = defaultdict(list)
    for n in plan.nodes:
        if n in plan.group_of:
            members[plan.group_of[n]].append(n)
    relative: dict[str, float] = {}
    inner: dict[int, float] = {}
    for g, nodes in members.items():
        inner[g] = _order_in_group(plan, ranks, axes, nodes, relative)
        if not axes.across_is_y:  # the title runs across: the box must be as wide
            inner[g] = max(inner[g], titles.get(g, (0.0, 0.0))[0])
    across: dict[str, float] = {}
    bands: dict[int, tuple[float, float]] = {}
    stages: dict[int, list[int]] = defaultdict(list)
    for g in sorted(members):
        stages[levels[g]].append(g)
    for stage in stages.values():
        outer = [inner[g] + 2 * PAD + _title_room(axes, titles, g)[0] for g in stage]
        cursor = -(sum(outer) + GROUP_SEP * (len(stage) - 1)) / 2
        for g, size in zip(stage, outer):
            bands[g] = (cursor, cursor + size)
            centre = cursor + _title_room(axes, titles, g)[0] + PAD + inner[g] / 2
            for n in members[g]:
                across[n] = centre + relative[n]
            cursor += size + GROUP_SEP
    return across, bands


def _order_in_group(plan: Plan, ranks: dict[str, int], axes: _Axes, nodes: list[str],
                    relative: dict[str, float]) -> float:
    """Place a group's nodes rank by rank around its centre line; return the widest rank."""
    inputs: dict[str, list[tuple[str, int]]] = defaultdict(list)
    consumers: dict[str, list[str]] = defaultdict(list)
    mine = set(nodes)
    for tail, head, slot in plan.edges:
        if tail in mine and head in mine:
            inputs[head].append((tail, slot))
            consumers[tail].append(head)
    index = {n: i for i, n in enumerate(nodes)}
    by_rank: dict[int, list[str]] = defaultdict(list)
    for n in nodes:
        by_rank[ranks[n]].append(n)
    widest = 0.0
    for r in sorted(by_rank):
        key: dict[str, float] = {}
        for n in by_rank[r]:
            placed = [relative[x] for x, _ in inputs[n] if x in relative]
            if placed:
                key[n] = sum(placed) / len(placed)
        for n in by_rank[r]:  # a leaf beside the operand it is combined with (b beside the sum)
            if n in key or not consumers[n]:
                continue
            c = consumers[n][0]
            mates = [(key[x], s) for x, s in inputs[c] if x in key and ranks[x] == r]
            slot = next(s for x, s in inputs[c] if x == n)
            if mates:
                k, s = mates[0]
                key[n] = k + (0.5 if slot > s else -0.5)
        # Nodes with no key (a neuron's weights) keep the graph's order: w.0 before w.1.
        row = sorted(by_rank[r], key=lambda n: (n not in key, key.get(n, 0.0), index[n]))
        total = sum(axes.across(n) for n in row) + NODE_SEP * (len(row) - 1)
        cursor = -total / 2
        for n in row:  # packed around the centre line, unless an operation can sit under its
            relative[n] = cursor + axes.across(n) / 2  # operands (a product under its weight)
            cursor += axes.across(n) + NODE_SEP
        if all(n in key for n in row):
            floor = float("-inf")
            for n in row:
                half = axes.across(n) / 2
                relative[n] = max(key[n], floor + half)
                floor = relative[n] + half + NODE_SEP
            shift = sum(key[n] - relative[n] for n in row) / len(row)
            for n in row:
                relative[n] += shift
        lo = min(relative[n] - axes.across(n) / 2 for n in row)
        hi = max(relative[n] + axes.across(n) / 2 for n in row)
        widest = max(widest, 2 * max(-lo, hi))
    return widest


def _place_ungrouped(plan: Plan, ranks: dict[str, int], axes: _Axes, across: dict[str, float],
                     bands: dict[int, tuple[float, float]],
                     span: dict[int, tuple[int, int]]) -> None:
    """Across-positions of ungrouped nodes: near their neighbours, clear of nodes and boxes."""
    free = [n for n in plan.nodes if n not in plan.group_of]
    if not free:
        return
    inputs: dict[str, list[tuple[str, int]]] = defaultdict(list)
    consumers: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for tail, head, slot in plan.edges:
        inputs[head].append((tail, slot))
        consumers[tail].append((head, slot))
    wanted: dict[str, float] = {}
    for n in free:  # operations: where their operands are
        placed = [across.get(x, wanted.get(x, 0.0)) for x, _ in inputs[n]
                  if x in across or x in wanted]
        if placed:
            wanted[n] = sum(placed) / len(placed)
    for n in sorted(free, key=lambda n: -ranks[n]):  # leaves: where they are used
        if n in wanted:
            continue
        found = [(across.get(c, wanted.get(c)), c, s) for c, s in consumers[n]]
        uses = [(p, c, s) for p, c, s in found if p is not None]
        if len(uses) == 1 and uses[0][1] not in plan.group_of:
            p, c, s = uses[0]  # beside its operation, on its operand's side (target by out)
            arity = len(inputs[c])
            wanted[n] = p + (s - (arity - 1) / 2) * (axes.across(n) + NODE_SEP)
        elif uses:
            wanted[n] = sum(p for p, _, _ in uses) / len(uses)
    by_rank: dict[int, list[str]] = defaultdict(list)
    for n in free:
        by_rank[ranks[n]].append(n)
    for r, row in by_rank.items():
        blocked = sorted(bands[g] for g, (lo, hi) in span.items() if lo <= r <= hi)
        _spread(row, {n: wanted.get(n, 0.0) for n in row}, axes, blocked, across)


def _spread(row: list[str], wanted: dict[str, float], axes: _Axes,
            blocked: list[tuple[float, float]], across: dict[str, float]) -> None:
    """Put a rank's ungrouped nodes in order of where they want to be, without overlaps."""
    row = sorted(row, key=lambda n: wanted[n])
    floor = float("-inf")
    for n in row:
        half = axes.across(n) / 2
        options = [max(wanted[n], floor + half)]
        for lo, hi in blocked:
            options += [lo - NODE_SEP - half, hi + NODE_SEP + half]
        options = [max(c, floor + half) for c in options]  # the last one clears every box
        fits = [c for c in options if
                not any(c + half > lo - NODE_SEP / 2 and c - half < hi + NODE_SEP / 2
                        for lo, hi in blocked)]
        best = min(fits, key=lambda c: abs(c - wanted[n]))
        across[n] = best
        floor = best + half + NODE_SEP
    if not blocked and row:  # nothing to avoid: keep the rank centred where it wanted to be
        shift = sum(wanted[n] - across[n] for n in row) / len(row)
        for n in row:
            across[n] += shift


# --- along the flow, edges, and back to points ----------

def _lanes(plan: Plan, ranks: dict[str, int], axes: _Axes, across: dict[str, float],
           flow: dict[str, float], bands: dict[int, tuple[float, float]],
           span: dict[int, tuple[int, int]], titles: dict[int, Size]) -> dict[int, Lane]:
    """Each rank as routing sees it: its nodes, and the box titles an edge must not cross."""
    lanes: dict[int, Lane] = {}
    for n in plan.nodes:
        lane = lanes.setdefault(ranks[n], Lane(flow[n], 0.0))
        lane.thick = max(lane.thick, axes.along(n))
        lane.taken.append((across[n] - axes.across(n) / 2, across[n] + axes.across(n) / 2))
    for g, (lo, hi) in span.items():
        w, h = titles.get(g, (0.0, 0.0))
        start = bands[g][0]
        if axes.across_is_y:  # the title runs along the box's top side, past all its ranks
            for r in range(lo, hi + 1):
                if r in lanes:
                    lanes[r].taken.append((start, start + PAD + h))
        else:  # the title has a row of its own before the box's first rank
            lanes[lo].taken.append((start, start + 2 * PAD + w))  # with room around it
            lanes[lo].lead = max(lanes[lo].lead, PAD + h + 2)
    return lanes



def _flow_positions(plan: Plan, ranks: dict[str, int], axes: _Axes,
                    span: dict[int, tuple[int, int]], titles: dict[int, Size],
                    labels: dict[int, Size]
                    ) -> tuple[dict[str, float], dict[int, tuple[float, float]]]:
    """Centre of every node along the flow, and each group box's extent along it.

    The gap before a rank is wide enough for the labels of the edges arriving there.
    """
    room: dict[int, float] = defaultdict(float)
    for i, (w, h) in labels.items():
        head = ranks[plan.edges[i][1]]
        room[head] = max(room[head], (w if axes.across_is_y else h) + 6 - RANK_SEP)
    thick: dict[int, float] = defaultdict(float)
    for n in plan.nodes:
        thick[ranks[n]] = max(thick[ranks[n]], axes.along(n))
    starts: dict[int, float] = defaultdict(float)
    ends: dict[int, float] = defaultdict(float)
    for g, (lo, hi) in span.items():
        starts[lo] = max(starts[lo], PAD + _title_room(axes, titles, g)[1])
        ends[hi] = max(ends[hi], PAD)
    centre: dict[int, float] = {}
    cursor = 0.0
    previous = None
    for r in sorted(thick):
        if previous is not None:
            cursor += RANK_SEP + ends[previous] + max(starts[r], room[r])
        centre[r] = cursor + thick[r] / 2
        cursor += thick[r]
        previous = r
    flow = {n: centre[ranks[n]] for n in plan.nodes}
    box = {g: (centre[lo] - thick[lo] / 2 - PAD - _title_room(axes, titles, g)[1],
               centre[hi] + thick[hi] / 2 + PAD) for g, (lo, hi) in span.items()}
    return flow, box


def _to_points(plan: Plan, axes: _Axes, across: dict[str, float], flow: dict[str, float],
               bands: dict[int, tuple[float, float]], flow_box: dict[int, tuple[float, float]],
               titles: dict[int, Size], routes: list[Route], labels: dict[int, Size]
               ) -> Placement | None:
    """Turn (along, across) into Graphviz points for the drawing's direction; None on overlap."""
    rd = plan.rankdir

    def point(f: float, a: float) -> tuple[float, float]:
        # Picture coordinates first (x right, y down), then Graphviz's y up.
        x, y = {"TB": (a, f), "BT": (a, -f), "LR": (f, a), "RL": (-f, a)}[rd]
        return x, -y

    pos = {n: point(flow[n], across[n]) for n in plan.nodes}
    boxes: dict[int, Rect] = {}
    for g, (a0, a1) in bands.items():
        (x0, y0), (x1, y1) = point(flow_box[g][0], a0), point(flow_box[g][1], a1)
        boxes[g] = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    rects = list(boxes.values())
    for i, rect in enumerate(rects):
        if any(rect[0] < b[2] and b[0] < rect[2] and rect[1] < b[3] and b[1] < rect[3]
               for b in rects[i + 1:]):
            return None
    title_pos = {}  # top left; bottom left bottom-up, where its room was kept (flow start)
    for g, box in boxes.items():
        w, h = titles.get(g, (0.0, 0.0))
        y = box[1] + 1 + h / 2 if rd == "BT" else box[3] - 1 - h / 2
        title_pos[g] = (box[0] + PAD + w / 2, y)
    spots = label_spots(routes, {i: (w, h) if axes.across_is_y else (h, w)
                                 for i, (w, h) in labels.items()},
                        [(flow[n], across[n], axes.along(n) / 2, axes.across(n) / 2)
                         for n in plan.nodes])
    label_pos = {i: point(f, a) for i, (f, a) in spots.items()}
    extents = [(p, axes.sizes[n]) for n, p in pos.items()] + \
        [(label_pos[i], labels[i]) for i in label_pos]
    xs = [p[0] - w / 2 for p, (w, _) in extents] + [b[0] for b in rects]
    xe = [p[0] + w / 2 for p, (w, _) in extents] + [b[2] for b in rects]
    ys = [p[1] - h / 2 for p, (_, h) in extents] + [b[1] for b in rects]
    ye = [p[1] + h / 2 for p, (_, h) in extents] + [b[3] for b in rects]
    m = 4.0
    dx, dy = m - min(xs), m - min(ys)  # Graphviz's own drawings start at the origin
    pos = {n: (x + dx, y + dy) for n, (x, y) in pos.items()}
    boxes = {g: (b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy) for g, b in boxes.items()}
    title_pos = {g: (x + dx, y + dy) for g, (x, y) in title_pos.items()}
    label_pos = {i: (x + dx, y + dy) for i, (x, y) in label_pos.items()}
    bb = (0.0, 0.0, max(xe) + dx + m, max(ye) + dy + m)
    splines = []
    for r in routes:
        f, a = r.curve[-1]
        shifted = [(x + dx, y + dy) for x, y in (point(f, a) for f, a in r.curve)]
        tx, ty = point(f + ARROW, a)  # the arrow's tip, on the head's edge
        splines.append(spline_text(shifted, (tx + dx, ty + dy)))
    return Placement(pos, boxes, title_pos, bb, splines, label_pos)
