"""The numbers a network diagram shows: neurons' net inputs, outputs and δ, weights, ∂loss/∂w.

``nn.diagram(model, x, target, loss)`` (diagram.py) runs a fresh forward pass on one sample (and,
with a target, a fresh backward pass) and this module collects the numbers the tutorials draw:
each neuron's net input, output and δ = ∂loss/∂net, each weight and ∂loss/∂w, the loss.  The
model's parameters and their ``.grad`` are exactly as before afterwards.  diagram_dot.py turns
the numbers into a drawing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd import Value
from autograd.core.checks import finite_real, is_real
from autograd.core.fresh import fresh_grads, held_elsewhere, held_lines

from ..layers import Layer, as_row
from ..losses import half_sse
from ..module import Module


@dataclass
class NeuronNumbers:
    """One neuron's numbers: net input, output, δ = ∂loss/∂net; None where not computed."""

    path: str  # dotted module name, e.g. layers.0.neurons.1
    activation: str
    bias: float
    bias_frozen: bool
    net: float | None = None
    out: float | None = None
    delta: float | None = None


@dataclass
class EdgeNumbers:
    """One weight: which input feeds which neuron, its value, ∂loss/∂w and its value after SGD."""

    name: str  # dotted parameter name, e.g. layers.1.neurons.0.w.0
    layer: int  # the layer whose neuron it feeds
    source: int  # index in the previous column
    target: int  # neuron index in its layer
    weight: float
    frozen: bool
    grad: float | None = None
    after_step: float | None = None


@dataclass
class NetworkNumbers:
    """Everything a network diagram shows, computed once."""

    inputs: list[float] | None
    layers: list[list[NeuronNumbers]]
    edges: list[EdgeNumbers]
    targets: list[float] | None = None
    target_text: str | None = None  # a target that is not one number per output (a class)
    loss: float | None = None
    loss_name: str = "loss"
    names: dict[str, str] = field(default_factory=dict)
    layer_paths: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # the caption when .grad holds other numbers

    @property
    def nin(self) -> int:
        """Number of inputs (the weights feeding neuron 0 of the first layer)."""
        return sum(1 for e in self.edges if e.layer == 0 and e.target == 0)


def network_layers(model: Any) -> list[tuple[str, Layer]]:
    """The model's Layers in order with their dotted paths; TypeError if it is not a layer stack."""
    if not isinstance(model, Module):
        raise TypeError(f"diagram() needs an nn Module built from Layers, got "
                        f"{type(model).__name__}; draw other graphs with autograd.draw(value)")
    if isinstance(model, Layer):
        return [("", model)]
    found: list[tuple[str, Layer]] = []
    for name, attr in vars(model).items():
        if name.startswith("_"):
            continue
        if isinstance(attr, Layer):
            found.append((name, attr))
        elif isinstance(attr, (list, tuple)) and attr and all(isinstance(a, Layer) for a in attr):
            found += [(f"{name}.{i}", a) for i, a in enumerate(attr)]
    for (_, before), (_, after) in zip(found, found[1:]):
        if before.nout != after.nin:
            found = []  # not one chain of layers
            break
    if not found:
        raise TypeError(f"cannot lay out {type(model).__name__} as a network: it holds no chain of "
                        f"nn.Layer objects (layer k's outputs feeding layer k+1); draw its graph "
                        f"with autograd.draw(model(x)) instead")
    return found


def _check_sample(x: Any, nin: int) -> list[float]:
    x = as_row(x, f"x must be a list of {nin} numbers (one sample)")
    if len(x) != nin:
        raise ValueError(f"x has {len(x)} numbers but the model takes {nin} inputs")
    return [finite_real(xi.data if isinstance(xi, Value) else xi, f"x[{k}]")
            for k, xi in enumerate(x)]


def _check_target(target: Any, nout: int) -> tuple[list[float] | None, str | None]:
    """Per-output target numbers, or (for a class index and the like) a text to show."""
    if is_real(target) and nout == 1:
        return [float(target)], None
    if isinstance(target, Sequence) and not isinstance(target, (str, bytes)):
        if len(target) != nout:
            raise ValueError(f"target has {len(target)} numbers but the model has {nout} outputs")
        for k, t in enumerate(target):
            if not is_real(t):
                raise TypeError(f"target[{k}] must be a number, got {t!r}"[:200])
        return [float(t) for t in target], None
    if isinstance(target, int) and not isinstance(target, bool):
        return None, f"class {target}"  # cross_entropy's class index
    raise TypeError(f"target must be a number or a list of {nout} numbers, got "
                    f"{type(target).__name__}")


def _structure(layers: list[tuple[str, Layer]]) -> NetworkNumbers:
    """The numbers every diagram has: weights and biases, no forward pass."""
    out_layers, edges = [], []
    for li, (path, layer) in enumerate(layers):
        column = []
        for j, neuron in enumerate(layer.neurons):
            npath = _join(path, f"neurons.{j}")
            column.append(NeuronNumbers(npath, neuron.activation, neuron.b.data,
                                        not neuron.b.requires_grad))
            for k, w in enumerate(neuron.w):
                edges.append(EdgeNumbers(f"{npath}.w.{k}", li, k, j, w.data, not w.requires_grad))
        out_layers.append(column)
    return NetworkNumbers(None, out_layers, edges, layer_paths=[path for path, _ in layers])


def _join(a: str, b: str) -> str:
    return f"{a}.{b}" if a and b else a or b


def _forward(layers: list[tuple[str, Layer]], xs: Sequence[float | Value],
             numbers_: NetworkNumbers) -> tuple[list[Value], list[list[tuple[Value, Value]]]]:
    """A fresh forward pass; returns the outputs and each neuron's (net, out) Values."""
    h: list[Value] = [x if isinstance(x, Value) else Value(x, requires_grad=False) for x in xs]
    nodes = []
    for li, (_, layer) in enumerate(layers):
        column = []
        for j, neuron in enumerate(layer.neurons):
            out = neuron.forward(h)
            net = out if out.op != neuron.activation else out.inputs[0]
            column.append((net, out))
            numbers_.layers[li][j].net, numbers_.layers[li][j].out = net.data, out.data
        nodes.append(column)
        h = [out for _, out in column]
    return h, nodes


def _backward(loss_value: Value, layers: list[tuple[str, Layer]], nodes: list,
              numbers_: NetworkNumbers, lr: float | None) -> None:
    """One fresh backward pass on its own buffers (core/fresh.py): no .grad is written.

    Where the parameters' .grad hold other numbers (an earlier backward), numbers_.held gets
    the caption lines saying what they hold and why.
    """
    fresh = fresh_grads([(loss_value, 1.0)])
    for li, column in enumerate(nodes):
        for j, (net, _) in enumerate(column):
            numbers_.layers[li][j].delta = fresh.get(net, 0.0)
    weights = [w for _, layer in layers for n in layer.neurons for w in n.w]
    for edge, w in zip(numbers_.edges, weights, strict=True):
        edge.grad = fresh.get(w, 0.0)
        if lr is not None:
            edge.after_step = w.data - lr * edge.grad if w.requires_grad else w.data
    params = {p: _join(path, f"neurons.{j}.{name}")
              for path, layer in layers for j, n in enumerate(layer.neurons)
              for name, p in [*((f"w.{k}", w) for k, w in enumerate(n.w)), ("b", n.b)]}
    differing = [d for d in held_elsewhere(fresh, list(params)) if d[1] != 0.0]
    shown = {p: numbers_.names.get(dotted) or p.label or dotted for p, dotted in params.items()}
    numbers_.held = held_lines(differing, shown, ".4g")


def network_numbers(model: Any, x: Any = None, target: Any = None,
                    loss: Callable[[Any, Any], Value] | None = None,
                    names: Mapping[str, str] | None = None,
                    lr: float | None = None) -> NetworkNumbers:
    """Check the arguments and compute what the diagram shows (see diagram())."""
    layers = network_layers(model)
    names = _check_names(names)
    if lr is not None and not (is_real(lr) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if loss is not None and not callable(loss):
        raise TypeError(f"loss must be a function (output, target) -> Value, got {loss!r}")
    if x is None and (target is not None or lr is not None):
        raise ValueError("target= and lr= need a sample x to run the network on")
    result = _structure(layers)
    result.names = {**_own_names(layers), **names}
    result.loss_name = names.get("loss", "loss")
    if x is None:
        return result
    result.inputs = _check_sample(x, layers[0][1].nin)
    if target is not None:
        result.targets, result.target_text = _check_target(target, layers[-1][1].nout)
    if target is None and lr is not None:
        raise ValueError("lr= shows one SGD step, which needs a target (and a loss)")
    outputs, nodes = _forward(layers, result.inputs, result)
    if target is None:
        return result
    loss_value = loss_of(outputs, target, loss, result)
    result.loss = loss_value.data
    _backward(loss_value, layers, nodes, result, lr)
    return result


def _own_names(layers: list[tuple[str, Layer]]) -> dict[str, str]:
    """Names the model gives itself: a neuron's display_name, a parameter's own label (w5).

    A label that is just the parameter's dotted name (the default) is no name of its own.
    """
    names = {}
    for path, layer in layers:
        for j, neuron in enumerate(layer.neurons):
            npath = _join(path, f"neurons.{j}")
            if isinstance(neuron.display_name, str) and neuron.display_name:
                names[npath] = neuron.display_name
            for dotted, p in [*((f"{npath}.w.{k}", w) for k, w in enumerate(neuron.w)),
                              (f"{npath}.b", neuron.b)]:
                if p.label and p.label != dotted and not p.label.endswith("." + dotted) \
                        and "." not in p.label:
                    names[dotted] = p.label
    return names


def loss_of(outputs: list[Value], target: Any, loss: Callable[[Any, Any], Value] | None,
            result: NetworkNumbers) -> Value:
    """The loss of the outputs against the target, as the diagram computes it (half_sse if None)."""
    loss_fn = half_sse if loss is None else loss
    if result.targets is None:
        loss_value = loss_fn(outputs, target)  # a class index: the loss reads all the outputs
    elif len(outputs) == 1:
        loss_value = loss_fn(outputs[0], result.targets[0])
    else:
        loss_value = loss_fn(outputs, result.targets)
    if not isinstance(loss_value, Value):
        raise TypeError(f"loss must return a Value, got {type(loss_value).__name__}")
    return loss_value


def _check_names(names: Mapping[str, str] | None) -> dict[str, str]:
    if names is None:
        return {}
    if not isinstance(names, Mapping):
        raise TypeError(f"names must be a dict of dotted name -> display name, got "
                        f"{type(names).__name__}")
    for key, value in names.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"names must map str to str, got {key!r}: {value!r}"[:200])
    return dict(names)
