"""Neuron, Layer and MLP: micrograd's structure, named activations, seeded initialisation."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

from autograd import Value
from autograd.core import checks
from autograd.core.checks import finite_real, is_real, positive_int
from autograd.core.ops import OPS

from .module import Module

DEFAULT_ACTIVATION = "relu"

# Activation name -> the Value method applied to the neuron's weighted sum (None: keep the sum).
# The activations are the op table's ops that name a torch.nn module (autograd/core/ops.py), the
# default first, then "linear".
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    **{op.name: getattr(Value, op.method)
       for op in sorted(OPS.values(), key=lambda op: op.name != DEFAULT_ACTIVATION)
       if op.torch_module and op.method},
    "linear": None,
}

# Weight initialisations; every one draws uniformly from (-bound, bound), biases start at 0.
#   uniform: bound 1, micrograd's choice
#   xavier:  bound sqrt(6 / (fan_in + fan_out)), Glorot & Bengio 2010 (for tanh / sigmoid)
#   he:      bound sqrt(6 / fan_in), He et al. 2015 (for relu)
INITS = ("uniform", "xavier", "he")

Input = Sequence[Value | float]


def init_bound(init: str, fan_in: int, fan_out: int) -> float:
    """Half-width of the uniform range that initialisation `init` draws weights from."""
    if init == "uniform":
        return 1.0
    if init == "xavier":
        return math.sqrt(6.0 / (fan_in + fan_out))
    if init == "he":
        return math.sqrt(6.0 / fan_in)
    raise ValueError(f"unknown init {init!r}; expected one of {', '.join(map(repr, INITS))}")


def _check_activation(activation: Any) -> str:
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; expected one of "
                         f"{', '.join(map(repr, ACTIVATIONS))}")
    return activation


def _check_size(what: str, n: Any) -> int:
    return positive_int(n, what)  # a NumPy integer is fine


def as_row(x: Any, expected: str) -> Sequence[Any]:
    """`x` as a sequence (a NumPy row becomes a list), else a TypeError saying what `expected`."""
    if hasattr(x, "tolist") and not isinstance(x, Value):  # a NumPy row
        x = x.tolist()
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(f"{expected}, got {type(x).__name__}")
    return x


def as_inputs(x: Any, nin: int, who: str) -> list[Value]:
    """Check that `x` holds `nin` numbers or Values; numbers become constant leaves.

    Turning each number into a Value once (rather than in every neuron's multiplication) is
    what lets all neurons of a layer share the same input nodes.
    """
    x = as_row(x, f"{who} expects a list of {nin} numbers")
    if len(x) != nin:
        raise ValueError(f"{who} expects {nin} inputs, got {len(x)}")
    out = []
    for k, xi in enumerate(x):
        if isinstance(xi, Value):  # a user's subclass of Value too
            out.append(xi)
        elif is_real(xi):
            out.append(Value(xi, label=f"x.{k}", requires_grad=False))
        else:
            raise TypeError(f"{who}: input {k} must be a number or a Value, "
                            f"got {type(xi).__name__}: {xi!r}"[:200])
    return out


def _numbers(what: str, values: Any, n: int) -> list[float]:
    """Check that `values` is a list of `n` real numbers (for set_weights)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{what} must be a list of {n} numbers, got {type(values).__name__}")
    if len(values) != n:
        raise ValueError(f"{what} must have {n} entries, got {len(values)}")
    # The same rule as load_state_dict(): a typed-in nan or inf weight is a mistake, and would
    # make every output and gradient nan without saying why.
    return [finite_real(v, f"{what}[{k}]") for k, v in enumerate(values)]


def _check_rng(rng: Any) -> random.Random | None:
    if rng is not None and not isinstance(rng, random.Random):
        raise TypeError(f"rng must be a random.Random (use MLP's seed= for a number), "
                        f"got {type(rng).__name__}: {rng!r}"[:200])
    return rng


class Neuron(Module):
    """One unit: activation(w · x + b), with weights ``w[0..nin-1]`` and bias ``b``."""

    # A name for this unit in drawings and explanations (the tutorial's "h1"): its nodes then
    # read h1.net, h1.out, ... instead of layers.0.neurons.0.net.  "" names them by their path.
    display_name: str = ""

    def __init__(self, nin: int, activation: str = "relu", *, init: str = "uniform",
                 fan_out: int = 1, rng: random.Random | None = None) -> None:
        _check_size("nin", nin)
        self.activation = _check_activation(activation)
        bound = init_bound(init, nin, _check_size("fan_out", fan_out))
        # The global `random` by default, as micrograd does.
        draw = (_check_rng(rng) or random).uniform
        self.w = [Value(draw(-bound, bound)) for _ in range(nin)]
        self.b = Value(0.0)
        self.label_parameters()

    @property
    def nin(self) -> int:
        """Number of inputs."""
        return len(self.w)

    def __call__(self, x: Input) -> Value:
        """The neuron's output for inputs `x` (numbers or Values)."""
        return self.forward(as_inputs(x, len(self.w), "Neuron"))

    def forward(self, x: list[Value]) -> Value:
        """Output for already-checked input Values: the layer calls this once per neuron."""
        w = self.w
        # Summed in the order a tutorial writes it (w0·x0 + w1·x1 + ... + b), so the graph reads
        # the same way.
        total = w[0] * x[0]
        for k in range(1, len(w)):
            total = total + w[k] * x[k]
        total = total + self.b
        act = ACTIVATIONS[self.activation]
        return total if act is None else act(total)

    def set_weights(self, w: Sequence[float], b: float | None = None) -> None:
        """Set the weights (and the bias, if given) from plain numbers."""
        numbers_ = _numbers("weights", w, len(self.w))
        bias = None if b is None else _numbers("bias", [b], 1)[0]
        for param, number in zip(self.w, numbers_, strict=True):
            param.data = number
        if bias is not None:
            self.b.data = bias

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, {self.activation!r})"


class Layer(Module):
    """`nout` neurons reading the same `nin` inputs; calling it always returns a list."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", *, init: str = "uniform",
                 rng: random.Random | None = None) -> None:
        _check_size("nin", nin)
        _check_size("nout", nout)
        _check_rng(rng)
        self.neurons = [Neuron(nin, activation, init=init, fan_out=nout, rng=rng)
                        for _ in range(nout)]
        self.label_parameters()

    @property
    def nin(self) -> int:
        """Number of inputs."""
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        """Number of outputs (neurons)."""
        return len(self.neurons)

    @property
    def activation(self) -> str:
        """The activation name shared by the neurons."""
        return self.neurons[0].activation

    def __call__(self, x: Input) -> list[Value]:
        """The layer's outputs for inputs `x`: a list of `nout` Values, even when nout is 1."""
        xs = as_inputs(x, self.nin, "Layer")
        return [n.forward(xs) for n in self.neurons]

    def set_weights(self, weights: Sequence[Sequence[float]],
                    biases: Sequence[float] | None = None) -> None:
        """Set weights from a nested list ``weights[neuron][input]`` (and biases[neuron])."""
        if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence):
            raise TypeError(f"weights must be a list of {self.nout} lists, "
                            f"got {type(weights).__name__}")
        if len(weights) != self.nout:
            raise ValueError(f"weights must have one list per neuron ({self.nout}), "
                             f"got {len(weights)}")
        bs = [None] * self.nout if biases is None else _numbers("biases", biases, self.nout)
        for j, w in enumerate(weights):
            _numbers(f"weights[{j}]", w, self.nin)  # check every row before changing any
        for neuron, w, b in zip(self.neurons, weights, bs, strict=True):
            neuron.set_weights(w, b)

    def __repr__(self) -> str:
        return f"Layer({self.nin} -> {self.nout}, {self.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: ``layers[i].neurons[j].w[k]`` and ``.b``, as in micrograd.

    `activation` is used by every layer but the last, which uses `output_activation` (linear by
    default, as in micrograd); or give `activation` as a list with one name per layer.  So
    ``MLP(2, [2, 2], activation="sigmoid")`` has a linear output layer: a network logistic
    throughout, such as the 2-2-2 tutorial's (nn.tutorial_network()), needs
    ``output_activation="sigmoid"`` as well.  `seed`
    makes initialisation reproducible; without it the global `random` module is used, so
    ``random.seed(1337)`` followed by ``MLP(2, [16, 16, 1])`` draws micrograd's weights.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str | Sequence[str] = "relu",
                 output_activation: str | None = None, *, init: str = "uniform",
                 seed: int | None = None) -> None:
        _check_size("nin", nin)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise TypeError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}"[:200])
        activations = _layer_activations(activation, output_activation, len(nouts))
        rng = random.Random(checks.seed(seed, "MLP")) if seed is not None else None
        sizes = [nin, *nouts]
        self.layers = [Layer(sizes[i], sizes[i + 1], activations[i], init=init, rng=rng)
                       for i in range(len(nouts))]
        self.label_parameters()

    @property
    def nin(self) -> int:
        """Number of inputs."""
        return self.layers[0].nin

    @property
    def nouts(self) -> list[int]:
        """Layer sizes."""
        return [layer.nout for layer in self.layers]

    def __call__(self, x: Input) -> Value | list[Value]:
        """The network's output: a single Value if the last layer has one neuron, else a list."""
        out: list[Value] = as_inputs(x, self.nin, "MLP")
        for layer in self.layers:
            out = layer(out)
        return out[0] if len(out) == 1 else out

    def set_weights(self, weights: Sequence[Sequence[Sequence[float]]],
                    biases: Sequence[Sequence[float]] | None = None) -> None:
        """Set every weight from ``weights[layer][neuron][input]`` (and ``biases[layer][neuron]``).

        This is how a tutorial's network is typed in.  Sizes are checked before anything changes.
        """
        if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence):
            raise TypeError(f"weights must be a list with one entry per layer, "
                            f"got {type(weights).__name__}")
        if len(weights) != len(self.layers):
            raise ValueError(f"weights must have one entry per layer ({len(self.layers)}), "
                             f"got {len(weights)}")
        if biases is not None and (not isinstance(biases, Sequence)
                                   or len(biases) != len(self.layers)):
            raise ValueError(f"biases must have one list per layer ({len(self.layers)})")
        saved = self.state_dict()
        try:
            for i, layer in enumerate(self.layers):
                layer.set_weights(weights[i], None if biases is None else biases[i])
        except (TypeError, ValueError) as err:
            self.load_state_dict(saved)  # all or nothing
            raise type(err)(f"layer {i}: {err}") from None

    def to_torch(self, dtype: Any = None) -> Any:
        """A ``torch.nn.Sequential`` (Linear + activations, float64 by default) computing this."""
        from .torch_bridge import mlp_to_torch  # loads on first use (it needs torch)

        return mlp_to_torch(self, dtype)

    @classmethod
    def from_torch(cls, source: Any, activation: str | None = None,
                   output_activation: str | None = None) -> MLP:
        """A new MLP with the layers and weights of a PyTorch module or state dict."""
        from .torch_bridge import mlp_from_torch

        return mlp_from_torch(cls, source, activation, output_activation)

    def __repr__(self) -> str:
        lines = [f"MLP({self.nin} inputs, {len(self.parameters())} parameters)"]
        lines += [f"  layers.{i}: {layer!r}" for i, layer in enumerate(self.layers)]
        return "\n".join(lines)


def _layer_activations(activation: str | Sequence[str], output_activation: str | None,
                       n_layers: int) -> list[str]:
    if isinstance(activation, str):
        _check_activation(activation)  # even when only the output layer exists to use it
        last = "linear" if output_activation is None else output_activation
        names = [activation] * (n_layers - 1) + [last]
    else:
        if output_activation is not None:
            raise ValueError("give output_activation only when activation is a single name; "
                             "a list of activations already names the last layer's")
        names = list(activation)
        if len(names) != n_layers:
            raise ValueError(f"activation list has {len(names)} names for {n_layers} layers")
    return [_check_activation(name) for name in names]


def load_torch_state(model: MLP, source: Any) -> MLP:
    """Copy the weights of a PyTorch module or state dict into `model`, all or nothing."""
    if not isinstance(model, MLP):
        raise TypeError(f"load_torch_state() fills an nn.MLP, got {type(model).__name__}")
    from .torch_bridge import fill_from_torch

    return fill_from_torch(model, source)
