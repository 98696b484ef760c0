"""Forward against reverse mode: Jacobian time and multiplications for wide and tall functions.

``python -m bench.modes`` times ``autograd.jacobian(f, mode=...)`` for f: R^n -> R (one loss,
many parameters: reverse needs one backward pass, forward n sweeps) and f: R -> R^n (one input,
many outputs: the other way round), and prints the multiplication counts of explain_modes.
Figures, not tests: they depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

import autograd
from autograd import Value


def wide(xs: list[Value]) -> Value:
    """One output from n inputs: a smooth loss."""
    total = (xs[0] * xs[0]).tanh()
    for k in range(1, len(xs)):
        total = total + (xs[k] * xs[k - 1]).tanh()
    return total


def tall(x: Value, n: int) -> list[Value]:
    """n outputs from one input."""
    return [(x * (0.01 * k)).tanh() * x for k in range(n)]


def _best(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200,
                        help="inputs of the wide case, outputs of the tall one")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    n = args.n
    point = [math.sin(k) for k in range(n)]
    wide_xs = [Value(p) for p in point]
    tall_x = Value(0.5)
    counts = {"wide": autograd.explain_modes(wide(wide_xs), wide_xs).counts(),
              "tall": autograd.explain_modes(tall(tall_x, n), tall_x).counts()}
    cases = {"wide": (lambda mode: autograd.jacobian(wide, mode=mode)(point)),
             "tall": (lambda mode: autograd.jacobian(lambda x: tall(x, n), mode=mode)(0.5))}
    print(f"Jacobian of f: R^{n} -> R (wide) and f: R -> R^{n} (tall), best of {args.repeats}")
    print(f"{'case':6} {'mode':8} {'ms':>9} {'multiplications':>16}")
    for case, run in cases.items():
        for mode in ("forward", "reverse"):
            ms = 1e3 * _best(lambda run=run, mode=mode: run(mode), args.repeats)
            mults = counts[case][f"jacobian_{mode}"]
            print(f"{case:6} {mode:8} {ms:9.1f} {mults:16,}")


if __name__ == "__main__":
    main()
