"""Graph queries shared by every walker: topological order, leaves, sizes."""

from __future__ import annotations

import os
import threading

from .value import Value

# Held for the whole of every stamping walk and of every backward pass.  Two walks interleaved by
# thread switches would overwrite each other's stamps, and a node whose stamp was overwritten is
# pushed and emitted twice: backward() then adds its gradient twice.  Two backward passes
# interleaved would reset each other's interior gradients and lose each other's additions into
# shared leaves (`x.grad += ...` is a read and a write); one after the other, two threads give
# exactly twice the leaf gradients.  One acquire per walk costs well under a microsecond.
# Reentrant, so that a walk started inside a pass (explain's recorder drawing, say, or a
# finaliser) cannot hang its own thread; renewed in a forked child, where a thread that held it at
# the fork no longer exists to release it.
walk_lock: threading.RLock = threading.RLock()


def _renew_walk_lock() -> None:
    global walk_lock
    walk_lock = threading.RLock()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_renew_walk_lock)


def topological_order(root: Value) -> list[Value]:
    """Every Value that `root` depends on, inputs before the nodes that use them, root last.

    Iterative depth-first search, so a chain of a million operations needs no recursion.  Walks
    from several threads (draw or grad() in one while backward runs in another) take turns
    (``walk_lock``).
    """
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value, got {type(root).__name__}")
    with walk_lock:  # looked up at each call: a forked child renews it
        return walk(root)[0]


def walk(root: Value, leaves: bool = True, reset: bool = False) -> tuple[list[Value], list[Value]]:
    """The one graph walk: (nodes in topological order, the leaves in the order reached).

    With ``leaves=False`` only the interior nodes are listed (what backward propagates through);
    with ``reset=True`` each interior node's ``.grad`` is set to 0 as it is listed (backward's
    start).  Each walk stamps the nodes it reaches with a fresh token (``_mark``) instead of
    keeping a set of them: no hashing, no growing table, and nothing to clear afterwards.  The
    caller holds ``walk_lock``.
    """
    if root._a is None:
        return ([root] if leaves else []), [root]
    order: list[Value] = []
    found: list[Value] = order if leaves else []  # where a leaf goes as soon as it is reached
    stamp = object()
    root._mark = stamp
    stack = [root]  # interior nodes only: a leaf is listed the moment it is reached
    push, pop, emit, reached = stack.append, stack.pop, order.append, found.append
    while stack:
        v = stack[-1]
        # Descend into the first unvisited input; a node is listed once both are done.  (An
        # input already stamped is already listed: in a DAG it cannot be on the stack.)
        a: Value = v._a  # type: ignore[assignment]  # on the stack: interior, so _a is set
        if a._mark is not stamp:
            a._mark = stamp
            if a._a is not None:
                push(a)
                continue
            reached(a)
        b = v._b
        if b is not None and b._mark is not stamp:
            b._mark = stamp
            if b._a is not None:
                push(b)
                continue
            reached(b)
        pop()
        if reset:
            v.grad = 0.0
        emit(v)
    return order, ([v for v in order if v._a is None] if leaves else found)


def leaves(root: Value) -> list[Value]:
    """The leaf Values `root` depends on, in topological order."""
    return [v for v in topological_order(root) if v._a is None]
