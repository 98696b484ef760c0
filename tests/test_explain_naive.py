"""naive(): the recursive backward a beginner writes, next to the real pass, marks what differs."""

from __future__ import annotations

import math

from autograd import Value, explain
from autograd.core.graph import topological_order
from nn.demo import readme_expression


def recursive_naive(root: Value) -> dict[Value, float]:
    """An independent, literally recursive version of the beginner's pass (small graphs only)."""
    grads = {root: 1.0}
    visited = {root}

    def visit(node: Value) -> None:
        for child, local in zip(node.inputs, node.local_grads, strict=False):
            if local is None or (child.is_leaf and not child.requires_grad):
                continue
            grads[child] = grads.get(child, 0.0) + local * grads[node]
            if child not in visited:
                visited.add(child)
                visit(child)

    visit(root)
    return grads


def test_naive_on_micrographs_readme_expression_marks_exactly_the_wrong_gradients():
    a, b, g = readme_expression()
    ex = explain(g)
    cmp = ex.naive()
    expected = recursive_naive(g)
    assert a.grad == 138.83381924198252 or math.isclose(a.grad, 138.83381924198252)
    for row in cmp.rows:
        assert row.naive == expected.get(row.node, 0.0)
        assert row.correct == (row.node.grad if row.node.is_leaf or row.node is g
                               else row.node.grad)
        assert row.differs == (not math.isclose(row.naive, row.correct, rel_tol=1e-9,
                                                abs_tol=1e-12))
    assert {r.name for r in cmp.rows if r.differs} >= {"a", "b"}
    assert any(not r.differs for r in cmp.rows)  # and not everything is marked
    text = str(cmp)
    assert "138.834" in text and "645.577" in text
    for row in cmp.rows:
        line = next(ln for ln in text.splitlines() if ln.strip().startswith(row.name + " ")
                    or ln.strip() == row.name)
        assert ("✗ differs" in line) == row.differs
    # The reason is a reused node, passed on before its second consumer had added to it.
    assert cmp.early and all(e.consumers >= 2 for e in cmp.early)
    assert "v29 (used by 2) was passed on with grad 0.5" in text
    assert a.grad == 138.83381924198252  # naive() ran on its own numbers: .grad untouched


def test_a_graph_without_reuse_gives_the_same_gradients_both_ways():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w).tanh()
    cmp = explain(y).naive()
    assert cmp.differing == [] and cmp.early == []
    assert "both passes agree" in str(cmp)


def test_naive_runs_on_deep_graphs_without_recursion():
    x = Value(1.0, label="x")
    v = x
    for _ in range(5000):
        h = v * 0.5
        v = h + h  # h is reused at every level: dv/dx stays 1
    cmp = explain(v).naive()
    assert x.grad == 1.0 and len(topological_order(v)) > 10_000
    assert x in cmp.differing and cmp.differing[-1] is x
    # Every h was passed on with half its gradient, until the halves underflow to 0.
    assert len(cmp.early) > 1000 and all(e.late == 2 * e.passed_on for e in cmp.early)
    assert "<NaiveComparison" in repr(cmp) and "<table" in cmp._repr_html_()
