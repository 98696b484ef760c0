"""MLPs to PyTorch and back: same outputs to 1e-12 both ways, bad shapes refused by layer."""

from __future__ import annotations

import random
import sys

import pytest
from conftest import require_torch

import nn

SHAPES = [
    (3, [4, 1], "relu", None),
    (2, [5, 5, 3], "tanh", None),
    (4, [3, 2], ["sigmoid", "relu"], None),
    (1, [6, 6, 6, 2], "relu", "sigmoid"),
]


def make(shape, seed=0):
    nin, nouts, activation, output = shape
    return nn.MLP(nin, nouts, activation, output, seed=seed)


def inputs(nin, count=10, seed=1):
    rng = random.Random(seed)
    return [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(count)]


def outputs(model, x):
    out = model(x)
    return [v.data for v in (out if isinstance(out, list) else [out])]


def assert_same(model, module, torch, nin):
    for x in inputs(nin):
        theirs = module(torch.tensor(x, dtype=torch.float64)).tolist()
        assert outputs(model, x) == pytest.approx(theirs, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
def test_to_torch_computes_what_the_mlp_computes(shape):
    torch = require_torch()
    model = make(shape)
    module = model.to_torch()
    assert isinstance(module, torch.nn.Module)
    assert all(p.dtype == torch.float64 for p in module.parameters())
    assert_same(model, module, torch, shape[0])


def test_to_torch_dtype_is_chosen_by_the_caller():
    torch = require_torch()
    module = make(SHAPES[0]).to_torch(dtype=torch.float32)
    assert all(p.dtype == torch.float32 for p in module.parameters())


@pytest.mark.parametrize("shape", SHAPES)
def test_round_trip_through_torch_training_reproduces_torch(shape):
    torch = require_torch()
    model = make(shape, seed=3)
    module = model.to_torch()
    opt = torch.optim.SGD(module.parameters(), lr=0.05)
    xs = torch.tensor(inputs(shape[0], 8, seed=5), dtype=torch.float64)
    target = torch.zeros(8, shape[1][-1], dtype=torch.float64) + 0.5
    for _ in range(5):
        opt.zero_grad()
        ((module(xs) - target) ** 2).mean().backward()
        opt.step()
    back = nn.MLP.from_torch(module)
    assert back.nouts == model.nouts
    assert [layer.activation for layer in back.layers] == [
        layer.activation for layer in model.layers]
    assert_same(back, module, torch, shape[0])
    nn.load_torch_state(model, module)
    assert_same(model, module, torch, shape[0])


def test_from_a_state_dict_with_activations_given():
    torch = require_torch()
    module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    module = module.double()
    model = nn.MLP.from_torch(module.state_dict(), activation="tanh")
    assert_same(model, module, torch, 2)
    into = nn.MLP(2, [3, 1], "tanh")
    nn.load_torch_state(into, module.state_dict())
    assert_same(into, module, torch, 2)


def test_a_wrong_shape_names_the_layer_and_changes_nothing():
    torch = require_torch()
    model = make(SHAPES[0])
    before = model.state_dict()
    bad = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(5, 1))
    with pytest.raises(ValueError, match=r"layers\.1 \(PyTorch '2'\): weight shape \(1, 5\)"):
        nn.load_torch_state(model, bad)
    with pytest.raises(ValueError, match="takes 5 inputs"):
        nn.MLP.from_torch(bad)
    with pytest.raises(ValueError, match="3 Linear layers, the MLP 2"):
        nn.load_torch_state(model, torch.nn.Sequential(
            torch.nn.Linear(3, 3), torch.nn.Linear(3, 3), torch.nn.Linear(3, 1)))
    assert model.state_dict() == before


def test_a_wrong_activation_names_the_layer_and_changes_nothing():
    torch = require_torch()
    model = make(SHAPES[0])
    before = model.state_dict()
    bad = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    with pytest.raises(ValueError, match=r"layers\.0 \(PyTorch '0'\): activation 'tanh'"):
        nn.load_torch_state(model, bad)
    assert model.state_dict() == before


def test_modules_that_are_not_mlps_are_refused():
    torch = require_torch()
    with pytest.raises(ValueError, match="'1': Dropout has no valuegrad equivalent"):
        nn.MLP.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(),
                                              torch.nn.Linear(2, 1)))
    with pytest.raises(ValueError, match="must follow a Linear"):
        nn.MLP.from_torch(torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(2, 1)))

    class Skip(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Linear(2, 2)
            self.b = torch.nn.Linear(2, 2)

        def forward(self, x):
            return self.b(self.a(x)) + x  # a skip connection: not a chain of layers

    with pytest.raises(ValueError, match="not an MLP"):
        nn.MLP.from_torch(Skip().double())
    with pytest.raises(TypeError, match="state dict"):
        nn.MLP.from_torch([1, 2])
    with pytest.raises(ValueError, match="neither a weight nor a bias"):
        nn.MLP.from_torch({"0.running_mean": torch.zeros(2)})


def test_non_finite_weights_are_refused():
    torch = require_torch()
    module = torch.nn.Sequential(torch.nn.Linear(2, 1)).double()
    with torch.no_grad():
        module[0].weight[0, 1] = float("nan")
    with pytest.raises(ValueError, match=r"0\.weight: non-finite"):
        nn.MLP.from_torch(module)


def test_without_torch_the_error_says_how_to_install_it(monkeypatch):
    model = make(SHAPES[0])
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"pip install 'valuegrad\[torch\]'"):
        model.to_torch()
    with pytest.raises(ImportError, match=r"pip install 'valuegrad\[torch\]'"):
        nn.MLP.from_torch({})


def test_an_mlp_shaped_module_of_its_own_class_comes_back():
    torch = require_torch()

    class Small(torch.nn.Module):  # PyTorch style: layers as attributes, forward chains them
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(3, 4)
            self.act = torch.nn.Tanh()
            self.fc2 = torch.nn.Linear(4, 2)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))

    module = Small().double()
    model = nn.MLP.from_torch(module)
    assert [layer.activation for layer in model.layers] == ["tanh", "linear"]
    assert_same(model, module, torch, 3)
