"""Compiled replay when paths keep changing: ``python -m bench.compile_paths [--calls N]``.

Prints, per case, the numbers a CompiledFunction keeps to tell control-flow paths apart (one
per element of each remembered key) and the cost of a call against eager's (fn on fresh leaves,
then grad()), total time over the same calls, alternating nothing (each case runs its compiled
calls, then its eager calls).  Cases:

* sort 24: ``sorted()`` of 24 inputs weighed by rank: every call a new path;
* 16 paths / 8 traces: sixteen branches taken in turn, more than the 8 traces kept;
* 4 paths: four branches taken in turn, all kept (the replay's own speed-up).

On a box that other processes load, read the ratios, not the times.
"""

from __future__ import annotations

import argparse
import random
import time
import warnings
from collections.abc import Callable
from typing import Any

import autograd
from autograd import Value, grad


def weighted_sort(*xs: Value) -> Value:
    """sorted() of the inputs (every comparison a guard), weighed by rank."""
    return sum((k + 1) * v for k, v in enumerate(sorted(xs)))


def branches(n: int) -> Callable[[Value], Value]:
    """One of n branches, chosen by which unit interval x falls in."""
    def fn(x: Value) -> Value:
        for k in range(1, n):
            if x < k:
                return x * k + (x * x).tanh()
        return x * n

    return fn


def _eager(fn: Callable[..., Value], xs: list[float]) -> Any:
    leaves = [Value(x) for x in xs]
    out = fn(*leaves)
    return out.data, grad(out, leaves)


def _entries(step: Any) -> int:
    return sum(len(k) if isinstance(k, tuple) else 1 for k in step._paths_seen)


def case(name: str, fn: Callable[..., Value], points: list[list[float]]) -> str:
    """One row: kept entries, per-call time compiled and eager, their ratio."""
    step = autograd.compile(fn, points[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = time.perf_counter()
        for xs in points:
            step(*xs)
        compiled = (time.perf_counter() - t) / len(points)
    t = time.perf_counter()
    for xs in points:
        _eager(fn, xs)
    eager = (time.perf_counter() - t) / len(points)
    gave_up = "yes" if getattr(step, "gave_up", None) else "no"
    return (f"| {name} | {len(points)} | {_entries(step):,} | {step.traces_built} | "
            f"{step.eager_calls} | {gave_up} ({len(caught)} warning(s)) | "
            f"{compiled * 1e6:.0f} us | {eager * 1e6:.0f} us | {compiled / eager:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=3000, help="calls per case (default 3000)")
    args = parser.parse_args()
    rng = random.Random(0)
    n = args.calls
    print("| case | calls | path entries kept | traces built | calls run eagerly | gave up | "
          "compiled per call | eager per call | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(case("sort 24", weighted_sort, [[rng.uniform(-1, 1) for _ in range(24)]
                                          for _ in range(n)]))
    print(case("16 paths / 8 traces", branches(16), [[k % 16 + 0.5] for k in range(n)]))
    print(case("4 paths", branches(4), [[k % 4 + 0.5] for k in range(n)]))


if __name__ == "__main__":
    main()
