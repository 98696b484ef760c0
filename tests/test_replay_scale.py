"""Compiled replay of big graphs: auto takes the loop backend, with eager's numbers."""

from __future__ import annotations

import autograd
from autograd import Value, grad
from autograd.replay.backend import AUTO_MAX_GENERATED


def test_a_deep_chain_compiles_with_the_loop_backend_to_eagers_numbers() -> None:
    w, b = Value(0.9999), Value(0.001)

    def chain(x: Value) -> Value:
        v = x
        for _ in range(15_000):  # 30,000 nodes: beyond what "auto" generates Python for
            v = v * w + b
        return v

    step = autograd.compile(chain, [1.0])
    assert step.backend == "loop" and step.trace.size > AUTO_MAX_GENERATED
    value, (dx,) = step(0.5)
    x = Value(0.5)
    out = chain(x)
    eager = grad(out, [x, w, b])
    assert (value, dx) == (out.data, eager[0])
    assert (w.grad, b.grad) == (eager[1], eager[2])


def test_walks_after_a_compile_see_the_whole_graph() -> None:
    # Flattening keeps slot numbers in the Values' walk marks: later walks must not mind.
    w = Value(2.0)
    autograd.compile(lambda x: (x * w).tanh() * w, [1.0], backend="loop")
    y = (w * 3.0 + w) * w
    y.backward()
    assert w.grad == 2 * 4.0 * 2.0 and len(autograd.topological_order(y)) == 5


def test_the_numpy_backend_runs_a_deep_chain_in_one_sequential_pass() -> None:
    w, b = Value(0.9999), Value(0.001)

    def chain(x: Value) -> Value:
        v = x
        for _ in range(5_000):  # one node per level: NumPy groups of one node each
            v = v * w + b
        return (v * v).tanh()

    step = autograd.compile(chain, [1.0], backend="numpy")
    assert step.backend == "numpy" and step._programs[0].plan.sequential
    for x0 in (0.5, -2.0):
        w.grad = b.grad = 0.0
        value, (dx,) = step(x0)
        x = Value(x0)
        out = chain(x)
        eager = grad(out, [x, w, b])
        assert (value, dx, w.grad, b.grad) == (out.data, *eager)
    assert step.forward(0.5) == chain(Value(0.5)).data


def test_a_trace_keeps_flat_arrays_and_reads_them_back_per_slot() -> None:
    w = Value(2.0, label="w")
    c = Value(3.0, requires_grad=False)

    def fn(x: Value) -> Value:
        h = (x * w).relu()
        h.label = "h"
        return h + c ** 2.0

    tr = autograd.compile(fn, [1.0], backend="loop").trace
    # Slots in topological order: x, w, x*w, relu, c, the exponent 2.0, c**2, the sum.
    assert tr.op == [None, None, "*", "relu", None, None, "**c", "+"]
    assert list(tr.first) == [-1, -1, 0, 2, -1, -1, 4, 3]
    assert list(tr.second) == [-1, -1, 1, -1, -1, -1, 5, 6]
    assert tr.args == [(), (), (0, 1), (2,), (), (), (4, 5), (3, 6)]
    # Nothing flows back into the constant c: neither c**2 nor its edge into the sum carries.
    assert tr.carries == [(), (), (True, True), (True,), (), (), (False, False), (True, False)]
    assert tr.kind == ["input", "param", "node", "node", "const", "const", "node", "node"]
    assert tr.labels == ["", "w", "", "h", "", "", "", ""] and tr.n_nodes == 4
    assert list(tr.needs_grad) == [1, 1, 1, 1, 0, 0, 0, 1]
    assert list(tr.receives) == [1, 1, 1, 1, 0, 0, 0, 1]
