"""Graph queries shared by every walker: topological order, leaves, sizes."""

from __future__ import annotations

import os
import threading

from .value import Value

# Held for the whole of every stamping walk (here and in backward.py).  Two walks interleaved by
# thread switches would overwrite each other's stamps, and a node whose stamp was overwritten is
# pushed and emitted twice: backward() then adds its gradient twice.  One acquire per walk costs
# well under a microsecond.  Reentrant, so that a walk started by a finaliser that runs in the
# middle of a walk cannot hang its own thread; renewed in a forked child, where a thread that
# held it at the fork no longer exists to release it.
walk_lock = threading.RLock()


def _renew_walk_lock() -> None:
    global walk_lock
    walk_lock = threading.RLock()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_renew_walk_lock)


def topological_order(root: Value) -> list[Value]:
    """Every Value that `root` depends on, inputs before the nodes that use them, root last.

    Iterative depth-first search, so a chain of a million operations needs no recursion.  Each
    walk stamps the nodes it reaches with a fresh token (``_mark``) instead of keeping a set of
    them: no hashing, no growing table, and nothing to clear afterwards.  Walks from several
    threads (draw or grad() in one while backward runs in another) take turns (``walk_lock``).
    """
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value, got {type(root).__name__}")
    with walk_lock:  # looked up at each call: a forked child renews it
        return _stamped_order(root)


def _stamped_order(root: Value) -> list[Value]:
    """The walk of topological_order; the caller holds walk_lock."""
    order: list[Value] = []
    stamp = object()
    root._mark = stamp
    stack = [root]
    push, pop, emit = stack.append, stack.pop, order.append
    while stack:
        v = stack[-1]
        a = v._a
        if a is not None:
            # Descend into the first unvisited input; a node is emitted once both are done.
            # (An input already stamped is already emitted: in a DAG it cannot be on the stack.)
            if a._mark is not stamp:
                a._mark = stamp
                push(a)
                continue
            b = v._b
            if b is not None and b._mark is not stamp:
                b._mark = stamp
                push(b)
                continue
        pop()
        emit(v)
    return order


def leaves(root: Value) -> list[Value]:
    """The leaf Values `root` depends on, in topological order."""
    return [v for v in topological_order(root) if v._a is None]
