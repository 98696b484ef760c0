"""Random expression graphs (hypothesis): values and every leaf gradient against PyTorch float64
and against central finite differences.

A graph is a list of instructions over a growing list of nodes; an instruction may reuse any
earlier node, so graphs have shared subexpressions.  Arguments are nudged into each op's domain
(log/sqrt of a positive number, division by something away from 0) by recorded extra
instructions, so the same list replays exactly on every backend.
"""

from __future__ import annotations

import math

import opmap
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from autograd import OPS, Value, no_grad, topological_order
from autograd.core.ops import ABOVE_MINUS_ONE, NONZERO, POSITIVE

# Every op of the table ("**c" is x ** c with a plain-number exponent c).
KINDS = opmap.NAMES
CONST_EXPONENTS = [2.0, 3.0, -1.0, 0.5, 1.5, -2.0, 0.0]
LIMIT = 1e4  # keep magnitudes where float64 comparisons are meaningful
# Inputs squashed into (-1, 1) by a tanh, so that random graphs rarely overflow: a Value exponent.
SQUASHED = {("**", 1)}
# Lower bounds that keep each domain's inputs away from its edge (log near 0 is ill-conditioned).
LOWER = {POSITIVE: 0.0, ABOVE_MINUS_ONE: -1.0}


@st.composite
def programs(draw):
    n_leaves = draw(st.integers(1, 4))
    leaves = [draw(st.floats(-2.0, 2.0, allow_nan=False)) for _ in range(n_leaves)]
    steps = []
    for _ in range(draw(st.integers(1, 14))):
        op = draw(st.sampled_from(KINDS))
        picks = draw(st.lists(st.integers(0, 10_000), min_size=2, max_size=2))
        const = draw(st.sampled_from(CONST_EXPONENTS))
        steps.append((op, picks, const))
    return leaves, steps


def apply(op: str, args: list, const: float | None, torch=None):
    """Apply one instruction on Values (torch=None) or on torch tensors."""
    if op in opmap.WITH_CONSTANT:
        args = [args[0], const]
    if torch is None:
        return opmap.on_values(op, *args)
    if op == "softplus":
        # F.softplus returns x itself above its threshold of 20, off by up to e^-20 (2e-9
        # relative, more than the tolerance); log(e^x + e^0) is the exact function.
        return torch.logaddexp(args[0], torch.zeros_like(args[0]))
    return opmap.on_torch(op, *args)


def build(leaves: list[float], steps):
    """Run a program on Values; return the leaf Values, the root and the replayable trace."""
    xs = [Value(x, label=f"x{i}") for i, x in enumerate(leaves)]
    nodes: list[Value] = list(xs)
    trace = []

    def emit(op, idx, const=None):
        out = apply(op, [nodes[i] for i in idx], const)
        nodes.append(out)
        trace.append((op, idx, const))
        return len(nodes) - 1

    def constant(number):
        nodes.append(Value(number, requires_grad=False))
        trace.append(("const", [], number))
        return len(nodes) - 1

    def above(i, low):  # |x| + low + 0.7 unless x > low + 0.2: keeps log, sqrt, ... in domain
        if nodes[i].data > low + 0.2:
            return i
        return emit("+", [emit("abs", [i]), constant(low + 0.7)])

    def away_from_zero(i):
        if abs(nodes[i].data) > 0.1:
            return i
        return emit("+", [i, constant(1.0 if nodes[i].data >= 0 else -1.0)])

    def operand(op, k, i, const):
        domain = OPS[op].domain[k]
        if (op, k) in SQUASHED:
            return emit("tanh", [i])
        if op in opmap.WITH_CONSTANT and const == math.floor(const) and const >= 0:
            return i  # a whole non-negative power is defined everywhere
        if domain in LOWER:
            return above(i, LOWER[domain])
        return away_from_zero(i) if domain == NONZERO else i

    for op, picks, const in steps:
        # a third of the time chain onto the newest node, so graphs get deep as well as wide
        a = len(nodes) - 1 if picks[0] % 3 == 0 else picks[0] % len(nodes)
        b = picks[1] % len(nodes)
        if op in opmap.WITH_CONSTANT:
            emit(op, [operand(op, 0, a, const)], const)
        else:
            emit(op, [operand(op, k, i, const) for k, i in enumerate((a, b)[:OPS[op].arity])])
    return xs, nodes[-1], trace


def replay_torch(torch, leaves, trace):
    xs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in leaves]
    nodes = list(xs)
    for op, idx, const in trace:
        if op == "const":
            nodes.append(torch.tensor(const, dtype=torch.float64))
        else:
            nodes.append(apply(op, [nodes[i] for i in idx], const, torch=torch))
    return xs, nodes[-1]


def replay_float(leaves, trace) -> float:
    with no_grad():
        nodes = [Value(x) for x in leaves]
        for op, idx, const in trace:
            nodes.append(Value(const) if op == "const" else
                         apply(op, [nodes[i] for i in idx], const))
    return nodes[-1].data


def error_scale(root: Value, floor: float = 0.0) -> dict:
    """Σ over paths of the product of max(|local derivative|, floor): how large rounding can get.

    With floor=0 this bounds relative rounding in each factor.  With floor=1 it also bounds
    absolute rounding inside a local derivative itself, e.g. 1 - tanh² near saturation, where
    the float64 value of tanh can differ by an ulp between libraries.
    """
    scale = {root: 1.0}
    for v in reversed(topological_order(root)):
        for x, local in zip(v.inputs, v.local_grads):
            if local is not None:
                scale[x] = scale.get(x, 0.0) + max(abs(local), floor) * scale.get(v, 0.0)
    return scale


def well_conditioned(root: Value) -> bool:
    return all(math.isfinite(v.data) and abs(v.data) < LIMIT for v in topological_order(root))


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                      HealthCheck.filter_too_much])


# Found by hypothesis: tanh near saturation, where 1 - tanh² amplifies a one-ulp difference.
SATURATED_TANH = ([0.3125, 1.5, 0.0, 0.5], [("*", [0, 0], 2.0), ("/", [1, 74], 2.0)]
                  + [("neg", [0, 0], 2.0)] * 10 + [("tanh", [0, 0], 2.0)])


# Found by hypothesis: softplus at 20.25, where F.softplus's threshold returned x itself.
SOFTPLUS_ABOVE_20 = ([0.21875], [("sqrt", [0, 0], 2.0), ("sigmoid", [0, 0], 2.0),
                                 ("neg", [0, 0], 2.0), ("/", [1, 0], 2.0), ("+", [0, 164], 2.0),
                                 ("neg", [0, 0], 2.0), ("*", [2942, 6081], 2.0),
                                 ("**", [8, 7], 2.0), ("neg", [0, 0], 2.0),
                                 ("**c", [3980, 0], -2.0), ("softplus", [0, 0], 2.0)])


@settings(max_examples=2500, **SETTINGS)
@given(programs())
@example(SATURATED_TANH)
@example(SOFTPLUS_ABOVE_20)
def test_random_graphs_match_pytorch(torch, program):
    leaves, steps = program
    xs, root, trace = build(leaves, steps)
    # A kink a subnormal away (abs of log1p(5e-324)): PyTorch's vectorised log1p returns 0 there,
    # so the slope it takes is the other side's.  Which side is a rounding choice, not a check.
    # (Exactly at a kink, relu(0) or a tie of maximum, both must agree and are compared.)
    assume(well_conditioned(root) and not any(0.0 < d < 1e-300 for d in kink_distances(root)))
    root.backward()
    scale, loose = error_scale(root), error_scale(root, floor=1.0)
    magnitude = max(abs(v.data) for v in topological_order(root))
    txs, troot = replay_torch(torch, leaves, trace)
    assert root.data == pytest.approx(troot.item(), rel=1e-9, abs=1e-12 * max(1.0, magnitude))
    if troot.requires_grad:
        troot.backward()
    for x, tx in zip(xs, txs):
        expected = 0.0 if tx.grad is None else tx.grad.item()
        # 1e-9 relative to the size rounding can reach, plus a floor far below any gradient
        # of interest: two libms may differ by an ulp in exp/log/tanh, which a well-scaled
        # graph turns into nothing but an ill-conditioned one turns into 1e-17-sized noise.
        tol = 1e-9 * max(scale.get(x, 0.0), abs(expected)) + 1e-13 * loose.get(x, 0.0) + 1e-14
        assert abs(x.grad - expected) <= tol, (x.label, trace)


def kink_distances(root: Value) -> list[float]:
    """For each node of an op with a kink: how far its inputs are from where the slope jumps."""
    return [OPS[v.op].kink(*(x.data for x in v.inputs)) for v in topological_order(root)
            if v.op is not None and OPS[v.op].kink is not None]


def near_kink(root: Value) -> bool:
    """Whether some node sits near where its op's derivative jumps (finite differences straddle
    it)."""
    return any(d < 1e-4 for d in kink_distances(root))


@settings(max_examples=1200, **SETTINGS)
@given(programs())
def test_random_graphs_match_finite_differences(program):
    leaves, steps = program
    xs, root, trace = build(leaves, steps)
    assume(well_conditioned(root) and not near_kink(root))
    root.backward()
    scale = error_scale(root)
    eps = 1e-6
    for i, x in enumerate(xs):
        up, down = list(leaves), list(leaves)
        up[i] += eps
        down[i] -= eps
        numeric = (replay_float(up, trace) - replay_float(down, trace)) / (2 * eps)
        assume(math.isfinite(numeric))
        assert x.grad == pytest.approx(numeric, rel=1e-4, abs=1e-5 * max(1.0, scale.get(x, 0.0)))


def test_generator_covers_every_op():
    assert set(KINDS) == set(OPS)
    for name in KINDS:
        assert len(OPS[name].domain) == OPS[name].arity, f"{name}: one domain per input"
