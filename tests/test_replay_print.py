"""print(autograd.compile(f, xs)): the traced straight-line program, one line per op."""

from __future__ import annotations

import autograd
from autograd import OPS, Value


def test_the_program_reads_like_the_function():
    w, b = Value(0.5, label="w"), Value(0.0, label="b")

    def loss(x, y):
        return ((w * x + b).tanh() - y) ** 2

    step = autograd.compile(loss, [0.0, 0.0])
    assert step.program() == str(step) == "\n".join([
        "def loss(x0, x1):  # 10 slots: 5 ops, 2 parameters, 1 constant",
        "    p0 = 0.5  # w",
        "    p1 = 0.0  # b",
        "    v2 = p0 * x0",
        "    v4 = v2 + p1",
        "    v5 = tanh(v4)",
        "    v7 = v5 - x1",
        "    v9 = v7 ** 2.0",
        "    return v9",
    ])
    assert repr(step).startswith("<compiled loss")  # repr stays the one-line summary


def test_constants_labels_aux_and_unused_inputs():
    def f(x, unused):
        h = (x * -3.0).exp()
        h.label = "h"
        return -h / 2.0, {"h": h}

    text = autograd.compile(f, [1.0, 2.0], has_aux=True).program()
    assert text.splitlines() == [
        "def f(x0, x1):  # 7 slots: 4 ops, 0 parameters, 2 constants",
        "    v2 = x0 * (-3.0)",
        "    v3 = exp(v2)  # h",
        "    v4 = -v3",
        "    v6 = v4 / 2.0",
        "    return v6, aux=(v3)",
    ]


INFIX = {"+": "+", "-": "-", "*": "*", "/": "/", "**": "**", "**c": "**"}


def test_every_op_of_the_table_prints_by_name():
    import opmap

    for name, op in OPS.items():
        if name in opmap.WITH_CONSTANT:  # x ** c: the exponent is a number baked in
            f = (lambda x, y, name=name: opmap.on_values(name, x, 1.5))
            second = "1.5"
        else:
            f = (lambda x, y, name=name, n=op.arity: opmap.on_values(name, *(x, y)[:n]))
            second = "x1"
        line = autograd.compile(f, [0.7, 1.3], backend="python").program().splitlines()[-2]
        if name in INFIX:
            assert line == f"    v2 = x0 {INFIX[name]} {second}", (name, line)
        elif name == "neg":
            assert line == "    v1 = -x0"
        else:
            args = "x0, x1" if op.arity == 2 else "x0"
            assert line.endswith(f" = {name}({args})"), (name, line)
