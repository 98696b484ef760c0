"""Chain-rule paths: operand positions tell them apart, deep chains work, LaTeX with numbers."""

from __future__ import annotations

import math
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, explain


def test_two_paths_through_a_square_name_the_left_and_the_right_factor():
    x, y = Value(3.0, label="x"), Value(2.0, label="y")
    z = x * x + x * y
    report = explain(z).paths("x")
    lines = str(report).splitlines()[1:-1]
    assert len(lines) == 3 and len(set(lines)) == 3
    assert [p.positions for p in report.paths] == [
        ("left term", "left factor"), ("left term", "right factor"),
        ("right term", "left factor")]
    assert "[x*x: left term → x: left factor]" in lines[0]
    assert "[x*x: left term → x: right factor]" in lines[1]
    assert [p.product for p in report.paths] == [3.0, 3.0, 2.0] and report.total == x.grad == 8


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-2, 2), min_size=2, max_size=3),
       st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 4)),
                min_size=2, max_size=9))
def test_random_expressions_give_distinct_path_lines_that_add_up(xs, picks):
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    pool = list(leaves)
    for i, j, op in picks:
        u, v = pool[i % len(pool)], pool[j % len(pool)]
        pool.append([u + v, u * v, u - v, (u * 0.5).tanh(), u * 2.0 + v][op])
    root = pool[-1]
    ex = explain(root)
    for leaf in leaves:
        if leaf not in ex.names:
            continue  # not used by the expression
        report = ex.paths(leaf, max_paths=10_000)
        text = str(report).split("\n", 1)[1].rsplit("\n", 1)[0]
        blocks = re.split(r"\n(?=  path )", text)  # a long path continues on lines of its own
        assert len(blocks) == len(set(blocks)) == report.count
        assert all(len(line) <= 100 or " " not in line.strip() for line in text.splitlines())
        for p in report.paths:  # each path's product is the chain rule along it
            assert p.product == math.prod(p.locals)
        if math.isfinite(leaf.grad):
            assert math.isclose(report.total, leaf.grad, rel_tol=1e-9, abs_tol=1e-12)


def test_a_hundred_thousand_deep_chain_has_its_one_path():
    x = Value(1.0, label="x")
    c = Value(1.000001, requires_grad=False)
    v = x
    for _ in range(100_000):
        v = v * c + 0
    report = explain(v).paths(x)
    assert report.count == 1 and len(report.paths[0].nodes) == 200_001
    assert math.isclose(report.total, x.grad, rel_tol=1e-12)
    block = str(report).splitlines()[1:-1]
    assert any("199992 more" in line for line in block)  # a long path prints its two ends
    assert len(block) <= 12 and all(len(line) <= 100 for line in block)


def test_paths_count_all_even_past_the_cap():
    x = Value(1.0, label="x")
    v = x
    for _ in range(30):
        v = v * v  # 2**30 paths
    report = explain(v).paths(x, max_paths=5)
    assert report.count == 2**30 and len(report.paths) == 5 and report.truncated


def test_latex_writes_the_chain_rule_with_the_numbers_filled_in():
    w, x = Value(0.5, label="w"), Value(1.0, label="x")
    a = w * x
    a.label = "a"
    loss = a + 0.0
    loss.label = "L"
    report = explain(loss).paths(w)
    tex = report._repr_latex_()
    assert tex == ("$$\\frac{\\partial L}{\\partial w} = \\frac{\\partial L}{\\partial a} \\cdot "
                   "\\frac{\\partial a}{\\partial w} = 1 \\cdot 1 = 1$$")
    y = Value(3.0, label="y")
    z = y * y
    z.label = "z"
    two = explain(z).paths(y).to_latex()
    assert two.startswith("$$\\begin{aligned}") and "&= 3 + 3 \\\\" in two and "&= 6" in two
    assert two.count("\\frac") == 3  # the two paths through y*y and the left side


def test_latex_escapes_names_and_writes_exponents_as_powers():
    x = Value(1e-7, label="my_x{1}")
    y = x * 3.0
    y.label = "y"
    tex = explain(y).paths(x).to_latex()
    assert "\\text{my\\_x\\{1\\}}" in tex and "3" in tex
    ex = explain((x * 1e-7).tanh())
    assert "10^{-7}" in ex.to_latex()
