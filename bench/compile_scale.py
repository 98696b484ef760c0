"""Compiled replay's costs: ``python -m bench.compile_scale [--quick]`` prints two tables.

Options choose the graphs and backends (``--chains 1e4,1e5 --random-ops 1e5 --backends auto``;
``--help`` lists them).

1. **Guard cost on W2.** The W2 step (MLP(2, [16, 16, 1]), 100 moons, hinge + 1e-4 L2) and the
   same network with a sigmoid output and ``nn.bce`` (four guards per sample: its range check
   and its clamp).  Each replay step as compiled, and what its guard checks and its reading of
   the constants afresh each call add to it (the same trace built without guards, with the
   constants' numbers cached); the fastest of many alternating calls.  Target: guard checks
   cost at most 10 % of a replay step.
2. **Compile at scale.** A chain ``v = v * w + b`` and the W1 random graph (bench/workloads.py):
   eager build + backward against ``autograd.compile`` (trace + build), time (the fastest of a
   few runs, eager and compile alternating) and peak memory (tracemalloc, in a separate run).
   Targets: at most 3x the time and 2x the memory of eager; each row says whether it is
   within them.

On a box that may be loaded by other processes, ratios taken in the same run are the figures
to read.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import autograd
import nn
from autograd import Value
from autograd.replay.program import _Program

from . import workloads as wl

TIME_TARGET, MEMORY_TARGET = 3.0, 2.0  # trace + build against eager build + backward
# Generated code costs ~50 us a line to compile: beyond this many nodes the python backend
# would take minutes, and its rows are left out.
PYTHON_MAX_NODES = 100_000


def _median_seconds(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _w2_step(loss: str) -> tuple[autograd.CompiledFunction, list[Value]]:
    X, labels = nn.make_moons(100, noise=0.1, seed=1337)
    if loss == "hinge":
        model = nn.MLP(2, [16, 16, 1], seed=1337)
        targets: list[float] = nn.signed(labels)
        loss_fn = nn.hinge
    else:
        model = nn.MLP(2, [16, 16, 1], output_activation="sigmoid", seed=1337)
        targets = [float(t) for t in labels]
        loss_fn = nn.bce
    params = model.parameters()

    def step_loss() -> Value:
        return loss_fn([model(x) for x in X], targets) + nn.l2(params, 1e-4)

    return autograd.compile(step_loss, [], backend="numpy"), params


def guard_rows(repeats: int) -> list[str]:
    """W2 replay step: the cost of its guard checks, and of reading constants afresh."""
    rows = []
    for loss in ("hinge", "bce"):
        step, params = _w2_step(loss)
        program: _Program = step._programs[0]
        trace = program.trace
        cached = [v.data for v in program.consts]
        saved = trace.guards
        trace.guards = []  # the same trace built without guard checks
        bare = program.build(with_grad=True)
        trace.guards = saved

        def baked(bare: Any = bare, cached: list[float] = cached,
                  params: list[Value] = params) -> None:
            bare([], [p.data for p in params], cached)

        def live(bare: Any = bare, program: _Program = program) -> None:
            bare([], *program.arguments())

        def guarded(program: _Program = program) -> None:
            if program.replay([], *program.arguments()) is None:
                raise AssertionError("a guard failed on the traced numbers")

        # Alternating, so that a burst of load from other processes hits all three alike; the
        # fastest call of each is its floor, the figure least disturbed by that load.
        times: list[list[float]] = [[], [], []]
        for _ in range(repeats):
            for k, fn in enumerate((baked, live, guarded)):
                times[k].append(_median_seconds(fn, 1))
        t_baked, t_live, t_guarded = (min(t) for t in times)
        rows.append(f"| W2 {loss}, numpy backend ({trace.size:,} nodes, {len(saved)} guards, "
                    f"{len(cached)} constants) | {t_guarded * 1e3:.3f} ms | "
                    f"{(t_guarded / t_live - 1) * 100:+.1f} % | "
                    f"{(t_live / t_baked - 1) * 100:+.1f} % | <= +10 % |")
    return rows


def _chain(n: int) -> Callable[[Value], Value]:
    w, b = Value(0.999), Value(0.001)

    def chain(x: Value) -> Value:
        v = x
        for _ in range(n):
            v = v * w + b
        return v

    return chain


def _random_graph(n_ops: int) -> tuple[Callable[..., Value], list[float]]:
    leaf_values, spec = wl.random_graph(n_ops, seed=0)

    def graph(*leaves: Value) -> Value:
        nodes = list(leaves)
        for code, i, j in spec:
            if code == wl.ADD:
                nodes.append(nodes[i] + nodes[j])
            elif code == wl.MUL:
                nodes.append(nodes[i] * nodes[j])
            elif code == wl.SQUARE:
                nodes.append(nodes[i] ** 2)
            else:
                nodes.append(nodes[i].relu())
        return nodes[-1]

    return graph, leaf_values


def _eager(fn: Callable[..., Value], xs: list[float]) -> None:
    out = fn(*[Value(x) for x in xs])
    out.backward()


def _peak_bytes(action: Callable[[], Any]) -> int:
    """Peak bytes traced by tracemalloc while `action` runs (slower: not timed)."""
    gc.collect()
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _fastest_alternating(actions: list[Callable[[], Any]], repeats: int) -> list[float]:
    """The fastest of `repeats` runs of each action (collector on), the actions alternating.

    Alternating, so that a burst of load from other processes hits eager and compile alike;
    the fastest run of each is its floor, the figure least disturbed by that load.
    """
    times: list[list[float]] = [[] for _ in actions]
    for _ in range(repeats):
        for k, action in enumerate(actions):
            gc.collect()
            times[k].append(_median_seconds(action, 1))
    return [min(t) for t in times]


def verdict(time_ratio: float, memory_ratio: float) -> str:
    """'within target', or which target a row misses."""
    over = [what for what, ratio, limit in (("time", time_ratio, TIME_TARGET),
                                              ("memory", memory_ratio, MEMORY_TARGET))
            if ratio > limit]
    return "within target" if not over else f"over ({' and '.join(over)})"


def _cases(chain_lengths: list[int], random_ops: list[int]
           ) -> list[tuple[str, int, Callable[..., Value], list[float]]]:
    """(what, nodes, fn, inputs) for each chain and W1 random graph."""
    cases: list[tuple[str, int, Callable[..., Value], list[float]]] = [
        (f"chain of {n:,} steps ({2 * n:,} nodes)", 2 * n, _chain(n), [1.0])
        for n in chain_lengths]
    for n in random_ops:
        fn, xs = _random_graph(n)
        cases.append((f"W1 random graph, {n:,} ops", n, fn, xs))
    return cases


def scale_rows(chain_lengths: list[int], random_ops: list[int], backends: list[str],
               repeats: int = 3) -> Iterator[str]:
    """Eager build + backward against trace + build, for chains and W1 random graphs."""
    for what, nodes, fn, xs in _cases(chain_lengths, random_ops):
        def eager(fn: Callable[..., Value] = fn, xs: list[float] = xs) -> None:
            _eager(fn, xs)

        eager_b = _peak_bytes(eager)
        for backend in backends:
            if backend == "python" and nodes > PYTHON_MAX_NODES:
                yield (f"| {what}, python | | not run: generated code compiles at ~50 us a "
                       f"line | | | |")
                continue

            def build(fn: Callable[..., Value] = fn, xs: list[float] = xs,
                      backend: str = backend) -> None:
                autograd.compile(fn, xs, backend=backend)

            eager_s, compile_s = _fastest_alternating([eager, build], repeats)
            compile_b = _peak_bytes(build)
            chosen = autograd.compile(fn, xs, backend=backend).backend
            time_ratio, memory_ratio = compile_s / eager_s, compile_b / eager_b
            yield (f"| {what}, {backend} ({chosen}) | {eager_s:.2f} s, "
                   f"{eager_b / 1e6:.0f} MB | {compile_s:.2f} s, {compile_b / 1e6:.0f} MB | "
                   f"{time_ratio:.1f}x, {memory_ratio:.1f}x | <= {TIME_TARGET:g}x, "
                   f"<= {MEMORY_TARGET:g}x | {verdict(time_ratio, memory_ratio)} |")


def _numbers_list(text: str) -> list[int]:
    return [int(float(t)) for t in text.split(",") if t.strip()]


def main(argv: list[str] | None = None) -> None:
    """Print both tables (--quick: smaller graphs, fewer repeats)."""
    parser = argparse.ArgumentParser(prog="python -m bench.compile_scale")
    parser.add_argument("--quick", action="store_true", help="small graphs (about a minute)")
    parser.add_argument("--chains", type=_numbers_list, default=None, metavar="N,N",
                        help="chain lengths in steps (default 1e4,1e5,1e6; --quick: 1e4)")
    parser.add_argument("--random-ops", type=_numbers_list, default=None, metavar="N,N",
                        help="W1 random graph sizes in ops (default 1e5; --quick: 1e4)")
    parser.add_argument("--backends", default="auto,python,numpy,loop",
                        help="comma-separated backends to compile with (default: all)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timing repeats per row (median; default 3, --quick: 1)")
    parser.add_argument("--no-guards", action="store_true", help="skip the guard-cost table")
    args = parser.parse_args(argv)
    if not args.no_guards:
        print("| guard cost | replay step | guard checks | reading constants | target |")
        print("|---|---|---|---|---|")
        for row in guard_rows(repeats=50 if args.quick else 300):
            print(row, flush=True)
        print()
    chains = args.chains if args.chains is not None else (
        [10_000] if args.quick else [10_000, 100_000, 1_000_000])
    random_ops = args.random_ops if args.random_ops is not None else (
        [10_000] if args.quick else [100_000])
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 3)
    print("| compile at scale | eager build + backward | trace + build | ratio | target | "
          "verdict |")
    print("|---|---|---|---|---|---|")
    for row in scale_rows(chains, random_ops, args.backends.split(","), repeats=repeats):
        print(row, flush=True)


if __name__ == "__main__":
    main()
