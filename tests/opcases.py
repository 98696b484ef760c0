"""Random functions over every op of the op table, runnable on Values and on PyTorch tensors.

Ops are taken from ``autograd.OPS`` itself, so an op added to the table is exercised without
editing this file: it is applied as a user writes it (``tests/opmap.py``), and in PyTorch through
``autograd.twin.torch_twin.TWINS``, which is made from the table's ``torch`` fields.  An argument
that would leave the op's domain (a nan, an inf, a huge number) is first softened to
sigmoid(x) + 0.5, and the choice is recorded so both backends replay the same arithmetic.
"""

from __future__ import annotations

import math
import random

import opmap

from autograd import OPS, Value
from autograd.twin.torch_twin import TWINS

LIMIT = 1e3  # keep magnitudes where float64 comparisons to 1e-9 are meaningful
CONST_EXPONENTS = [2.0, 3.0, -1.0, 0.5, -2.0]


def apply_value(name: str, *args: Value) -> Value:
    """Apply the op table's entry `name` to Values through the public API (tests/opmap.py)."""
    return opmap.on_values(name, *args)


def apply_torch(torch, step, nodes):
    kind, name, idx, const = step
    args = [nodes[i] for i in idx]
    if kind == "soft":
        return torch.sigmoid(args[0]) + 0.5
    if kind == "powc":
        return args[0] ** const
    return TWINS[name](torch, *args)


def apply_step(step, nodes):
    kind, name, idx, const = step
    args = [nodes[i] for i in idx]
    if kind == "soft":
        return args[0].sigmoid() + 0.5
    if kind == "powc":
        return args[0] ** const
    return apply_value(name, *args)


def _fine(v: Value) -> bool:
    # A finite value with finite slopes: an infinite slope (sqrt at 0) times relu's zero slope
    # is nan here but 0 in PyTorch, whose relu masks the gradient instead of multiplying it.
    return math.isfinite(v.data) and abs(v.data) < LIMIT and all(
        math.isfinite(d) for d in v.local_grads if d is not None)


def random_program(rng: random.Random, n_leaves: int, n_steps: int, ops=None):
    """Leaves' numbers and a list of steps; each step may reuse any earlier node."""
    # x ** c is drawn as its own kind of step ("powc"), with c a plain number.
    names = sorted(set(OPS) - set(opmap.WITH_CONSTANT)) if ops is None else list(ops)
    leaves = [rng.uniform(-1.5, 1.5) for _ in range(n_leaves)]
    nodes = [Value(x) for x in leaves]
    steps = []

    def emit(step):
        nodes.append(apply_step(step, nodes))
        steps.append(step)
        return len(nodes) - 1

    for _ in range(n_steps):
        name = rng.choice(names + ["**c"])
        picks = [len(nodes) - 1 if rng.random() < 0.4 else rng.randrange(len(nodes)),
                 rng.randrange(len(nodes))]
        if name == "**c":
            base = picks[0] if nodes[picks[0]].data > 0.1 else emit(("soft", "", [picks[0]], None))
            emit(("powc", "**c", [base], rng.choice(CONST_EXPONENTS)))
            continue
        arity = OPS[name].arity
        idx = picks[:arity]
        if arity == 2 and abs(nodes[idx[0]].data - nodes[idx[1]].data) < 1e-3:
            idx[1] = emit(("soft", "", [idx[1]], None))  # no ties (min/max kinks), no x - x
        trial = apply_value(name, *[nodes[i] for i in idx])
        if not _fine(trial) or _near_kink(name, [nodes[i].data for i in idx]):
            idx = [emit(("soft", "", [i], None)) for i in idx]
        emit(("op", name, idx, None))
    return leaves, steps


def _near_kink(name: str, data: list[float]) -> bool:
    # Where the op's derivative jumps (relu and abs at 0): keep arguments clear of the kink.
    kink = OPS[name].kink
    return kink is not None and kink(*data) < 1e-3


def run_values(steps, xs, outputs: int = 1):
    """Replay on Values from the leaves xs; the last `outputs` nodes are the result."""
    nodes = list(xs)
    for step in steps:
        nodes.append(apply_step(step, nodes))
    return nodes[-outputs:]


def run_torch(torch, steps, x, outputs: int = 1):
    """Replay on a 1-d float64 tensor x of leaves; returns the last `outputs` nodes stacked."""
    nodes = list(x.unbind())
    for step in steps:
        nodes.append(apply_torch(torch, step, nodes))
    return torch.stack(nodes[-outputs:])


def ops_used(programs) -> set[str]:
    return {step[1] for _, steps in programs for step in steps if step[0] in ("op", "powc")}
