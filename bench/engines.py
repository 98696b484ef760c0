"""One small adapter per engine, so a single copy of each workload runs on all of them.

An adapter is only imported inside that engine's own worker process: importing torch next to
another engine would slow the other's garbage collection and skew its figures.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any

# The rows of the table, in the order they are printed.  "kind" says which workloads apply:
# scalar engines replay every workload op by op; the others only run W2 ("nn": valuegrad's own
# nn.MLP and losses instead of the bench's micrograd-style MLP).
ENGINES: dict[str, dict[str, Any]] = {
    "floats": {"title": "plain Python floats (loop cost)", "kind": "baseline"},
    "valuegrad": {"title": "valuegrad eager", "kind": "scalar"},
    "valuegrad-nn": {"title": "valuegrad eager, nn package", "kind": "nn"},
    "valuegrad-compiled": {"title": "valuegrad compiled (auto)", "kind": "compiled"},
    "valuegrad-compiled-python": {"title": "valuegrad compiled (python)", "kind": "compiled"},
    "micrograd": {"title": "micrograd 0.1.0", "kind": "scalar"},
    "torch-scalar": {"title": "PyTorch, 0-d tensors", "kind": "scalar"},
    "torch-vector": {"title": "PyTorch, vectorized", "kind": "vector"},
}

WORKLOADS_BY_KIND = {
    "baseline": ("w1",),
    "scalar": ("w1", "w2", "w3", "w4"),
    "nn": ("w2",),
    "compiled": ("w2",),
    "vector": ("w2",),
}


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


class Scalar:
    """What the workloads need from an engine that records one scalar operation at a time."""

    name = ""
    cyclic = False  # graphs hold reference cycles, so only the cyclic collector can free them

    def leaf(self, x: float) -> Any:
        """A leaf that receives a gradient."""
        raise NotImplementedError

    def data_leaf(self, x: float) -> Any:
        """An input datum, as a user of this engine would wrap it."""
        return self.leaf(x)

    relu: Callable[[Any], Any]

    def backward(self, root: Any) -> None:
        """Fill the gradients of everything `root` depends on."""
        root.backward()

    def item(self, v: Any) -> float:
        """The number a node holds."""
        return float(v.data)

    def grad(self, v: Any) -> float:
        """The gradient a leaf received."""
        return float(v.grad)

    def zero_grad(self, params: Sequence[Any]) -> None:
        """Clear the parameters' gradients before a backward pass."""
        for p in params:
            p.grad = 0.0

    def sgd(self, params: Sequence[Any], lr: float) -> None:
        """One plain gradient-descent update."""
        for p in params:
            p.data -= lr * p.grad

    def free_extra(self) -> None:
        """Whatever freeing a dropped graph needs beyond the last reference going away."""
        if self.cyclic:
            gc.collect()

    def versions(self) -> dict[str, str]:
        """Versions of the packages this engine's figures depend on."""
        return {}


class Floats(Scalar):
    """No graph at all: the cost of the workload loop itself, for reference."""

    name = "floats"

    def __init__(self) -> None:
        self.relu = lambda x: x if x > 0.0 else 0.0

    def leaf(self, x: float) -> float:
        return float(x)

    def backward(self, root: Any) -> None:
        pass

    def item(self, v: Any) -> float:
        return float(v)

    def grad(self, v: Any) -> float:
        return 0.0


class Valuegrad(Scalar):
    """valuegrad's eager engine."""

    name = "valuegrad"

    def __init__(self) -> None:
        import autograd

        self.autograd = autograd
        self.Value = autograd.Value
        self.relu = autograd.Value.relu

    def leaf(self, x: float) -> Any:
        return self.Value(x)

    def versions(self) -> dict[str, str]:
        return {"valuegrad": self.autograd.__version__, "valuegrad_path": self.autograd.__file__}


class Micrograd(Scalar):
    """Karpathy's micrograd 0.1.0 from PyPI, unmodified."""

    name = "micrograd"
    cyclic = True  # each node's _backward closure refers back to the node

    def __init__(self) -> None:
        from micrograd.engine import Value

        self.Value = Value
        self.relu = Value.relu

    def leaf(self, x: float) -> Any:
        return self.Value(x)

    def zero_grad(self, params: Sequence[Any]) -> None:
        for p in params:
            p.grad = 0  # as micrograd's Module.zero_grad does

    def versions(self) -> dict[str, str]:
        return {"micrograd": _version("micrograd")}


class TorchScalar(Scalar):
    """PyTorch used as a micrograd user would: one 0-d float64 tensor per number."""

    name = "torch-scalar"

    def __init__(self) -> None:
        import torch

        torch.set_num_threads(1)
        self.torch = torch
        self.relu = torch.relu

    def leaf(self, x: float) -> Any:
        return self.torch.tensor(x, dtype=self.torch.float64, requires_grad=True)

    def data_leaf(self, x: float) -> Any:
        return self.torch.tensor(x, dtype=self.torch.float64)

    def item(self, v: Any) -> float:
        return v.item()

    def grad(self, v: Any) -> float:
        return 0.0 if v.grad is None else v.grad.item()

    def zero_grad(self, params: Sequence[Any]) -> None:
        for p in params:
            p.grad = None

    def sgd(self, params: Sequence[Any], lr: float) -> None:
        with self.torch.no_grad():
            for p in params:
                p -= lr * p.grad

    def versions(self) -> dict[str, str]:
        return {"torch": self.torch.__version__, "torch_threads": "1"}


SCALAR_ADAPTERS: dict[str, type[Scalar]] = {
    "floats": Floats, "valuegrad": Valuegrad, "micrograd": Micrograd, "torch-scalar": TorchScalar,
}
