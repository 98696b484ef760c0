"""Run one workload on one engine, in this process, and print its figures as JSON lines.

The runner starts one of these per (engine, workload); run one by hand to debug, e.g.
``python -m bench.worker valuegrad w1 --size quick``.  Each output line is a JSON object: progress
lines (``"event": "progress"``) as results come in, so a crash still leaves the figures measured
before it, and one ``"event": "result"`` line at the end.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import sys
import time
import tracemalloc
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import workloads as wl
from .engines import SCALAR_ADAPTERS, Scalar

clock = time.perf_counter_ns


@dataclass(frozen=True)
class Config:
    """How much work each workload does: the full run, or a quick look."""

    w1_ops: int
    w1_warmup: int
    w1_repeats: int
    w2_warmup: int
    w2_steps: int
    w3_depths: tuple[int, ...]
    w3_repeats: int
    w4_nodes: int
    w4_cycles: int
    slow_cap: int  # the most nodes W4 gives the slow engines (micrograd, 0-d tensors)
    slow_depth_cap: int  # and the deepest chain W3 tries on them
    seed: int = 0

    @staticmethod
    def make(size: str) -> Config:
        """The "full", "quick" or "smoke" (tiny, for the test suite) configuration."""
        if size == "smoke":
            return Config(w1_ops=500, w1_warmup=0, w1_repeats=1, w2_warmup=0, w2_steps=1,
                          w3_depths=(10, 100, 1000), w3_repeats=1, w4_nodes=2000, w4_cycles=2,
                          slow_cap=1000, slow_depth_cap=1000)
        if size == "quick":
            return Config(w1_ops=100_000, w1_warmup=1, w1_repeats=3, w2_warmup=1, w2_steps=3,
                          w3_depths=(10**3, 10**4, 10**5, 10**6), w3_repeats=1,
                          w4_nodes=200_000, w4_cycles=6, slow_cap=100_000,
                          slow_depth_cap=10**5)
        # Per round: the full run makes three rounds by default (see runner.py).
        return Config(w1_ops=100_000, w1_warmup=1, w1_repeats=3, w2_warmup=2, w2_steps=4,
                      w3_depths=(10**3, 10**4, 10**5, 10**6), w3_repeats=3,
                      w4_nodes=1_000_000, w4_cycles=6, slow_cap=200_000,
                      slow_depth_cap=10**6)


def emit(**fields: Any) -> None:
    """Print one JSON line and flush, so the runner sees it even if this process dies next."""
    print(json.dumps(fields), flush=True)


def median(xs: Sequence[float]) -> float:
    """The median, or nan for no samples."""
    return statistics.median(xs) if xs else math.nan


def timed_collect() -> int:
    """Run a full collection and return how long it took, in ns."""
    t0 = clock()
    gc.collect()
    return clock() - t0


# --- W1: a random 100k-op graph: build, backward, free ----------

def replay_graph(engine: Scalar, leaf_values: list[float], spec: list[tuple[int, int, int]]
                 ) -> tuple[list[Any], int]:
    """Build the spec's graph with the engine's operators; return all nodes and the build time."""
    relu = engine.relu
    nodes = [engine.leaf(x) for x in leaf_values]
    append = nodes.append
    add, mul, square = wl.ADD, wl.MUL, wl.SQUARE
    t0 = clock()
    for code, i, j in spec:
        if code == add:
            append(nodes[i] + nodes[j])
        elif code == mul:
            append(nodes[i] * nodes[j])
        elif code == square:
            append(nodes[i] ** 2)
        else:
            append(relu(nodes[i]))
    return nodes, clock() - t0


def w1(engine: Scalar, cfg: Config) -> dict[str, Any]:
    """ns per node to build, differentiate and free a seeded random graph, GC on and off."""
    leaf_values, spec = wl.random_graph(cfg.w1_ops, cfg.seed)
    n = len(spec)
    mix = {name: sum(1 for c, _, _ in spec if c == code) for code, name in wl.OP_NAMES.items()}
    result: dict[str, Any] = {"nodes": n, "depth": wl.graph_depth(len(leaf_values), spec),
                              "mix": mix}
    for gc_on in (True, False):
        samples: dict[str, list[float]] = {"build": [], "backward": [], "free": []}
        for rep in range(cfg.w1_warmup + cfg.w1_repeats):
            gc.collect()
            baseline = timed_collect()  # what a collection costs with no graph alive
            if not gc_on:
                gc.disable()
            try:
                nodes, t_build = replay_graph(engine, leaf_values, spec)
                root = nodes[-1]
                t0 = clock()
                engine.backward(root)
                t_backward = clock() - t0
                if rep == 0 and gc_on:
                    result["root"] = engine.item(root)
                    result["leaf_grad_sum"] = sum(engine.grad(v) for v in nodes[:len(leaf_values)])
                del root
                t0 = clock()
                del nodes
                gc.collect()  # frees cyclic graphs; a cycle-free graph is already gone
                t_free = max(clock() - t0 - baseline, 0)
            finally:
                gc.enable()
            if rep >= cfg.w1_warmup:
                samples["build"].append(t_build / n)
                samples["backward"].append(t_backward / n)
                samples["free"].append(t_free / n)
        mode = "gc_on" if gc_on else "gc_off"
        result[mode] = {f"{k}_ns": median(v) for k, v in samples.items()}
        result[mode]["samples"] = samples
        emit(event="progress", workload="w1", mode=mode, figures=result[mode])
    return result


# --- W2: micrograd's demo training step ----------

def mlp_forward(layers: list[list[tuple[list[Any], Any]]], x: list[Any]) -> Any:
    """micrograd's MLP forward pass, written once for every scalar engine."""
    last = len(layers) - 1
    for k, layer in enumerate(layers):
        out = []
        for w, b in layer:
            act = sum((wi * xi for wi, xi in zip(w, x, strict=True)), b)
            out.append(act.relu() if k != last else act)
        x = out
    return x[0]


def make_mlp(leaf: Callable[[float], Any], init: list[list[tuple[list[float], float]]]
             ) -> tuple[list[list[tuple[list[Any], Any]]], list[Any]]:
    """The MLP's weights as the engine's leaves, and its parameter list in micrograd's order."""
    layers = [[([leaf(w) for w in ws], leaf(b)) for ws, b in layer] for layer in init]
    params = [p for layer in layers for w, b in layer for p in (*w, b)]
    return layers, params


def demo_loss(engine: Scalar, layers: list[Any], params: list[Any], xs: list[list[float]],
              ys: list[float], data_leaf: Callable[[float], Any] | None = None) -> Any:
    """The demo's loss: mean hinge loss over the batch plus 1e-4 times the squared weights."""
    wrap = data_leaf or engine.data_leaf
    inputs = [[wrap(c) for c in row] for row in xs]
    scores = [mlp_forward(layers, x) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = wl.W2_ALPHA * sum(p * p for p in params)
    return data_loss + reg_loss


def timed_steps(cfg: Config, make_step: Callable[[], Callable[[int], float]],
                result: dict[str, Any]) -> dict[str, Any]:
    """Time a training step with the collector on, then off (a fresh model each): ms per step.

    `make_step()` builds a model and returns step(k) -> loss.  The step's graph is freed when
    step() returns, inside the timed region: freeing is part of a training step.
    """
    for gc_on in (True, False):
        step = make_step()
        times, losses = [], []
        gc.collect()
        if not gc_on:
            gc.disable()
        try:
            for k in range(cfg.w2_warmup + cfg.w2_steps):
                t0 = clock()
                losses.append(step(k))
                elapsed = clock() - t0
                if k >= cfg.w2_warmup:
                    times.append(elapsed / 1e6)
        finally:
            gc.enable()
        mode = "gc_on" if gc_on else "gc_off"
        result[mode] = {"ms_per_step": median(times), "samples": times, "losses": losses}
        result["first_loss"] = losses[0]
        emit(event="progress", workload="w2", mode=mode, figures=result[mode])
    return result


def w2(engine: Scalar, cfg: Config) -> dict[str, Any]:
    """ms per training step (forward, backward, SGD update), GC on and off."""
    xs, ys = wl.moons(wl.W2_SAMPLES, cfg.seed)
    init = wl.mlp_init(*wl.W2_SIZES, seed=cfg.seed)

    def make_step() -> Callable[[int], float]:
        layers, params = make_mlp(engine.leaf, init)

        def step(k: int) -> float:
            total = demo_loss(engine, layers, params, xs, ys)
            engine.zero_grad(params)
            engine.backward(total)
            engine.sgd(params, wl.w2_learning_rate(k))
            return engine.item(total)

        return step

    result = timed_steps(cfg, make_step, {})
    result["nodes"] = w2_graph_size(engine, init, xs, ys)
    return result


def w2_graph_size(engine: Scalar, init: list[Any], xs: list[list[float]], ys: list[float]
                  ) -> int | None:
    """Operation nodes in one step's graph (valuegrad only: it has a public graph walker)."""
    if engine.name != "valuegrad":
        return None
    import autograd

    layers, params = make_mlp(engine.leaf, init)
    total = demo_loss(engine, layers, params, xs, ys)
    return sum(1 for v in autograd.topological_order(total) if not v.is_leaf)


def w2_torch_vector(cfg: Config) -> dict[str, Any]:
    """The same step with batched matrix operations: the floor for this math in PyTorch."""
    import torch

    torch.set_num_threads(1)
    f64 = torch.float64
    xs, ys = wl.moons(wl.W2_SAMPLES, cfg.seed)
    init = wl.mlp_init(*wl.W2_SIZES, seed=cfg.seed)
    x = torch.tensor(xs, dtype=f64)
    y = torch.tensor(ys, dtype=f64)

    def make_step() -> Callable[[int], float]:
        # Column j of a weight matrix is neuron j's weights, so X @ W is every neuron at once.
        params = []
        for layer in init:
            columns = [list(c) for c in zip(*(w for w, _ in layer), strict=True)]
            params.append(torch.tensor(columns, dtype=f64, requires_grad=True))
            params.append(torch.tensor([b for _, b in layer], dtype=f64, requires_grad=True))

        def step(k: int) -> float:
            h = x
            for i in range(0, len(params), 2):
                h = h @ params[i] + params[i + 1]
                if i + 2 < len(params):
                    h = h.relu()
            scores = h[:, 0]
            data_loss = (1 + -y * scores).relu().sum() * (1.0 / len(ys))
            total = data_loss + wl.W2_ALPHA * sum((p * p).sum() for p in params)
            for p in params:
                p.grad = None
            total.backward()
            with torch.no_grad():
                lr = wl.w2_learning_rate(k)
                for p in params:
                    p -= lr * p.grad
            return total.item()

        return step

    return timed_steps(cfg, make_step, {})


def w2_nn(cfg: Config) -> dict[str, Any]:
    """The same step written with valuegrad's nn package, as its users would write it."""
    import nn

    xs, ys = wl.moons(wl.W2_SAMPLES, cfg.seed)
    init = wl.mlp_init(*wl.W2_SIZES, seed=cfg.seed)

    def make_step() -> Callable[[int], float]:
        model = nn.MLP(*wl.W2_SIZES)
        model.set_weights([[w for w, _ in layer] for layer in init],
                          [[b for _, b in layer] for layer in init])
        params = model.parameters()

        def step(k: int) -> float:
            total = nn.hinge([model(x) for x in xs], ys) + nn.l2(model, wl.W2_ALPHA)
            model.zero_grad()
            total.backward()
            lr = wl.w2_learning_rate(k)
            for p in params:
                p.data -= lr * p.grad
            return total.data

        return step

    return timed_steps(cfg, make_step, {})


def w2_compiled(cfg: Config, backend: str = "auto") -> dict[str, Any]:
    """The demo step through ``autograd.compile``: trace the loss once, then replay it each step.

    ``autograd.compile(fn, example_inputs, backend=...)`` returns a callable taking new input
    numbers and returning ``(value, gradients)``; here the inputs are the 337 weights, and the
    update makes the next step's inputs.  Reports "skipped" where autograd has no compile.
    """
    import autograd

    compile_fn = getattr(autograd, "compile", None)
    if compile_fn is None:
        return {"skipped": "autograd.compile is not in this checkout yet"}
    engine = SCALAR_ADAPTERS["valuegrad"]()
    xs, ys = wl.moons(wl.W2_SAMPLES, cfg.seed)
    init = wl.mlp_init(*wl.W2_SIZES, seed=cfg.seed)
    shapes = [[len(w) for w, _ in layer] for layer in init]

    def constant(x: float) -> Any:
        return autograd.Value(x, requires_grad=False)

    def loss_of(*flat: Any) -> Any:
        # Rebuild the layer structure around the traced parameter Values; the data are
        # constants, baked into the trace.
        it = iter(flat)
        layers = [[([next(it) for _ in range(n)], next(it)) for n in layer] for layer in shapes]
        return demo_loss(engine, layers, list(flat), xs, ys, constant)

    weights = [p for layer in init for w, b in layer for p in (*w, b)]
    t0 = clock()
    step_fn = compile_fn(loss_of, weights, backend=backend)
    result: dict[str, Any] = {"compile_ms": (clock() - t0) / 1e6,
                              "backend": getattr(step_fn, "backend", backend)}

    def make_step() -> Callable[[int], float]:
        params = list(weights)

        def step(k: int) -> float:
            nonlocal params
            value, grads = step_fn(*params)
            lr = wl.w2_learning_rate(k)
            params = [p - lr * g for p, g in zip(params, grads, strict=True)]
            return float(value)

        return step

    return timed_steps(cfg, make_step, result)


# --- W3: how deep a chain can go ----------

def chain(engine: Scalar, depth: int) -> dict[str, Any]:
    """Build ``v = v * w + b`` to `depth` operations, run backward, free; time each part."""
    x, w, b = engine.leaf(0.5), engine.leaf(0.9999999), engine.leaf(1e-7)
    t0 = clock()
    v = x
    for _ in range(depth // 2):
        v = v * w + b
    t1 = clock()
    engine.backward(v)
    t2 = clock()
    grad = engine.grad(x)
    del v
    engine.free_extra()
    t3 = clock()
    return {"forward_s": (t1 - t0) / 1e9, "backward_s": (t2 - t1) / 1e9,
            "forward_backward_s": (t2 - t0) / 1e9, "free_s": (t3 - t2) / 1e9, "grad": grad}


def attempt(engine: Scalar, depth: int, gc_on: bool = True) -> dict[str, Any]:
    """One chain at `depth`; a failure is reported as the exception's type instead of raising."""
    gc.collect()
    if not gc_on:
        gc.disable()
    try:
        return {"ok": True, **chain(engine, depth)}
    except (RecursionError, MemoryError) as exc:
        return {"ok": False, "error": type(exc).__name__}
    finally:
        gc.enable()
        gc.collect()


def w3(engine: Scalar, cfg: Config) -> dict[str, Any]:
    """Largest chain depth that works, and the forward+backward time at each depth that does."""
    depths: dict[str, Any] = {}
    largest, failed_at = 0, None
    for depth in cfg.w3_depths:
        if engine.name != "valuegrad" and depth > cfg.slow_depth_cap:
            depths[str(depth)] = {"skipped": "too slow for this engine in this configuration"}
            continue
        emit(event="start", workload="w3", depth=depth)
        slow = engine.name != "valuegrad" and depth > 10**5
        runs = [attempt(engine, depth) for _ in range(1 if slow else cfg.w3_repeats)]
        if not all(r["ok"] for r in runs):
            depths[str(depth)] = next(r for r in runs if not r["ok"])
            failed_at = depth
            emit(event="progress", workload="w3", depth=depth, figures=depths[str(depth)])
            break
        entry = {k: median([r[k] for r in runs]) for k in runs[0] if k != "ok"}
        if engine.name == "valuegrad":  # where the collector's share shows: once more without it
            entry["forward_backward_s_gc_off"] = attempt(engine, depth, False)[
                "forward_backward_s"]
        depths[str(depth)] = {"ok": True, **entry}
        largest = depth
        emit(event="progress", workload="w3", depth=depth, figures=depths[str(depth)])
    if failed_at is not None and failed_at <= 10**4:
        # Narrow the limit down: cheap at these depths, and "fails somewhere below 1000" says
        # little.  Depths stay even because each loop step adds two operations.
        lo, hi = largest, failed_at
        while hi - lo > 2:
            mid = (lo + hi) // 4 * 2
            if attempt(engine, mid)["ok"]:
                lo = mid
            else:
                hi = mid
        largest = lo
    return {"depths": depths, "largest_ok": largest, "failed_at": failed_at}


# --- W4: memory ----------

def rss() -> int:
    """Resident set size of this process, in bytes (psutil, or /proc on Linux without it)."""
    try:
        import psutil
    except ImportError:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return psutil.Process().memory_info().rss


def w4(engine: Scalar, cfg: Config) -> dict[str, Any]:
    """Bytes per node of a large random graph, and RSS across build/backward/free cycles."""
    n_ops = cfg.w4_nodes if engine.name == "valuegrad" else min(cfg.w4_nodes, cfg.slow_cap)
    leaf_values, spec = wl.random_graph(n_ops, cfg.seed + 1)
    n = len(spec)
    result: dict[str, Any] = {"nodes": n}
    # tracemalloc sees every Python allocation (not torch's C++ ones: use the RSS figure there).
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    nodes, _ = replay_graph(engine, leaf_values, spec)
    listing = sys.getsizeof(nodes)  # the harness's own list of nodes is not the engine's cost
    built, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    engine.backward(nodes[-1])
    after, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result["traced_bytes_per_node_build"] = (built - base - listing) / n
    result["traced_bytes_per_node"] = (after - base - listing) / n
    result["traced_peak_bytes_per_node_backward"] = (peak - base - listing) / n
    del nodes
    gc.collect()
    emit(event="progress", workload="w4", figures=dict(result))
    # The readings go into a preallocated array: a Python object made mid-loop would pin a
    # pymalloc arena each cycle and show up as a slow RSS creep that is the harness's, not the
    # engine's.
    marks = array("q", [0] * (3 * cfg.w4_cycles))
    for k in range(cfg.w4_cycles):
        marks[3 * k] = rss()
        nodes, _ = replay_graph(engine, leaf_values, spec)
        engine.backward(nodes[-1])
        marks[3 * k + 1] = rss()
        del nodes  # no gc.collect(): what a user's loop gets
        marks[3 * k + 2] = rss()
    cycles = [{"rss_before": marks[3 * k], "rss_peak": marks[3 * k + 1],
               "rss_after_free": marks[3 * k + 2]} for k in range(cfg.w4_cycles)]
    graph_bytes = cycles[0]["rss_peak"] - cycles[0]["rss_before"]
    # The first cycle is the allocators' warm-up (PyTorch's caching allocator keeps memory on
    # purpose); flat means that after it neither the peak nor the floor grows by more than 5 %
    # of what one graph occupies.
    settled = cycles[1:] or cycles
    growth = max(max(c["rss_after_free"] for c in settled) - settled[0]["rss_after_free"],
                 max(c["rss_peak"] for c in settled) - settled[0]["rss_peak"])
    result.update({
        "rss_bytes_per_node": (graph_bytes - listing) / n,
        "rss_cycles": cycles,
        "rss_growth_bytes": growth,
        "rss_flat": growth <= 0.05 * graph_bytes,
    })
    return result


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``python -m bench.worker ENGINE WORKLOAD [--size full|quick|smoke]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("engine")
    parser.add_argument("workload", choices=("w1", "w2", "w3", "w4"))
    parser.add_argument("--size", choices=("full", "quick", "smoke"), default="full")
    args = parser.parse_args(argv)
    cfg = Config.make(args.size)
    if args.engine == "torch-vector":
        result = w2_torch_vector(cfg)
    elif args.engine == "valuegrad-compiled":
        result = w2_compiled(cfg)
    elif args.engine == "valuegrad-compiled-python":
        result = w2_compiled(cfg, "python")
    elif args.engine == "valuegrad-nn":
        result = w2_nn(cfg)
    else:
        engine = SCALAR_ADAPTERS[args.engine]()
        result = {"w1": w1, "w2": w2, "w3": w3, "w4": w4}[args.workload](engine, cfg)
        result["versions"] = engine.versions()
    emit(event="result", result=result)


if __name__ == "__main__":
    main()
