"""to_torch: a Value graph rebuilt as PyTorch float64 operations, leaf for leaf."""

from __future__ import annotations

import random
import sys

import pytest
from conftest import require_torch
from opcases import ops_used, random_program, run_values

import autograd
from autograd import OPS, Value


def test_a_neuron_twin_has_the_same_value_and_gradients():
    torch = require_torch()
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    c = Value(0.5, requires_grad=False)
    y = (x * w + b).tanh() * c
    twin = autograd.to_torch(y)
    assert twin.root.dtype == torch.float64
    assert twin.root.item() == pytest.approx(y.data, rel=1e-15)
    leaves = twin.leaf_tensors()
    assert set(leaves) == {x, w, b, c}
    assert not leaves[c].requires_grad and leaves[x].requires_grad
    twin.root.backward()
    y.backward()
    for v in (x, w, b):
        assert leaves[v].grad.item() == pytest.approx(v.grad, rel=1e-12)
    assert leaves[c].grad is None and c.grad == 0.0


def test_every_op_has_a_twin_and_random_graphs_agree():
    torch = require_torch()
    programs = [random_program(random.Random(100 + k), 3, 12) for k in range(40)]
    assert ops_used(programs) >= set(OPS)
    for leaves, steps in programs:
        root = run_values(steps, [Value(x) for x in leaves])[0]
        twin = autograd.to_torch(root)
        for node, tensor in twin.tensors.items():
            assert tensor.item() == pytest.approx(node.data, rel=1e-12, abs=1e-300)
        assert twin.root is twin.tensors[root] and twin.root.dtype == torch.float64


def test_dtype_is_chosen_by_the_caller():
    torch = require_torch()
    x = Value(1.5)
    assert autograd.to_torch(x.exp(), dtype=torch.float32).root.dtype == torch.float32


def test_to_torch_refuses_what_is_not_a_value():
    require_torch()
    with pytest.raises(TypeError, match="needs a Value"):
        autograd.to_torch(1.0)


def test_without_torch_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'valuegrad\[torch\]'"):
        autograd.to_torch(Value(1.0) * 2.0)
