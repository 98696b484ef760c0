"""Module, Neuron, Layer and MLP: structure, names, initialisation, forward, bad input."""

from __future__ import annotations

import math
import random

import pytest

import nn
from autograd import Value


def test_dotted_names_follow_the_structure():
    mlp = nn.MLP(3, [4, 2], seed=0)
    names = [name for name, _ in mlp.named_parameters()]
    assert names[:5] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                         "layers.0.neurons.0.w.2", "layers.0.neurons.0.b",
                         "layers.0.neurons.1.w.0"]
    assert names[-1] == "layers.1.neurons.1.b"
    assert len(names) == 4 * (3 + 1) + 2 * (4 + 1) == len(set(names))
    assert mlp.layers[1].neurons[0].w[3] is dict(mlp.named_parameters())["layers.1.neurons.0.w.3"]
    # Every parameter's label is its name, so drawings show where it lives.
    assert all(p.label == name for name, p in mlp.named_parameters())
    assert [p for _, p in mlp.named_parameters()] == mlp.parameters()


def test_standalone_neuron_and_layer_names():
    assert [n for n, _ in nn.Neuron(2, rng=random.Random(0)).named_parameters()] == \
        ["w.0", "w.1", "b"]
    assert [n for n, _ in nn.Layer(1, 2, rng=random.Random(0)).named_parameters()] == \
        ["neurons.0.w.0", "neurons.0.b", "neurons.1.w.0", "neurons.1.b"]


def test_custom_module_finds_values_lists_and_submodules_once():
    class Pair(nn.Module):
        def __init__(self):
            self.scale = Value(2.0)
            self.inner = nn.Neuron(1, "linear", rng=random.Random(1))
            self.shared = [self.scale]  # the same Value again: listed once
            self._cache = Value(9.0)  # private attributes are not parameters
            self.note = "not a parameter"

    names = [n for n, _ in Pair().named_parameters()]
    assert names == ["scale", "inner.w.0", "inner.b"]


def test_seeded_init_is_reproducible_and_micrograd_compatible():
    a, b = nn.MLP(2, [16, 16, 1], seed=7), nn.MLP(2, [16, 16, 1], seed=7)
    assert a.state_dict() == b.state_dict()
    assert a.state_dict() != nn.MLP(2, [16, 16, 1], seed=8).state_dict()
    # Without a seed the global `random` draws w then b = 0 neuron by neuron, as micrograd's
    # Neuron does: random.seed(1337) then MLP(...) gives micrograd's initial weights.
    random.seed(1337)
    mlp = nn.MLP(2, [3, 1])
    random.seed(1337)
    expected = []
    for nin, nout in [(2, 3), (3, 1)]:
        for _ in range(nout):
            expected += [random.uniform(-1, 1) for _ in range(nin)] + [0.0]
    assert [p.data for p in mlp.parameters()] == expected


@pytest.mark.parametrize("init, nin, nout, bound", [
    ("uniform", 8, 4, 1.0),
    ("xavier", 8, 4, math.sqrt(6 / 12)),
    ("he", 8, 4, math.sqrt(6 / 8)),
])
def test_init_schemes_draw_within_their_bound(init, nin, nout, bound):
    layer = nn.Layer(nin, nout, init=init, rng=random.Random(3))
    ws = [w.data for n in layer.neurons for w in n.w]
    assert all(-bound <= w <= bound for w in ws)
    assert max(abs(w) for w in ws) > 0.5 * bound  # really spread over the range
    assert all(n.b.data == 0.0 for n in layer.neurons)


def test_activations_per_layer():
    mlp = nn.MLP(1, [1, 1, 1, 1], activation=["relu", "tanh", "sigmoid", "linear"], seed=0)
    mlp.set_weights([[[2.0]], [[1.0]], [[1.0]], [[3.0]]], [[-1.0], [0.0], [0.0], [0.5]])
    x = 0.25
    h = max(2.0 * x - 1.0, 0.0)
    expected = 3.0 * (1 / (1 + math.exp(-math.tanh(h)))) + 0.5
    out = mlp([x])
    assert isinstance(out, Value)
    assert out.data == pytest.approx(expected, abs=1e-15)
    assert [layer.activation for layer in mlp.layers] == ["relu", "tanh", "sigmoid", "linear"]


def test_default_activations_are_micrographs():
    mlp = nn.MLP(2, [3, 3, 2], seed=0)
    assert [layer.activation for layer in mlp.layers] == ["relu", "relu", "linear"]
    mlp = nn.MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    assert [layer.activation for layer in mlp.layers] == ["tanh", "sigmoid"]


def test_single_output_layers_in_the_middle_work():
    # micrograd's Layer unwraps a single output, so the next layer cannot iterate over it.
    mlp = nn.MLP(2, [16, 1, 1], activation="tanh", seed=0)
    out = mlp([0.5, -0.5])
    assert isinstance(out, Value)
    assert isinstance(mlp.layers[1](mlp.layers[0]([0.5, -0.5])), list)
    out.backward()
    assert all(n.w[0].grad != 0.0 for n in mlp.layers[0].neurons)


def test_multi_output_returns_a_list_and_backprops():
    mlp = nn.MLP(2, [3, 2], activation="tanh", seed=1)
    out = mlp([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2
    (out[0] + out[1]).backward()
    assert all(p.grad != 0.0 for p in mlp.layers[1].parameters())


def test_inputs_may_be_values_and_get_gradients():
    mlp = nn.MLP(2, [2, 1], activation="tanh", seed=2)
    x = [Value(0.3), Value(-0.7)]
    mlp(x).backward()
    assert x[0].grad != 0.0 and x[1].grad != 0.0


def test_set_weights_types_in_a_network():
    mlp = nn.MLP(2, [2, 1], seed=0)
    mlp.set_weights([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0]]], [[0.1, 0.2], [0.3]])
    assert mlp.state_dict()["layers.0.neurons.1.w.0"] == 3.0
    assert mlp.layers[1].neurons[0].b.data == 0.3
    mlp.set_weights([[[0.0, 0.0], [0.0, 0.0]], [[1.0, 1.0]]])  # biases kept
    assert mlp.layers[0].neurons[1].b.data == 0.2


def test_set_weights_checks_everything_before_changing_anything():
    mlp = nn.MLP(2, [2, 1], seed=0)
    before = mlp.state_dict()
    with pytest.raises(ValueError, match=r"layer 1: .*weights\[0\] must have 2 entries, got 3"):
        mlp.set_weights([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0, 7.0]]])
    assert mlp.state_dict() == before
    with pytest.raises(TypeError, match="must be a number, got str"):
        mlp.set_weights([[[1.0, "2"], [3.0, 4.0]], [[5.0, 6.0]]])
    with pytest.raises(ValueError, match="one entry per layer"):
        mlp.set_weights([[[1.0, 2.0], [3.0, 4.0]]])
    assert mlp.state_dict() == before


def test_zero_grad_and_freeze():
    mlp = nn.MLP(2, [2, 1], activation="tanh", seed=3)
    mlp([1.0, 1.0]).backward()
    assert any(p.grad != 0.0 for p in mlp.parameters())
    mlp.zero_grad()
    assert all(p.grad == 0.0 for p in mlp.parameters())
    mlp.freeze()
    assert not any(p.requires_grad for p in mlp.parameters())
    mlp([1.0, 1.0]).backward()
    assert all(p.grad == 0.0 for p in mlp.parameters())
    mlp.unfreeze(["layers.1.neurons.0.b"])
    mlp([1.0, 1.0]).backward()
    assert mlp.layers[1].neurons[0].b.grad == 1.0
    mlp.layers[0].unfreeze()  # a sub-module: just its parameters
    assert all(p.requires_grad for p in mlp.layers[0].parameters())
    assert not mlp.layers[1].neurons[0].w[0].requires_grad
    with pytest.raises(ValueError, match="no parameter named 'layers.9.b'"):
        mlp.freeze(["layers.9.b"])
    mlp.freeze("layers.1.neurons.0.b")  # one name as a plain string
    assert not mlp.layers[1].neurons[0].b.requires_grad


def test_repr_is_readable():
    mlp = nn.MLP(2, [16, 16, 1], seed=0)
    text = repr(mlp)
    assert text.splitlines() == ["MLP(2 inputs, 337 parameters)",
                                 "  layers.0: Layer(2 -> 16, 'relu')",
                                 "  layers.1: Layer(16 -> 16, 'relu')",
                                 "  layers.2: Layer(16 -> 1, 'linear')"]
    assert repr(mlp.layers[0].neurons[0]) == "Neuron(2, 'relu')"


def test_bad_construction_arguments():
    with pytest.raises(ValueError, match="unknown activation 'softmax'; expected one of 'relu'"):
        nn.MLP(2, [3, 1], activation="softmax")
    with pytest.raises(ValueError, match="unknown activation 'bogus'"):
        nn.MLP(2, [3], activation="bogus")  # a single layer never uses it, but a typo is a typo
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        nn.MLP(2, [3, 1], output_activation="gelu")
    with pytest.raises(ValueError, match="unknown init 'glorot'"):
        nn.MLP(2, [3, 1], init="glorot")
    with pytest.raises(ValueError, match="activation list has 1 names for 2 layers"):
        nn.MLP(2, [3, 1], activation=["relu"])
    with pytest.raises(ValueError, match="output_activation only when"):
        nn.MLP(2, [3, 1], activation=["relu", "tanh"], output_activation="tanh")
    with pytest.raises(ValueError, match="nout must be at least 1, got 0"):
        nn.MLP(2, [3, 0])
    with pytest.raises(TypeError, match="nin must be an int, got float"):
        nn.MLP(2.0, [3])
    with pytest.raises(TypeError, match="nouts must be a non-empty list"):
        nn.MLP(2, [])


def test_bad_inputs_to_the_forward_pass():
    mlp = nn.MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match="MLP expects 2 inputs, got 3"):
        mlp([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Layer expects 3 inputs, got 2"):
        mlp.layers[1]([1.0, 2.0])
    with pytest.raises(ValueError, match="Neuron expects 2 inputs, got 1"):
        mlp.layers[0].neurons[0]([1.0])
    with pytest.raises(TypeError, match="input 1 must be a number or a Value, got str: 'a'"):
        mlp([1.0, "a"])
    with pytest.raises(TypeError, match="expects a list of 2 numbers, got float"):
        mlp(1.0)
    with pytest.raises(TypeError, match="input 0 must be a number or a Value, got bool"):
        mlp([True, 1.0])


def test_public_names_have_docstrings():
    for name in nn.__all__:
        obj = getattr(nn, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), f"nn.{name} has no docstring"
            for attr, member in vars(obj).items() if isinstance(obj, type) else []:
                if callable(member) and not attr.startswith("_"):
                    assert member.__doc__, f"nn.{name}.{attr} has no docstring"


def test_nn_uses_only_the_public_engine_api():
    import pathlib
    import re

    package = pathlib.Path(nn.__file__).parent
    private_slots = re.compile(r"\._(a|b|da|db|op|rg|label)\b")
    for source in package.glob("*.py"):
        for number, line in enumerate(source.read_text().splitlines(), start=1):
            assert not private_slots.search(line), f"{source.name}:{number} reads a Value slot"
