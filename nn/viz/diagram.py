"""The network diagram: a model's neurons as circles in columns, every weight on its edge.

network_numbers.py collects the numbers of one forward (and backward) pass; diagram_dot.py draws
them with the faces of ``autograd.draw`` (.source, .save(...), inline SVG in Jupyter).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from autograd import Value
from autograd.viz.render import RendererNotFoundError, RenderError

from ..module import Module
from .diagram_dot import NetworkDiagram
from .network_numbers import network_numbers


def diagram(model: Any, x: Any = None, target: Any = None,
            loss: Callable[[Any, Any], Value] | None = None,
            names: Mapping[str, str] | None = None, lr: float | None = None,
            number_format: str = ".4g") -> Any:
    """Draw a network of Layers as circles in columns with its numbers (see the module doc).

    x: one sample (a forward pass shows each neuron's net input and output); None: weights only.
    target: with it, a backward pass of ``loss(output, target)`` (default nn.half_sse) shows
    δ = ∂loss/∂net per neuron and ∂loss/∂w per edge: one fresh pass, computed without writing
    any .grad; where the parameters' .grad hold other numbers the caption at the top says so.
    names: display names by dotted name: parameters ("layers.0.neurons.0.w.0": "w1"), neurons
    ("layers.0.neurons.0": "h1"), inputs ("x.0": "i1") and "loss" ("E").
    lr: also show each weight after one SGD step with this learning rate (not applied).
    """
    found = network_numbers(model, x, target, loss, names, lr)
    return NetworkDiagram.build(found, number_format)



def module_mimebundle(module: Module) -> dict[str, Any]:
    """Jupyter display of a Module: its network diagram of parameters, else a text note."""
    text = repr(module)
    try:
        return {"text/plain": text, "image/svg+xml": diagram(module).svg()}
    except (TypeError, ValueError, RendererNotFoundError, RenderError) as exc:
        return {"text/plain": f"{text}\n[network diagram not shown: {exc}]"}
