"""What validation costs in fit(): ``python -m bench.fit_validation`` (about a minute).

Trains micrograd's demo problem (MLP(2, [16, 16, 1]), hinge loss + 1e-4 L2, full batch) on 100
moons points, with and without ``validation=`` on 50 more, eager and compiled, and prints ms per
step (the median gap between steps inside one fit, median of rounds).  It also times the only
thing fit does per step when no validation is given that it did not do before: two ``is None``
tests.
"""

from __future__ import annotations

import statistics
import time
import timeit

import nn

ROUNDS = 3


def _problem() -> tuple[list, list, tuple[list, list]]:
    X, y = nn.make_moons(150, noise=0.1, seed=1337)
    (X_train, y_train), (X_val, y_val) = nn.split(X, nn.signed(y), 1 / 3, seed=0)
    return X_train, y_train, (X_val, y_val)


def _ms_per_step(steps: int, compile: bool, validation: bool) -> float:
    """Median time between consecutive training steps inside one fit, in ms.

    A metric function stamps the clock at every training step, so tracing, the eager-checked
    first steps and the first validation pass (all before or at the start) drop out.
    """
    X, y, val = _problem()
    stamps: list[float] = []

    def clock(outputs: list, targets: list) -> float:
        if len(outputs) == len(X):  # the training batch, not the validation set
            stamps.append(time.perf_counter())
        return 0.0

    per_round = []
    for _ in range(ROUNDS):
        stamps.clear()
        model = nn.MLP(2, [16, 16, 1], seed=1337)
        optimizer = nn.SGD(model, lr=lambda k: 1.0 - 0.9 * k / steps)
        nn.fit(model, X, y, loss=nn.hinge, optimizer=optimizer, steps=steps, l2=1e-4,
               quiet=True, compile=compile, validation=val if validation else None,
               metrics={"clock": clock})
        gaps = [b - a for a, b in zip(stamps[3:], stamps[4:])]  # past the checked steps
        per_round.append(statistics.median(gaps) * 1e3)
    return statistics.median(per_round)


def _branch_ns() -> float:
    """Two `is None` tests, as fit's loop makes them per step without validation."""
    setup = "validator = None"
    stmt = "if validator is not None: pass\nif validator is not None: pass"
    n = 1_000_000
    return min(timeit.repeat(stmt, setup, number=n, repeat=5)) / n * 1e9


def main() -> None:
    """Print the table."""
    print("fit on 100 moons points, MLP(2, [16, 16, 1]), hinge + 1e-4 L2; validation on 50")
    print(f"{'':28}{'no validation':>16}{'validation':>14}{'ratio':>8}")
    for name, compile, steps in (("eager, ms/step", False, 10), ("compiled, ms/step", True, 300)):
        plain = _ms_per_step(steps, compile, False)
        checked = _ms_per_step(steps, compile, True)
        print(f"{name:28}{plain:>16.3f}{checked:>14.3f}{checked / plain:>7.2f}x")
    branch = _branch_ns()
    print(f"without validation fit adds two `is None` tests per step: {branch:.0f} ns "
          f"(the compiled step above is {plain * 1e6 / branch:,.0f} times that)")


if __name__ == "__main__":
    main()
