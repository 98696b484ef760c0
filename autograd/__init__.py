"""valuegrad's engine: scalar Values, reverse-mode differentiation, and tools to look inside.

Not to be confused with the HIPS ``autograd`` package, which uses the same import name.

``import autograd`` loads the core only (autograd/core: Value, the op table, backward, modes, the
functional face); drawing, explanations, compile, forward mode and the PyTorch twin load on first
use of one of their names (``autograd.draw``, ``from autograd import explain``), through the
module ``__getattr__`` below (PEP 562).  Type checkers read the same names from the imports under
``TYPE_CHECKING``.
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING, Any

from .core import op_functions as _op_functions
from .core.backward import backward, grad, zero_grad
from .core.functional import GradcheckError, derivative, gradcheck, value_and_grad
from .core.graph import leaves, topological_order
from .core.graphbreak import GraphBreakError, GraphBreakWarning
from .core.modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .core.native import NAME as CORE
from .core.native import PureCoreWarning

# apply, and one function per op of the table that names one (exp, maximum, ...), written out in
# core/op_functions.py and named in its __all__ (added to ours below); `functions` maps their
# names to them.
from .core.op_functions import *  # noqa: F403
from .core.op_functions import functions as functions
from .core.ops import OPS, Op
from .core.value import Value
from .core.value import connect as _connect

if TYPE_CHECKING:
    from .explanations.explain import explain
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
    from .viz.explore.session import explore
    from .viz.render import RendererNotFoundError

# The names above TYPE_CHECKING, by the module that defines them: loaded on first use.
# (`compile` is re-exported but kept out of __all__, so a star import never shadows the builtin.)
_LAZY: dict[str, str] = {
    "explain": ".explanations.explain",
    "CompiledFunction": ".replay.compiled", "TraceError": ".replay.compiled",
    "TraceMismatchError": ".replay.compiled", "compile": ".replay.compiled",
    "step_through": ".stepthrough.steps",
    "ModeComparison": ".transforms.explain_modes", "explain_modes": ".transforms.explain_modes",
    "jvp": ".transforms.forward",
    "hessian": ".transforms.jacobians", "hvp": ".transforms.jacobians",
    "jacobian": ".transforms.jacobians", "vjp": ".transforms.jacobians",
    "CrosscheckError": ".twin.crosscheck", "crosscheck": ".twin.crosscheck",
    "TorchGraph": ".twin.torch_twin", "to_torch": ".twin.torch_twin",
    "summary": ".viz.display",
    "GraphTooLargeError": ".viz.draw", "draw": ".viz.draw", "explore": ".viz.explore.session",
    "RendererNotFoundError": ".viz.render",
}


def __getattr__(name: str) -> Any:
    """Load a name of the layers above the core on first use (PEP 562)."""
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module 'autograd' has no attribute {name!r}")
    found = getattr(_importlib.import_module(where, __name__), name)
    globals()[name] = found  # later reads are plain attribute reads
    return found


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def _display(v: Value, include: Any, exclude: Any) -> dict[str, Any]:
    """A Value's picture in Jupyter: drawing loads with the first Value shown."""
    from .viz.display import mimebundle

    return mimebundle(v, include, exclude)


_connect(display=_display)

__version__ = "0.1.0"

__all__ = [
    "OPS", "GradcheckError", "Op", "Value", "backward", "derivative",
    "detect_anomaly", "enable_grad", "grad", "gradcheck", "is_grad_enabled", "leaves",
    "no_grad", "topological_order", "value_and_grad", "zero_grad",
    "GraphTooLargeError", "RendererNotFoundError", "draw", "explain", "step_through", "summary",
    "explore",
    "CompiledFunction", "TraceError", "TraceMismatchError",
    "jvp", "vjp", "jacobian", "hessian", "hvp", "to_torch", "TorchGraph", "crosscheck",
    "CrosscheckError",
    "GraphBreakError", "GraphBreakWarning",
    "explain_modes", "ModeComparison",
    "CORE", "PureCoreWarning",
]
__all__ += _op_functions.__all__
