"""Graph queries shared by every walker: topological order, leaves, sizes."""

from __future__ import annotations

from .value import Value


def topological_order(root: Value) -> list[Value]:
    """Every Value that `root` depends on, inputs before the nodes that use them, root last.

    Iterative depth-first search, so a chain of a million operations needs no recursion.  Each
    walk stamps the nodes it reaches with a fresh token (``_mark``) instead of keeping a set of
    them: no hashing, no growing table, and nothing to clear afterwards.  (Two threads walking
    the same graph at once would confuse each other's stamps; backward on a shared graph from
    two threads is not meaningful anyway, as both would write the same ``.grad`` fields.)
    """
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value, got {type(root).__name__}")
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


def consumers(order: list[Value]) -> dict[Value, list[Value]]:
    """For each node of a topologically ordered graph, the nodes that use it (repeats kept)."""
    users: dict[Value, list[Value]] = {v: [] for v in order}
    for v in order:
        for x in v.inputs:
            users[x].append(v)
    return users
