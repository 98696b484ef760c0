"""Graph queries shared by every walker: topological order, leaves, sizes."""

from __future__ import annotations

from .value import Value


def topological_order(root: Value) -> list[Value]:
    """Every Value that `root` depends on, inputs before the nodes that use them, root last.

    Iterative depth-first search, so a chain of a million operations needs no recursion.
    """
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value, got {type(root).__name__}")
    order: list[Value] = []
    seen = {root}
    stack = [root]
    push, pop, mark, emit = stack.append, stack.pop, seen.add, order.append
    while stack:
        v = stack[-1]
        a = v._a
        if a is not None:
            # Descend into the first unvisited input; a node is emitted once both are done.
            # (An input already seen is already emitted: in a DAG it cannot be on the stack.)
            if a not in seen:
                mark(a)
                push(a)
                continue
            b = v._b
            if b is not None and b not in seen:
                mark(b)
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
