"""explain(): the recorded pass matches .grad, path sums match leaf gradients, tables render."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest
from handwritten import two_two_two, warning_of
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, topological_order
from autograd.explanations.explain import explain
from nn.demo import readme_expression as micrograd_expression


def test_every_number_in_the_table_is_what_the_pass_put_in_grad():
    a, b, g = micrograd_expression()
    ex = explain(g)
    order = topological_order(g)
    # The pass visits consumers first; constants are numbers in the rules, not steps.
    assert [s.node for s in ex.steps] == [v for v in order[::-1] if v.requires_grad]
    final = {}
    for step in ex.steps:
        for t in step.terms:
            assert t.product == t.local * step.upstream
            final[t.input] = t.running
    for v in order:
        if v.requires_grad:
            assert ex.grad_of(v) == v.grad
            if v is not g:
                assert final[v] == v.grad  # bit for bit: the same additions in the same order
    for step in ex.steps:
        if step.node.requires_grad:
            assert step.upstream == step.node.grad  # complete by the time the pass reaches it
    assert a.grad == pytest.approx(138.83381924198252)  # micrograd's README numbers
    assert b.grad == pytest.approx(645.5772594752186)


def test_running_sum_shows_where_paths_meet():
    x = Value(3.0, label="x")
    y = x * x + x  # three edges into x
    ex = explain(y)
    x_terms = [t for s in ex.steps for t in s.terms if t.input is x]
    assert [t.product for t in x_terms] == [1.0, 3.0, 3.0]
    assert [t.running for t in x_terms] == [1.0, 4.0, 7.0]
    assert x.grad == 7.0


def test_old_leaf_gradients_are_neither_added_in_nor_changed_and_are_named_under_the_title():
    x = Value(2.0, label="x")
    y = x * 5.0
    y.backward()
    ex = explain(y)  # one earlier pass: .grad is what this pass gives, nothing to say
    assert x.grad == 5.0 and "⚠" not in str(ex)
    y.backward()
    ex = explain(y)
    assert x.grad == 10.0  # left as the user's passes left it
    assert [t.running for s in ex.steps for t in s.terms if t.input is x] == [5.0]
    warning = warning_of(ex)
    assert warning.startswith("⚠") and "x.grad = 10 (one pass: 5)" in warning
    assert "2 backward passes" in warning and ".grad is left as it is" in warning
    assert ex.paths(x).gradient == 5.0
    assert "x.grad = 10" in ex.to_markdown().split("| step")[0]
    assert "x.grad = 10" in ex.to_html().split("<table")[0]


def test_seed_scales_the_pass_and_the_paths():
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.label = "y"
    ex = explain(y, grad=2.0)
    assert ex.steps[0].upstream == 2.0
    report = ex.paths("x")
    assert math.isclose(report.total, x.grad) and len(report.paths) == 2
    assert "seed" in str(report)


def test_mazur_worked_example_gives_the_published_number():
    """The two-layer sigmoid network of Matt Mazur's step-by-step backpropagation example."""
    net = two_two_two()
    w, error = net.w, net.error
    ex = explain(error, number_format=".9g")
    report = ex.paths("w5")
    assert len(report.paths) == 1
    # Published: dE/dw5 = 0.74136507 * 0.186815602 * 0.593269992 = 0.082167041
    assert report.paths[0].product == pytest.approx(0.082167041, abs=1e-9)
    assert w[5].grad == pytest.approx(0.082167041, abs=1e-9)
    assert "0.593269992" in str(report)  # out_h1, the local derivative of net_o1 wrt w5
    w1 = ex.paths("w1")
    assert len(w1.paths) == 2  # through out_o1 and through out_o2
    assert math.isclose(w1.total, w[1].grad, rel_tol=1e-12)
    assert w[1].grad == pytest.approx(0.000438568, abs=1e-9)


def test_paths_are_capped_and_counted():
    a, b, g = micrograd_expression()
    ex = explain(g)
    full = ex.paths(a)
    assert full.count == len(full.paths) and not full.truncated
    assert math.isclose(full.total, a.grad, rel_tol=1e-12)
    capped = ex.paths(a, max_paths=3)
    assert capped.count == full.count and len(capped.paths) == 3 and capped.truncated
    assert f"{full.count - 3} more paths" in str(capped)
    for p in full.paths:
        assert p.nodes[0] is g and p.nodes[-1] is a
        assert p.product == pytest.approx(math.prod(p.locals))


def test_a_constant_exponent_carries_no_path():
    x = Value(3.0, label="x")
    two = Value(2.0, label="two", requires_grad=False)
    y = x**2.0 + two * x
    ex = explain(y)
    assert len(ex.paths("x").paths) == 2
    exponent = y.inputs[0].inputs[1]
    assert ex.paths(exponent).count == 0 and ex.paths(exponent).total == 0.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-2, 2), min_size=3, max_size=3),
       st.lists(st.integers(0, 5), min_size=4, max_size=12))
def test_path_sums_equal_gradients_for_random_expressions(xs, picks):
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    pool = list(leaves)
    for k, p in enumerate(picks):
        u, v = pool[k % len(pool)], pool[(k + p) % len(pool)]
        pool.append([u + v, u * v, u - v, (u * 0.5).tanh(), u.sigmoid() * v,
                     (u * v).sigmoid().log()][p])
    root = pool[-1]
    ex = explain(root)
    in_graph = set(topological_order(root))
    for leaf in leaves:
        if leaf not in in_graph:
            assert leaf.grad == 0.0
            continue
        if not math.isfinite(leaf.grad):
            continue  # overflowed products: the property is about finite numbers
        report = ex.paths(leaf, max_paths=10_000)
        assert not report.truncated
        assert math.isclose(report.total, leaf.grad, rel_tol=1e-9, abs_tol=1e-12)


def test_text_form_has_short_lines_each_step_then_rule_and_product():
    x = Value(2.0, label="x")
    w = Value(-3.0, label="w")
    b = Value(6.8813735870195432, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    text = str(explain(y))
    assert "∂y/∂(x*w + b) = 1 - tanh²(x*w + b) = 0.5" in text
    # step 4 is x*w = -6 with gradient 0.5; x = 2 gets -3 × 0.5 = -1.5
    assert re.search(r"^  4  x\*w = -6, grad 0\.5\n +∂\(x\*w\)/∂x = w = -3\n"
                     r" +→ x \+= -3 × 0\.5 = -1\.5 \(so far -1\.5\)$", text, re.M)
    assert re.search(r"^  6  x = 2, grad -1\.5  \(a leaf", text, re.M)


def test_text_form_lines_fit_a_notebook_column_for_a_network():
    import nn

    net = nn.MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    error = nn.half_sse(net([0.05, 0.1]), [0.01, 0.99])
    ex = explain(error)
    for text in (str(ex), ex.table(all=True)):
        assert max(len(line) for line in text.splitlines()) <= 100


HOSTILE = '<b>|x|</b> & `code` *star* \\'


def test_html_and_markdown_escape_names():
    x = Value(1.5, label=HOSTILE)
    y = x * 2.0
    y.label = "y"
    ex = explain(y)
    table = ET.fromstring(ex._repr_html_())
    cells = [td.text for td in table.iter("td")]
    assert HOSTILE in cells
    assert not [el for el in table.iter() if el.tag in ("b", "script", "a")]
    md = ex.to_markdown()
    rows = [line for line in md.splitlines() if line.startswith("|")]
    assert len(rows) == 2 + len(ex.rows())
    unescaped = [len(re.findall(r"(?<!\\)\|", r)) for r in rows]
    assert set(unescaped) == {11}  # 10 columns, no pipe from the label leaks into the table
    assert "&lt;b&gt;" in md and "\\`code\\`" in md


def test_bad_questions_get_clear_errors():
    a, b, g = micrograd_expression()
    ex = explain(g)
    with pytest.raises(ValueError, match="no node named 'zz'.*a, b, g"):
        ex.paths("zz")
    with pytest.raises(ValueError, match="not part"):
        ex.paths(Value(1.0))
    with pytest.raises(ValueError, match="max_paths"):
        ex.paths(a, max_paths=0)
    with pytest.raises(TypeError):
        explain(3.0)
    with pytest.raises(ValueError, match="number_format"):
        explain(g, number_format="%x")


def test_html_in_jupyter_is_capped_for_big_passes():
    x = Value(0.5, label="x")
    y = x
    for _ in range(500):
        y = y * 1.0
    ex = explain(y)
    shown = ET.fromstring(ex._repr_html_())
    assert len(list(shown.iter("tr"))) == 1 + 400
    assert "more rows" in "".join(p.text or "" for p in shown.iter("p"))
    assert len(list(ET.fromstring(ex.to_html()).iter("tr"))) == 1 + len(ex.rows())


def test_explain_spells_out_control_characters_in_labels():
    from autograd import Value, explain

    x = Value(2.0, label="x\x1b]0;title\x07")
    y = x * 3.0
    y.label = "line\nbreak"
    ex = explain(y)
    text = str(ex) + ex.to_markdown() + ex.to_html() + str(ex.paths("line\nbreak"))
    assert "\x1b" not in text and "\x07" not in text and "line\nbreak" not in text
    assert "x\\x1b]0;title\\x07" in str(ex) and "line\\x0abreak" in str(ex)
    assert ex.paths(x).gradient == 3.0 and ex.paths("x\\x1b]0;title\\x07").gradient == 3.0


def test_a_one_step_pass_reads_as_one_step():
    from autograd import Value, explain

    ex = explain(Value(3.0, label="x"))
    assert "1 step;" in str(ex) and "1 steps" not in repr(ex)
