"""Guards of compiled replay: eager's numbers or a clear error, never another number."""

from __future__ import annotations

import inspect
import math
import random
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
import nn.training.step
from autograd import TraceError, TraceMismatchError, Value, grad

# Value.data as the engine defines it, outside any trace
DATA = inspect.getattr_static(Value, "data")
BACKENDS = ["python", "numpy", "loop"]


def eager(fn: Callable[..., Value], xs: list[float]) -> tuple[float, tuple[float, ...]]:
    """fn on fresh leaves, then its gradients: what every replay must return."""
    leaves = [Value(x) for x in xs]
    out = fn(*leaves)
    return out.data, tuple(grad(out, leaves)) if leaves else ()


def same(a: Any, b: Any) -> bool:
    """Equal, counting two NaNs as equal (floats, or tuples of them)."""
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return (a != a and b != b) or a == b


def signed_slope(x: Value) -> Value:
    return x * 2 if x > 0 else -x * 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_branch_on_a_comparison_follows_the_new_numbers(backend: str) -> None:
    step = autograd.compile(signed_slope, [1.0], backend=backend)
    assert step(-1.0) == (3.0, (-3.0,))  # the case: the trace at 1 gave -2 and 2
    assert step(2.0) == (4.0, (2.0,))
    assert step(-5.0) == (15.0, (-3.0,))  # that path has come twice: now a trace of its own
    assert step.traces_built == 2 and step.eager_calls == 2
    assert step(-7.0) == (21.0, (-3.0,)) and step.eager_calls == 2  # replayed, not eager


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("fn", [
    lambda x, y: max(x, y) * 2,
    lambda x, y: min(x, y) * y,
    lambda x, y: max([x, y, x * y]).tanh(),
    lambda x, y: (x if x else y) * 3,  # bool(x): x != 0
    lambda x, y: x * y if x * y >= 1.0 else x + y,
    lambda x, y: (x - y).relu() if x < y else (y - x).exp(),
    lambda x, y: sorted([x, y, x + y])[1] * x,
], ids=["max", "min", "max3", "bool", "ge-const", "lt", "sorted"])
def test_data_dependent_choices_of_values_are_guarded(backend: str, fn: Any) -> None:
    step = autograd.compile(fn, [1.0, 2.0], backend=backend)
    for xs in [(1.0, 2.0), (3.0, -1.0), (0.0, 0.5), (-2.0, -3.0), (2.0, 2.0), (0.5, 4.0),
               (3.0, -1.0), (-2.0, -3.0), (math.nan, 1.0)]:
        assert same(step(*xs), eager(fn, list(xs))), xs
        assert same(step.forward(*xs), eager(fn, list(xs))[0]), xs


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_loop_on_a_comparison_is_guarded(backend: str) -> None:
    def halve_until_small(x: Value) -> Value:
        while x > 1.0:
            x = x * 0.5
        return x

    step = autograd.compile(halve_until_small, [3.0], backend=backend)
    for x in [3.0, 10.0, 0.5, 1000.0, 3.5]:
        assert step(x) == eager(halve_until_small, [x]), x


@pytest.mark.parametrize("read, how", [
    (lambda x: x * x.data, r"\(\.data\)"),
    (lambda x: x * float(x), r"\(float\(\)\)"),
    (lambda x: x * x.item(), r"\(item\(\)\)"),
    (lambda x: x * int(x), r"\(int\(\)\)"),
    (lambda x: x * round(x), r"\(round\(\)\)"),
    (lambda x: x * math.floor(x), r"\(math\.floor\(\)\)"),
    (lambda x: x * math.log(x), r"\(float\(\)\)"),
], ids=["data", "float", "item", "int", "round", "floor", "math.log"])
def test_taking_a_number_out_of_a_value_is_refused_naming_the_line(read: Any, how: str) -> None:
    with pytest.raises(TraceError, match=how + r" at .*test_replay_guards\.py:\d+ `") as err:
        autograd.compile(read, [2.0])
    assert "x * x, not x * x.data" in str(err.value)
    x = Value(2.0)
    with warnings.catch_warnings():  # math.log(x) says it cuts the graph (GraphBreakWarning)
        warnings.simplefilter("ignore", autograd.GraphBreakWarning)
        assert read(x).data > 0  # outside a trace, every one of them works as before


def test_a_while_loop_on_data_is_refused_at_its_line() -> None:
    def loop(x: Value) -> Value:
        n = 0
        while x.data * 2 ** -n > 1.0:
            n += 1
        return x * 0.5 ** n

    with pytest.raises(TraceError, match=r"while x\.data \* 2 \*\* -n > 1\.0"):
        autograd.compile(loop, [3.0])


def test_randomness_inside_fn_is_refused() -> None:
    with pytest.raises(TraceError, match="draws random numbers"):
        autograd.compile(lambda x: x * random.random(), [1.0])
    np = pytest.importorskip("numpy")
    with pytest.raises(TraceError, match="draws random numbers"):
        autograd.compile(lambda x: x * float(np.random.rand()), [1.0])


def test_a_refused_trace_leaves_data_reads_working() -> None:
    data = inspect.getattr_static(Value, "data")
    seen = []

    def looks(x: Value) -> Value:
        # the class is the same while a trace runs
        seen.append(inspect.getattr_static(Value, "data"))
        return x * x.data

    with pytest.raises(TraceError):
        autograd.compile(looks, [2.0])
    v = Value(4.0)
    assert v.data == 4.0 and seen == [data] and inspect.getattr_static(Value, "data") is data


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_constant_changed_after_compile_is_read_afresh(backend: str) -> None:
    c = Value(2.0, requires_grad=False)
    step = autograd.compile(lambda x: x * c, [1.0], backend=backend)
    c.data = 5.0
    assert step(3.0) == (15.0, (5.0,))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_rebound_parameter_is_what_check_finds(backend: str) -> None:
    class Holder:
        w = Value(2.0)

    step = autograd.compile(lambda x: Holder.w * x, [1.0], backend=backend)
    Holder.w = Value(5.0)  # fn now reads another Value: no guard can see that
    with pytest.raises(TraceMismatchError, match="another parameter Value"):
        step.check(1.0)


def test_fit_checks_its_first_steps_and_retraces_a_rebound_parameter(monkeypatch: Any) -> None:
    assert fit_with_a_rebound_parameter(False) == fit_with_a_rebound_parameter(True)
    # without the checks, the replay is wrong
    monkeypatch.setattr(nn.training.step, "FIRST_CHECKS", ())
    assert fit_with_a_rebound_parameter(False) != fit_with_a_rebound_parameter(True)


def fit_with_a_rebound_parameter(compile_step: bool) -> list[float]:
    """A model whose parameter attribute is rebound to a new Value during training."""
    class Scaled(nn.Module):
        def __init__(self) -> None:
            self.scale = Value(1.0)

        def forward(self, x: list[float]) -> Value:
            return self.scale * x[0]

    model = Scaled()
    optimizer = nn.SGD(model, lr=0.1)
    rebound = Value(3.0)

    def rebind(step: int) -> float:
        if step == 1:  # early in training, as a careless user might
            model.scale = rebound
            optimizer.params[0] = rebound
        return 0.1

    optimizer.lr = rebind
    history = nn.fit(model, [[1.0], [2.0]], [2.0, 4.0], loss=nn.mse, optimizer=optimizer,
                     steps=4, quiet=True, compile=compile_step)
    return history["loss"]


def bce_problem(compile_step: bool) -> list[float]:
    """The issue's case: inputs in ±50, a sigmoid output, SGD at 0.5; bce's clamp flips."""
    rng = random.Random(3)
    X = [[rng.uniform(-50, 50), rng.uniform(-50, 50)] for _ in range(40)]
    y = [1.0 if a + 0.5 * b > 0 else 0.0 for a, b in X]
    model = nn.MLP(2, [8, 1], output_activation="sigmoid", seed=0)
    history = nn.fit(model, X, y, loss=nn.bce, optimizer=nn.SGD(model, lr=0.5), steps=5,
                     quiet=True, compile=compile_step)
    return history["loss"] + [p.data for p in model.parameters()]


def test_bce_with_a_clamp_that_flips_trains_as_eager() -> None:
    eager_run, compiled_run = bce_problem(False), bce_problem(True)
    assert all(math.isfinite(v) for v in eager_run)
    assert compiled_run == eager_run


def test_cross_entropy_with_a_changing_largest_logit_trains_as_eager() -> None:
    X, y = nn.spirals(20, seed=2)
    runs = []
    for compile_step in (False, True):
        model = nn.MLP(2, [6, 3], seed=4)
        history = nn.fit(model, [[40 * a, 40 * b] for a, b in X], y, loss=nn.cross_entropy,
                         steps=6, quiet=True, optimizer=nn.SGD(model, lr=0.3),
                         compile=compile_step)
        runs.append(history["loss"] + [p.data for p in model.parameters()])
    assert runs[0] == runs[1]


def test_a_guard_on_a_value_outside_the_loss_graph_is_checked() -> None:
    # bce's clamped log is not part of the loss: its guard compares a node kept for it alone.
    step = autograd.compile(lambda p: nn.bce([p], [1.0]), [0.5])
    for p in [0.5, 1e-50, 0.25, 0.0, 1e-300, 1.0]:
        assert step(p) == eager(lambda v: nn.bce([v], [1.0]), [p]), p


def test_bce_out_of_range_in_a_replay_raises_as_eager() -> None:
    step = autograd.compile(lambda p: nn.bce([p], [1.0]), [0.5])
    with pytest.raises(ValueError, match=r"bce needs probabilities in \[0, 1\], got 1.5"):
        step(1.5)


# --- random programs with data-dependent branches: replay == eager everywhere ----------

COMPARE = [lambda a, b: a > b, lambda a, b: a <= b, lambda a, b: a < 0.5, lambda a, b: bool(a)]
OPS = [lambda a, b: a * b, lambda a, b: a + b, lambda a, b: a - b.tanh(), lambda a, b: a.relu(),
       lambda a, b: max(a, b), lambda a, b: min(a, b) * a, lambda a, b: (a * a + 1).log()]


def program(spec: list[tuple[int, int, int, int, int]]) -> Callable[..., Value]:
    """A function of two inputs: each step picks two earlier values and, by a comparison, an op."""
    def fn(x: Value, y: Value) -> Value:
        vs = [x, y]
        for i, j, cmp, then, other in spec:
            a, b = vs[i % len(vs)], vs[j % len(vs)]
            op = OPS[then] if COMPARE[cmp](a, b) else OPS[other]
            vs.append(op(a, b))
        return vs[-1]

    return fn


numbers_ = st.floats(-3, 3, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(spec=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(0, 3),
                               st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=8),
       points=st.lists(st.tuples(numbers_, numbers_), min_size=2, max_size=6),
       backend=st.sampled_from(BACKENDS))
def test_random_branching_programs_replay_as_eager(spec: Any, points: Any, backend: str) -> None:
    fn = program(spec)
    step = autograd.compile(fn, list(points[0]), backend=backend)
    for xs in points + points:  # twice: the second time, recurring paths have their own trace
        assert same(step(*xs), eager(fn, list(xs))), xs


def test_only_constants_held_outside_the_trace_are_read_on_every_call() -> None:
    outside = Value(3.0, requires_grad=False)
    step = autograd.compile(lambda x: x * 2.0 + x * outside, [1.0], backend="loop")
    program = step._programs[0]
    assert [v for _, v in program.live_consts] == [outside]  # the literal 2.0 is the trace's own
    outside.data = 4.0
    assert step(1.0) == (6.0, (6.0,))


def test_a_refused_read_inside_a_try_block_still_refuses_the_trace() -> None:
    def careless(x: Value) -> Value:
        try:
            scale = x.data  # refused here ...
        except Exception:  # ... and swallowed by the function
            scale = 1.0
        return x * scale

    with pytest.raises(TraceError, match=r"scale = x\.data"):
        autograd.compile(careless, [2.0])
