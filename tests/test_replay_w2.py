"""Compiled replay on the W2 workload (micrograd's demo step) and on random graphs.

A small W2 (20 moons points) trains identically, eager and compiled, and a seeded random graph
replays as eager computes it.  The workloads live in ``bench/replay_w2.py``, which measures them
at full size (``python -m bench.replay_w2 --peers``).
"""

from __future__ import annotations

import random

import pytest

import autograd
from autograd import Value, grad
from autograd.replay.backend import AUTO_GENERATE_AFTER
from autograd.replay.check import same_float
from bench.replay_w2 import (
    compiled_step,
    eager_step,
    mlp,
    moons,
    parameters,
    random_program,
    run_program,
    w2_loss,
)


@pytest.mark.parametrize("backend", ["python", "numpy", "loop"])
def test_small_w2_trains_identically_compiled(backend: str) -> None:
    pytest.importorskip("numpy")
    points = moons(20)
    eager_model, compiled_model = mlp([2, 8, 8, 1]), mlp([2, 8, 8, 1])
    step = autograd.compile(lambda: w2_loss(compiled_model, points), [], backend=backend)
    for k in range(4):
        lr = 1.0 - 0.9 * k / 100
        assert same_float(compiled_step(step, compiled_model, lr),
                          eager_step(eager_model, points, lr))
        for a, b in zip(parameters(compiled_model), parameters(eager_model), strict=True):
            assert same_float(a.data, b.data)
    step.check()  # the hinge's relu is an op: the trace stays valid as the weights move


def test_auto_backend_picks_numpy_for_wide_graphs_python_for_deep_ones() -> None:
    pytest.importorskip("numpy")
    model, points = mlp([2, 16, 16, 1]), moons(30)
    assert autograd.compile(lambda: w2_loss(model, points), []).backend == "numpy"
    deep = run_program(random_program(1000, 5, seed=1))
    assert autograd.compile(deep, [0.5] * 5).backend == "python"


def test_auto_generates_python_for_a_mid_sized_deep_graph_once_it_is_called_often() -> None:
    deep = run_program(random_program(3000, 5, seed=1))
    step = autograd.compile(deep, [0.5] * 5)
    assert step.backend == "loop"  # generating Python would cost ~30x eager: not yet
    xs = [0.25, -0.5, 0.75, 1.0, -1.25]
    first = step(*xs)
    for _ in range(AUTO_GENERATE_AFTER - 2):
        assert step(*xs) == first
    assert step.backend == "loop"
    assert step(*xs) == first and step.backend == "python"
    assert step(*xs) == first and step.forward(*xs) == first[0]
    leaves = [Value(x) for x in xs]
    out = deep(*leaves)
    assert first == (out.data, tuple(grad(out, leaves)))


@pytest.mark.parametrize("backend", ["python", "numpy", "loop"])
def test_random_program_matches_eager(backend: str) -> None:
    pytest.importorskip("numpy")
    fn = run_program(random_program(2000, 20, seed=3))
    xs = [random.Random(4).uniform(-1, 1) for _ in range(20)]
    step = autograd.compile(fn, xs, backend=backend)
    new = [x * 0.9 for x in xs]
    inputs = [Value(x) for x in new]
    out = fn(*inputs)
    out.backward()
    value, grads = step(*new)
    assert same_float(value, out.data)
    assert all(same_float(g, x.grad) for g, x in zip(grads, inputs, strict=True))
