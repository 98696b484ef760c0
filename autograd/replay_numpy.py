"""The numpy backend of compiled replay: the traced graph evaluated level by level.

Each node gets a level (1 + the highest level of its inputs; leaves are level 0) and nodes of one
level and one op are evaluated by a single NumPy call.  Long left-leaning sums such as
``sum(w * x for ...)`` would make the graph as deep as it is long, so a run of ``+`` nodes in
which each partial sum feeds only the next one (a *chain*) is evaluated in one piece: chains of
one level and length side by side, added strictly left to right (``np.add.accumulate``, or one
``np.add`` per position), exactly as the eager ``+`` nodes add.

Exactness (tests/test_replay.py checks it op by op and on random graphs):

* Ops with a "numpy" kernel in the op table (``+ - * / neg abs relu sqrt maximum minimum``) are
  vectorised: IEEE-754 rounds them exactly once, in NumPy as in Python, and ``ieee.safe_div``
  returns what IEEE division returns.  Every other op (transcendental, whose NumPy and libm
  versions may differ in the last bit) calls the op table's float function element by element.
* A gradient is the sum of its contributions in the order ``backward()`` adds them, starting from
  0.0: the contributions are kept per edge and summed with ``np.bincount``, which adds its weights
  one by one in array order.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .ieee import NAN
from .ops import OPS

if TYPE_CHECKING:
    from .replay_trace import Trace

# From this many chains side by side, a Python loop over positions beats np.add.accumulate.
WIDE_CHAINS = 64


# --- forward kernels: arrays in, (out, local derivative per input) out ----------
# An op's "numpy" kernel in the op table takes this module's numpy and the input columns; a
# local derivative may be a plain float (1.0 for +), which the backward step needs not multiply.

def _elementwise(name: str) -> Callable[..., tuple[Any, ...]]:
    """A kernel calling the op table's float forward on each element (exact by construction)."""
    forward = OPS[name].forward

    def kernel(*columns: np.ndarray) -> tuple[Any, ...]:
        # A None derivative (an input that takes no gradient) is never read: store nan.
        rows = [[NAN if d is None else d for d in forward(*xs)]
                for xs in zip(*(c.tolist() for c in columns), strict=True)]
        table = np.array(rows, dtype=np.float64).reshape(len(rows), len(columns) + 1)
        return tuple(table[:, k] for k in range(len(columns) + 1))

    return kernel


def kernel_for(name: str) -> Callable[..., tuple[Any, ...]]:
    """The forward kernel of an op: the table's vectorised one if it has one, else per element."""
    vectorised = OPS[name].kernels.get("numpy")
    if vectorised is None:
        return _elementwise(name)
    return lambda *columns: vectorised(np, *columns)


# --- the plan: levels, chains, groups and a numbering that makes each group a slice ----------

class Group:
    """Nodes of one level evaluated together: same op and same carrying edges, or sum chains."""

    def __init__(self, level: int, op: str, carries: tuple[bool, ...], length: int = 0) -> None:
        self.level = level
        self.op = op  # an op name, or "chain"
        self.carries = carries
        self.length = length  # chains: how many + nodes per chain
        self.members: list[Any] = []  # original slots (nodes), or chains: (start, sides, nodes)
        self.start = 0  # first position in the value array
        self.size = 0
        self.edge_base = 0  # first position in the contribution array


def _levels_and_chains(tr: Trace) -> tuple[list[int], dict[int, list[int]]]:
    """Each slot's level, and the + chains (head slot -> slots of its nodes)."""
    uses = [0] * tr.size
    for args in tr.args:
        for a in args:
            uses[a] += 1
    level = [0] * tr.size
    chain_of: dict[int, int] = {}  # a chain's tail slot -> the chain's head slot
    chains: dict[int, list[int]] = {}
    for i in range(tr.size):
        if not tr.args[i]:
            continue
        if tr.op[i] == "+":
            a, b = tr.args[i]
            head = chain_of.get(a)
            # Extend a's chain if a feeds only this node, b is ready before the chain runs, and
            # both are on the same side of the root (nodes after it, has_aux outputs, get no
            # gradient).
            if (head is not None and uses[a] == 1 and level[b] < level[head]
                    and (a > tr.root) == (i > tr.root)):
                del chain_of[a]
                chain_of[i] = head
                chains[head].append(i)
                level[i] = level[head]
                continue
            chain_of[i] = i
            chains[i] = [i]
        level[i] = 1 + max(level[a] for a in tr.args[i])
    return level, chains


def _units(tr: Trace) -> list[tuple[tuple[Any, ...], Any]]:
    """(group key, member) for everything evaluated in one piece: a node, or a whole chain."""
    level, chains = _levels_and_chains(tr)
    in_chain = {s for nodes in chains.values() if len(nodes) > 1 for s in nodes}
    units: list[tuple[tuple[Any, ...], Any]] = []
    for i in range(tr.size):
        if not tr.args[i] or (i in in_chain and i not in chains):
            continue  # leaves, and chain nodes after the head
        if i in chains and len(chains[i]) > 1:
            nodes = chains[i]
            chain = (tr.args[i][0], [tr.args[n][1] for n in nodes], nodes)  # start, sides, nodes
            units.append(((level[i], "chain", len(nodes)), chain))
        else:
            units.append(((level[i], tr.op[i], tr.carries[i]), i))
    return units


def group_nodes(tr: Trace) -> list[Group]:
    """The groups, level by level: each is evaluated by one NumPy call (forward)."""
    groups: dict[tuple[Any, ...], Group] = {}
    for key, member in _units(tr):
        if key not in groups:
            level, op = key[0], key[1]
            groups[key] = (Group(level, op, (), key[2]) if op == "chain"
                           else Group(level, op, key[2]))
        groups[key].members.append(member)
    return [groups[k] for k in sorted(groups, key=lambda k: (k[0], repr(k[1:])))]


def mean_group_size(tr: Trace, groups: list[Group]) -> float:
    """Nodes per NumPy call: small on deep, narrow graphs, where generated Python is faster."""
    return tr.kind.count("node") / max(len(groups), 1)


class Plan:
    """Where every slot lives in the value array and how each level is evaluated."""

    def __init__(self, tr: Trace, groups: list[Group]) -> None:
        self.groups = groups
        self.top = max([g.level for g in self.groups], default=0)

        # Positions: leaves first (inputs, parameters, constants), then each group in turn.
        self.leaf_slots = [s for s in tr.input_slots if s is not None]
        self.leaf_slots += tr.param_slots + tr.const_slots
        pos = [0] * tr.size
        for p, s in enumerate(self.leaf_slots):
            pos[s] = p
        at = len(self.leaf_slots)
        self.level_start = [0] * (self.top + 2)
        self.level_start[1] = at
        for g in self.groups:
            g.start = at
            if g.op == "chain":
                # Position-major: the first partial sum of every chain, then every second ...
                # so that one step of np.add.accumulate covers a contiguous run.
                for j in range(g.length):
                    for _start, _sides, nodes in g.members:
                        pos[nodes[j]] = at
                        at += 1
            else:
                for i in g.members:
                    pos[i] = at
                    at += 1
            g.size = at - g.start
            self.level_start[g.level + 1] = at
        for lv in range(1, self.top + 2):  # levels with no group (none expected) stay empty
            self.level_start[lv] = max(self.level_start[lv], self.level_start[lv - 1])
        self.pos = pos
        self._edges(tr)

    def _edges(self, tr: Trace) -> None:
        """Number every edge whose contribution is computed, and sort them per target level."""
        targets: list[int] = []  # position of the edge's target
        order_keys: list[tuple[int, int]] = []  # backward()'s order: later consumer first, a, b
        carrying: list[bool] = []
        for g in self.groups:
            g.edge_base = len(targets)
            if g.op == "chain":
                # Start edges (one per chain), then side edges position-major, as the nodes.
                for start, _sides, nodes in g.members:
                    targets.append(self.pos[start])
                    order_keys.append((-nodes[0], 0))
                    carrying.append(tr.carries[nodes[0]][0])
                for j in range(g.length):
                    for _start, sides, nodes in g.members:
                        targets.append(self.pos[sides[j]])
                        order_keys.append((-nodes[j], 1))
                        carrying.append(tr.carries[nodes[j]][1])
                continue
            for k, c in enumerate(g.carries):
                if c:
                    for i in g.members:
                        targets.append(self.pos[tr.args[i][k]])
                        order_keys.append((-i, k))
                        carrying.append(True)
        self.n_edges = len(targets)
        # For each level: the carrying edges into it, in backward()'s order, and their targets'
        # offsets within the level (the bins of np.bincount).
        by_level: dict[int, list[int]] = {}
        for e, t in enumerate(targets):
            if carrying[e]:
                by_level.setdefault(self.level_of_position(t), []).append(e)
        self.into_level: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for lv, edges in by_level.items():
            edges.sort(key=lambda e: order_keys[e])
            bins = [targets[e] - self.level_start[lv] for e in edges]
            self.into_level[lv] = (np.array(edges, dtype=np.intp), np.array(bins, dtype=np.intp))

    def level_of_position(self, p: int) -> int:
        """The level of the node at position p of the value array."""
        # level_start is sorted; an empty level shares its start with the next one.
        return bisect.bisect_right(self.level_start, p) - 1


# --- the replay ----------

def build_numpy(tr: Trace, plan: Plan, with_grad: bool) -> Callable[..., Any]:
    """replay(xs, param_values, consts) -> (value, input grads, param grads, aux values).

    Without gradients: (value, aux values).  Same contract as the python backend's function.
    """
    n_leaves = len(plan.leaf_slots)
    used_inputs = [k for k, s in enumerate(tr.input_slots) if s is not None]
    n_in, n_par = len(used_inputs), len(tr.param_slots)
    template = np.zeros(tr.size)
    guards_hold = guard_check(tr, plan)
    root = plan.pos[tr.root]
    forward_steps = [_forward_step(g, plan, tr) for g in plan.groups]
    param_pos = [plan.pos[s] for s in tr.param_slots if tr.receives[s]]
    # The gradients returned: used inputs, then parameters that receive one.
    wanted_pos = np.array([plan.pos[tr.input_slots[k]] for k in used_inputs] + param_pos,
                          dtype=np.intp)
    input_at = [used_inputs.index(k) if k in used_inputs else None for k in range(tr.n_inputs)]
    output_pos = np.array([plan.pos[s] for s in tr.outputs], dtype=np.intp)  # has_aux outputs

    def run_forward(xs: list[float], param_values: list[float], consts: list[float]
                    ) -> tuple[np.ndarray, list[Any]]:
        values = template.copy()
        values[:n_in] = [xs[k] for k in used_inputs]
        values[n_in:n_in + n_par] = param_values
        values[n_in + n_par:n_leaves] = consts  # read afresh each call, as parameters are
        derivs = [step(values) for step in forward_steps]
        return values, derivs

    if not with_grad:
        def replay_value(xs: list[float], param_values: list[float], consts: Any
                         ) -> tuple[float, list[float]] | None:
            with np.errstate(all="ignore"):
                values, _ = run_forward(xs, param_values, consts)
                if not guards_hold(values):
                    return None
            return float(values[root]), values[output_pos].tolist()

        return replay_value

    backward_steps = [_backward_step(g, plan) for g in plan.groups]
    levels_down = list(range(plan.top, 0, -1))
    level_start = plan.level_start
    into_level = plan.into_level
    root_needs_grad = tr.needs_grad[tr.root]

    def gather(lv: int, grads: np.ndarray, contributions: np.ndarray) -> None:
        """Sum the contributions into level lv's nodes, in backward()'s order, from 0.0."""
        start, stop = level_start[lv], level_start[lv + 1]
        if lv in into_level:
            edges, bins = into_level[lv]
            grads[start:stop] = np.bincount(bins, weights=contributions[edges],
                                            minlength=stop - start)

    def replay(xs: list[float], param_values: list[float], consts: Any
               ) -> tuple[Any, ...] | None:
        with np.errstate(all="ignore"):
            values, derivs = run_forward(xs, param_values, consts)
            if not guards_hold(values):
                return None
            grads = np.zeros(tr.size)
            contributions = np.empty(plan.n_edges)
            if root_needs_grad:
                # No carrying edge leads into the root's level (the root's graph lies below it),
                # so no gather() overwrites this seed.
                grads[root] = 1.0
            steps = iter(reversed(range(len(plan.groups))))
            k = next(steps, -1)
            for lv in levels_down:
                gather(lv, grads, contributions)
                while k >= 0 and plan.groups[k].level == lv:
                    backward_steps[k](grads, derivs[k], contributions)
                    k = next(steps, -1)
            gather(0, grads, contributions)
        # bincount starts each sum at 0.0, as backward() starts a leaf's .grad.
        wanted = grads[wanted_pos].tolist()
        input_grads = tuple(wanted[k] if k is not None else 0.0 for k in input_at)
        outputs = values[output_pos].tolist()
        return float(values[root]), input_grads, wanted[len(used_inputs):], outputs

    return replay


# Guard comparisons as NumPy functions: the same IEEE comparisons as the floats' operators.
_COMPARE = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
            "!=": np.not_equal}


def guard_check(tr: Trace, plan: Plan) -> Callable[[np.ndarray], bool]:
    """A function of the value array: do all the trace's guards come out as when traced?

    One NumPy comparison per kind of guard (comparison, and a Value or a constant on the right).
    """
    kinds: dict[tuple[str, bool], list[tuple[int, int, float, bool]]] = {}
    for a, op, b, const, outcome in tr.guards:
        kinds.setdefault((op, b is None), []).append(
            (plan.pos[a], 0 if b is None else plan.pos[b], const, outcome))
    checks = []
    for (op, with_const), rows in kinds.items():
        left = np.array([r[0] for r in rows], dtype=np.intp)
        right: Any = (np.array([r[2] for r in rows]) if with_const
                      else np.array([r[1] for r in rows], dtype=np.intp))
        expected = np.array([r[3] for r in rows], dtype=bool)
        checks.append((_COMPARE[op], left, right, with_const, expected))

    def holds(values: np.ndarray) -> bool:
        for compare, left, right, with_const, expected in checks:
            other = right if with_const else values[right]
            if not np.array_equal(compare(values[left], other), expected):
                return False
        return True

    return holds


def _forward_step(g: Group, plan: Plan, tr: Trace) -> Callable[[np.ndarray], Any]:
    """The function computing one group's values (returning its local derivatives)."""
    start, stop = g.start, g.start + g.size
    if g.op == "chain":
        # Column r is chain r: its start value, then its side values; accumulating down the
        # columns adds each chain strictly left to right, all chains at once.
        columns = np.array([[plan.pos[start_slot] for start_slot, _, _ in g.members]]
                           + [[plan.pos[sides[j]] for _, sides, _ in g.members]
                              for j in range(g.length)], dtype=np.intp)
        width = len(g.members)

        def chain(values: np.ndarray) -> None:
            sums = np.add.accumulate(values[columns], axis=0)
            values[start:stop] = sums[1:].ravel()

        def wide_chain(values: np.ndarray) -> None:
            # The same additions, one position at a time: np.add.accumulate runs a slow scalar
            # loop per column, while each np.add here is one vectorised pass over all chains.
            sums = values[columns]
            for j in range(1, g.length + 1):
                np.add(sums[j - 1], sums[j], out=sums[j])
            values[start:stop] = sums[1:].ravel()

        return wide_chain if width >= WIDE_CHAINS else chain
    kernel = kernel_for(g.op)
    arity = len(g.carries)
    index = [np.array([plan.pos[tr.args[i][k]] for i in g.members], dtype=np.intp)
             for k in range(arity)]

    def op(values: np.ndarray) -> tuple[Any, ...]:
        out, *derivs = kernel(*(values[ix] for ix in index))
        values[start:stop] = out
        return tuple(derivs)

    return op


def _backward_step(g: Group, plan: Plan) -> Callable[[np.ndarray, Any, np.ndarray], None]:
    """The function writing one group's edge contributions (local derivative x upstream)."""
    start, stop, base, n = g.start, g.start + g.size, g.edge_base, g.size
    if g.op == "chain":
        chains, length = len(g.members), g.length
        tails = slice(stop - chains, stop)  # the last partial sums, one per chain

        def chain(grads: np.ndarray, derivs: Any, contributions: np.ndarray) -> None:
            tail = grads[tails]
            # Each earlier partial sum gets 0.0 + 1.0 * (the next one's grad) = tail + 0.0.
            each = np.empty((length, chains))
            each[:-1] = tail + 0.0
            each[-1] = tail
            grads[start:stop] = each.ravel()
            contributions[base:base + chains] = each[0]
            contributions[base + chains:base + chains + n] = each.ravel()

        return chain
    carrying = [k for k, c in enumerate(g.carries) if c]

    def op(grads: np.ndarray, derivs: Any, contributions: np.ndarray) -> None:
        upstream = grads[start:stop]
        at = base
        for k in carrying:
            d = derivs[k]
            if isinstance(d, float) and d == 1.0:
                contributions[at:at + n] = upstream
            elif isinstance(d, float) and d == -1.0:
                contributions[at:at + n] = -upstream
            else:
                np.multiply(d, upstream, out=contributions[at:at + n])
            at += n

    return op
