"""The check behind draw()'s red banner: every op, every node; stale leaves always flagged.

Random graphs over every op of the table (tests/opcases.py), ``x ** 2``'s constant exponent
included: after one fresh backward pass nothing is flagged; after a second pass (or an earlier
pass of another graph) exactly the leaves whose .grad then differs from one pass's gradient
(computed independently with autograd.grad) are flagged, with that gradient as the expected one.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opcases import apply_value, random_program, run_values
from svgread import svg_root

from autograd import OPS, Value, draw, grad
from autograd.viz.chaincheck import ABS_TOL, REL_TOL, check_chain_rule
from autograd.viz.layout import graph_order

SVG_TEXT = "{http://www.w3.org/2000/svg}text"


def same(a: float, b: float) -> bool:
    """The check's own tolerance: a summation order may differ, nothing more."""
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def banner(graph) -> str:
    return "\n".join(t.text or "" for t in svg_root(graph).iter(SVG_TEXT))


def test_a_square_no_longer_blinds_the_check():
    x = Value(3.0, label="x")
    (x**2).backward()
    y = x**2
    y.backward()  # x.grad is 12, one pass gives 6
    report = check_chain_rule(graph_order(y), [y])
    assert report.expected == {x: 6.0}
    shown = banner(draw(y))
    assert "x.grad = 12, one pass gives 6" not in shown  # the wording is the held_lines one
    assert "x.grad = 12 (one pass: 6)" in shown and "grad 6 (.grad 12)" in shown


@pytest.mark.parametrize("loss", ["e**2", "mse", "half_sse"])
def test_every_loss_with_a_square_is_checked(loss):
    import nn

    w = Value(0.5, label="w")
    out = w * 3.0
    e = {"e**2": lambda: (out - 1.0) ** 2, "mse": lambda: nn.mse([out], [1.0]),
         "half_sse": lambda: nn.half_sse([out], [1.0])}[loss]()
    e.backward()
    assert not check_chain_rule(graph_order(e), [e])
    e.backward()
    assert set(check_chain_rule(graph_order(e), [e]).expected) == {w}
    assert "why: 2 backward passes added into it" in banner(draw(e))


def _graph(op: str, seed: int, n_leaves: int, n_steps: int) -> tuple[list[Value], Value]:
    """A random graph of `op` (and x ** c) steps, ending in `op` so that it is surely there."""
    leaves_data, steps = random_program(random.Random(seed), n_leaves, n_steps, ops=[op])
    leaves = [Value(x, label=f"x{k}") for k, x in enumerate(leaves_data)]
    top = run_values(steps, leaves)[0]
    # In (0.5, 1.5): inside every op's domain, clear of relu's and abs's kinks.
    a, b = top.sigmoid() + 0.5, leaves[0].tanh() * 0.25 + 1.0
    if op == "**c":
        return leaves, a ** 2
    return leaves, apply_value(op, a, b) if OPS[op].arity == 2 else apply_value(op, a)


def _flagged_leaves(root: Value, leaves: list[Value], reference: list[float]) -> set[Value]:
    """The leaves whose .grad is not one pass's gradient (reference: autograd.grad's)."""
    in_graph = set(graph_order(root))
    return {x for x, g in zip(leaves, reference, strict=True)
            if x in in_graph and not same(x.grad, g)}


@pytest.mark.parametrize("op", sorted(OPS))
@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10**6), n_leaves=st.integers(1, 4), n_steps=st.integers(1, 8))
def test_random_graphs_of_every_op_fresh_never_flagged_stale_always(op, seed, n_leaves, n_steps):
    leaves, root = _graph(op, seed, n_leaves, n_steps)
    assert op in {v.op for v in graph_order(root)}  # the op under test is in the graph
    reference = grad(root, leaves)
    order = graph_order(root)
    root.backward()  # one fresh pass
    assert all(math.isfinite(v.grad) for v in order)
    report = check_chain_rule(order, [root])
    assert not report, {v.label or v.op: (v.grad, want) for v, want in report.expected.items()}
    root.backward()  # a second pass: every leaf with a nonzero gradient now holds twice it
    report = check_chain_rule(order, [root])
    stale = _flagged_leaves(root, leaves, reference)
    assert set(report.expected) == stale  # interior nodes are reset each pass: never flagged
    assert stale == {x for x, g in zip(leaves, reference, strict=True)
                     if x in set(order) and not same(2 * g, g)}
    for x, g in zip(leaves, reference, strict=True):
        if x in stale:
            assert math.isclose(report.expected[x], g, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), other=st.integers(0, 10**6), op=st.sampled_from(sorted(OPS)))
def test_a_pass_of_another_graph_leaves_flagged_exactly_where_it_added(seed, other, op):
    leaves, root = _graph(op, seed, 3, 6)
    if root.is_leaf:
        return
    leaves_data, steps = random_program(random.Random(other), 3, 4)
    earlier = run_values(steps, leaves)[0]  # a different function of the same leaves
    if not earlier.is_leaf:
        earlier.backward()
    reference = grad(root, leaves)
    root.backward()
    report = check_chain_rule(graph_order(root), [root])
    assert set(report.expected) == _flagged_leaves(root, leaves, reference)
    zero = [x for x in leaves if x in set(graph_order(root))]
    for x in zero:
        x.grad = 0.0
    root.backward()
    assert not check_chain_rule(graph_order(root), [root])
