"""Compiled replay of big graphs: auto takes the loop backend, with eager's numbers."""

from __future__ import annotations

import autograd
from autograd import Value, grad
from autograd.replay_backend import AUTO_MAX_GENERATED


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
