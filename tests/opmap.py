"""The one op map of the tests, derived from the op table: an op added to ``autograd.OPS`` is
picked up by every test that applies ops (closed forms aside, which are written by hand).

``on_values`` goes through the face a user writes (the operator or method the table names, a
plain number for an input that takes no gradient); ``on_torch`` through the PyTorch function the
table names; ``on_floats`` through the float forward.
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import OPS, Value
from autograd.core.ops import Op

NAMES = sorted(OPS)
UNARY = [name for name in NAMES if OPS[name].arity == 1]
BINARY = [name for name in NAMES if OPS[name].arity == 2]
# Ops with an input that takes no gradient (x ** c): that input is a plain number.
WITH_CONSTANT = [name for name in NAMES if not all(OPS[name].takes_gradient)]


def parent(name: str) -> Op | None:
    """The op whose operator makes `name` when given a plain number ('**' for '**c')."""
    for op in OPS.values():
        if op.constant_form == name:
            return op
    return None


def on_values(name: str, *operands: Any) -> Value:
    """Apply op `name` the way a user writes it: x.method(y), or autograd.apply as a fallback."""
    op = parent(name) or OPS[name]
    first = operands[0]
    if op.method and isinstance(first, Value):
        return getattr(first, op.method)(*operands[1:])
    if op.reflected and len(operands) == 2 and isinstance(operands[1], Value):
        return getattr(operands[1], op.reflected)(first)  # a plain number on the left
    if op.function:
        return getattr(autograd, op.function)(*operands)
    return autograd.apply(name, *operands)


def torch_function(name: str) -> Any:
    """The PyTorch twin of op `name` (from the op table's ``torch`` field): f(torch, *tensors)."""
    from autograd.twin.torch_twin import twin_of

    return twin_of(name)


def on_torch(name: str, *operands: Any) -> Any:
    """Apply op `name` to tensors (a plain number where the op takes no gradient)."""
    import torch

    return torch_function(name)(torch, *operands)


def on_floats(name: str, *xs: float) -> float:
    """The op's value by its float forward."""
    return OPS[name].forward(*xs)[0]
