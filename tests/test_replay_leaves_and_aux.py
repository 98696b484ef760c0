"""Compiled replay: leaves whose requires_grad changes after the trace, aux outputs, detach."""

from __future__ import annotations

from typing import Any

import pytest

from autograd import Value, compile, no_grad
from autograd.replay.compiled import TraceMismatchError


@pytest.mark.parametrize("backend", ["python", "numpy", "loop"])
def test_a_parameter_frozen_after_the_trace_keeps_a_zero_grad(backend: str) -> None:
    w = Value(2.0, label="w")
    b = Value(0.5, label="b")
    step = compile(lambda x: w * x + b, [3.0], backend=backend)
    w.requires_grad = False  # freeze a layer after compiling, as fine-tuning does
    value, grads = step(3.0)
    assert w.grad == 0.0  # backward() leaves a frozen leaf at 0
    x = Value(3.0)
    eager = w * x + b
    eager.backward()
    assert (value, grads[0]) == (eager.data, x.grad)
    assert b.grad == 2.0  # two calls' worth: the replay's and the eager check's
    w.requires_grad = True
    step(3.0)
    assert w.grad == 3.0  # unfrozen again: it learns again


def test_a_constant_unfrozen_after_the_trace_gets_its_gradient() -> None:
    c = Value(4.0, requires_grad=False, label="c")
    step = compile(lambda x: c * x, [1.0])
    c.requires_grad = True  # eager would now give c a gradient: the call re-traces
    assert step(3.0) == (12.0, (4.0,)) and c.grad == 3.0
    step.check(3.0)


@pytest.mark.parametrize("backend", ["python", "numpy", "loop"])
def test_check_accepts_a_parameter_gradient_of_minus_zero(backend: str) -> None:
    # A dead relu unit sends 0.0 * (negative upstream) = -0.0 to its weights: a zeroed .grad
    # ends at 0.0 either way, so check() must not call this a mismatch.
    w = Value(2.0, label="w")
    step = compile(lambda x: w * x, [1.0], backend=backend, check=True)
    value, grads = step(-0.0)
    assert (value, grads) == (-0.0, (2.0,))
    assert w.grad == 0.0


def test_a_compared_number_in_aux_is_eagers() -> None:
    step = compile(lambda x: (x * x, {"big": x > 1.0, "x": x}), [2.0], has_aux=True)
    assert step(0.5)[2] == {"big": False, "x": 0.5}  # the comparison is a guard: re-traced
    assert step(3.0)[2] == {"big": True, "x": 3.0}


def test_check_sees_a_plain_number_in_aux_that_the_trace_froze() -> None:
    # A plain number from Python state in aux is kept from the trace: check() must say so.
    state = {"big": True}
    step = compile(lambda x: (x * x, {"big": state["big"], "x": x}), [2.0], has_aux=True)
    state["big"] = False
    assert step(0.5)[2] == {"big": True, "x": 0.5}  # the frozen number, as documented
    with pytest.raises(TraceMismatchError, match=r"aux output no longer matches the trace"):
        step.check(0.5)


def test_a_changed_aux_nesting_is_eagers_and_check_sees_an_unguarded_one() -> None:
    step = compile(lambda x: (x * x, {"pos": x} if x > 0 else {"neg": x}), [2.0],
                   has_aux=True)
    assert step(-1.0)[2] == {"neg": -1.0}
    sign = [1]
    unguarded = compile(lambda x: (x * x, {"pos": x} if sign[0] > 0 else {"neg": x}), [2.0],
                        has_aux=True)
    sign[0] = -1
    with pytest.raises(TraceMismatchError, match=r"'pos'.*'neg'"):
        unguarded.check(-1.0)


def test_an_int_beyond_float64_is_the_engines_value_error() -> None:
    step = compile(lambda x: x * x, [1.0])
    with pytest.raises(ValueError, match=r"input 0 is too large for a float64"):
        step(10**400)
    with pytest.raises(ValueError, match=r"example_inputs: input 0 is too large"):
        compile(lambda x: x * x, [10**400])


def _under_no_grad(x: Value) -> Value:
    with no_grad():
        k = x * 2.0  # a constant leaf holding this call's number
    return x * k


@pytest.mark.parametrize("fn", [lambda x: x * x.detach(), _under_no_grad])
def test_a_number_detached_inside_fn_is_refused_not_frozen(fn: Any) -> None:
    # A replay would return x * 2.0 (the trace-time number) for x * x.detach(): eager gives x².
    with pytest.raises(ValueError, match=r"detaches a number .* keep the trace-time number"):
        compile(fn, [1.0])
    x = Value(3.0)
    fn(x).backward()  # outside a trace, detach() and no_grad() are untouched
    assert x.grad in (3.0, 6.0)


def test_detach_of_a_value_outside_a_trace_is_unchanged() -> None:
    w = Value(2.0, label="w")
    step = compile(lambda x: x * w, [1.0])  # no detach inside: compiles as before
    assert step(3.0) == (6.0, (2.0,))
    d = w.detach()
    assert d.is_leaf and not d.requires_grad and d.label == "w"


def test_check_sees_aux_values_that_swapped_places() -> None:
    # At x = 0 both aux numbers are 0.0, so comparing numbers alone would pass.
    def fn(x: Value) -> tuple[Value, list[Value]]:
        a, b = x * 2.0, x * 3.0  # both in the output's graph: their slots do not move
        return a * b, ([a, b] if order[0] else [b, a])

    order = [True]
    step = compile(fn, [1.0], has_aux=True)
    order[0] = False
    with pytest.raises(TraceMismatchError, match=r"output and aux Values are now slots"):
        step.check(0.0)
