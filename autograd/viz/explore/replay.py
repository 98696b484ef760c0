"""A recorded graph replayed on new leaf numbers: the recompute behind autograd.explore's sliders.

The replay walks the recorded graph once, inputs first (``topological_order``), and builds a copy
of it with the op table's float functions (``OPS[op].forward``), exactly as the engine's methods
made the original nodes: same operations, same operand order, same local derivatives.  The copy
is then differentiated by the engine itself (``explain``, which runs ``backward`` and records its
products), so its numbers are those a fresh eager forward and backward pass gives, bit for bit.
The user's Values and their ``.grad`` are never touched: every number lives in the copy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ...core.graph import topological_order
from ...core.ops import OPS
from ...core.value import Value, _new
from ...explanations.explain import Explanation, explain

# The number every box is sized for at least, so the boxes need not grow while the reader
# slides: a small negative gradient ("-0.008889" at .4g) is as wide as most numbers get; a wider
# one is squeezed into the room by the front-end.
TYPICAL_NUMBER = -0.00888888888


def finite_number(value: Any, what: str) -> float:
    """A slider's number from the front-end or a caller, checked: a finite real number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{what} must be finite, got {x!r}")
    return x


def _copy_node(v: Value, data: float, a: Value | None, b: Value | None,
               local: Sequence[float | None], label: str) -> Value:
    """A node like `v` with the given number, inputs and local derivatives (grad 0)."""
    c = _new(Value)
    c.data, c.grad, c._op, c._a, c._b = data, 0.0, v._op, a, b
    c._da = local[0] if local else None
    c._db = local[1] if len(local) > 1 else None
    c._label = label
    c._rg = v._rg if v._a is None else True
    c._mark = None
    return c


class Replay:
    """The graph behind `root`, recorded once, rerun on new numbers for any of its leaves.

    ``order`` lists the recorded nodes inputs first; a node is named by its index in it.
    """

    def __init__(self, root: Value, labels: Mapping[int, str] | None = None) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"explore() needs a Value, got {type(root).__name__}")
        self.root = root
        self.order = topological_order(root)
        self.index = {v: i for i, v in enumerate(self.order)}
        # Labels the copies carry (the names they are explained under); default: none.
        self.labels = dict(labels or {})

    def leaf_data(self) -> dict[int, float]:
        """The recorded number of every leaf, by index."""
        return {i: v.data for i, v in enumerate(self.order) if v._a is None}

    def run(self, leaves: Mapping[int, float]) -> list[Value]:
        """A copy of the graph with these leaf numbers (the rest as recorded), recomputed forward.

        Each operation is recomputed with ``OPS[op].forward`` on its copied inputs' numbers, the
        function the engine's own operators call; gradients are left at 0 (see ``explain``).
        """
        copies: list[Value] = []
        index, labels = self.index, self.labels
        for i, v in enumerate(self.order):
            if v._a is None:
                data = leaves.get(i, v.data)
                copies.append(_copy_node(v, float(data), None, None, (), labels.get(i, "")))
                continue
            a = copies[index[v._a]]
            op = OPS[v._op]  # type: ignore[index]  # a node with inputs has its op
            if v._b is None:
                out, *local = op.forward(a.data)
                copies.append(_copy_node(v, out, a, None, local, labels.get(i, "")))
            else:
                b = copies[index[v._b]]
                out, *local = op.forward(a.data, b.data)
                copies.append(_copy_node(v, out, a, b, local, labels.get(i, "")))
        return copies

    def sizing_copy(self, number_format: str, typical: float = TYPICAL_NUMBER) -> list[Value]:
        """A copy whose numbers are as wide as the drawing should make room for (never shown).

        Each node gets its recorded number or TYPICAL_NUMBER, whichever prints wider; constants
        keep theirs (their number is their name).
        """
        copies: list[Value] = []
        for i, v in enumerate(self.order):
            keep = v._a is None and not v._rg
            data = v.data if keep else widest(v.data, number_format, typical)
            a = None if v._a is None else copies[self.index[v._a]]
            b = None if v._b is None else copies[self.index[v._b]]
            copies.append(_copy_node(v, data, a, b, v.local_grads, self.labels.get(i, "")))
        return copies

    def explain(self, copies: list[Value], number_format: str,
                names: Mapping[int, str]) -> Explanation:
        """The engine's backward pass on a copy, recorded (fills the copies' .grad only)."""
        shown = {copies[i]: n for i, n in names.items()}
        return explain(copies[-1], number_format=number_format, names=shown)


def widest(x: float, number_format: str, typical: float = TYPICAL_NUMBER) -> float:
    """x or `typical`, whichever `number_format` writes with more characters."""
    if len(format(typical, number_format)) > len(format(x, number_format)):
        return typical
    return x
