"""Every op of the table has what each consumer reads from it (as autodidax checks its rule tables).

The consumers: Value's methods and autograd's functions, drawings (a symbol), explanations (the
written expression, the rule per operand, what each operand is called), nn's activations, the
PyTorch bridge's module names and the matrix view's act'(net).
"""

from __future__ import annotations

import math

import pytest
from conftest import require_torch

import autograd
import nn
from autograd import OPS, Value
from autograd.explanations.rules import derivative, expression, position_name, rule
from nn.torch_bridge import TORCH_ACTIVATIONS
from nn.viz.matrix_render import slope_formula
from nn.viz.matrix_view import _activation

NAMES = ("a", "b")


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_can_be_written_and_explained(name):
    op = OPS[name]
    operands = NAMES[:op.arity]
    written = expression(name, operands)
    assert all(x in written for x in operands), written
    assert op.shown
    for k in range(op.arity):
        assert position_name(name, k)  # an explanation can say which operand a row is
        if op.takes_gradient[k]:
            text = rule(name, operands, k, 0.5, ".6g")
            assert text.startswith("∂") and f"∂{name}/∂" not in text, text  # not the fallback
    if op.arity == 2:
        assert len(op.operands) == 2, f"{name}: Op.operands names both operands"


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_is_reachable_from_a_value(name):
    op = OPS[name]
    if op.method is not None:
        assert callable(getattr(Value, op.method))
    if op.function is not None:
        assert callable(getattr(autograd, op.function))
    assert op.method or any(p.constant_form == name for p in OPS.values())


def test_nn_activations_are_the_tables():
    table = {name for name, op in OPS.items() if op.torch_module}
    assert table == {"relu", "tanh", "sigmoid"}
    assert set(nn.ACTIVATIONS) == table | {"linear"}
    assert next(iter(nn.ACTIVATIONS)) == "relu"  # the default is listed first
    for name in table:
        assert nn.ACTIVATIONS[name] is getattr(Value, OPS[name].method)
        assert OPS[name].arity == 1
    assert nn.ACTIVATIONS["linear"] is None
    assert TORCH_ACTIVATIONS == {name: OPS[name].torch_module for name in table}


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid"])
def test_each_activations_torch_module_computes_the_op(name):
    torch = require_torch()
    module = getattr(torch.nn, OPS[name].torch_module)()
    points = [-2.5, -0.3, 0.0, 0.7, 3.0]
    theirs = module(torch.tensor(points, dtype=torch.float64)).tolist()
    ours = [OPS[name].forward(x)[0] for x in points]
    assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15) for a, b in zip(ours, theirs))


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid", "linear"])
def test_the_matrix_view_takes_act_and_its_slope_from_the_table(name):
    assert slope_formula(name)
    for z in (-1.5, 0.0, 0.25, 2.0):
        out, slope = _activation(name)(z)
        if name == "linear":
            assert (out, slope) == (z, 1.0)
        else:
            assert (out, slope) == OPS[name].forward(z)
            v = Value(z)
            y = getattr(v, OPS[name].method)()
            y.backward()
            assert (y.data, v.grad) == (out, slope)  # the engine's numbers, bit for bit


def test_matrix_view_formulas_read_as_before():
    assert slope_formula("sigmoid") == "out ⊙ (1 − out)"
    assert slope_formula("tanh") == "1 − out²"
    assert slope_formula("relu") == "1 if net > 0 else 0"
    assert slope_formula("linear") == "1"


@pytest.mark.parametrize("name", sorted(OPS))
def test_explanations_write_the_tables_text(name):
    # One text per op: with plain names for operands, an explanation writes exactly the table's
    # expression and derivatives (products and quotients tight), as README's op list shows them.
    op = OPS[name]
    operands = NAMES[:op.arity]

    def tight(text: str) -> str:
        return text.replace(" * ", "*").replace(" / ", "/")

    assert expression(name, operands) == tight(op.written(*operands))
    for k, template in enumerate(op.derivatives):
        if template is not None:
            assert derivative(name, operands, k) == tight(
                template.format(**dict(zip("xy", operands, strict=False))))
