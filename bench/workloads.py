"""The workloads' inputs, generated from a seed so every engine sees exactly the same numbers.

Nothing here imports an engine: the specs are plain lists of numbers and small tuples that each
engine replays with its own Values (or tensors).
"""

from __future__ import annotations

import math
import random

# Op codes of a random-graph spec (W1, W4): (code, i, j) makes node = f(nodes[i], nodes[j]).
ADD, MUL, SQUARE, RELU = 0, 1, 2, 3
OP_NAMES = {ADD: "+", MUL: "*", SQUARE: "**2", RELU: "relu"}
_WEIGHTS = (0.15, 0.35, 0.25, 0.25)  # the random part; the final sums add more +
_BOUND = 4.0  # every value but the final sums stays within ±_BOUND: nothing overflows


def _apply(code: int, x: float, y: float) -> float:
    if code == ADD:
        return x + y
    if code == MUL:
        return x * y
    if code == SQUARE:
        return x * x
    return x if x > 0.0 else 0.0


def random_graph(n_ops: int, seed: int = 0, n_leaves: int = 64
                 ) -> tuple[list[float], list[tuple[int, int, int]]]:
    """A seeded random DAG of `n_ops` operations (or one more) mixing + * **2 and relu.

    Returns the leaf values and the spec: entry k makes node ``n_leaves + k`` from earlier nodes
    (leaves first).  Operands are drawn uniformly from everything made so far, which keeps the
    graph shallow (a few dozen levels), so recursive engines can run it too.  The nodes no other
    node uses are then summed pairwise into one root, so backward from the root reaches every
    operation.  Values are simulated while drawing so that none overflows.
    """
    if n_ops < 1:
        raise ValueError("n_ops must be at least 1")
    rng = random.Random(seed)
    values = [rng.uniform(-1.0, 1.0) for _ in range(n_leaves)]
    spec: list[tuple[int, int, int]] = []
    used = [True] * n_leaves  # leaves never need summing
    unused = 0
    # Stop the random part when the pairwise sum of the unused nodes brings the total to n_ops.
    while not spec or len(spec) + unused - 1 < n_ops:
        n = len(values)
        for _ in range(20):
            code = rng.choices((ADD, MUL, SQUARE, RELU), _WEIGHTS)[0]
            i, j = rng.randrange(n), rng.randrange(n)
            out = _apply(code, values[i], values[j])
            if abs(out) <= _BOUND:
                break
        else:  # relu never grows a value; fall back on it
            code, j = RELU, i
            out = _apply(RELU, values[i], 0.0)
        if code in (SQUARE, RELU):
            j = i
        for k in {i, j}:
            if not used[k]:
                used[k] = True
                unused -= 1
        spec.append((code, i, j))
        values.append(out)
        used.append(False)
        unused += 1
    pending = [k for k in range(n_leaves, len(values)) if not used[k]]
    while len(pending) > 1:
        paired = []
        for a in range(0, len(pending) - 1, 2):
            spec.append((ADD, pending[a], pending[a + 1]))
            paired.append(n_leaves + len(spec) - 1)
        if len(pending) % 2:
            paired.append(pending[-1])
        pending = paired
    return values[:n_leaves], spec


def graph_depth(n_leaves: int, spec: list[tuple[int, int, int]]) -> int:
    """Longest path (in operations) from a leaf to the root of a random-graph spec."""
    depth = [0] * n_leaves
    for _, i, j in spec:
        depth.append(1 + max(depth[i], depth[j]))
    return depth[-1]


def moons(n: int = 100, seed: int = 0, noise: float = 0.1
          ) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles (as in scikit-learn's make_moons), labels -1 and +1."""
    rng = random.Random(seed)
    n_out = n // 2
    n_in = n - n_out
    xs: list[list[float]] = []
    ys: list[float] = []
    for k in range(n_out):
        t = math.pi * k / max(n_out - 1, 1)
        xs.append([math.cos(t), math.sin(t)])
        ys.append(-1.0)
    for k in range(n_in):
        t = math.pi * k / max(n_in - 1, 1)
        xs.append([1.0 - math.cos(t), 0.5 - math.sin(t)])
        ys.append(1.0)
    order = list(range(n))
    rng.shuffle(order)
    return ([[c + rng.gauss(0.0, noise) for c in xs[k]] for k in order], [ys[k] for k in order])


def mlp_init(nin: int, nouts: list[int], seed: int = 0) -> list[list[tuple[list[float], float]]]:
    """Initial weights as micrograd's MLP draws them: w ~ U(-1, 1), b = 0; layers of neurons."""
    rng = random.Random(seed)
    sizes = [nin, *nouts]
    return [[([rng.uniform(-1.0, 1.0) for _ in range(sizes[i])], 0.0) for _ in range(sizes[i + 1])]
            for i in range(len(nouts))]


# W2: micrograd's demo (demo.ipynb): MLP(2, [16, 16, 1]), 100 moons, SVM hinge loss + 1e-4 L2.
W2_SIZES = (2, [16, 16, 1])
W2_SAMPLES = 100
W2_ALPHA = 1e-4


def w2_learning_rate(step: int) -> float:
    """The demo's decaying learning rate."""
    return 1.0 - 0.9 * step / 100
