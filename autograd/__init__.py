"""valuegrad's engine: scalar Values, reverse-mode differentiation, and tools to look inside.

Not to be confused with the HIPS ``autograd`` package, which uses the same import name.
"""

from .core.backward import backward, grad, zero_grad
from .core.functional import GradcheckError, derivative, gradcheck, value_and_grad
from .core.graph import leaves, topological_order
from .core.graphbreak import GraphBreakError, GraphBreakWarning
from .core.modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .core.ops import OPS, Op
from .core.value import Value, apply, functions
from .explanations.explain import explain

# `compile` is re-exported but kept out of __all__, so a star import never shadows the builtin.
from .replay.compiled import CompiledFunction, TraceError, TraceMismatchError
from .replay.compiled import compile as compile
from .stepthrough.steps import step_through
from .transforms.explain_modes import ModeComparison, explain_modes
from .transforms.forward import jvp
from .transforms.jacobians import hessian, hvp, jacobian, vjp
from .twin.crosscheck import CrosscheckError, crosscheck
from .twin.torch_twin import TorchGraph, to_torch
from .viz.display import summary
from .viz.draw import GraphTooLargeError, draw
from .viz.render import RendererNotFoundError

# One function per op of the table that names one (exp, log, maximum, ...): see ops.py.
globals().update(functions)

__version__ = "0.1.0"

__all__ = [
    "OPS", "GradcheckError", "Op", "Value", "apply", "backward", "derivative",
    "detect_anomaly", "enable_grad", "grad", "gradcheck", "is_grad_enabled", "leaves",
    "no_grad", "topological_order", "value_and_grad", "zero_grad",
    *sorted(functions),
    "GraphTooLargeError", "RendererNotFoundError", "draw", "explain", "step_through", "summary",
    "CompiledFunction", "TraceError", "TraceMismatchError",
    "jvp", "vjp", "jacobian", "hessian", "hvp", "to_torch", "TorchGraph", "crosscheck",
    "CrosscheckError",
    "GraphBreakError", "GraphBreakWarning",
    "explain_modes", "ModeComparison",
]
