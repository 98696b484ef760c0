"""A GPT-shaped training step on scalar Values, written once for any engine (bench.native_core).

The shape of the public single-file character GPT: one transformer layer, 16 wide, 4 heads,
27 tokens (a-z and a boundary token), names of at most 8 letters (block size 16), token and
position embeddings, RMSNorm, causal multi-head attention with softmax, a 64-wide relu MLP,
cross-entropy, backward and an Adam update.  Only facts (shapes, hyper-parameters) are shared
with that file; the code is this project's.

The engine is just a class: ``Value(x)`` makes a parameter, and its instances support
``+ - * / **`` (with numbers on either side), ``exp() log() relu() backward()``, ``.data`` and
``.grad``.  The optimiser works on plain floats, so every engine runs the same arithmetic.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

LETTERS = "abcdefghijklmnopqrstuvwxyz"
BOUNDARY = len(LETTERS)  # the token that starts and ends every name
VOCAB = len(LETTERS) + 1
WIDTH, HEADS, BLOCK, HIDDEN = 16, 4, 16, 64
HEAD_WIDTH = WIDTH // HEADS
INIT_STD = 0.08
LR, BETA1, BETA2, ADAM_EPS = 0.01, 0.85, 0.99, 1e-8
RMS_EPS = 1e-5

# Weight matrices as (rows, columns); a linear map multiplies a row by the input vector.
SHAPES: dict[str, tuple[int, int]] = {
    "token": (VOCAB, WIDTH), "position": (BLOCK, WIDTH),
    "query": (WIDTH, WIDTH), "key": (WIDTH, WIDTH), "value": (WIDTH, WIDTH),
    "mix": (WIDTH, WIDTH), "up": (HIDDEN, WIDTH), "down": (WIDTH, HIDDEN),
    "unembed": (VOCAB, WIDTH),
}

_ONSETS = ("b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v",
           "w", "z", "br", "ch", "sh", "th", "tr", "")
_NUCLEI = ("a", "e", "i", "o", "u", "y", "ai", "ea", "io")
_CODAS = ("", "", "", "n", "l", "r", "s", "x")


def names(count: int = 64, seed: int = 7) -> list[str]:
    """`count` made-up, name-like lowercase words of 3 to 8 letters, the same for a seed."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        word = "".join(rng.choice(_ONSETS) + rng.choice(_NUCLEI) + rng.choice(_CODAS)
                       for _ in range(rng.randint(1, 3)))
        if 3 <= len(word) <= BLOCK // 2:
            out.append(word)
    return out


def tokens(name: str) -> list[int]:
    """A name as token ids, between two boundary tokens."""
    return [BOUNDARY, *(LETTERS.index(c) for c in name), BOUNDARY]


def initial_weights(seed: int = 42) -> dict[str, list[list[float]]]:
    """Every matrix drawn from N(0, 0.08²), in SHAPES order, the same for a seed."""
    rng = random.Random(seed)
    return {name: [[rng.gauss(0.0, INIT_STD) for _ in range(cols)] for _ in range(rows)]
            for name, (rows, cols) in SHAPES.items()}


def _dot(row: Sequence[Any], x: Sequence[Any]) -> Any:
    return sum(w * xi for w, xi in zip(row, x))


def _matvec(matrix: Sequence[Sequence[Any]], x: Sequence[Any]) -> list[Any]:
    return [_dot(row, x) for row in matrix]


def _rms_normed(x: list[Any]) -> list[Any]:
    scale = (sum(xi * xi for xi in x) * (1.0 / len(x)) + RMS_EPS) ** -0.5
    return [xi * scale for xi in x]


def _softmax(scores: list[Any]) -> list[Any]:
    top = max(s.data for s in scores)  # a constant shift: keeps exp() in range
    exps = [(s - top).exp() for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def _cross_entropy(logits: list[Any], target: int) -> Any:
    """-log softmax(logits)[target], as log Σ exp(l - top) + top - l[target]."""
    top = max(v.data for v in logits)
    return (sum((v - top).exp() for v in logits).log() + top) - logits[target]


class GPTTrainer:
    """The model's parameters as one engine's Values, Adam's moments, and the training step."""

    def __init__(self, value_class: type, weights: dict[str, list[list[float]]],
                 total_steps: int = 1000) -> None:
        self.w = {name: [[value_class(x) for x in row] for row in m]
                  for name, m in weights.items()}
        self.params = [p for m in self.w.values() for row in m for p in row]
        self.moment1 = [0.0] * len(self.params)
        self.moment2 = [0.0] * len(self.params)
        self.steps_done = 0
        self.total_steps = total_steps

    def loss(self, ids: list[int]) -> Any:
        """Mean next-token cross-entropy over one name (at most BLOCK positions)."""
        w = self.w
        n = min(len(ids) - 1, BLOCK)
        queries, keys, values, residuals = [], [], [], []
        for t in range(n):
            x = _rms_normed([a + b for a, b in zip(w["token"][ids[t]], w["position"][t])])
            residuals.append(x)
            h = _rms_normed(x)
            queries.append(_matvec(w["query"], h))
            keys.append(_matvec(w["key"], h))
            values.append(_matvec(w["value"], h))
        scale = 1.0 / math.sqrt(HEAD_WIDTH)
        losses = []
        for t in range(n):
            attended: list[Any] = []
            for head in range(HEADS):
                lo, hi = head * HEAD_WIDTH, (head + 1) * HEAD_WIDTH
                q = queries[t][lo:hi]
                weights = _softmax([_dot(q, keys[s][lo:hi]) * scale for s in range(t + 1)])
                attended.extend(sum(weights[s] * values[s][c] for s in range(t + 1))
                                for c in range(lo, hi))
            x = [a + b for a, b in zip(_matvec(w["mix"], attended), residuals[t])]
            hidden = [u.relu() for u in _matvec(w["up"], _rms_normed(x))]
            x = [a + b for a, b in zip(_matvec(w["down"], hidden), x)]
            losses.append(_cross_entropy(_matvec(w["unembed"], x), ids[t + 1]))
        return sum(losses) * (1.0 / n)

    def step(self, ids: list[int]) -> float:
        """One training step on a name's tokens: loss, backward, Adam; returns the loss."""
        loss = self.loss(ids)
        loss.backward()
        self.steps_done += 1
        k = self.steps_done
        lr = LR * (1.0 - (k - 1) / self.total_steps)
        fix1, fix2 = 1.0 - BETA1 ** k, 1.0 - BETA2 ** k
        m1, m2 = self.moment1, self.moment2
        for i, p in enumerate(self.params):
            g = p.grad
            m1[i] = BETA1 * m1[i] + (1.0 - BETA1) * g
            m2[i] = BETA2 * m2[i] + (1.0 - BETA2) * g * g
            p.data -= lr * (m1[i] / fix1) / (math.sqrt(m2[i] / fix2) + ADAM_EPS)
            p.grad = 0.0
        return float(loss.data)


def train(value_class: type, steps: int, seed: int = 42, corpus: Sequence[str] | None = None
          ) -> list[float]:
    """Losses of `steps` training steps from the seeded weights, one name per step, in order."""
    corpus = names() if corpus is None else corpus
    trainer = GPTTrainer(value_class, initial_weights(seed))
    return [trainer.step(tokens(corpus[k % len(corpus)])) for k in range(steps)]
