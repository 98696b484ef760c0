"""The loop backend of compiled replay: one pass over flat arrays per call, for huge graphs.

Generated Python costs tens of microseconds per node to compile, and the numpy backend one NumPy
call per level, so on a deep graph of a million nodes both take far longer to build than eager
takes to run.  The loop backend is built in one pass over the trace (each node's float function
and input slots in flat arrays) and replays by calling the op table's float functions node by
node, then adding the gradient contributions in the order ``backward()`` adds them, starting
from 0.0 as ``backward()`` does: eager's arithmetic exactly, without making a Value.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .guards import COMPARISONS
from .ops import OPS

if TYPE_CHECKING:
    from .replay_trace import Trace


def build_loop(tr: Trace, with_grad: bool) -> Callable[..., Any]:
    """replay(xs, param_values, consts) -> (value, input grads, param grads, aux values) or None.

    Without gradients: (value, aux values).  None when a guard fails.  The contract of the
    other backends' functions.
    """
    nodes = array("q", [i for i in range(tr.size) if tr.op[i] is not None])
    forwards = [OPS[tr.op[i]].forward for i in nodes]
    first = array("q", [tr.args[i][0] for i in nodes])
    second = array("q", [tr.args[i][1] if len(tr.args[i]) == 2 else -1 for i in nodes])
    leaf_slots = [s for s in tr.input_slots if s is not None]
    used_inputs = [k for k, s in enumerate(tr.input_slots) if s is not None]
    param_slots, const_slots, root = tr.param_slots, tr.const_slots, tr.root
    guards = [(a, COMPARISONS[op], b, const, outcome) for a, op, b, const, outcome in tr.guards]
    outputs = tr.outputs
    size = tr.size

    def run_forward(xs: list[float], param_values: list[float], consts: list[float]
                    ) -> tuple[list[float], list[Any], list[Any]] | None:
        values = [0.0] * size
        for s, k in zip(leaf_slots, used_inputs, strict=True):
            values[s] = xs[k]
        for s, x in zip(param_slots, param_values, strict=True):
            values[s] = x
        for s, x in zip(const_slots, consts, strict=True):
            values[s] = x
        da: list[Any] = []
        db: list[Any] = []
        keep_a, keep_b = da.append, db.append
        for i, f, a, b in zip(nodes, forwards, first, second, strict=True):
            if b < 0:
                values[i], d = f(values[a])
                keep_a(d)
                keep_b(None)
            else:
                values[i], d, e = f(values[a], values[b])
                keep_a(d)
                keep_b(e)
        for a, compare, b, const, outcome in guards:
            if compare(values[a], const if b is None else values[b]) != outcome:
                return None
        return values, da, db

    if not with_grad:
        def replay_value(xs: list[float], param_values: list[float], consts: list[float]
                         ) -> tuple[float, list[float]] | None:
            done = run_forward(xs, param_values, consts)
            if done is None:
                return None
            values = done[0]
            return values[root], [values[s] for s in outputs]

        return replay_value

    carry_a = array("b", [tr.carries[i][0] for i in nodes])
    carry_b = array("b", [len(tr.carries[i]) == 2 and tr.carries[i][1] for i in nodes])
    receiving = [s for s in param_slots if tr.receives[s]]
    input_at = tr.input_slots
    seed = tr.needs_grad[root]
    backward_order = range(len(nodes) - 1, -1, -1)

    def replay(xs: list[float], param_values: list[float], consts: list[float]
               ) -> tuple[Any, ...] | None:
        done = run_forward(xs, param_values, consts)
        if done is None:
            return None
        values, da, db = done
        grads = [0.0] * size
        if seed:
            grads[root] = 1.0
        for k in backward_order:  # consumers before inputs, as backward() runs
            g = grads[nodes[k]]
            if carry_a[k]:
                grads[first[k]] += da[k] * g
            if carry_b[k]:
                grads[second[k]] += db[k] * g
        input_grads = tuple(0.0 if s is None else grads[s] for s in input_at)
        return (values[root], input_grads, [grads[s] for s in receiving],
                [values[s] for s in outputs])

    return replay
