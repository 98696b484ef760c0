"""MLPs to PyTorch and back: Linear layers and the same activations, weights bit for bit.

Weights go to float64 by default, so the PyTorch module computes what valuegrad computes (to
rounding); weights come back from a ``torch.nn.Sequential`` of Linear layers and activations,
from any module shaped like one, or from a state dict.  Every shape and activation is checked
before a single weight of the target model changes.
"""

from __future__ import annotations

import copy
import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from autograd.core.ops import OPS
from autograd.twin.torch_twin import require_torch

# The MLPs here are nn.layers.MLP objects (typed Any: layers.py imports this module, on first use,
# so this module does not import it; MLP.from_torch passes its class in).
MLP = Any

# valuegrad activation -> the torch.nn module class name that computes it ("linear" has none),
# from the op table.
TORCH_ACTIVATIONS = {op.name: op.torch_module for op in OPS.values() if op.torch_module}
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
    if tensor.is_complex():  # .double() would drop the imaginary part without a word
        raise ValueError(f"{where}: complex numbers ({tensor.dtype}) have no valuegrad "
                         f"equivalent; a Value holds one real float64")
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
    _check_dtypes(torch, module)
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
    check_chain(torch, module)
    return specs


def _check_dtypes(torch: Any, module: Any) -> None:
    """Refuse half-precision and complex modules by name, before any number is compared."""
    for where, tensor in list(module.named_parameters()) + list(module.named_buffers()):
        if tensor.is_complex():
            raise ValueError(f"PyTorch {where!r} is {tensor.dtype}: complex numbers have no "
                             f"valuegrad equivalent; a Value holds one real float64")
        if tensor.dtype in (torch.float16, torch.bfloat16):
            raise ValueError(f"PyTorch {where!r} is {tensor.dtype}: valuegrad reads float32 and "
                             f"float64 modules; it computes in float64, which a {tensor.dtype} "
                             f"module's outputs miss by its rounding.  If the float64 function "
                             f"is what you want, convert a copy first: "
                             f"MLP.from_torch(copy.deepcopy(module).double())")


def _leaf_tracer(torch: Any) -> Any:
    import torch.fx  # noqa: F401  (a submodule: imported on first use, like torch itself)

    class LeafTracer(torch.fx.Tracer):
        """Stops at every module without children, so each registered layer shows as one call."""

        def is_leaf_module(self, m: Any, qualname: str) -> bool:
            return not list(m.children())

    return LeafTracer()


def _step_name(node: Any) -> str:
    if node.op == "call_module":
        return str(node.target)
    if node.op == "call_function":
        where = getattr(node.target, "__module__", None) or ""
        return f"{where}.{getattr(node.target, '__name__', node.target)}".lstrip(".")
    if node.op == "call_method":
        return f"tensor.{node.target}()"
    return f"{node.op} {node.target}"


def check_chain(torch: Any, module: Any) -> None:
    """Refuse a forward that is not its registered layers called one after another, in order.

    A functional activation (``F.relu(self.fc1(x))``), a skip connection or a reordering would
    otherwise be read as the registered layers alone: a different function, which one test
    point cannot always tell apart (every ReLU input positive there looks linear).  A forward
    that torch.fx cannot trace (data-dependent control flow) is left to the numeric check.
    """
    try:
        graph = _leaf_tracer(torch).trace(module)
    except Exception:  # noqa: BLE001  (any tracing failure: fall back to running the module)
        return
    leaves = [name for name, child in module.named_modules() if not list(child.children())]
    steps, previous, ok = [], None, True
    for node in graph.nodes:
        if node.op == "placeholder":
            ok = ok and previous is None
            previous = node
        elif node.op == "output":
            ok = ok and node.args == (previous,)
        else:
            steps.append(node)
            ok = ok and node.op == "call_module" and node.args == (previous,) and not node.kwargs
            previous = node
    called = [str(node.target) for node in steps]
    if ok and called == leaves:
        return
    raise ValueError(
        "the module's forward is not a chain of its registered layers, so it is not an MLP "
        f"valuegrad can read: it runs {' -> '.join(map(_step_name, steps)) or 'nothing'}"
        f"{'' if ok else ' (not each on the previous result alone)'}, where the registered "
        f"layers are {', '.join(leaves) or 'none'}.  Register each activation as a module "
        "(torch.nn.ReLU(), Tanh(), Sigmoid()) in the order the forward runs them, for example "
        "in a torch.nn.Sequential")


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
    for prefix in layer_order(prefixes):
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


def _numbered(prefix: str) -> tuple[str, tuple[int, ...]]:
    """A prefix as its name without its numbers, and the numbers: 'fc10' -> ('fc#', (10,))."""
    numbers = tuple(int(run) for run in re.findall(r"\d+", prefix))
    return re.sub(r"\d+", "#", prefix), numbers


def layer_order(prefixes: list[str]) -> list[str]:
    """The layers of a state dict in the order they run, from the numbers in their names.

    A dict that was sorted as text puts '10.weight' before '2.weight'; square layers would then
    load in the wrong order without any shape error.  Names that differ only in their numbers
    ('0', '2', '10'; 'layers.3'; 'fc1') are ordered by those numbers.  Other names carry no order,
    so the dict's own order is kept (``module.state_dict()`` lists layers as registered), unless
    the numbered names within it are out of order: then the true order cannot be known.
    """
    keyed = [_numbered(p) for p in prefixes]
    if len({name for name, _ in keyed}) == 1:
        return sorted(prefixes, key=lambda p: _numbered(p)[1])
    for name in {name for name, _ in keyed}:
        numbers = [n for other, n in keyed if other == name]
        if numbers != sorted(numbers):
            shown = [p for p, (other, _) in zip(prefixes, keyed, strict=True) if other == name]
            raise ValueError(f"the state dict's layers {shown} are not in the order of their "
                             f"numbers, and names {sorted({p for p in prefixes})} do not say "
                             f"where the others go; pass the module itself, or a dict in the "
                             f"order the layers run")
    return prefixes


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


def fill_from_torch(model: MLP, source: Any) -> MLP:
    """Copy the weights of a PyTorch module or state dict into the MLP `model`, all or nothing."""
    specs = read_specs(source)
    _check_fits(model, specs)
    if not isinstance(source, Mapping):
        verify_same_function(source, _build(type(model), specs,
                                            [layer.activation for layer in model.layers]))
    model.set_weights([s.weight for s in specs], [s.bias for s in specs])
    return model


def _build(cls: type, specs: list[LinearSpec], activations: list[str]) -> MLP:
    model = cls(len(specs[0].weight[0]), [len(s.weight) for s in specs], activations)
    model.set_weights([s.weight for s in specs], [s.bias for s in specs])
    return model


def mlp_from_torch(cls: type, source: Any, activation: str | None = None,
                   output_activation: str | None = None) -> MLP:
    """A new MLP (of class `cls`) with the layers and weights of a PyTorch module or state dict.

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
            if name != "linear" and name not in TORCH_ACTIVATIONS:
                raise ValueError(f"unknown activation {name!r}")
    model = _build(cls, specs, names)
    if not isinstance(source, Mapping):
        verify_same_function(source, model)
    return model


def _probe_points(model: MLP) -> list[list[float]]:
    """Inputs at several scales, with each first-layer unit driven to both sides of zero."""
    rng = random.Random(0)  # fixed, so a refusal is reproducible
    points = [[rng.gauss(0.0, scale) for _ in range(model.nin)]
              for scale in (0.1, 1.0, 10.0) for _ in range(16)]
    for neuron in model.layers[0].neurons:
        w = [p.data for p in neuron.w]
        norm2 = sum(x * x for x in w)
        if norm2 > 0:
            for target in (-1.0 - abs(neuron.b.data), 1.0 + abs(neuron.b.data)):
                t = (target - neuron.b.data) / norm2  # w . (t w) + b == target
                points.append([t * x for x in w])
    return points


def verify_same_function(module: Any, model: MLP) -> None:
    """Raise if `module` does not compute what `model` (read from its layers) computes.

    A module is read in the order its layers were registered; one whose forward does something
    else (a skip connection, a reordering) would come back as a different function.  The check
    runs a float64 copy of the module on a batch of inputs at several scales.
    """
    torch = require_torch("MLP.from_torch")
    try:
        twin = copy.deepcopy(module).double()
    except Exception:  # noqa: BLE001  (a module that cannot be copied is run as it is)
        twin = module
    dtype = next(twin.parameters()).dtype
    points = _probe_points(model)
    try:
        with torch.no_grad():
            out = twin(torch.tensor(points, dtype=dtype))
    except Exception as err:  # noqa: BLE001  (whatever the forward raises, say what was tried)
        raise ValueError(f"running the module on a batch of {len(points)} inputs of size "
                         f"{model.nin} raised {type(err).__name__}: {err}; valuegrad reads a "
                         f"module that maps a batch of vectors to a batch of vectors") from err
    ours = _mlp_outputs(torch, model, points)
    theirs = out.double()
    rel = 1e-9 if dtype == torch.float64 else 1e-4
    if ours.shape != theirs.shape or bool(((ours - theirs).abs()
                                           > rel * (1.0 + theirs.abs())).any()):
        raise ValueError("the module's forward does not compute its Linear layers and "
                         "activations in the order they are registered, so it is not an MLP")


def _mlp_outputs(torch: Any, model: MLP, points: list[list[float]]) -> Any:
    """What `model` computes at `points`, as a float64 batch (matrix products, not Values)."""
    functions = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}
    h = torch.tensor(points, dtype=torch.float64)
    for layer in model.layers:
        w = torch.tensor([[p.data for p in n.w] for n in layer.neurons], dtype=torch.float64)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64)
        h = h @ w.T + b
        h = functions[layer.activation](h) if layer.activation in functions else h
    return h
