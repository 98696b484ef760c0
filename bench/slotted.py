"""The peer engine of bench.native_core: a minimal, careful pure-Python scalar autodiff ``Value``.

The style a speed-minded pure-Python engine takes: ``__slots__``, each node stores its inputs
and their local gradients at forward time, and backward is a depth-first topological sort
followed by one multiply-add per edge.  Written for the benchmark (no labels, no checks, no
cycles, so reference counting frees a graph).  It computes every forward value with the float
operations valuegrad's ops use and accumulates gradients in the same order, so both give the
same losses bit for bit (that order matters: Adam turns the rounding left in a gradient that is
mathematically zero into a full-size step, so a different order changes later losses).
"""

from __future__ import annotations

import math
from typing import Any


class Value:
    """A number that records the operations made from it (slotted, local gradients)."""

    __slots__ = ("data", "grad", "_parents", "_local")

    def __init__(self, data: float, parents: tuple[Value, ...] = (),
                 local: tuple[float, ...] = ()) -> None:
        self.data = data
        self.grad = 0.0
        self._parents = parents
        self._local = local

    def __add__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return Value(self.data + other.data, (self, other), (1.0, 1.0))
        return Value(self.data + other, (self,), (1.0,))

    __radd__ = __add__

    def __mul__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return Value(self.data * other.data, (self, other), (other.data, self.data))
        return Value(self.data * other, (self,), (other,))

    __rmul__ = __mul__

    def __sub__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return Value(self.data - other.data, (self, other), (1.0, -1.0))
        return Value(self.data - other, (self,), (1.0,))

    def __rsub__(self, other: float) -> Value:
        return Value(other - self.data, (self,), (-1.0,))

    def __neg__(self) -> Value:
        return Value(-self.data, (self,), (-1.0,))

    def __truediv__(self, other: Any) -> Value:
        if isinstance(other, Value):
            q = self.data / other.data
            return Value(q, (self, other), (1.0 / other.data, -q / other.data))
        return Value(self.data / other, (self,), (1.0 / other,))

    def __rtruediv__(self, other: float) -> Value:
        q = other / self.data
        return Value(q, (self,), (-q / self.data,))

    def __pow__(self, p: float) -> Value:
        return Value(self.data ** p, (self,), (p * self.data ** (p - 1),))

    def exp(self) -> Value:
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    def log(self) -> Value:
        return Value(math.log(self.data), (self,), (1.0 / self.data,))

    def relu(self) -> Value:
        return Value(self.data if self.data > 0.0 else 0.0, (self,),
                     (1.0 if self.data > 0.0 else 0.0,))

    def backward(self) -> None:
        """Fill ``grad`` of every node this one depends on (gradients accumulate)."""
        # The post-order of a recursive depth-first walk, with an explicit stack so that deep
        # graphs need no recursion limit: a node is listed once all its inputs are, so the
        # reversed list is a topological order.
        order: list[Value] = []
        seen = {self}
        stack = [(self, iter(self._parents))]
        while stack:
            v, parents = stack[-1]
            for p in parents:
                if p not in seen:
                    seen.add(p)
                    stack.append((p, iter(p._parents)))
                    break
            else:
                stack.pop()
                order.append(v)
        self.grad = 1.0
        for v in reversed(order):
            g = v.grad
            for p, local in zip(v._parents, v._local):
                p.grad += local * g
