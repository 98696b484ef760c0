"""Compiled replay within bounds: what it remembers of paths, and when it stops re-tracing."""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable
from typing import Any

import autograd
from autograd import CompiledFunction, Value, grad


def eager(fn: Callable[..., Value], xs: list[float]) -> tuple[float, tuple[float, ...]]:
    """fn on fresh leaves, then its gradients: what a compiled call must return."""
    leaves = [Value(x) for x in xs]
    out = fn(*leaves)
    return out.data, tuple(grad(out, leaves))


def weighted_sort(*xs: Value) -> Value:
    """Sorts its inputs (every comparison a guard), then weighs them by rank."""
    ranked = sorted(xs)
    return sum((k + 1) * v for k, v in enumerate(ranked))


def cycling(n_paths: int) -> Callable[..., Value]:
    """A function taking one of n_paths branches, chosen by which interval x falls in."""
    def fn(x: Value) -> Value:
        for k in range(1, n_paths):
            if x < k:
                return x * k
        return x * n_paths

    return fn


def stored_entries(step: CompiledFunction) -> int:
    """Numbers held to tell paths apart: one per key element (or one per plain key)."""
    return sum(len(k) if isinstance(k, tuple) else 1 for k in step._paths_seen)


def test_sorting_many_inputs_keeps_bounded_memory_and_warns_once_when_it_stops_tracing(
        ) -> None:
    rng = random.Random(0)
    step = autograd.compile(weighted_sort, [float(k) for k in range(24)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(300):
            xs = [rng.uniform(-1, 1) for _ in range(24)]
            assert step(*xs) == eager(weighted_sort, xs)
    # Each call takes a path of its own: 300 paths of ~90 comparisons each, were all kept.
    assert stored_entries(step) <= 64
    given_up = [w for w in caught if w.category.__name__ == "RecompileLimitWarning"]
    assert len(given_up) == 1, [str(w.message) for w in caught]
    message = str(given_up[0].message)
    assert "weighted_sort" in message and "no trace covered" in message and "eagerly" in message
    assert step.gave_up == message
    assert step.eager_calls < 60  # counted until it gave up; after that, no tracing at all


def test_paths_cycling_over_more_traces_than_it_keeps_stop_being_traced() -> None:
    fn = cycling(16)
    step = autograd.compile(fn, [0.5])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for call in range(400):
            x = (call % 16) + 0.5
            assert step(x) == eager(fn, [x])
            assert step.forward(x) == eager(fn, [x])[0]
    assert step.gave_up is not None and len(caught) == 1
    assert step.traces_built <= 1 + 64  # traces built before it gave up, not one per call


def test_few_recurring_paths_are_replayed_without_giving_up() -> None:
    fn = cycling(4)
    step = autograd.compile(fn, [0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning at all
        for call in range(2000):
            x = (call % 4) + 0.5
            assert step(x) == eager(fn, [x])
    assert step.gave_up is None and step.eager_calls <= 6


def test_rare_changes_of_path_over_a_long_run_do_not_give_up() -> None:
    # Like a training run whose clamp flips now and then: few misses among many calls.
    fn = cycling(40)
    step = autograd.compile(fn, [0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for call in range(4000):
            x = call // 100 + 0.5  # a new path every 100 calls, 40 paths in all
            assert step(x) == eager(fn, [x])
    assert step.gave_up is None and step.eager_calls == 39 * 2


def test_after_giving_up_parameters_still_get_their_gradients() -> None:
    w = Value(1.5)

    def fn(*xs: Any) -> Value:
        return weighted_sort(*xs) * w

    rng = random.Random(1)
    step = autograd.compile(fn, [float(k) for k in range(8)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(200):
            xs = [rng.uniform(-1, 1) for _ in range(8)]
            w.grad = 0.0
            got = step(*xs)
            leaves = [Value(x) for x in xs]
            w2 = Value(1.5)
            out = weighted_sort(*leaves) * w2
            out.backward()
            assert got == (out.data, tuple(v.grad for v in leaves)) and w.grad == w2.grad
    assert step.gave_up is not None
