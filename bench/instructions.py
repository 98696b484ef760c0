"""A fixed W1/W2 snippet for instruction counts, which load on a shared box does not change.

    valgrind --tool=callgrind python -m bench.instructions MODE    # MODE: none w1build w1both w2

W1 build = w1build - none, W1 backward = w1both - w1build, W2 step = w2 - none (in "I refs").
"""

import gc
import sys

import nn
from autograd import Value
from bench.workloads import random_graph

mode = sys.argv[1] if len(sys.argv) > 1 else "none"
gc.disable()
leaves, spec = random_graph(20000, seed=1)
X, y = nn.make_moons(100, noise=0.1, seed=1337)
y = nn.signed(y)
model = nn.MLP(2, [16, 16, 1], seed=1337)

def w1_build() -> Value:
    """W1's graph, 20,000 random ops (+ * **2 relu)."""
    nodes = [Value(x) for x in leaves]
    for code, i, j in spec:
        a, b = nodes[i], nodes[j]
        nodes.append(a + b if code == 0 else a * b if code == 1 else a ** 2 if code == 2
                     else a.relu())
    return nodes[-1]

def w2_step() -> None:
    """One W2 step: MLP(2, [16, 16, 1]) on 100 moons, hinge loss + 1e-4 L2, SGD."""
    scores = [model([Value(a) for a in row]) for row in X]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
    for p in model.parameters():
        p.grad = 0.0
    loss.backward()
    for p in model.parameters():
        p.data -= 0.01 * p.grad

if mode == "w1build":
    w1_build()
elif mode == "w1both":
    w1_build().backward()
elif mode == "w2":
    w2_step()
