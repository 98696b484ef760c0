"""backward() semantics, graph order, gradient control, and bad input."""

import asyncio
import gc
import sys
import threading

import numpy as np
import pytest

import autograd
from autograd import Value


def test_leaf_grads_accumulate_and_interior_grads_hold_latest_pass():
    x, w = Value(1.5, label="x"), Value(-2.0, label="w")
    h = (x * w).tanh()
    y = h * h + x
    y.backward()
    first = (x.grad, w.grad, h.grad)
    y.backward()
    assert (x.grad, w.grad) == (2 * first[0], 2 * first[1])
    assert h.grad == first[2]  # micrograd would double this one too


def test_reused_node_gets_summed_gradient():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0 and b.grad == 2.0
    d = Value(2.0)
    e = d * d * d
    e.backward()
    assert d.grad == 12.0


def test_seed_gradient():
    x = Value(2.0)
    (x * 3).backward(0.5)
    assert x.grad == 1.5


def test_backward_on_a_leaf():
    x = Value(1.0)
    x.backward()
    assert x.grad == 1.0


def test_topological_order_is_inputs_first_and_complete():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d.tanh() * c
    order = autograd.topological_order(e)
    assert order[-1] is e
    assert len(order) == len({id(v) for v in order}) == 6
    position = {id(v): i for i, v in enumerate(order)}
    for v in order:
        for x in v.inputs:
            assert position[id(x)] < position[id(v)]
    assert autograd.leaves(e) == [v for v in order if v.is_leaf]


def test_million_deep_chain_under_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0
    del y  # freeing a million-deep chain must not recurse either
    gc.collect()


def test_graph_is_freed_without_the_cycle_collector():
    gc.collect()
    gc.disable()
    try:
        x = Value(1.0)
        y = x
        for _ in range(100):
            y = (y * 2 + 1).tanh() / x
        y.backward()
        del y
        assert gc.collect() == 0  # nothing was left for the cycle collector: no cycles
    finally:
        gc.enable()


def test_one_gc_tracked_object_per_node():
    gc.collect()
    x = Value(1.0)
    before = len(gc.get_objects())
    y = x
    for _ in range(1000):
        y = (y * 1.0001).tanh()
    after = len(gc.get_objects())
    # each step makes 2 nodes and one constant leaf: 3 tracked objects, floats are untracked
    assert after - before <= 3 * 1000 + 50


def test_requires_grad_false_leaf_keeps_zero_grad():
    x, c = Value(2.0), Value(5.0, requires_grad=False)
    y = x * c + c
    y.backward()
    assert x.grad == 5.0 and c.grad == 0.0
    assert not c.requires_grad and x.requires_grad


def test_constants_lifted_from_numbers_take_no_gradient():
    x = Value(2.0)
    y = x * 3
    y.backward()
    assert y.inputs[1].grad == 0.0 and not y.inputs[1].requires_grad


def test_requires_grad_only_settable_on_leaves():
    y = Value(1.0) + 1
    with pytest.raises(ValueError, match="leaf"):
        y.requires_grad = False


def test_detach_cuts_the_graph():
    x = Value(2.0)
    y = x * x
    z = y.detach() * x
    z.backward()
    assert z.inputs[0].is_leaf and x.grad == 4.0


def test_zero_grad_helper():
    xs = [Value(1.0), Value(2.0)]
    (xs[0] * xs[1]).backward()
    autograd.zero_grad(xs)
    assert [x.grad for x in xs] == [0.0, 0.0]


def test_no_grad_records_nothing():
    x = Value(2.0)
    with autograd.no_grad():
        y = x * 3 + 1
        assert not autograd.is_grad_enabled()
        with autograd.enable_grad():
            z = x * 2
    assert y.is_leaf and y.data == 7.0 and not y.requires_grad
    assert z.op == "*"
    assert autograd.is_grad_enabled()


def test_no_grad_does_not_leak_into_other_threads():
    inside, release, seen = threading.Event(), threading.Event(), {}

    def worker():
        inside.wait()
        seen["op"] = (Value(1.0) + 1).op
        release.set()

    t = threading.Thread(target=worker)
    t.start()
    with autograd.no_grad():
        inside.set()
        release.wait(5)
        assert (Value(1.0) + 1).op is None
    t.join()
    assert seen["op"] == "+"


def test_no_grad_does_not_leak_across_asyncio_tasks():
    async def recorded():
        await asyncio.sleep(0)
        return (Value(1.0) + 1).op

    async def main():
        other = asyncio.create_task(recorded())
        with autograd.no_grad():
            await asyncio.sleep(0.01)
            mine = (Value(1.0) + 1).op
        return mine, await other

    assert asyncio.run(main()) == (None, "+")


@pytest.mark.parametrize("bad", ["3", 1 + 2j, None, [1.0], True, np.array([1.0, 2.0])])
def test_value_rejects_non_numbers_by_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


def test_value_accepts_numpy_scalars_as_floats():
    for scalar in (np.float32(1.5), np.float64(2.5), np.int64(3)):
        v = Value(scalar)
        assert type(v.data) is float and v.data == float(scalar)


@pytest.mark.parametrize("bad", ["a", None, [1], 1j])
def test_arithmetic_with_non_numbers_is_a_type_error(bad):
    with pytest.raises(TypeError):
        Value(1.0) + bad
    with pytest.raises(TypeError):
        bad * Value(1.0)


def test_label_must_be_text():
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)


def test_backward_rejects_non_values():
    with pytest.raises(TypeError):
        autograd.backward(3.0)


def test_repr_is_readable():
    x = Value(2.0, label="x")
    assert repr(x) == "Value(data=2.0, grad=0.0, label='x')"
    assert "op='*'" in repr(x * x)


class TestAnomaly:
    def test_off_by_default(self):
        assert Value(1000.0).exp().data == float("inf")

    def test_forward_names_op_inputs_and_label(self):
        x = Value(1000.0, label="big")
        with autograd.detect_anomaly(), pytest.raises(FloatingPointError) as err:
            x.exp()
        assert "exp" in str(err.value) and "'big'=1000.0" in str(err.value)

    def test_forward_nan(self):
        with autograd.detect_anomaly(), pytest.raises(FloatingPointError, match="log"):
            Value(-1.0, label="neg").log()

    def test_backward_names_node(self):
        x = Value(0.0, label="x")
        y = x.sqrt()  # finite forward, infinite slope
        y.label = "root"
        with autograd.detect_anomaly(), pytest.raises(FloatingPointError) as err:
            y.backward()
        assert "'x'" in str(err.value) and "sqrt" in str(err.value)

    def test_backward_clean_pass_matches_plain_pass(self):
        x = Value(0.3)
        y = (x * x).tanh() + x.exp()
        with autograd.detect_anomaly():
            y.backward()
        checked = x.grad
        x.grad = 0.0
        y.backward()
        assert x.grad == checked


def test_graph_queries_reject_non_values():
    with pytest.raises(TypeError, match="expected a Value, got int"):
        autograd.topological_order(3)
    with pytest.raises(TypeError, match="got float"):
        autograd.leaves(3.0)


def test_integers_beyond_float64_are_a_value_error():
    with pytest.raises(ValueError, match="too large"):
        Value(10**400)


def test_requires_grad_must_be_a_bool():
    with pytest.raises(TypeError, match="True or False"):
        Value(1.0, requires_grad="no")
    x = Value(1.0)
    with pytest.raises(TypeError, match="True or False"):
        x.requires_grad = "no"


def test_truth_value_is_the_numbers():
    assert not Value(0.0) and Value(-2.0)


def test_grad_honours_detect_anomaly():
    x = Value(0.0, label="x")
    y = x.sqrt() * 0.0
    assert autograd.grad(y, x) != autograd.grad(y, x)  # nan, silently, when not asked to check
    with autograd.detect_anomaly(), pytest.raises(FloatingPointError, match="'x'"):
        autograd.grad(y, x)


def test_subclasses_of_value_combine():
    class Named(Value):
        __slots__ = ()

    a, b = Named(1.5), Named(2.0)
    y = a * b + a
    y.backward()
    assert (y.data, a.grad, b.grad) == (4.5, 3.0, 1.5)


def test_recording_pass_honours_detect_anomaly():
    q = Value(0.0, label="q")
    steps = []
    with autograd.detect_anomaly():
        y = q.sqrt()
        with pytest.raises(FloatingPointError, match="'q'"):
            autograd.backward(y, record=steps.append)
