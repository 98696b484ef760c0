"""Read this first: the whole of backpropagation in one screen, on the public graph API.

valuegrad's fast engine (``graph.py``, ``backward.py``) does exactly what this module does, with
speed tricks: stamps instead of a visited set, private slots instead of properties, a loop over
interior nodes only.  Here there are none, and the gradients are the same numbers, bit for bit
(``tests/test_minimal.py`` checks it on random graphs).

The forward pass has already done half the work.  Every operation on Values records a node that
keeps its inputs (``node.inputs``) and the local derivative of its output with respect to each of
them (``node.local_grads``), computed from the op table (``ops.py``) while the number itself was
computed.  For ``y = x * w``: ``y.inputs == (x, w)`` and ``y.local_grads == (w.data, x.data)``.

Backward then needs two things:

1. an order in which every node comes after the nodes it was computed from (a topological
   order), so that walking it backwards visits a node only after every node that used it;
2. the chain rule: d(root)/d(input) is the sum, over the nodes that use the input, of
   d(root)/d(node) times d(node)/d(input), the local derivative.

    >>> from autograd import Value
    >>> from autograd.minimal import gradients
    >>> x, w = Value(2.0), Value(-3.0)
    >>> y = x * w + x
    >>> g = gradients(y)
    >>> g[x], g[w]
    (-2.0, 2.0)
"""

from __future__ import annotations

from .core.value import Value


def topological_order(root: Value) -> list[Value]:
    """Every Value `root` depends on, each after the Values it was computed from; root last."""
    order: list[Value] = []
    visited: set[Value] = set()

    def visit(node: Value) -> None:
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


def gradients(root: Value, seed: float = 1.0) -> dict[Value, float]:
    """d(root)/d(v) for every Value v that root depends on (seed: d(root)/d(root))."""
    grads: dict[Value, float] = {root: seed}
    # Backwards through the order: when we reach a node, every node that uses it has already
    # added its share to grads[node], so grads[node] is complete.
    for node in reversed(topological_order(root)):
        upstream = grads.get(node, 0.0)
        for x, local in zip(node.inputs, node.local_grads, strict=True):
            if local is None:  # an input that takes no gradient: the 2 of x ** 2
                continue
            # The chain rule, one term of the sum: d(root)/d(x) += d(root)/d(node) * d(node)/d(x)
            grads[x] = grads.get(x, 0.0) + local * upstream
    return grads


def backward(root: Value, seed: float = 1.0) -> None:
    """Like ``root.backward()``: leaves' ``.grad`` accumulate, interior nodes' hold this pass."""
    for node, g in gradients(root, seed).items():
        if not node.is_leaf:
            node.grad = g
        elif node.requires_grad:
            node.grad += g
        else:  # a constant (a number lifted into a Value, or a frozen leaf)
            node.grad = 0.0
