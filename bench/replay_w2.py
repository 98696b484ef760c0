"""Compiled replay against eager on W2 (micrograd's demo step) and on a seeded random graph.

``python -m bench.replay_w2 [--peers]`` (from the repository root) measures ms/step on the full W2
(100 points, about 68,800 nodes) and on a seeded random 100k-op graph, eager against both replay
backends (with --peers, also micrograd 0.1.0 and vectorized PyTorch, each in its own process).
``tests/test_replay_w2.py`` uses the same workloads, small, to check that replay equals eager.
"""

from __future__ import annotations

import gc
import math
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import autograd
from autograd import Value

Layer = list[tuple[list[Value], Value]]  # per neuron: weights, bias


def moons(n: int, seed: int = 0) -> list[tuple[float, float, float]]:
    """Two interleaved half circles with labels +1 and -1, with a little Gaussian noise."""
    rng = random.Random(seed)
    points = []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2 == 0:
            x, y, label = math.cos(t), math.sin(t), 1.0
        else:
            x, y, label = 1.0 - math.cos(t), 0.5 - math.sin(t), -1.0
        points.append((x + rng.gauss(0.0, 0.1), y + rng.gauss(0.0, 0.1), label))
    return points


def mlp(sizes: list[int], seed: int = 1) -> list[Layer]:
    """micrograd's MLP as plain lists of Values: relu hidden layers, a linear output."""
    rng = random.Random(seed)
    return [[([Value(rng.uniform(-1.0, 1.0)) for _ in range(n_in)], Value(0.0))
             for _ in range(n_out)] for n_in, n_out in zip(sizes, sizes[1:], strict=False)]


def parameters(model: list[Layer]) -> list[Value]:
    return [p for layer in model for weights, bias in layer for p in (*weights, bias)]


def predict(model: list[Layer], x: list[Any]) -> Value:
    for k, layer in enumerate(model):
        sums = [sum((w * xi for w, xi in zip(weights, x, strict=True)), bias)
                for weights, bias in layer]
        x = sums if k == len(model) - 1 else [s.relu() for s in sums]
    return x[0]


def w2_loss(model: list[Layer], points: list[tuple[float, float, float]]) -> Value:
    """Mean hinge loss over the points plus 1e-4 times the squared weights (micrograd's demo)."""
    losses = [(1 + -label * predict(model, [x, y])).relu() for x, y, label in points]
    data_loss = sum(losses) * (1.0 / len(losses))
    return data_loss + 1e-4 * sum(p * p for p in parameters(model))


def sgd(params: list[Value], lr: float) -> None:
    for p in params:
        p.data -= lr * p.grad
        p.grad = 0.0


def eager_step(model: list[Layer], points: list[Any], lr: float) -> float:
    loss = w2_loss(model, points)
    loss.backward()
    sgd(parameters(model), lr)
    return loss.data


def compiled_step(step: autograd.CompiledFunction, model: list[Layer], lr: float) -> float:
    value, _ = step()
    sgd(parameters(model), lr)
    return value


# --- a seeded random graph (W1-like: + * **2 and an activation) ----------

def random_program(n_ops: int, n_inputs: int, seed: int = 0) -> list[tuple[str, int, int]]:
    """(op, operand, operand) per step; operands index earlier values, recent ones more often."""
    rng = random.Random(seed)
    program = []

    def pick(size: int) -> int:
        return size - 1 - min(int(rng.expovariate(1 / 50)), size - 1)

    for k in range(n_ops):
        op = rng.choice(["+", "*", "**2", "tanh"])
        program.append((op, pick(n_inputs + k), pick(n_inputs + k)))
    return program


def run_program(program: list[tuple[str, int, int]]) -> Callable[..., Value]:
    def fn(*xs: Value) -> Value:
        pool = list(xs)
        for op, i, j in program:
            a, b = pool[i], pool[j]
            if op == "+":
                pool.append(a + b)
            elif op == "*":
                pool.append(a * b * 0.5)  # keeps the numbers from overflowing
            elif op == "**2":
                pool.append(a ** 2 * 0.1)
            else:
                pool.append(a.tanh())
        return pool[-1]

    return fn


# --- the measurement (run as a script) ----------

def median_ms(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def peer_ms_per_step(engine: str) -> float:
    """W2 with micrograd 0.1.0 or vectorized PyTorch (run in a process of its own)."""
    points = moons(100)
    if engine == "micrograd":
        from micrograd.engine import Value as MicroValue
        from micrograd.nn import MLP

        random.seed(1)
        model = MLP(2, [16, 16, 1])

        def micro_step() -> None:
            scores = [model([MicroValue(x), MicroValue(y)]) for x, y, _ in points]
            losses = [(1 + -label * s).relu() for (_, _, label), s in zip(points, scores,
                                                                          strict=True)]
            loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in
                                                                  model.parameters())
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data -= 0.01 * p.grad

        return median_ms(micro_step, 5)
    import torch

    torch.set_num_threads(1)  # two threads on a shared 2-core box are slower, not faster
    torch.set_default_dtype(torch.float64)
    features = torch.tensor([[x, y] for x, y, _ in points])
    labels = torch.tensor([label for _, _, label in points])
    gen = torch.Generator().manual_seed(1)
    shapes = [(2, 16), (16, 16), (16, 1)]
    weights = [torch.empty(shape).uniform_(-1, 1, generator=gen).requires_grad_()
               for shape in shapes]
    biases = [torch.zeros(shape[1], requires_grad=True) for shape in shapes]

    def torch_step() -> None:
        h = features
        for k, (w, b) in enumerate(zip(weights, biases, strict=True)):
            h = h @ w + b
            h = h if k == len(weights) - 1 else torch.relu(h)
        loss = torch.relu(1 - labels * h.squeeze(1)).mean()
        loss = loss + 1e-4 * sum((p * p).sum() for p in weights + biases)
        for p in weights + biases:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in weights + biases:
                p -= 0.01 * p.grad

    return median_ms(torch_step, 50)


def measure(peers: bool) -> None:
    points = moons(100)
    print(f"Python {sys.version.split()[0]}, garbage collector {'on' if gc.isenabled() else 'off'}")
    model = mlp([2, 16, 16, 1])
    params = parameters(model)
    n_nodes = len(autograd.topological_order(w2_loss(model, points)))
    eager = median_ms(lambda: eager_step(model, points, 0.01), 7)
    print(f"W2 ({n_nodes} nodes): eager {eager:.1f} ms/step")
    compiled_ms = {}
    for backend in ("numpy", "python"):
        start = time.perf_counter()
        step = autograd.compile(lambda: w2_loss(model, points), [], backend=backend)
        built = time.perf_counter() - start
        ms = median_ms(lambda step=step: compiled_step(step, model, 0.01), 30)
        print(f"W2 compiled {backend:6}: {ms:.2f} ms/step ({eager / ms:.0f}x eager), "
              f"compile {built:.1f} s")
        compiled_ms[backend] = ms
    assert all(p.grad == 0.0 for p in params)
    for engine in ("micrograd", "torch") if peers else ():
        # Each peer in its own process: importing torch slows the others' garbage collection.
        run = subprocess.run([sys.executable, "-m", "bench.replay_w2", "--engine", engine],
                             check=True, capture_output=True, text=True)
        ms = float(run.stdout.split()[-1])
        print(f"W2 {engine:9}: {ms:.2f} ms/step = {ms / compiled_ms['numpy']:.2f}x compiled "
              f"numpy's time")

    program = random_program(100_000, 100)
    fn = run_program(program)
    xs = [random.Random(5).uniform(-1, 1) for _ in range(100)]

    def eager_random() -> None:
        out = fn(*[Value(x) for x in xs])
        out.backward()

    n_nodes = len(autograd.topological_order(fn(*[Value(x) for x in xs])))
    eager = median_ms(eager_random, 5)
    print(f"random graph (100k ops, {n_nodes} nodes): eager build+backward {eager:.1f} ms")
    for backend in ("numpy", "python"):
        start = time.perf_counter()
        step = autograd.compile(fn, xs, backend=backend)
        built = time.perf_counter() - start
        ms = median_ms(lambda step=step: step(*xs), 10)
        print(f"random compiled {backend:6}: {ms:.2f} ms ({eager / ms:.0f}x eager), "
              f"compile {built:.1f} s")


if __name__ == "__main__":
    if "--engine" in sys.argv:
        print(peer_ms_per_step(sys.argv[sys.argv.index("--engine") + 1]))
    else:
        measure(peers="--peers" in sys.argv)
