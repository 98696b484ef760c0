"""Compiled replay: every way a number leaves a trace is refused, recorded as a guard or inlined.

Each case is one a replay would otherwise answer with a trace-time number where eager differs.
"""

from __future__ import annotations

import copy
import inspect
import pickle
import sys
import threading
import types
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import TraceError, Value, explain, grad


def eager(fn: Callable[..., Value], xs: list[float]) -> tuple[float, tuple[float, ...]]:
    """fn on fresh leaves, then its gradients: what a compiled call must return."""
    leaves = [Value(x) for x in xs]
    out = fn(*leaves)
    return out.data, tuple(grad(out, leaves))


# --- gradients taken inside fn ----------

def test_a_gradient_as_numbers_inside_fn_is_refused_at_its_line() -> None:
    with pytest.raises(TraceError, match=r"grad\(\) without create_graph=True.*"
                                         r"test_replay_escapes\.py:\d+ "):
        autograd.compile(lambda x: x * autograd.grad(x * x, x), [2.0])


def test_a_gradient_recorded_as_operations_inside_fn_replays_as_eager() -> None:
    def fn(x: Value) -> Value:
        return x * autograd.grad(x * x, x, create_graph=True)

    step = autograd.compile(fn, [2.0])
    assert step(3.0) == eager(fn, [3.0]) == (18.0, (12.0,))
    assert step(-1.5) == eager(fn, [-1.5])


def test_backward_inside_fn_is_refused() -> None:
    def fn(x: Value) -> Value:
        y = x * x
        y.backward()
        return x * x.grad

    with pytest.raises(TraceError, match=r"backward\(\)"):
        autograd.compile(fn, [2.0])


@pytest.mark.parametrize("piecewise", [
    lambda x: x.relu(), lambda x: abs(x), lambda x: max(x, 0.5 * x), lambda x: min(x, -x)],
    ids=["relu", "abs", "max", "min"])
def test_which_piece_a_gradient_inside_fn_takes_is_a_guard(piecewise: Any) -> None:
    # The derivative of a piecewise op is a step chosen by comparing its inputs: inside fn, a
    # gradient built with create_graph keeps that choice as a guard, not as a frozen constant.
    def fn(x: Value) -> Value:
        y = piecewise(x) * x
        return y + autograd.grad(y, x, create_graph=True) ** 2

    step = autograd.compile(fn, [1.5])
    for x in [1.5, -2.0, 0.0, 3.0, -0.25]:
        assert step(x) == eager(fn, [x]), x


def test_a_gradient_penalty_in_a_compiled_fit_trains_as_eager() -> None:
    # A relu network, so that which pieces of the penalty's derivative apply changes as it trains.
    def train(compile_step: bool) -> list[float]:
        model = nn.MLP(2, [4, 1], seed=3)

        def penalised(outputs: Any, targets: Any) -> Value:
            base = nn.mse(outputs, targets)
            slopes = grad(base, model.parameters(), create_graph=True)
            return base + 0.05 * sum(s * s for s in slopes)

        X = [[0.5, -1.0], [1.5, 0.25], [-1.0, 2.0], [0.1, 0.3]]
        y = [1.0, -0.5, 0.25, 2.0]
        history = nn.fit(model, X, y, loss=penalised, optimizer=nn.SGD(model, lr=0.05),
                         steps=12, quiet=True, compile=compile_step)
        return history["loss"]

    assert train(True) == train(False)


def test_a_gradient_penalty_taken_as_numbers_is_refused_by_a_compiled_fit() -> None:
    model = nn.MLP(1, [2, 1], seed=0)

    def penalised(outputs: Any, targets: Any) -> Value:
        base = nn.mse(outputs, targets)
        return base + 0.1 * sum(s * s for s in grad(base, model.parameters()))

    with pytest.raises(TraceError, match="create_graph=True"):
        nn.fit(model, [[1.0], [2.0]], [1.0, 0.0], loss=penalised,
               optimizer=nn.SGD(model, lr=0.1), steps=3, quiet=True, compile=True)


# --- copies, pickles, text ----------

@pytest.mark.parametrize("escape, how", [
    (lambda x: x * copy.deepcopy(x), "deepcopy"),
    (lambda x: x * copy.copy(x), r"copy\.copy"),
    (lambda x: x * pickle.loads(pickle.dumps(x)), "pickle"),
    (lambda x: x * float(repr(x)[11:].split(",")[0]), r"repr\(\)"),
    (lambda x: x * float(f"{x:.17g}"), r"format\(\)"),
    (lambda x: x * float(str(x)[11:].split(",")[0]), r"repr\(\)"),
    (lambda x: x * (x * x).local_grads[0], "local_grads"),
    (lambda x: (explain(x * x), x * 2)[1], r"backward\(\)"),
], ids=["deepcopy", "copy", "pickle", "repr", "format", "str", "local_grads", "explain"])
def test_numbers_leaving_through_copies_text_and_explain_are_refused(escape: Any,
                                                                    how: str) -> None:
    with pytest.raises(TraceError, match=how + r".* at .*test_replay_escapes\.py:\d+ `"):
        autograd.compile(escape, [2.0])
    x = Value(2.0)
    assert isinstance(escape(x), Value)  # outside a trace each works as before


def test_writing_data_inside_fn_is_refused() -> None:
    counter = Value(0.0, requires_grad=False)

    def fn(x: Value) -> Value:
        counter.data += 1.0  # a side effect no replay repeats
        return x * counter

    with pytest.raises(TraceError, match=r"\.data"):
        autograd.compile(fn, [2.0])


# --- compiled functions inside another's trace ----------

def test_a_compiled_function_called_inside_another_trace_is_refused() -> None:
    inner = autograd.compile(lambda x: x * x, [1.0])
    for outer in [lambda x: x + inner(x)[0], lambda x: x * inner(2.0)[0],
                  lambda x: x + inner.forward(x)]:
        with pytest.raises(TraceError, match=r"compiled function <lambda>.*\.fn"):
            autograd.compile(outer, [2.0])
    assert inner(3.0) == (9.0, (6.0,))  # and it still works on its own


def test_its_plain_function_inside_another_trace_is_part_of_it() -> None:
    inner = autograd.compile(lambda x: x * x, [1.0])

    def outer(x: Value) -> Value:
        return x + inner.fn(x)

    step = autograd.compile(outer, [2.0])
    assert step(3.0) == eager(outer, [3.0]) == (12.0, (7.0,))


# --- no process-wide state, no module sniffing, no reference counts ----------

def test_a_trace_changes_nothing_that_other_threads_see() -> None:
    data = inspect.getattr_static(Value, "data")
    inside, seen = threading.Event(), threading.Event()
    observed: list[Any] = []

    def slow(x: Value) -> Value:
        inside.set()
        seen.wait(5)
        return x * x

    worker = threading.Thread(target=lambda: autograd.compile(slow, [1.0]))
    worker.start()
    assert inside.wait(5)
    observed.append(inspect.getattr_static(Value, "data"))
    v = Value(2.0)
    observed.append(v.data * 3)  # an unrelated read in this thread: neither watched nor refused
    seen.set()
    worker.join()
    assert observed == [data, 6.0]


def test_a_read_from_a_module_named_like_the_engine_is_refused_too() -> None:
    # Whether a read is refused does not depend on the name of the module that makes it.
    plugin = types.ModuleType("autograd.user_plugin")
    exec("def scale(v):\n    return v * v.data\n", plugin.__dict__)  # noqa: S102
    sys.modules["autograd.user_plugin"] = plugin
    try:
        with pytest.raises(TraceError, match=r"\(\.data\)"):
            autograd.compile(plugin.scale, [2.0])
    finally:
        del sys.modules["autograd.user_plugin"]


def test_which_constants_are_read_afresh_does_not_count_references(monkeypatch: Any) -> None:
    outside = Value(3.0, requires_grad=False)
    monkeypatch.setattr(sys, "getrefcount", lambda _obj: 1)  # whatever counts Python gives
    step = autograd.compile(lambda x: x * 2.0 + x * outside, [1.0])
    outside.data = 4.0
    assert step(1.0) == (6.0, (6.0,))


# --- other threads while the trace runs ----------

def test_a_comparison_made_in_a_worker_thread_is_a_guard() -> None:
    with ThreadPoolExecutor(1) as pool:
        def fn(x: Value) -> Value:
            positive = pool.submit(lambda: x > 0).result()
            return x * 2 if positive else x * -3

        step = autograd.compile(fn, [1.0])
        for x in [-2.0, 4.0, -0.5, 0.0]:
            assert step(x) == eager(fn, [x]), x


def test_a_comparison_of_a_derived_value_in_a_worker_thread_is_a_guard() -> None:
    with ThreadPoolExecutor(2) as pool:
        def fn(x: Value) -> Value:
            y = x * 2
            z = y + 1
            big = pool.submit(lambda: max(z, 0.5) is z and z > 3).result()
            return y * y if big else -y

        step = autograd.compile(fn, [3.0])
        for x in [3.0, -2.0, 0.5, 5.0]:
            assert step(x) == eager(fn, [x]), x


def test_a_data_read_in_a_worker_thread_is_refused_naming_thread_and_line() -> None:
    with ThreadPoolExecutor(1, thread_name_prefix="helper") as pool:
        def fn(x: Value) -> Value:
            return x * pool.submit(lambda: x.data).result()

        with pytest.raises(TraceError, match=r"\(\.data\) at .*test_replay_escapes\.py:\d+ .* "
                                             r"in thread 'helper"):
            autograd.compile(fn, [2.0])


def test_another_threads_own_values_are_left_alone() -> None:
    # Reads and comparisons of Values that are not the trace's, in another thread meanwhile.
    stop = threading.Event()
    done: list[float] = []

    def busy() -> None:
        w = Value(1.0)
        while not stop.is_set():
            w = w * 1.0
            done.append(w.data if w > 0 else -1.0)

    worker = threading.Thread(target=busy)
    worker.start()
    try:
        step = autograd.compile(lambda x: x * x if x > 0 else -x, [2.0])
        assert step(3.0) == (9.0, (6.0,)) and step(-1.0) == (1.0, (-1.0,))
    finally:
        stop.set()
        worker.join()
    assert done and set(done) == {1.0}


def test_a_parameter_read_or_compared_in_a_worker_thread_counts_for_the_trace() -> None:
    w = Value(2.0)
    with ThreadPoolExecutor(1) as pool:
        def compares(x: Value) -> Value:
            return x * w if pool.submit(lambda: w > 1).result() else x - w

        step = autograd.compile(compares, [1.0])
        w.data = 0.5  # the guard on w fails now: the call runs eagerly
        assert step(3.0) == eager(compares, [3.0]) == (2.5, (1.0,))

        with pytest.raises(TraceError, match=r"\(\.data\).* in thread"):
            autograd.compile(lambda x: x * w * pool.submit(lambda: w.data).result(), [1.0])


def test_two_threads_tracing_at_once_each_keep_their_own_guards() -> None:
    both = threading.Barrier(2, timeout=5)
    results: dict[str, Any] = {}

    def trace_in_thread(name: str, slope: float) -> None:
        def fn(x: Value) -> Value:
            both.wait()  # both traces are running now
            out = x * slope if x > 0 else -x
            both.wait()
            return out

        step = autograd.compile(fn, [1.0])
        results[name] = (len(step.trace.guards), step(2.0), step.forward(-3.0))

    threads = [threading.Thread(target=trace_in_thread, args=(name, slope))
               for name, slope in [("a", 2.0), ("b", 5.0)]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"a": (1, (4.0, (2.0,)), 3.0), "b": (1, (10.0, (5.0,)), 3.0)}


# Comparisons and ops for random programs whose decisions are made in a worker thread.
COMPARE = [lambda a, b: a > b, lambda a, b: a <= b, lambda a, b: a < 0.5, lambda a, b: bool(a),
           lambda a, b: max(a, b) is a]
OPS = [lambda a, b: a * b, lambda a, b: a + b, lambda a, b: a - b.tanh(), lambda a, b: a.relu(),
       lambda a, b: (a * a + 1).log()]
POOL = ThreadPoolExecutor(2, thread_name_prefix="decider")


def threaded_program(spec: list[tuple[int, int, int, int, int]]) -> Callable[..., Value]:
    """Two inputs; each step's op is chosen by a comparison that a worker thread makes."""
    def fn(x: Value, y: Value) -> Value:
        vs = [x, y]
        for i, j, cmp, then, other in spec:
            a, b = vs[i % len(vs)], vs[j % len(vs)]
            decided = POOL.submit(COMPARE[cmp % len(COMPARE)], a, b).result()
            vs.append(OPS[then % len(OPS)](a, b) if decided else OPS[other % len(OPS)](a, b))
        return vs[-1]

    return fn


@settings(max_examples=60, deadline=None)
@given(spec=st.lists(st.tuples(*[st.integers(0, 9)] * 5), min_size=1, max_size=6),
       points=st.lists(st.tuples(st.floats(-3, 3), st.floats(-3, 3)), min_size=2, max_size=5))
def test_random_programs_deciding_in_a_worker_thread_replay_as_eager(spec: Any,
                                                                     points: Any) -> None:
    fn = threaded_program(spec)
    step = autograd.compile(fn, list(points[0]))
    for xs in points + points:
        got, want = step(*xs), eager(fn, list(xs))
        assert got == want or repr(got) == repr(want), xs  # (nan == nan is False)
