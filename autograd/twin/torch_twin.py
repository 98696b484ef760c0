"""A PyTorch twin of any Value graph, and crosscheck: every node's value and slope against it.

Finite differences cannot catch a forward formula that is wrong in the same way as its derivative
(both would agree with each other).  PyTorch is an independent reference: the twin recomputes
every node from the leaves with PyTorch's own float64 operations and differentiates them with
PyTorch's own derivatives.  PyTorch is optional (``pip install 'valuegrad[torch]'``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.graph import topological_order
from ..core.ops import OPS
from ..core.value import Value

INSTALL_HINT = "pip install 'valuegrad[torch]'"


def require_torch(feature: str) -> Any:
    """Import PyTorch, or raise an ImportError that says how to install it."""
    try:
        import torch
    except ImportError:  # also when sys.modules["torch"] is None, i.e. import is blocked
        raise ImportError(f"{feature} needs PyTorch: {INSTALL_HINT}") from None
    return torch


def _softplus(torch: Any, x: Any) -> Any:
    # F.softplus returns x itself above 20 (off by e^-20); log(e^x + e^0) is the exact function,
    # as valuegrad computes it.
    return torch.logaddexp(x, torch.zeros_like(x))


def _named(path: str) -> Callable[..., Any]:
    """The twin calling the PyTorch function at `path` (an op table entry's ``torch`` field)."""
    parts = path.split(".")

    def twin(torch: Any, *xs: Any) -> Any:
        target = torch
        for part in parts:
            target = getattr(target, part)
        return target(*xs)

    return twin


# Each op of the op table as PyTorch computes it: (torch module, input tensors...) -> tensor,
# from each entry's ``torch`` field; softplus computes the exact function, as valuegrad does.
TWINS: dict[str, Callable[..., Any]] = {
    **{name: _named(op.torch) for name, op in OPS.items() if op.torch},
    "softplus": _softplus,
}


def twin_of(op: str) -> Callable[..., Any]:
    """PyTorch's version of one op; a clear error for an op that has none yet."""
    try:
        return TWINS[op]
    except KeyError:
        raise NotImplementedError(f"no PyTorch twin for op {op!r}: add one to "
                                  f"autograd/twin/torch_twin.py TWINS") from None


@dataclass
class TorchGraph:
    """The twin of a Value graph: the root's tensor and the tensor standing for every node."""

    root: Any
    tensors: dict[Value, Any]

    def leaf_tensors(self) -> dict[Value, Any]:
        """The leaf Values and their tensors (the ones backward() fills)."""
        return {v: t for v, t in self.tensors.items() if v.is_leaf}


def to_torch(root: Value, dtype: Any = None) -> TorchGraph:
    """Rebuild the graph under `root` as PyTorch operations, one leaf tensor per leaf Value.

    Leaves become float64 tensors (or `dtype`) with ``requires_grad`` as on the Value; every
    other node is recomputed by PyTorch from them, so ``twin.root.backward()`` gives PyTorch's
    gradients in ``twin.tensors[leaf].grad``.
    """
    torch = require_torch("to_torch")
    if not isinstance(root, Value):
        raise TypeError(f"to_torch() needs a Value, got {type(root).__name__}")
    dtype = torch.float64 if dtype is None else dtype
    tensors: dict[Value, Any] = {}
    for v in topological_order(root):
        if v.is_leaf:
            tensors[v] = torch.tensor(v.data, dtype=dtype, requires_grad=v.requires_grad)
        else:
            op: str = v.op  # type: ignore[assignment]  # not a leaf: op is set
            tensors[v] = twin_of(op)(torch, *(tensors[x] for x in v.inputs))
    return TorchGraph(tensors[root], tensors)
