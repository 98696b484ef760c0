"""valuegrad's neural-network layer: modules, losses, optimisers and training on autograd Values.

``import nn`` loads nn's core (Module, layers, losses, optimisers, data, weights on disk); the
training loop (nn.training) and the pictures (nn.viz, with graphviz) load on first use of one of
their names, through the module ``__getattr__`` below (PEP 562).  Type checkers read the same
names from the imports under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import importlib as _importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from autograd import Value
from autograd.explanations.naming import NodeInfo, register_describer

from .data import make_circles, make_moons, signed, spirals, xor
from .io import load_state_dict, save_state_dict
from .layers import ACTIVATIONS, INITS, MLP, Layer, Neuron, load_torch_state
from .losses import bce, bce_with_logits, cross_entropy, half_sse, hinge, l2, mse
from .module import Module
from .module import connect as _connect
from .optim import SGD, Adam, AdamW, Optimizer

if TYPE_CHECKING:
    from .training.early_stopping import EarlyStopping, History
    from .training.metrics import (
        argmax_accuracy,
        logit_accuracy,
        probability_accuracy,
        sign_accuracy,
    )
    from .training.splits import kfold, split
    from .training.train import fit, train_step
    from .tutorial import tutorial_error, tutorial_network
    from .viz.boundary_plot import plot_decision_boundary
    from .viz.diagram import diagram
    from .viz.explore import explore
    from .viz.history_plot import HistoryPlot, plot_history
    from .viz.matrix_view import MatrixView, matrix_view

# The names above TYPE_CHECKING, by the module that defines them: loaded on first use.
_LAZY: dict[str, str] = {
    "EarlyStopping": ".training.early_stopping", "History": ".training.early_stopping",
    "argmax_accuracy": ".training.metrics", "logit_accuracy": ".training.metrics",
    "probability_accuracy": ".training.metrics", "sign_accuracy": ".training.metrics",
    "kfold": ".training.splits", "split": ".training.splits",
    "fit": ".training.train", "train_step": ".training.train",
    "tutorial_error": ".tutorial", "tutorial_network": ".tutorial",
    "diagram": ".viz.diagram", "explore": ".viz.explore",
    "plot_decision_boundary": ".viz.boundary_plot",
    "HistoryPlot": ".viz.history_plot", "plot_history": ".viz.history_plot",
    "MatrixView": ".viz.matrix_view", "matrix_view": ".viz.matrix_view",
}


def __getattr__(name: str) -> Any:
    """Load a name of nn.training or nn.viz on first use (PEP 562)."""
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module 'nn' has no attribute {name!r}")
    found = getattr(_importlib.import_module(where, __name__), name)
    globals()[name] = found  # later reads are plain attribute reads
    return found


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


# --- what nn tells the layers below it, wired here so that none of them imports nn.viz ----------

def _describe_network(order: Sequence[Value]) -> dict[Value, NodeInfo]:
    """nn's names and groups for drawn and explained nodes (nn/viz/describe.py, loaded then)."""
    from .viz.describe import describe_network

    return describe_network(order)


def _diagram(model: Module, *args: Any, **kwargs: Any) -> Any:
    """Module.diagram(): the network diagram (nn/viz/diagram.py)."""
    from .viz.diagram import diagram

    return diagram(model, *args, **kwargs)


def _module_mimebundle(model: Module) -> dict[str, Any]:
    """A Module's picture in Jupyter (nn/viz/diagram.py)."""
    from .viz.diagram import module_mimebundle

    return module_mimebundle(model)


register_describer(_describe_network)
_connect(diagram=_diagram, mimebundle=_module_mimebundle)

__all__ = [
    "ACTIVATIONS",
    "Adam",
    "AdamW",
    "EarlyStopping",
    "History",
    "HistoryPlot",
    "INITS",
    "Layer",
    "MLP",
    "MatrixView",
    "Module",
    "Neuron",
    "Optimizer",
    "SGD",
    "argmax_accuracy",
    "bce",
    "bce_with_logits",
    "cross_entropy",
    "diagram",
    "explore",
    "fit",
    "half_sse",
    "hinge",
    "kfold",
    "l2",
    "load_state_dict",
    "load_torch_state",
    "logit_accuracy",
    "make_circles",
    "make_moons",
    "matrix_view",
    "mse",
    "plot_decision_boundary",
    "plot_history",
    "probability_accuracy",
    "save_state_dict",
    "sign_accuracy",
    "signed",
    "spirals",
    "split",
    "train_step",
    "tutorial_error",
    "tutorial_network",
    "xor",
]
