"""The numpy backend of compiled replay: the traced graph evaluated level by level.

Each node gets a level (1 + the highest level of its inputs; leaves are level 0) and nodes of one
level and one op are evaluated by a single NumPy call.  Long left-leaning sums such as
``sum(w * x for ...)`` would make the graph as deep as it is long, so a run of ``+`` nodes in
which each partial sum feeds only the next one (a *chain*) is evaluated in one piece: chains of
one level and length side by side, added strictly left to right (``np.add.accumulate``, or one
``np.add`` per position), exactly as the eager ``+`` nodes add.

The plan (``replay_numpy_plan.py``) is laid out with NumPy array operations, so building it
costs a fraction of eager's build.  A graph so deep for its size that a NumPy call would cover
only a few nodes (a chain ``v = v * w + b`` has one node per level) is not grouped at all: it
runs as one sequential pass over the trace's flat arrays, node by node (the loop backend's
pass, ``replay_loop.py``).

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

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.ieee import NAN
from ..core.ops import OPS
from .numpy_plan import Group, Plan

if TYPE_CHECKING:
    from .trace import Trace

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


# --- the replay ----------

def build_numpy(tr: Trace, plan: Plan, with_grad: bool) -> Callable[..., Any]:
    """replay(xs, param_values, consts) -> (value, input grads, param grads, aux values).

    Without gradients: (value, aux values).  Same contract as the python backend's function.
    A graph too narrow for NumPy groups runs as one sequential pass over the trace's flat
    arrays (the loop backend's).
    """
    if plan.sequential:
        from .loop import build_loop

        return build_loop(tr, with_grad)
    run_forward = _forward_pass(tr, plan)
    root = int(plan.pos[tr.root])
    output_pos = plan.pos[np.array(tr.outputs, dtype=np.intp)]  # has_aux outputs
    if with_grad:
        return _with_backward(tr, plan, run_forward)

    def replay_value(xs: list[float], param_values: list[float], consts: Any
                     ) -> tuple[float, list[float]] | None:
        with np.errstate(all="ignore"):
            done = run_forward(xs, param_values, consts)
        if done is None:
            return None
        values = done[0]
        return float(values[root]), values[output_pos].tolist()

    return replay_value


def _forward_pass(tr: Trace, plan: Plan) -> Callable[..., tuple[np.ndarray, list[Any]] | None]:
    """run(xs, param_values, consts) -> (value array, local derivatives per group) or None.

    None when a guard comes out otherwise than in the trace.
    """
    n_leaves = len(plan.leaf_slots)
    used_inputs = [k for k, s in enumerate(tr.input_slots) if s is not None]
    n_in, n_par = len(used_inputs), len(tr.param_slots)
    template = np.zeros(tr.size)
    guards_hold = guard_check(tr, plan)
    forward_steps = [_forward_step(g, plan, tr) for g in plan.groups]

    def run(xs: list[float], param_values: list[float], consts: list[float]
            ) -> tuple[np.ndarray, list[Any]] | None:
        values = template.copy()
        values[:n_in] = [xs[k] for k in used_inputs]
        values[n_in:n_in + n_par] = param_values
        values[n_in + n_par:n_leaves] = consts  # read afresh each call, as parameters are
        derivs = [step(values) for step in forward_steps]
        return (values, derivs) if guards_hold(values) else None

    return run


def _with_backward(tr: Trace, plan: Plan, run_forward: Callable[..., Any]
                   ) -> Callable[..., Any]:
    """The replay with gradients: the forward pass, then the levels from the top down."""
    used_inputs = [k for k, s in enumerate(tr.input_slots) if s is not None]
    param_pos = [plan.pos[s] for s in tr.param_slots if tr.receives[s]]
    # The gradients returned: used inputs, then parameters that receive one.
    wanted_pos = np.array([plan.pos[tr.input_slots[k]] for k in used_inputs] + param_pos,
                          dtype=np.intp)
    input_at = [used_inputs.index(k) if k in used_inputs else None for k in range(tr.n_inputs)]
    output_pos = plan.pos[np.array(tr.outputs, dtype=np.intp)]
    root, seed = int(plan.pos[tr.root]), tr.needs_grad[tr.root]
    backward_pass = _backward_pass(plan)

    def replay(xs: list[float], param_values: list[float], consts: Any
               ) -> tuple[Any, ...] | None:
        with np.errstate(all="ignore"):
            done = run_forward(xs, param_values, consts)
            if done is None:
                return None
            values, derivs = done
            grads = np.zeros(tr.size)
            if seed:
                # No carrying edge leads into the root's level (the root's graph lies below it),
                # so no gather overwrites this seed.
                grads[root] = 1.0
            backward_pass(grads, derivs)
        # bincount starts each sum at 0.0, as backward() starts a leaf's .grad.
        wanted = grads[wanted_pos].tolist()
        input_grads = tuple(wanted[k] if k is not None else 0.0 for k in input_at)
        outputs = values[output_pos].tolist()
        return float(values[root]), input_grads, wanted[len(used_inputs):], outputs

    return replay


def _backward_pass(plan: Plan) -> Callable[[np.ndarray, list[Any]], None]:
    """Fill the gradient array level by level from the top, given each group's derivatives."""
    backward_steps = [_backward_step(g, plan) for g in plan.groups]
    level_start, into_level = plan.level_start, plan.into_level
    # Per level from the top: its gather (edges, bins, start, stop) and its groups' steps.
    by_level: dict[int, list[int]] = {}
    for k, g in enumerate(plan.groups):
        by_level.setdefault(g.level, []).append(k)
    levels = [(into_level.get(lv), level_start[lv], level_start[lv + 1],
               [(k, backward_steps[k]) for k in reversed(by_level.get(lv, []))])
              for lv in range(plan.top, -1, -1)]

    def run(grads: np.ndarray, derivs: list[Any]) -> None:
        contributions = np.empty(plan.n_edges)
        for gather, start, stop, steps in levels:
            if gather is not None:
                # The contributions into this level's nodes, summed in backward()'s order
                # from 0.0.
                edges, bins = gather
                grads[start:stop] = np.bincount(bins, weights=contributions[edges],
                                                minlength=stop - start)
            for k, step in steps:
                step(grads, derivs[k], contributions)

    return run


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
        nodes = g.slots.reshape(g.length, -1)  # row j: every chain's j-th + node
        width = nodes.shape[1]
        starts = np.frombuffer(tr.first, dtype=np.int64)[nodes[0]]
        sides = np.frombuffer(tr.second, dtype=np.int64)[nodes]
        columns = plan.pos[np.concatenate((starts[None, :], sides))]

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
    inputs = (tr.first, tr.second)[:len(g.carries)]
    index = [plan.pos[np.frombuffer(slots, dtype=np.int64)[g.slots]] for slots in inputs]

    def op(values: np.ndarray) -> tuple[Any, ...]:
        out, *derivs = kernel(*(values[ix] for ix in index))
        values[start:stop] = out
        return tuple(derivs)

    return op


def _backward_step(g: Group, plan: Plan) -> Callable[[np.ndarray, Any, np.ndarray], None]:
    """The function writing one group's edge contributions (local derivative x upstream)."""
    start, stop, base, n = g.start, g.start + g.size, g.edge_base, g.size
    if g.op == "chain":
        chains, length = g.size // g.length, g.length
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
