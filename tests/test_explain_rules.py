"""Rules read with the user's own operand names, nodes get readable names, numbers never show -0."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from test_property import build, programs

from autograd import OPS, Value, explain, topological_order
from autograd.explanations.rules import ascii_text, derivative, expression, number, rule
from autograd.replay.check import same_float
from nn.demo import readme_expression


def _as_float_function(name: str):
    """The op's number alone, from the table's forward function (which also gives slopes)."""
    forward = OPS[name].forward
    return lambda *xs: forward(*xs)[0]


# How the written expressions name functions (tanh, max, ...), as functions of floats.
_FUNCTIONS = {op.written("v", "w").split("(")[0]: _as_float_function(name)
              for name, op in OPS.items() if op.written("v", "w")[:1].isalpha()}


def rules_of(root: Value) -> list[str]:
    return [t.rule for s in explain(root).steps for t in s.terms]


def test_a_quotient_is_written_with_the_users_names_not_the_tables():
    x, y = Value(2.0, label="x"), Value(1.0, label="y")
    q = y / x
    q.label = "y/x"
    rules = rules_of(q)
    assert rules == ["∂(y/x)/∂y = 1/x = 0.5", "∂(y/x)/∂x = -y/x² = -0.25"]


@pytest.mark.parametrize(("build", "expected"), [
    (lambda x, w: 2 ** x, ["∂(2**x)/∂x = 2**x·log 2 = 2.77259"]),
    (lambda x, w: x ** 2, ["∂(x**2)/∂x = 2·x = 4"]),
    (lambda x, w: x ** 3, ["∂(x**3)/∂x = 3·x**2 = 12"]),
    (lambda x, w: x ** w, ["∂(x**w)/∂x = w·x**(w-1) = -0.1875",
                           "∂(x**w)/∂w = x**w·log x = 0.0866434"]),
    (lambda x, w: (x * w).tanh(), ["∂tanh(x*w)/∂(x*w) = 1 - tanh²(x*w) = 2.45765e-05",
                                   "∂(x*w)/∂x = w = -3", "∂(x*w)/∂w = x = 2"]),
    (lambda x, w: x - (w - x), ["∂(x - (w - x))/∂x = 1", "∂(x - (w - x))/∂(w - x) = -1",
                                "∂(w - x)/∂w = 1", "∂(w - x)/∂x = -1"]),
    (lambda x, w: (x + w) * -3.0, ["∂((x + w)*(-3))/∂(x + w) = -3", "∂(x + w)/∂x = 1",
                                   "∂(x + w)/∂w = 1"]),
    (lambda x, w: x.sigmoid().log(), ["∂log(sigmoid(x))/∂sigmoid(x) = 1/sigmoid(x) = 1.13534",
                                      "∂sigmoid(x)/∂x = σ(x)(1 - σ(x)) = 0.104994"]),
    (lambda x, w: abs(w).sqrt(), ["∂sqrt(|w|)/∂|w| = 1/(2√|w|) = 0.288675",
                                  "∂|w|/∂w = sign(w) = -1"]),
    (lambda x, w: (-x).relu(), ["∂relu(-x)/∂(-x) = (1 if -x > 0 else 0) = 0",
                                "∂(-x)/∂x = -1"]),
])
def test_every_op_reads_in_its_operands(build, expected):
    # Written from the op table's own templates (Op.expression, Op.derivatives): README's op
    # list and these rules are one text.
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    assert rules_of(build(x, w)) == expected


def test_a_square_says_which_factor_each_row_is():
    x = Value(3.0, label="x")
    assert rules_of(x * x) == ["∂(x*x)/∂x (left factor) = x = 3",
                               "∂(x*x)/∂x (right factor) = x = 3"]


def test_constants_are_numbers_in_the_expressions_never_rows_or_steps():
    a, b, g = readme_expression()
    ex = explain(g)
    assert all(s.node.requires_grad for s in ex.steps)
    assert all(t.input.requires_grad for s in ex.steps for t in s.terms)
    text = ex.table(all=True)
    assert "constant" not in text and "const" not in text
    assert "∂(10/v29)/∂v29 = -10/v29² = -0.00416493" in text  # the 10 is inside the rule
    assert len(ex.steps) == 27 and g.grad == 1.0


def test_unlabelled_nodes_read_as_their_expression_while_short():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    y = (x * w + b).tanh()
    names = [s.name for s in explain(y).steps]
    assert names == ["tanh(x*w + b)", "x*w + b", "b", "x*w", "w", "x"]
    long = x
    for _ in range(12):
        long = long * 1.5 + w
    steps = explain(long).steps
    assert all(len(s.name) <= 24 for s in steps)
    assert re.fullmatch(r"v\d+", steps[0].name)  # too long to write out: its place, vN


def test_user_labels_win_and_the_labelled_output_heads_its_rule():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    n = x * w
    n.label = "n"
    y = n.tanh()
    y.label = "y"
    ex = explain(y)
    assert [s.name for s in ex.steps] == ["y", "n", "w", "x"]
    assert ex.steps[0].terms[0].rule == "∂y/∂n = 1 - tanh²(n) = 2.45765e-05"


def test_the_table_shows_forward_values_of_node_and_inputs():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w).tanh()
    ex = explain(y)
    product = ex.steps[1]
    assert product.name == "x*w" and product.value == -6.0
    assert [(t.name, t.value) for t in product.terms] == [("x", 2.0), ("w", -3.0)]
    row = [r for r in ex.rows() if r[1] == "x*w"][0]
    assert row[2] == "-6" and row[4:6] == ("x", "2")


def test_negative_zero_prints_as_zero():
    assert number(-0.0) == "0" and number(-1e-9, ".2f") == "0.00" and number(-3.0) == "-3"
    x, w = Value(0.0, label="x"), Value(-3.0, label="w")
    y = x * w  # -0.0
    ex = explain(y)
    assert y.data == 0.0 and str(y.data) == "-0.0"
    assert not re.search(r"(?<![\w.])-0(?![.\d])", str(ex))


def test_the_pieces_of_a_rule():
    assert expression("+", ["a", "-b"]) == "a + (-b)"
    assert expression("*", ["a + b", "c"]) == "(a + b)*c"
    assert expression("/", ["a", "b*c"]) == "a/(b*c)"
    assert expression("**", ["-2", "x"]) == "(-2)**x"
    assert derivative("/", ["a + 1", "b"], 1) == "-(a + 1)/b²"
    assert rule("+", ["a", "b"], 0, 1.0, ".6g") == "∂(a + b)/∂a = 1"
    assert ascii_text("∂(x*w)/∂x = w · 2 × σ(x)") == "d(x*w)/dx = w * 2 x sigmoid(x)"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_written_expressions_compute_what_the_nodes_computed(program):
    # The parentheses that precedence adds are the ones Python needs: each node written from the
    # op table with its inputs' texts, read back by Python, gives the node's number bit for bit
    # (so x - (w - x), (x*w)**2, -(a*b), a**b**c are parenthesised where the graph is).
    leaves, steps = program
    xs, root, _ = build(leaves, steps)
    text: dict[Value, str] = {x: x.label for x in xs}
    for v in topological_order(root):
        if v.is_leaf:
            text.setdefault(v, repr(v.data))  # a constant, exactly
        elif v.op == "abs":  # written |x|, which Python does not read: its own spelling
            text[v] = f"abs({text[v.inputs[0]]})"
        else:
            text[v] = expression(v.op, [text[x] for x in v.inputs])
    assume(len(text[root]) < 20_000)
    names = {**_FUNCTIONS, "abs": abs, **{x.label: x.data for x in xs}}
    try:
        got = eval(text[root], {"__builtins__": {}}, names)  # our own text, never user input
    except (ZeroDivisionError, OverflowError, ValueError):
        assume(False)  # Python raises where the engine gives inf or nan
    assume(not isinstance(got, complex))
    assert same_float(got, root.data), text[root]
