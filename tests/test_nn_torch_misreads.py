"""PyTorch in without silent misreads: functional activations, shuffled state dicts, odd dtypes."""

from __future__ import annotations

import random

import pytest
from conftest import require_torch

import nn


def functional_relu_module(torch, seed, traceable=True):
    """fc2(F.relu(fc1(x))), 2-3-1: the ReLU is a function call, not a registered module."""
    functional = torch.nn.functional

    class FunctionalReLU(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(2, 3)
            self.fc2 = torch.nn.Linear(3, 1)

        def forward(self, x):
            h = self.fc1(x)
            if not traceable and bool((h == h).all()):  # control flow torch.fx cannot trace
                h = h + 0.0
            return self.fc2(functional.relu(h))

    torch.manual_seed(seed)
    return FunctionalReLU().double()


@pytest.mark.parametrize("seed", range(40))
def test_a_functional_relu_is_refused_naming_the_call(seed):
    torch = require_torch()
    module = functional_relu_module(torch, seed)
    with pytest.raises(ValueError, match=r"fc1 -> torch\.nn\.functional\.relu -> fc2.*"
                                         r"torch\.nn\.ReLU\(\)"):
        nn.MLP.from_torch(module)
    model = nn.MLP(2, [3, 1], "relu")
    before = model.state_dict()
    with pytest.raises(ValueError, match="not a chain of its registered layers"):
        nn.load_torch_state(model, module)
    assert model.state_dict() == before


@pytest.mark.parametrize("seed", range(40))
def test_a_functional_relu_that_fx_cannot_trace_is_caught_by_running_the_module(seed):
    torch = require_torch()
    with pytest.raises(ValueError, match="not an MLP"):
        nn.MLP.from_torch(functional_relu_module(torch, seed, traceable=False))


def test_a_registered_activation_called_through_a_chain_is_still_read():
    torch = require_torch()

    class Chain(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(2, 3)
            self.act = torch.nn.ReLU()
            self.fc2 = torch.nn.Linear(3, 1)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))

    module = Chain().double()
    model = nn.MLP.from_torch(module)
    x = [0.3, -0.7]
    assert model(x).data == pytest.approx(module(torch.tensor(x)).item(), rel=1e-12)


def deep_tanh(torch, seed=0):
    """Six square tanh layers: indices 0, 2, ..., 10, so '10.' sorts before '2.' as text."""
    torch.manual_seed(seed)
    parts = []
    for _ in range(6):
        parts += [torch.nn.Linear(3, 3), torch.nn.Tanh()]
    return torch.nn.Sequential(*parts[:-1]).double()


def test_a_state_dict_sorted_as_text_loads_layers_in_numeric_order():
    torch = require_torch()
    module = deep_tanh(torch)
    state = dict(sorted(module.state_dict().items()))  # '0.', '10.', '2.', '4.', ...
    assert list(state)[2] == "10.bias"
    x = [0.5, -1.0, 2.0]
    expected = module(torch.tensor(x)).tolist()
    model = nn.MLP.from_torch(state, activation="tanh")
    assert [v.data for v in model(x)] == pytest.approx(expected, rel=1e-12, abs=1e-12)
    loaded = nn.load_torch_state(nn.MLP(3, [3] * 6, "tanh"), state)
    assert [v.data for v in loaded(x)] == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("names", [["layers.0", "layers.2", "layers.10"], ["fc1", "fc2", "fc10"]])
def test_numbered_layer_names_are_ordered_by_their_numbers_whatever_the_dict_order(names):
    torch = require_torch()
    rng = random.Random(3)
    weights = {name: torch.tensor([[rng.uniform(-1, 1) for _ in range(2)] for _ in range(2)])
               for name in names}
    shuffled = names[:]
    rng.shuffle(shuffled)
    state = {f"{n}.{part}": (weights[n] if part == "weight" else torch.zeros(2))
             for n in sorted(shuffled) for part in ("weight", "bias")}
    model = nn.MLP.from_torch(state, activation="tanh")
    assert [[w.data for w in neuron.w] for layer in model.layers for neuron in layer.neurons] \
        == [row for n in names for row in weights[n].tolist()]


def test_a_state_dict_whose_layer_order_cannot_be_known_is_refused():
    torch = require_torch()
    state = {f"{prefix}.{part}": torch.zeros((2, 2) if part == "weight" else (2,))
             for prefix in ("hidden.10", "hidden.2", "out") for part in ("weight", "bias")}
    with pytest.raises(ValueError, match=r"\['hidden\.10', 'hidden\.2'\] are not in the order"):
        nn.MLP.from_torch(state)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_modules_are_refused_naming_the_dtype(dtype):
    torch = require_torch()
    module = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    module = module.to(getattr(torch, dtype))
    with pytest.raises(ValueError, match=rf"'0\.weight' is torch\.{dtype}.*\.double\(\)"):
        nn.MLP.from_torch(module)


def test_a_flatten_layer_is_read_as_the_no_op_it_is_on_a_vector():
    torch = require_torch()
    torch.manual_seed(1)
    module = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(2, 3), torch.nn.ReLU(),
                                 torch.nn.Linear(3, 1)).double()
    model = nn.MLP.from_torch(module)
    for x in ([0.2, -0.4], [-3.0, 1.5]):
        assert model(x).data == pytest.approx(module(torch.tensor([x])).item(), rel=1e-12)


def test_a_forward_that_cannot_take_a_batch_is_refused_saying_what_was_tried():
    torch = require_torch()

    class OneVectorOnly(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(2, 1)

        def forward(self, x):
            if x.dim() != 1:  # untraceable for torch.fx, and refuses a batch
                raise IndexError("one vector at a time")
            return self.fc(x)

    with pytest.raises(ValueError, match=r"batch of \d+ inputs of size 2 raised IndexError"):
        nn.MLP.from_torch(OneVectorOnly().double())


def test_complex_weights_are_refused_naming_the_dtype():
    torch = require_torch()
    state = {"0.weight": torch.zeros(2, 2), "0.bias": torch.tensor([1 + 2j, 0j])}
    with pytest.raises(ValueError, match=r"0\.bias: complex numbers \(torch\.complex"):
        nn.MLP.from_torch(state)
    module = torch.nn.Sequential(torch.nn.Linear(2, 1, dtype=torch.complex128))
    with pytest.raises(ValueError, match=r"'0\.weight' is torch\.complex128"):
        nn.MLP.from_torch(module)
