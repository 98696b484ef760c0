"""Issue 22's rows: valuegrad's pure and native cores against their peers, ratios from one run.

    python -m bench.native_core [--quick] [--json PATH]

Rows (all single-threaded scalar graphs):

- sum16: ``R`` weighted sums written as a user writes them with Values,
  ``sum(w * x for w, x in zip(row, xs))`` over 16 terms (R rows of 16 weights, 16 shared inputs),
  then their total ``sum(outputs)``.  Nodes counted: every operation node, i.e. per row 16 ``*``
  and 16 ``+`` (Python's sum starts from 0, so ``0 + first`` is a node too), plus R ``+`` for the
  total: 33·R.  The count is checked against each engine's own graph walk.  Figures: build and
  backward time divided by that count, in ns per node.
- W1: bench/workloads.py's ``random_graph(20000, seed=1)`` built op by op as
  bench/instructions.py's w1_build does (leaves made before the clock starts); nodes = its
  20,000-odd operations; build and backward in ns per node.
- W2: micrograd's demo step, MLP(2, [16, 16, 1]) on 100 moons, hinge loss + 1e-4 L2, SGD, with
  the demo's code for both engines: micrograd's own nn.MLP against valuegrad's nn.MLP, the same
  weights (both draw micrograd's from ``random.seed(1337)``); ms per step.
- GPT: bench/gpt.py's one-layer 16-wide 4-head character transformer step (forward, backward,
  Adam) on bench/slotted.py's minimal slotted engine against valuegrad; ms per step.

Peers (the slotted engine, micrograd) run in one worker process; valuegrad runs in one worker
per core: the default core (native when built) and one with ``VALUEGRAD_CORE=pure``.  The core is
chosen at import, hence the processes.  After a warm-up round, the rounds alternate between the
workers one row at a time (the order rotating each round), and every figure is the best (lowest)
of the rounds: on a shared box load only ever adds time.

Every row is timed twice, with the cyclic collector off and on.  Off: the collector is disabled
while timing, and a full collection runs after each timed piece, outside the clock; micrograd's
graphs are cycles that only the collector frees, so its freeing is never timed then (which
favours micrograd), while the other engines' graphs are freed by reference counting, inside the
clock when a step drops its graph.  On: the collector runs as it does in a user's loop, with its
default thresholds, and whatever it costs each engine is in the figures.  The per-node targets
read the "off" figures (the bench's convention for per-node costs), the W2 and GPT ratios both.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import gpt
from . import workloads as wl
from .native_report import MODES, render, summarise

ROOT = Path(__file__).resolve().parent.parent
clock = time.perf_counter_ns

ROWS = ("sum16", "w1", "w2", "gpt")
PEER_OF = {"sum16": "slotted", "w1": "slotted", "w2": "micrograd", "gpt": "slotted"}


@dataclass(frozen=True)
class Size:
    """How much work one timed piece does, and how many alternating rounds there are."""

    sum16_rows: int
    w1_ops: int
    w2_samples: int
    gpt_steps: int
    rounds: int

    @staticmethod
    def make(name: str) -> Size:
        """The "full", "quick" (a smoke run of ~20 s) or "tiny" (the test suite) size."""
        if name == "tiny":
            return Size(sum16_rows=20, w1_ops=300, w2_samples=8, gpt_steps=1, rounds=1)
        if name == "quick":
            return Size(sum16_rows=500, w1_ops=20000, w2_samples=100, gpt_steps=1, rounds=3)
        return Size(sum16_rows=2000, w1_ops=20000, w2_samples=100, gpt_steps=3, rounds=9)


# --- the timed pieces, each written once for every engine ----------

def sum16_graph(rows: list[list[Any]], xs: list[Any]) -> Any:
    """R 16-term weighted sums, then their total: the graph of the sum16 row."""
    outputs = [sum(w * x for w, x in zip(row, xs)) for row in rows]
    return sum(outputs)


def w1_graph(leaves: list[Any], spec: list[tuple[int, int, int]]) -> Any:
    """W1's random graph, op by op, as bench/instructions.py's w1_build writes it."""
    nodes = list(leaves)
    for code, i, j in spec:
        a = nodes[i]
        nodes.append(a + nodes[j] if code == wl.ADD else a * nodes[j] if code == wl.MUL
                     else a ** 2 if code == wl.SQUARE else a.relu())
    return nodes[-1]


def w1_floats(leaves: list[float], spec: list[tuple[int, int, int]]) -> float:
    """W1's loop on plain floats (relu written inline): what the loop costs without any engine."""
    nodes = list(leaves)
    for code, i, j in spec:
        a = nodes[i]
        nodes.append(a + nodes[j] if code == wl.ADD else a * nodes[j] if code == wl.MUL
                     else a ** 2 if code == wl.SQUARE else (a if a > 0.0 else 0.0))
    return nodes[-1]


def demo_step(value: type, model: Any, xs: list[list[float]], ys: list[float], k: int) -> float:
    """micrograd's demo training step, as its notebook writes it (any engine, its own MLP)."""
    inputs = [list(map(value, row)) for row in xs]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = wl.W2_ALPHA * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    lr = wl.w2_learning_rate(k)
    for p in model.parameters():
        p.data -= lr * p.grad
    return float(total.data)


def _timed(fn: Callable[[], Any]) -> tuple[Any, int]:
    t0 = clock()
    out = fn()
    return out, clock() - t0


class Worker:
    """One process's engines and the state of each row between rounds."""

    def __init__(self, role: str, size: Size) -> None:
        self.role = role
        self.size = size
        self.w2_steps = 0
        if role == "peers":
            from micrograd import nn as micro_nn
            from micrograd.engine import Value as MicroValue

            from .slotted import Value as Slotted

            self.engines = {"sum16": Slotted, "w1": Slotted, "w2": MicroValue, "gpt": Slotted}
            self.core = "peers"
            random.seed(1337)
            self.mlp = micro_nn.MLP(*wl.W2_SIZES)
        else:
            import autograd
            import nn

            value = autograd.Value
            self.engines = dict.fromkeys(ROWS, value)
            self.core = getattr(autograd, "CORE", "pure")
            random.seed(1337)
            self.mlp = nn.MLP(*wl.W2_SIZES)
        self.moons = wl.moons(size.w2_samples, seed=0)
        self.graph = wl.random_graph(size.w1_ops, seed=1)
        rng = random.Random(3)
        self.sum16_weights = [[rng.uniform(-1, 1) for _ in range(16)]
                              for _ in range(size.sum16_rows)]
        self.sum16_inputs = [rng.uniform(-1, 1) for _ in range(16)]

    def engine_name(self, row: str) -> str:
        """Who runs `row` here: the peer's name, or valuegrad's core."""
        return PEER_OF[row] if self.role == "peers" else self.core

    def run(self, row: str, mode: str) -> dict[str, Any]:
        """Time `row` once with the collector on or off; returns its figures and check values."""
        value = self.engines[row]
        gc.collect()
        if mode == "gc_on":
            gc.enable()
        try:
            return getattr(self, f"_{row}")(value)
        finally:
            gc.disable()
            gc.collect()  # outside every clock: frees micrograd's cycles

    def _sum16(self, value: type) -> dict[str, Any]:
        rows = [[value(w) for w in ws] for ws in self.sum16_weights]
        xs = [value(x) for x in self.sum16_inputs]
        root, t_build = _timed(lambda: sum16_graph(rows, xs))
        _, t_back = _timed(root.backward)
        n = 33 * len(rows)
        loop = self._loop_ns(lambda: sum16_graph(self.sum16_weights, self.sum16_inputs), n)
        return {"build_ns": t_build / n, "backward_ns": t_back / n, "nodes": n, **loop,
                "walked_nodes": self._walk(root), "root": float(root.data),
                "grad_x0": float(xs[0].grad)}

    def _w1(self, value: type) -> dict[str, Any]:
        leaf_values, spec = self.graph
        leaves = [value(x) for x in leaf_values]
        root, t_build = _timed(lambda: w1_graph(leaves, spec))
        _, t_back = _timed(root.backward)
        n = len(spec)
        loop = self._loop_ns(lambda: w1_floats(leaf_values, spec), n)
        return {"build_ns": t_build / n, "backward_ns": t_back / n, "nodes": n, **loop,
                "walked_nodes": self._walk(root), "root": float(root.data),
                "leaf_grad_sum": math.fsum(float(v.grad) for v in leaves)}

    def _w2(self, value: type) -> dict[str, Any]:
        xs, ys = self.moons
        k = self.w2_steps
        self.w2_steps += 1
        loss, t = _timed(lambda: demo_step(value, self.mlp, xs, ys, k))
        return {"ms": t / 1e6, "loss": loss, "step": k}

    def _gpt(self, value: type) -> dict[str, Any]:
        corpus = gpt.names()
        trainer = gpt.GPTTrainer(value, gpt.initial_weights())
        ids = [gpt.tokens(corpus[k % len(corpus)]) for k in range(self.size.gpt_steps)]
        losses, t = _timed(lambda: [trainer.step(x) for x in ids])
        return {"ms": t / 1e6 / len(ids), "losses": losses}

    def _loop_ns(self, run: Callable[[], Any], n: int) -> dict[str, float]:
        """The peers' worker also times the row's loop on plain floats: the floor under any
        engine driven from Python, so a reader sees what part of a node's time is the loop's."""
        if self.role != "peers":
            return {}
        _, t = _timed(run)
        return {"loop_ns": t / n}

    def _walk(self, root: Any) -> int:
        """Operation nodes reachable from `root`, by the engine's own walk (or this one's)."""
        if self.role != "peers":
            import autograd

            return sum(1 for v in autograd.topological_order(root) if not v.is_leaf)
        seen, stack, ops = {id(root)}, [root], 0
        while stack:
            v = stack.pop()
            ops += bool(v._parents)
            for p in v._parents:
                if id(p) not in seen:
                    seen.add(id(p))
                    stack.append(p)
        return ops


def serve(role: str, size: Size) -> None:
    """A worker's loop: read "ROW MODE" per line, answer one JSON line; stop at end of input."""
    gc.disable()  # but while a gc_on piece runs; Worker.run collects between pieces, untimed
    worker = Worker(role, size)
    print(json.dumps({"event": "ready", "core": worker.core}), flush=True)
    for line in sys.stdin:
        row, mode = line.split()
        try:
            out = {"event": "result", "row": row, "engine": worker.engine_name(row),
                   "figures": worker.run(row, mode)}
        except Exception:  # noqa: BLE001 - the parent reports it with the row's name
            out = {"event": "error", "row": row, "error": traceback.format_exc()}
        print(json.dumps(out), flush=True)


# --- the parent: start workers, alternate, collect ----------

class Channel:
    """A worker process spoken to one row at a time."""

    def __init__(self, role: str, size_name: str, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.native_core", "--worker", role, "--size", size_name],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.core = self._read()["core"]

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"a bench worker exited early (code {self.proc.wait()})")
        return json.loads(line)

    def ask(self, row: str, mode: str) -> dict[str, Any]:
        """Run `row` once in the worker, collector on or off, and return its answer."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{row} {mode}\n")
        self.proc.stdin.flush()
        out = self._read()
        if out["event"] == "error":
            raise RuntimeError(f"{row} failed in the {self.core} worker:\n{out['error']}")
        return out

    def close(self) -> None:
        """Let the worker finish (it stops at end of input)."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def start_workers(size_name: str) -> dict[str, Channel]:
    """The peers' worker and one valuegrad worker per distinct core available here."""
    default_env = {k: v for k, v in os.environ.items() if k != "VALUEGRAD_CORE"}
    channels = {"peer": Channel("peers", size_name, default_env)}
    pure = Channel("valuegrad", size_name, {**default_env, "VALUEGRAD_CORE": "pure"})
    default = Channel("valuegrad", size_name, default_env)
    channels[pure.core] = pure
    if default.core in channels:  # no native core here: the default is the pure engine again
        default.close()
    else:
        channels[default.core] = default
    return channels


def measure(size_name: str) -> dict[str, Any]:
    """Every row on every worker: a warm-up round, then alternating timed rounds."""
    size = Size.make(size_name)
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    channels = start_workers(size_name)
    names = list(channels)
    samples: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = {
        r: {m: {c: [] for c in names} for m in MODES} for r in ROWS}
    engines: dict[str, dict[str, str]] = {r: {} for r in ROWS}
    warmup: dict[str, dict[str, Any]] = {r: {} for r in ROWS}
    try:
        for rnd in range(size.rounds + 1):
            for row in ROWS:
                for mode in MODES:
                    shift = rnd % len(names)
                    for col in names[shift:] + names[:shift]:
                        out = channels[col].ask(row, mode)
                        engines[row][col] = out["engine"]
                        if rnd == 0 and mode == "gc_off":
                            warmup[row][col] = out["figures"]
                        elif rnd:
                            samples[row][mode][col].append(out["figures"])
    finally:
        for ch in channels.values():
            ch.close()
    return {"size": size_name, "config": asdict(size), "columns": names, "engines": engines,
            "warmup": warmup, "samples": samples, "python": sys.version.split()[0],
            "started_utc": started, "git_commit": _commit()}


def _commit() -> str | None:
    """The checkout's commit, for the saved JSON (None outside a git checkout)."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, timeout=10)
    except OSError:
        return None
    return out.stdout.strip() or None


def main(argv: list[str] | None = None) -> None:
    """Entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a ~20 s smoke run")
    parser.add_argument("--size", choices=("full", "quick", "tiny"), default=None)
    parser.add_argument("--json", metavar="PATH", help="also write every figure as JSON")
    parser.add_argument("--worker", choices=("peers", "valuegrad"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    size_name = args.size or ("quick" if args.quick else "full")
    if args.worker:
        serve(args.worker, Size.make(size_name))
        return
    t0 = time.perf_counter()
    raw = measure(size_name)
    summary = summarise(raw)
    print(render(raw, summary))
    print(f"({time.perf_counter() - t0:.0f} s; python -m bench.native_core --size {size_name})")
    if args.json:
        Path(args.json).write_text(json.dumps({**raw, **summary}, indent=1) + "\n")


if __name__ == "__main__":
    main()
