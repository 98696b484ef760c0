"""MLPs to PyTorch and back: Linear layers and the same activations, weights bit for bit.

Weights go to float64 by default, so the PyTorch module computes what valuegrad computes (to
rounding); weights come back from a ``torch.nn.Sequential`` of Linear layers and activations,
from any module shaped like one, or from a state dict.  Every shape and activation is checked
before a single weight of the target model changes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from autograd.twin.torch_twin import require_torch

from .layers import ACTIVATIONS, MLP

# valuegrad activation -> the torch.nn module class name that computes it ("linear" has none).
TORCH_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}
_FROM_TORCH = {cls: name for name, cls in TORCH_ACTIVATIONS.items()}
_SKIPPED = ("Identity", "Flatten")  # modules that leave a vector of numbers as it is


@dataclass
class LinearSpec:
    """One Linear layer read from PyTorch: where it was, its numbers, and what follows it."""

    where: str  # the module path or state-dict prefix, for error messages
    weight: list[list[float]]  # weight[out][in], PyTorch's layout and valuegrad's
    bias: list[float]
    activation: str | None  # None: not known (a state dict carries no activations)


def mlp_to_torch(model: MLP, dtype: Any = None) -> Any:
    """A ``torch.nn.Sequential`` computing what `model` computes: Linear, activation, Linear..."""
    torch = require_torch("MLP.to_torch")
    if not isinstance(model, MLP):
        raise TypeError(f"to_torch() converts an nn.MLP, got {type(model).__name__}")
    dtype = torch.float64 if dtype is None else dtype
    parts = []
    for layer in model.layers:
        linear = torch.nn.Linear(layer.nin, layer.nout, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons],
                                             dtype=torch.float64))
            linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons],
                                           dtype=torch.float64))
        parts.append(linear)
        if layer.activation != "linear":
            parts.append(getattr(torch.nn, TORCH_ACTIVATIONS[layer.activation])())
    return torch.nn.Sequential(*parts)


def _numbers(tensor: Any, where: str) -> Any:
    values = tensor.detach().to("cpu").double().tolist()  # float32 -> float64 is exact
    flat = values if tensor.dim() == 1 else [x for row in values for x in row]
    for x in flat:
        if not math.isfinite(x):
            raise ValueError(f"{where}: non-finite weight {x!r}")
    return values


def _linear_spec(torch: Any, module: Any, where: str) -> LinearSpec:
    weight = _numbers(module.weight, f"{where}.weight")
    if module.bias is None:
        bias = [0.0] * module.out_features
    else:
        bias = _numbers(module.bias, f"{where}.bias")
    return LinearSpec(where, weight, bias, "linear")


def specs_from_module(module: Any) -> list[LinearSpec]:
    """The Linear layers of an MLP-shaped module, in order, each with the activation after it."""
    torch = require_torch("MLP.from_torch")
    specs: list[LinearSpec] = []
    for where, child in module.named_modules():
        kind = type(child).__name__
        if len(list(child.children())) and not isinstance(child, torch.nn.Linear):
            continue  # a container: its children come next
        if isinstance(child, torch.nn.Linear):
            specs.append(_linear_spec(torch, child, where or "(the module)"))
        elif kind in _FROM_TORCH:
            if not specs or specs[-1].activation != "linear":
                raise ValueError(f"PyTorch {where!r}: {kind} must follow a Linear layer (one "
                                 f"activation per layer)")
            specs[-1].activation = _FROM_TORCH[kind]
        elif kind not in _SKIPPED:
            raise ValueError(f"PyTorch {where!r}: {kind} has no valuegrad equivalent; an MLP "
                             f"holds Linear layers and {', '.join(_FROM_TORCH)}")
    if not specs:
        raise ValueError("the module holds no Linear layer")
    return specs


def specs_from_state_dict(state: Mapping[str, Any]) -> list[LinearSpec]:
    """Linear layers from a state dict: '<prefix>.weight' (out × in) and '<prefix>.bias'."""
    prefixes: list[str] = []
    for key in state:
        if not isinstance(key, str) or not key.endswith((".weight", ".bias")) and key not in (
                "weight", "bias"):
            raise ValueError(f"state dict entry {key!r} is neither a weight nor a bias")
        prefix = key.rsplit(".", 1)[0] if "." in key else ""
        if prefix not in prefixes:
            prefixes.append(prefix)
    specs = []
    for prefix in prefixes:
        dot = f"{prefix}." if prefix else ""
        weight = state.get(f"{dot}weight")
        if weight is None or getattr(weight, "dim", lambda: 0)() != 2:
            raise ValueError(f"{dot}weight: a Linear layer needs a 2-d weight (out × in)")
        bias = state.get(f"{dot}bias")
        if bias is not None and (bias.dim() != 1 or bias.shape[0] != weight.shape[0]):
            raise ValueError(f"{dot}bias: shape {tuple(bias.shape)} does not fit weight "
                             f"{tuple(weight.shape)}")
        specs.append(LinearSpec(prefix, _numbers(weight, f"{dot}weight"),
                                [0.0] * weight.shape[0] if bias is None else
                                _numbers(bias, f"{dot}bias"), None))
    if not specs:
        raise ValueError("the state dict holds no Linear layer")
    return specs


def read_specs(source: Any) -> list[LinearSpec]:
    """Linear layers from a torch module or a state dict."""
    torch = require_torch("MLP.from_torch")
    if isinstance(source, torch.nn.Module):
        return specs_from_module(source)
    if isinstance(source, Mapping):
        return specs_from_state_dict(source)
    raise TypeError(f"expected a torch.nn.Module or a state dict, got {type(source).__name__}")


def _check_fits(model: MLP, specs: list[LinearSpec]) -> None:
    """Raise a ValueError naming the first layer whose shape or activation does not fit."""
    if len(specs) != len(model.layers):
        raise ValueError(f"the PyTorch model has {len(specs)} Linear layers, the MLP "
                         f"{len(model.layers)}")
    for i, (layer, spec) in enumerate(zip(model.layers, specs, strict=True)):
        shape = (len(spec.weight), len(spec.weight[0]) if spec.weight else 0)
        if shape != (layer.nout, layer.nin):
            raise ValueError(f"layers.{i} (PyTorch {spec.where!r}): weight shape {shape} does "
                             f"not fit the MLP's layer {layer.nin} -> {layer.nout} (needs "
                             f"({layer.nout}, {layer.nin}))")
        if spec.activation is not None and spec.activation != layer.activation:
            raise ValueError(f"layers.{i} (PyTorch {spec.where!r}): activation "
                             f"{spec.activation!r}, the MLP's layer uses {layer.activation!r}")


def load_torch_state(model: MLP, source: Any) -> MLP:
    """Copy the weights of a PyTorch module or state dict into `model`, all or nothing."""
    if not isinstance(model, MLP):
        raise TypeError(f"load_torch_state() fills an nn.MLP, got {type(model).__name__}")
    specs = read_specs(source)
    _check_fits(model, specs)
    if not isinstance(source, Mapping):
        verify_same_function(source, _build(specs, [layer.activation for layer in model.layers]))
    model.set_weights([s.weight for s in specs], [s.bias for s in specs])
    return model


def _build(specs: list[LinearSpec], activations: list[str]) -> MLP:
    model = MLP(len(specs[0].weight[0]), [len(s.weight) for s in specs], activations)
    model.set_weights([s.weight for s in specs], [s.bias for s in specs])
    return model


def mlp_from_torch(source: Any, activation: str | None = None,
                   output_activation: str | None = None) -> MLP:
    """A new MLP with the layers and weights of a PyTorch module or state dict.

    A module's activations are read from it; a state dict has none, so they are given as for
    ``MLP(...)``: `activation` for hidden layers (relu by default), `output_activation` (linear).
    """
    specs = read_specs(source)
    for i in range(1, len(specs)):
        if len(specs[i].weight[0]) != len(specs[i - 1].weight):
            raise ValueError(f"PyTorch {specs[i].where!r} takes {len(specs[i].weight[0])} inputs "
                             f"but {specs[i - 1].where!r} gives {len(specs[i - 1].weight)}")
    known = [s.activation for s in specs]
    if all(a is not None for a in known):
        if activation is not None or output_activation is not None:
            raise ValueError("a module's activations are read from it; give activation= only "
                             "with a state dict")
        names: Any = known
    else:
        hidden = "relu" if activation is None else activation
        names = [hidden] * (len(specs) - 1) + [output_activation or "linear"]
        for name in names:
            if name not in ACTIVATIONS:
                raise ValueError(f"unknown activation {name!r}")
    model = _build(specs, names)
    if not isinstance(source, Mapping):
        verify_same_function(source, model)
    return model


def verify_same_function(module: Any, model: MLP) -> None:
    """Raise if `module` does not compute what `model` (read from its layers) computes.

    A module is read in the order its layers were registered; one whose forward does something
    else (a skip connection, a reordering) would come back as a different function.
    """
    torch = require_torch("MLP.from_torch")
    dtype = next(module.parameters()).dtype
    point = [math.sin(1.7 * k + 0.3) for k in range(model.nin)]
    with torch.no_grad():
        theirs = module(torch.tensor(point, dtype=dtype)).double().reshape(-1).tolist()
    out = model(point)
    ours = [v.data for v in (out if isinstance(out, list) else [out])]
    rel = 1e-9 if dtype == torch.float64 else 1e-4
    if len(ours) != len(theirs) or any(abs(a - b) > rel * (1.0 + abs(b))
                                       for a, b in zip(ours, theirs, strict=False)):
        raise ValueError("the module's forward does not compute its Linear layers and "
                         "activations in the order they are registered, so it is not an MLP")
