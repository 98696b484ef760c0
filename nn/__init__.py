"""valuegrad's neural-network layer: modules, losses, optimisers and training on autograd Values."""

from .data import make_circles, make_moons, signed, spirals, xor
from .io import load_state_dict, save_state_dict
from .layers import ACTIVATIONS, INITS, MLP, Layer, Neuron
from .losses import bce, bce_with_logits, cross_entropy, half_sse, hinge, l2, mse
from .module import Module
from .optim import SGD, Adam, AdamW, Optimizer
from .torch_bridge import load_torch_state
from .training.early_stopping import EarlyStopping, History
from .training.metrics import argmax_accuracy, logit_accuracy, probability_accuracy, sign_accuracy
from .training.splits import kfold, split
from .training.train import fit, train_step
from .tutorial import tutorial_error, tutorial_network
from .viz import describe as describe  # registers nn's node names with autograd.viz.naming
from .viz.diagram import diagram
from .viz.history_plot import HistoryPlot, plot_history
from .viz.matrix_view import MatrixView, matrix_view

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
