"""The numpy backend's plan: levels, sum chains, groups, and where each slot lives.

Each node gets a level (1 + the highest level of its inputs; leaves are level 0); nodes of one
level, one op and the same carrying edges form a group, evaluated by one NumPy call.  A run of
``+`` nodes in which each partial sum feeds only the next one (a *chain*, as ``sum(w * x ...)``
makes) is evaluated in one piece, chains of one level and length side by side.  The value array
holds the leaves first, then every group as one slice (chains position-major); every edge
whose contribution the backward pass computes gets a number, and the edges into each level are
sorted in the order ``backward()`` adds them.

Only the levels take a pass in Python over the trace's flat arrays; the sorting and numbering
are NumPy array operations, so a plan costs a fraction of eager's build.  A graph so deep for
its size that a NumPy call would cover only a few nodes is not laid out at all: it is marked
``sequential`` (``replay_numpy.build_numpy`` then runs it node by node).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .trace import Trace

# Below this many nodes per NumPy call on average (a deep, narrow graph: a chain has one node
# per level), the plan runs the graph as one sequential pass over flat arrays instead: a NumPy
# call costs some microseconds, a node of the sequential pass about one.
SEQUENTIAL_BELOW = 8


# --- the plan: levels, chains, groups and a numbering that makes each group a slice ----------

class Group:
    """Nodes of one level evaluated together: same op and same carrying edges, or sum chains."""

    def __init__(self, level: int, op: str, carries: tuple[bool, ...], slots: np.ndarray,
                 start: int, edge_base: int, length: int = 0) -> None:
        self.level = level
        self.op = op  # an op name, or "chain"
        self.carries = carries
        # The group's node slots in position order; chains position-major (row j of
        # slots.reshape(length, -1): the j-th partial sum of every chain).
        self.slots = slots
        self.length = length  # chains: how many + nodes per chain
        self.start = start  # first position in the value array
        self.size = len(slots)
        self.edge_base = edge_base  # first position in the contribution array


def levels_and_chains(tr: Trace) -> tuple[list[int], list[int], list[int]]:
    """Each slot's level, and for + chains each node's chain head slot and place in its chain.

    A node's level is 1 + its inputs' highest (leaves are level 0).  A + node whose first input
    ends a chain, feeds nothing else, and whose second input is ready before the chain runs
    extends that chain (on the same side of the root: nodes after it, has_aux outputs, get no
    gradient) and shares the chain's level.  Slots outside any chain have head -1.
    """
    first, second, size, root = tr.first.tolist(), tr.second.tolist(), tr.size, tr.root
    firsts, seconds = (np.frombuffer(slots, dtype=np.int64) for slots in (tr.first, tr.second))
    uses = (np.bincount(firsts[firsts >= 0], minlength=size)
            + np.bincount(seconds[seconds >= 0], minlength=size)).tolist()
    level, head, place = [0] * (size + 1), [-1] * size, [0] * size  # level[NO_SLOT]: 0
    tails: dict[int, int] = {}  # a chain's last node -> the chain's head
    for i, op, a, b in zip(range(size), tr.op, first, second):
        if op is None:
            continue
        level_a, level_b = level[a], level[b]
        if op == "+":
            h = tails.pop(a, -1)
            if h >= 0 and uses[a] == 1 and level_b < level[h] and (a > root) == (i > root):
                tails[i] = h
                head[i], place[i], level[i] = h, place[a] + 1, level[h]
                continue
            tails[i] = head[i] = i
        level[i] = 1 + (level_a if level_a >= level_b else level_b)
    level.pop()
    return level, head, place


class Layout:
    """The nodes sorted into groups: (level, op, carrying edges), sum chains of one length."""

    def __init__(self, tr: Trace) -> None:
        level_of, head_of, place_of = levels_and_chains(tr)
        # Every level holds a group at least: with fewer than SEQUENTIAL_BELOW nodes per level
        # the plan runs sequentially, and sorting the nodes into groups would be wasted.
        self.top = max(level_of, default=0)
        self.narrow = tr.n_nodes < SEQUENTIAL_BELOW * self.top
        if self.narrow:
            return
        is_node = np.array([op is not None for op in tr.op], dtype=bool)
        self.nodes = nodes = np.flatnonzero(is_node)
        head = np.array(head_of, dtype=np.intp)[nodes]
        lengths = np.bincount(head[head >= 0], minlength=tr.size)
        in_chain = head >= 0
        in_chain[in_chain] = lengths[head[in_chain]] > 1
        names = sorted({name for name in tr.op if name is not None})
        code = {name: k for k, name in enumerate(names)}
        carry_a = np.frombuffer(tr.carry_a, dtype=np.uint8)[nodes].astype(np.intp)
        carry_b = np.frombuffer(tr.carry_b, dtype=np.uint8)[nodes].astype(np.intp)
        # A group's class: its op and carrying edges, or one past every op for a chain.
        op_code = np.array([code[tr.op[i]] for i in nodes.tolist()], dtype=np.intp)
        cls = np.where(in_chain, 4 * len(names), 4 * op_code + 2 * carry_a + carry_b)
        length = np.where(in_chain, lengths[np.maximum(head, 0)], 0)
        place = np.where(in_chain, np.array(place_of, dtype=np.intp)[nodes], 0)
        tie = np.where(in_chain, head, nodes)  # a chain's members: by place, then chain
        level = np.array(level_of, dtype=np.intp)[nodes]
        order = np.lexsort((tie, place, length, cls, level))
        self.order = nodes[order]  # node slots in position order
        self.level, self.cls, self.length = level[order], cls[order], length[order]
        self.in_chain, self.place = in_chain[order], place[order]
        self.names = names
        change = (np.diff(self.level) != 0) | (np.diff(self.cls) != 0) | (
            np.diff(self.length) != 0)
        self.bounds = np.concatenate(([0], np.flatnonzero(change) + 1, [len(nodes)]))

    @property
    def n_groups(self) -> int:
        """How many groups (NumPy calls per forward pass; a narrow graph: at least its depth)."""
        return self.top if self.narrow else len(self.bounds) - 1


def group_nodes(tr: Trace) -> Layout:
    """The grouping of the trace's nodes: each group is evaluated by one NumPy call."""
    return Layout(tr)


def mean_group_size(tr: Trace, layout: Layout) -> float:
    """Nodes per NumPy call: small on deep, narrow graphs, where generated Python is faster."""
    return tr.n_nodes / max(layout.n_groups, 1)


class Plan:
    """Where every slot lives in the value array and how each level is evaluated."""

    def __init__(self, tr: Trace, layout: Layout) -> None:
        self.sequential = mean_group_size(tr, layout) < SEQUENTIAL_BELOW
        self.groups: list[Group] = []
        if self.sequential:
            return  # nothing to lay out: build_numpy runs the flat arrays node by node
        # Positions: leaves first (inputs, parameters, constants), then each group in turn.
        self.leaf_slots = [s for s in tr.input_slots if s is not None]
        self.leaf_slots += tr.param_slots + tr.const_slots
        n_leaves = len(self.leaf_slots)
        pos = np.zeros(tr.size, dtype=np.intp)
        pos[self.leaf_slots] = np.arange(n_leaves)
        pos[layout.order] = n_leaves + np.arange(len(layout.order))
        self.pos = pos
        self.top = int(layout.level[-1]) if len(layout.level) else 0
        position_level = np.concatenate((np.zeros(n_leaves, dtype=np.intp), layout.level))
        # level_start[lv]: the first position of level lv (an empty level starts where the
        # next one does).
        self.level_start = np.searchsorted(position_level, np.arange(self.top + 2)).tolist()
        group_of_edge = self._edges(tr, layout, n_leaves)
        self.groups = self._groups(tr, layout, n_leaves, group_of_edge)

    def _edges(self, tr: Trace, layout: Layout, n_leaves: int) -> np.ndarray:
        """Number every edge whose contribution is computed; sort them per target level.

        Each group's edges: its first-input edges in position order, then its second-input
        ones (a chain: one start edge per chain, then every side edge position-major).
        Returns each edge's group.
        """
        slots, chain = layout.order, layout.in_chain
        group = np.repeat(np.arange(layout.n_groups), np.diff(layout.bounds))
        first = np.frombuffer(tr.first, dtype=np.int64)[slots]
        second = np.frombuffer(tr.second, dtype=np.int64)[slots]
        carry_a = np.frombuffer(tr.carry_a, dtype=np.uint8)[slots].astype(bool)
        carry_b = np.frombuffer(tr.carry_b, dtype=np.uint8)[slots].astype(bool)
        has_a = np.where(chain, layout.place == 0, carry_a)
        has_b = np.where(chain, True, carry_b)
        position = n_leaves + np.arange(len(slots))
        edge_group = np.concatenate((group[has_a], group[has_b]))
        which = np.concatenate((np.zeros(has_a.sum(), np.intp), np.ones(has_b.sum(), np.intp)))
        edge_position = np.concatenate((position[has_a], position[has_b]))
        numbering = np.lexsort((edge_position, which, edge_group))
        consumer = np.concatenate((slots[has_a], slots[has_b]))[numbering]
        target = np.concatenate((first[has_a], second[has_b]))[numbering]
        carrying = np.concatenate((carry_a[has_a], carry_b[has_b]))[numbering]
        which = which[numbering]
        self.n_edges = len(target)
        # For each level: the carrying edges into it in backward()'s order (later consumer
        # first, then first input before second), and their targets' offsets within the level
        # (the bins of np.bincount).
        edges = np.flatnonzero(carrying)
        target_level = np.searchsorted(self.level_start, self.pos[target[edges]], "right") - 1
        edges = edges[np.lexsort((which[edges], -consumer[edges], target_level))]
        sorted_levels = target_level[np.argsort(target_level, kind="stable")]
        self.into_level: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for lv in np.unique(sorted_levels).tolist():
            lo, hi = np.searchsorted(sorted_levels, [lv, lv + 1])
            run = edges[lo:hi]
            self.into_level[lv] = (run, self.pos[target[run]] - self.level_start[lv])
        return edge_group[numbering]

    def _groups(self, tr: Trace, layout: Layout, n_leaves: int, group_of_edge: np.ndarray
                ) -> list[Group]:
        """One Group per run of equal (level, class, chain length) in position order."""
        bounds = layout.bounds.tolist()
        edge_base = np.searchsorted(group_of_edge, np.arange(layout.n_groups)).tolist()
        groups = []
        for k in range(layout.n_groups):
            lo, hi = bounds[k], bounds[k + 1]
            slots = layout.order[lo:hi]
            lv = int(layout.level[lo])
            if layout.in_chain[lo]:
                groups.append(Group(lv, "chain", (), slots, n_leaves + lo, edge_base[k],
                                    int(layout.length[lo])))
                continue
            i = int(slots[0])
            arity = 1 if tr.second[i] < 0 else 2
            carries = (bool(tr.carry_a[i]), bool(tr.carry_b[i]))[:arity]
            op: str = tr.op[i]  # type: ignore[assignment]  # a node's slot, not a leaf's: op is set
            groups.append(Group(lv, op, carries, slots, n_leaves + lo, edge_base[k]))
        return groups
