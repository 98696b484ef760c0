"""math.exp(x) & co. on a Value: a GraphBreakWarning at the user's line, errors from transforms.

PyTorch's habits of taking a number out stay quiet: loss.item(), f"{loss:.4f}", float(loss),
anything under no_grad, constants.
"""

from __future__ import annotations

import math
import warnings

import pytest

import autograd
from autograd import GraphBreakError, GraphBreakWarning, Value


@pytest.mark.parametrize(("name", "right"), [("exp", 2 * math.e), ("sin", None), ("log", None)])
def test_a_math_function_on_a_value_warns_at_the_users_line_with_the_fix(name, right):
    x = Value(1.0, label="x")
    fn = getattr(math, name)
    with pytest.warns(GraphBreakWarning) as caught:
        y = x * fn(x)  # the line the warning must point at
    line = test_a_math_function_on_a_value_warns_at_the_users_line_with_the_fix.__code__
    assert caught[0].filename == __file__
    assert caught[0].lineno == line.co_firstlineno + 5
    text = str(caught[0].message)
    assert f"math.{name}()" in text and f"x.{name}()" in text and f"autograd.{name}(x)" in text
    y.backward()
    if right is not None:  # the silent wrong answer the warning is about: 2.718 for 5.437
        assert x.grad == pytest.approx(math.e) and x.grad != pytest.approx(right)


def test_the_warning_names_functions_without_a_value_op_and_operand_expressions():
    w = Value(0.5)
    with pytest.warns(GraphBreakWarning, match=r"math\.atan\(\).*no Value operation computes "
                                                 r"atan\(\)"):
        math.atan(w * 2.0)
    with pytest.warns(GraphBreakWarning, match=r"use \(w \* 2\.0\)\.exp\(\) or "
                                                 r"autograd\.exp\(w \* 2\.0\)"):
        math.exp(w * 2.0)
    with pytest.warns(GraphBreakWarning, match=r"use w \*\* y instead"):
        math.pow(w, 2.0)


def test_pytorch_habits_and_no_grad_stay_quiet():
    x = Value(1.5, label="x")
    loss = (x * x).tanh()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert loss.item() == loss.data
        assert f"{loss:.4f}" == f"{loss.data:.4f}"
        assert float(loss) == loss.data  # an explicit number, before or after backward
        loss.backward()
        assert float(loss) == loss.data
        with autograd.no_grad():
            assert math.exp(x) == math.exp(1.5)  # nothing is recorded here
        assert math.exp(Value(2.0, requires_grad=False)) == math.exp(2.0)  # a constant
        assert math.isfinite(x) and not math.isnan(loss)  # questions about the number
        assert round(x) == 2 and int(x) == 1


SINE = (lambda x: math.sin(x))  # noqa: E731 (the issue's own spelling)
PARTIAL = (lambda x: x * math.exp(x))  # noqa: E731


@pytest.mark.parametrize("f", [SINE, PARTIAL], ids=["cut", "partly cut"])
@pytest.mark.parametrize("transform", [
    lambda f: autograd.value_and_grad(f)(1.0),
    lambda f: autograd.derivative(f)(1.0),
    lambda f: autograd.jacobian(f)(1.0),
    lambda f: autograd.jacobian(f, mode="forward")(1.0),
    lambda f: autograd.hessian(f)(1.0),
    lambda f: autograd.jvp(f, (1.0,), (1.0,)),
    lambda f: autograd.vjp(f, 1.0),
    lambda f: autograd.hvp(f, (1.0,), (1.0,)),
], ids=["value_and_grad", "derivative", "jacobian", "jacobian-forward", "hessian", "jvp", "vjp",
        "hvp"])
def test_every_transform_refuses_a_function_its_inputs_were_cut_out_of(transform, f):
    with pytest.warns(GraphBreakWarning), pytest.raises(GraphBreakError, match=r"math\.(sin|exp) "
                                                        r"at .*test_graph_break\.py"):
        transform(f)


def test_grad_says_which_input_was_cut_off():
    z = Value(2.0, label="z")
    with pytest.warns(GraphBreakWarning):
        t = math.exp(z)
    with pytest.raises(GraphBreakError, match=r"input 'z'.*math\.exp"):
        autograd.grad(Value(t) * z.detach(), z)
    with pytest.raises(TypeError, match=r"got float; perhaps because math\.exp"):
        autograd.grad(t, z)


def test_constant_functions_and_unused_inputs_still_give_zero():
    assert autograd.derivative(lambda x: 3.0)(1.0) == 0.0
    assert autograd.jacobian(lambda x, y: x * 2.0)(1.0, 2.0) == 2.0
    a, b = Value(1.0), Value(2.0)
    assert autograd.grad(a * 3.0, b) == 0.0
    assert autograd.hessian(lambda x: x * 3.0)(1.0) == 0.0  # the gradient is a constant


def test_a_compile_trace_refuses_the_number_itself_and_warns_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error", GraphBreakWarning)
        with pytest.raises(autograd.TraceError):
            autograd.compile(lambda x: x * math.exp(x), [1.0])(1.0)
