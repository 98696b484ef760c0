"""Read this first: the whole of backpropagation in two screens, the forward half and the backward.

valuegrad's engine (``core/value.py``, ``core/graph.py``, ``core/backward.py``) does exactly what
this module does, with speed tricks: slots, an op table, stamps instead of a visited set, a loop
over interior nodes only.  Here there are none, and the numbers are the same, bit for bit
(``tests/test_minimal.py`` checks it on random graphs).

**The forward half.**  Every operation on Values computes its number and, at the same moment, the
local derivative of its output with respect to each input, and records a node that keeps both:
``node.inputs`` and ``node.local_grads``.  For ``y = x * w``: ``y.inputs == (x, w)`` and
``y.local_grads == (w.data, x.data)``.  Nothing else is kept: no closure, no list of consumers.

**The backward half** then needs two things:

1. an order in which every node comes after the nodes it was computed from (a topological
   order), so that walking it backwards visits a node only after every node that used it;
2. the chain rule: d(root)/d(input) is the sum, over the nodes that use the input, of
   d(root)/d(node) times d(node)/d(input), the local derivative.

    >>> x, w = Value(2.0), Value(-3.0)
    >>> y = x * w + x
    >>> y.inputs[0].local_grads      # d(x*w)/dx = w, d(x*w)/dw = x: numbers, kept from the forward
    (-3.0, 2.0)
    >>> g = gradients(y)
    >>> g[x], g[w]
    (-2.0, 2.0)

The backward half reads only ``inputs`` and ``local_grads``, so it runs on the engine's Values as
well, with the same numbers as their own ``backward()``:

    >>> import autograd
    >>> a, b = autograd.Value(2.0), autograd.Value(-3.0)
    >>> g = gradients(a * b + a)
    >>> g[a], g[b]
    (-2.0, 2.0)
"""

from __future__ import annotations

import math
from typing import Any

# ============ the forward half: a Value that records its local derivatives ============


class Value:
    """A number, the Values it was computed from, and d(self)/d(each of them)."""

    def __init__(self, data: float, inputs: tuple[Value, ...] = (),
                 local_grads: tuple[float, ...] = ()) -> None:
        self.data: float = float(data)
        self.grad: float = 0.0
        self.inputs = inputs  # () for a leaf: a number the user made
        self.local_grads = local_grads  # computed now, in the forward pass, used by backward
        self.is_leaf: bool = not inputs
        self.requires_grad: bool = True

    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __sub__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data - other.data, (self, other), (1.0, -1.0))

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, c: float) -> Value:  # a plain-number exponent, which takes no gradient
        return Value(self.data ** c, (self,), (0.0 if c == 0 else c * self.data ** (c - 1),))

    def __neg__(self) -> Value:
        return Value(-self.data, (self,), (-1.0,))

    def tanh(self) -> Value:
        """tanh, whose slope 1 - tanh² uses the output just computed."""
        t = math.tanh(self.data)
        return Value(t, (self,), (1.0 - t * t,))

    def exp(self) -> Value:
        """e to the power of the number: its own derivative."""
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    def relu(self) -> Value:
        """max(x, 0): slope 1 above 0, else 0."""
        return Value(self.data if self.data > 0 else 0.0, (self,),
                     (1.0 if self.data > 0 else 0.0,))

    def __radd__(self, other: float) -> Value:  # 1 + x: the number is the first input
        return Value(other) + self

    def __rmul__(self, other: float) -> Value:  # 2 * x
        return Value(other) * self

    def __repr__(self) -> str:
        return f"Value(data={self.data!r}, grad={self.grad!r})"


# ============ the backward half: an order, then the chain rule ============
# `root` may be one of the Values above or one of the engine's: both offer inputs and local_grads.

def topological_order(root: Any) -> list[Any]:
    """Every Value `root` depends on, each after the Values it was computed from; root last."""
    order: list[Any] = []
    visited: set[Any] = set()

    def visit(node: Any) -> None:
        # Depth first: a node is appended once all its inputs are, so inputs come first.
        # (Recursive for clarity, so about a thousand operations deep at most; graph.walk does
        # the same without recursion.)
        if node in visited:
            return
        visited.add(node)
        for x in node.inputs:
            visit(x)
        order.append(node)

    visit(root)
    return order


def gradients(root: Any, seed: float = 1.0) -> dict[Any, float]:
    """d(root)/d(v) for every Value v that root depends on (seed: d(root)/d(root))."""
    grads: dict[Any, float] = {root: seed}
    # Backwards through the order: when we reach a node, every node that uses it has already
    # added its share to grads[node], so grads[node] is complete.
    for node in reversed(topological_order(root)):
        upstream = grads.get(node, 0.0)
        for x, local in zip(node.inputs, node.local_grads, strict=True):
            if local is None:  # an input that takes no gradient: the engine's 2 of x ** 2
                continue
            # The chain rule, one term of the sum: d(root)/d(x) += d(root)/d(node) * d(node)/d(x)
            grads[x] = grads.get(x, 0.0) + local * upstream
    return grads


def backward(root: Any, seed: float = 1.0) -> None:
    """Like ``root.backward()``: leaves' ``.grad`` accumulate, interior nodes' hold this pass."""
    for node, g in gradients(root, seed).items():
        if not node.is_leaf:
            node.grad = g
        elif node.requires_grad:
            node.grad += g
        else:  # an engine constant (a number lifted into a Value, or a frozen leaf)
            node.grad = 0.0
