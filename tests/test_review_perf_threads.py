"""Graph walks stamp nodes (``_mark``): walks from two threads must not spoil each other."""

from __future__ import annotations

import sys
import threading

from autograd import Value, grad, topological_order


def _shared_graph(depth: int) -> tuple[Value, Value]:
    """A graph in which every level reuses the leaf x; d(root)/dx is exactly 1."""
    x = Value(1.0, label="x")
    h = x
    for _ in range(depth):
        h = h * 1.0 + x * 0.0
    return x, h


def test_backward_is_right_while_another_thread_walks_the_same_graph() -> None:
    x, root = _shared_graph(200)
    size = len(topological_order(root))
    stop = threading.Event()

    def reader() -> None:  # what draw() or explain() in a UI thread would do
        while not stop.is_set():
            topological_order(root)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to interleave the walks
    thread = threading.Thread(target=reader)
    thread.start()
    try:
        sizes, grads, pure = set(), set(), set()
        for _ in range(20):
            sizes.add(len(topological_order(root)))
            x.grad = 0.0
            root.backward()
            grads.add(x.grad)
            pure.add(grad(root, x))
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(old)
    assert sizes == {size}
    assert grads == {1.0}
    assert pure == {1.0}
