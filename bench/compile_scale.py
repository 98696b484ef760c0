"""Compiled replay's costs: ``python -m bench.compile_scale [--quick]`` prints two tables.

1. **Guard cost on W2.** The W2 step (MLP(2, [16, 16, 1]), 100 moons, hinge + 1e-4 L2) and the
   same network with a sigmoid output and ``nn.bce`` (four guards per sample: its range check
   and its clamp).  Each replay step as compiled, and what its guard checks and its reading of
   the constants afresh each call add to it (the same trace built without guards, with the
   constants' numbers cached); the fastest of many alternating calls.  Target: guard checks
   cost at most 10 % of a replay step.
2. **Compile at scale.** A chain ``v = v * w + b`` and the W1 random graph (bench/workloads.py):
   eager build + backward against ``autograd.compile`` (trace + build), time and peak memory
   (tracemalloc, in a separate run from the timing).  Targets: at most 3x the time and 2x the
   memory of eager.

Each figure is the median of a few repeats on a box that may be loaded by other processes:
ratios taken in the same run are the figures to read.
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
from autograd.replay_program import _Program

from . import workloads as wl


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


def _measured(action: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """Median seconds (collector on, no tracing) and peak traced bytes of `action`, separately."""
    gc.collect()
    seconds = _median_seconds(action, repeats)
    gc.collect()
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak


def scale_rows(chain_lengths: list[int], random_ops: list[int], backends: list[str],
               repeats: int = 3) -> Iterator[str]:
    """Eager build + backward against trace + build, for chains and W1 random graphs."""
    cases: list[tuple[str, Callable[..., Value], list[float]]] = [
        (f"chain of {n:,} steps ({2 * n:,} nodes)", _chain(n), [1.0]) for n in chain_lengths]
    for n in random_ops:
        fn, xs = _random_graph(n)
        cases.append((f"W1 random graph, {n:,} ops", fn, xs))
    # Generated code costs ~50 us a line to compile, and the numpy backend makes one group per
    # level of a chain: on 10^5 steps and more each takes minutes, so those rows are left out.
    too_big = {what for (what, _, _), n in zip(cases, chain_lengths) if n >= 100_000}
    for what, fn, xs in cases:
        eager_s, eager_b = _measured(lambda fn=fn, xs=xs: _eager(fn, xs), repeats)
        for backend in backends:
            if backend in ("python", "numpy") and what in too_big:
                continue  # generated code, or one NumPy call per level: many minutes
            def build(fn: Callable[..., Value] = fn, xs: list[float] = xs,
                      backend: str = backend) -> None:
                autograd.compile(fn, xs, backend=backend)

            compile_s, compile_b = _measured(build, repeats)
            chosen = autograd.compile(fn, xs, backend=backend).backend if backend == "auto" \
                else backend
            yield (f"| {what}, {backend} ({chosen}) | {eager_s:.2f} s, "
                   f"{eager_b / 1e6:.0f} MB | {compile_s:.2f} s, {compile_b / 1e6:.0f} MB | "
                   f"{compile_s / eager_s:.1f}x, {compile_b / eager_b:.1f}x | <= 3x, <= 2x |")


def main(argv: list[str] | None = None) -> None:
    """Print both tables (--quick: smaller graphs, fewer repeats)."""
    parser = argparse.ArgumentParser(prog="python -m bench.compile_scale")
    parser.add_argument("--quick", action="store_true", help="small graphs (about a minute)")
    args = parser.parse_args(argv)
    print("| guard cost | replay step | guard checks | reading constants | target |")
    print("|---|---|---|---|---|")
    for row in guard_rows(repeats=50 if args.quick else 300):
        print(row, flush=True)
    print()
    print("| compile at scale | eager build + backward | trace + build | ratio | target |")
    print("|---|---|---|---|---|")
    if args.quick:
        rows = scale_rows([10_000], [10_000], ["auto", "python", "numpy", "loop"], repeats=1)
    else:
        rows = scale_rows([10_000, 100_000, 1_000_000], [100_000],
                          ["auto", "python", "numpy", "loop"])
    for row in rows:
        print(row, flush=True)


if __name__ == "__main__":
    main()
