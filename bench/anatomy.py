"""Where the eager engine's time goes: ``python -m bench.anatomy`` (a few seconds).

Times the pieces one operation and one backward step are made of, each in isolation (garbage
collector off, best of several repeats, so the figures are floors), then measures how much of a
W1 build with the collector on is spent inside collections.  The table's figures are larger: they
add the workload loop and cache misses on a random 100k-node graph.
"""

from __future__ import annotations

import gc
import importlib
import time
import timeit
from typing import Any

from . import workloads as wl
from .engines import Valuegrad
from .worker import replay_graph

SETUP = """
from autograd import Value, ops
_new = object.__new__

class Bare:
    __slots__ = Value.__slots__
    def __mul__(self, other):
        return other

bare, other = Bare(), Bare()
x, y = Value(0.5), Value(0.7)

def make_node():
    v = _new(Value)
    v.data = 0.35
    v.grad = 0.0
    v._op = "*"
    v._a = x
    v._b = y
    v._da = 0.7
    v._db = 0.5
    v._mark = None
    return v

def call(a, b):
    return a
"""

PIECES = [
    ("a Python call (the floor of any method)", "call(x, y)"),
    ("operator dispatch to a Python __mul__", "bare * other"),
    ("op-table call: ops.mul(x, y) and unpacking", "out, da, db = ops.mul(0.5, 0.7)"),
    ("allocating a node + 8 slot stores (+ freeing it)", "make_node()"),
    ("x * y on Values (all of the above)", "x * y"),
    ("x + y on Values", "x + y"),
    ("x.relu()", "x.relu()"),
    ("x ** 2 (lifts 2 into a constant leaf)", "x ** 2"),
    ("2.0 * x (lifts 2.0 into a constant leaf)", "2.0 * x"),
]


def best_ns(stmt: str, number: int = 100_000, repeat: int = 7) -> float:
    """Fastest of `repeat` runs, per statement, in ns (collector off, as timeit does)."""
    return min(timeit.repeat(stmt, SETUP, number=number, repeat=repeat)) / number * 1e9


def backward_split(nodes: list[Any]) -> tuple[float, float]:
    """ns per node for backward's graph walk and for its gradient loop, on a built graph."""
    bw = importlib.import_module("autograd.core.backward")
    root = nodes[-1]
    t0 = time.perf_counter_ns()
    graph = importlib.import_module("autograd.core.graph")
    with graph.walk_lock:
        order, _ = graph.walk(root, leaves=False, reset=True)
    t1 = time.perf_counter_ns()
    root.grad = 1.0
    bw._run(order)
    t2 = time.perf_counter_ns()
    return (t1 - t0) / len(order), (t2 - t1) / len(order)


def main() -> None:
    """Print the breakdown."""
    print("one operation, in isolation (ns, best of 7, collector off)")
    for label, stmt in PIECES:
        print(f"  {label:<52}{best_ns(stmt):8.0f}")

    engine = Valuegrad()
    leaf_values, spec = wl.random_graph(100_000, 0)
    from autograd import Value

    chain_leaves = [Value(0.5), Value(0.9999999), Value(1e-7)]
    print("\nbackward per node (ns, best of 3, collector off): graph walk + gradient loop")
    gc.disable()
    try:
        for name in ("chain of 10^5", "W1 random graph"):
            best = (float("inf"), float("inf"))
            for _ in range(3):
                if name.startswith("chain"):
                    x, w, b = chain_leaves
                    v = x
                    for _ in range(50_000):
                        v = v * w + b
                    nodes = [v]
                else:
                    nodes, _ = replay_graph(engine, leaf_values, spec)
                split = backward_split(nodes)
                best = min(best, split, key=sum)
                del nodes
            print(f"  {name:<52}{best[0]:8.0f} +{best[1]:6.0f}")
    finally:
        gc.enable()

    print("\nW1 build with the collector on: time inside collections")
    spent = {"ns": 0, "start": 0, "counts": [0, 0, 0]}

    def timer(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            spent["start"] = time.perf_counter_ns()
        else:
            spent["ns"] += time.perf_counter_ns() - spent["start"]
            spent["counts"][info["generation"]] += 1

    gc.collect()
    gc.callbacks.append(timer)
    try:
        nodes, build_ns = replay_graph(engine, leaf_values, spec)
    finally:
        gc.callbacks.remove(timer)
    n = len(spec)
    print(f"  build {build_ns / n:.0f} ns/node, of which {spent['ns'] / n:.0f} in "
          f"{sum(spent['counts'])} collections (by generation: {spent['counts']}); "
          f"{len(gc.get_objects())} objects tracked after the build")


if __name__ == "__main__":
    main()
