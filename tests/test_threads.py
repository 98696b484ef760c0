"""Threads: walks and backward passes from several threads on shared graphs stay exact."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest

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


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() with a thread alive
def test_a_forked_child_can_walk_while_a_thread_of_the_parent_held_the_walk_lock() -> None:
    from autograd.core import graph

    held, release = threading.Event(), threading.Event()

    def holder() -> None:  # a thread caught mid-walk by the fork
        with graph.walk_lock:
            held.set()
            release.wait()

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait()
    try:
        pid = os.fork()
        if pid == 0:  # the child: that thread does not exist here to release the lock
            x, root = _shared_graph(3)
            root.backward()
            os._exit(0 if x.grad == 1.0 else 1)
        deadline = time.monotonic() + 5.0
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                pytest.fail("the forked child hung on the walk lock")
            time.sleep(0.01)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        release.set()
        thread.join()


def _racing(passes: int, *roots: Value) -> None:
    """Call backward() on the roots from two threads at once, `passes` times each."""
    start = threading.Barrier(2)

    def run(root: Value) -> None:
        start.wait()
        for _ in range(passes):
            root.backward()

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to interleave the passes
    try:
        threads = [threading.Thread(target=run, args=(r,)) for r in roots]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)


def test_two_threads_on_one_graph_give_exactly_twice_the_leaf_gradients() -> None:
    x, root = _shared_graph(3000)  # long enough for the passes to overlap many times
    w = Value(0.5)
    root = root * w
    _racing(3, root, root)
    assert x.grad == 2 * 3 * 0.5 and w.grad == 2 * 3 * 1.0


def test_two_threads_on_separate_graphs_sharing_a_leaf_both_count() -> None:
    x = Value(2.0)
    a, b = x, x
    for _ in range(3000):
        a = a * 1.0 + x * 0.0
        b = b * 1.0 - x * 0.0
    _racing(3, a * 3.0, b * 4.0)
    assert x.grad == 3 * 3.0 + 3 * 4.0
