"""The loop backend of compiled replay: one pass over flat arrays per call, for huge graphs.

Generated Python costs tens of microseconds per node to compile, and grouping a deep graph for
NumPy buys little, so on a million nodes both take far longer to build than eager takes to run.
The loop backend is built in one pass over the trace's flat arrays (each node's float function
and input slots) and replays by calling the op table's float functions node by node, then adding
the gradient contributions in the order ``backward()`` adds them, starting from 0.0 as
``backward()`` does: eager's arithmetic exactly, without making a Value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..core.ops import OPS
from .guards import COMPARISONS

if TYPE_CHECKING:
    from .trace import Trace

# replay(xs, param_values, consts): the contract of every backend's built function.
Replay = Callable[[list[float], list[float], list[float]], Any]


def forward_pass(tr: Trace) -> Callable[..., tuple[list[float], list[Any], list[Any]] | None]:
    """run(xs, param_values, consts) -> (values, d/d first input, d/d second) per slot, or None.

    None when a guard comes out otherwise than in the trace.  The loops run over the trace's
    own arrays, leaves included (they are skipped), so building copies nothing per node.
    """
    leaf_slots = [s for s in tr.input_slots if s is not None]
    used_inputs = [k for k, s in enumerate(tr.input_slots) if s is not None]
    param_slots, const_slots, size = tr.param_slots, tr.const_slots, tr.size
    guards = [(a, COMPARISONS[op], b, const, outcome) for a, op, b, const, outcome in tr.guards]
    forward = {name: OPS[name].forward for name in tr.op if name is not None}
    forwards = [forward.get(name) for name in tr.op]  # type: ignore[arg-type]  # None: a leaf
    first, second = tr.first, tr.second

    def run(xs: list[float], param_values: list[float], consts: list[float]
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
        for i, f, a, b in zip(range(size), forwards, first, second):
            if f is None:  # a leaf
                keep_a(None)
                keep_b(None)
            elif b < 0:
                values[i], d = f(values[a])
                keep_a(d)
                keep_b(None)
            else:
                values[i], d, e = f(values[a], values[b])
                keep_a(d)
                keep_b(e)
        for left, compare, right, const, outcome in guards:
            if compare(values[left], const if right is None else values[right]) != outcome:
                return None
        return values, da, db

    return run


def build_loop(tr: Trace, with_grad: bool) -> Replay:
    """replay(xs, param_values, consts) -> (value, input grads, param grads, aux values) or None.

    Without gradients: (value, aux values).  None when a guard fails.  The contract of the
    other backends' functions.
    """
    run_forward = forward_pass(tr)
    root, outputs = tr.root, tr.outputs
    if not with_grad:
        def replay_value(xs: list[float], param_values: list[float], consts: list[float]
                         ) -> tuple[float, list[float]] | None:
            done = run_forward(xs, param_values, consts)
            if done is None:
                return None
            values = done[0]
            return values[root], [values[s] for s in outputs]

        return replay_value
    return _with_backward(tr, run_forward)


def _with_backward(tr: Trace, run_forward: Callable[..., Any]) -> Replay:
    """The replay with gradients: the forward pass, then every slot's edges in reverse."""
    receiving = [s for s in tr.param_slots if tr.receives[s]]
    input_at, root, outputs, size = tr.input_slots, tr.root, tr.outputs, tr.size
    seed = tr.needs_grad[root]
    first, second, carry_a, carry_b = tr.first, tr.second, tr.carry_a, tr.carry_b

    def replay(xs: list[float], param_values: list[float], consts: list[float]
               ) -> tuple[Any, ...] | None:
        done = run_forward(xs, param_values, consts)
        if done is None:
            return None
        values, da, db = done
        grads = [0.0] * size
        if seed:
            grads[root] = 1.0
        # Consumers before inputs, as backward() runs; a leaf carries nothing.
        for i, a, b, ca, cb, d, e in zip(range(size - 1, -1, -1), reversed(first),
                                         reversed(second), reversed(carry_a),
                                         reversed(carry_b), reversed(da), reversed(db)):
            if ca:
                grads[a] += d * grads[i]
            if cb:
                grads[b] += e * grads[i]
        input_grads = tuple(0.0 if s is None else grads[s] for s in input_at)
        return (values[root], input_grads, [grads[s] for s in receiving],
                [values[s] for s in outputs])

    return replay
