"""nn.fit(compile=True): the traced training step trains exactly like the eager one."""

from __future__ import annotations

from typing import Any

import pytest

import nn


def train(compile_step: bool, loss: Any, optimizer: str, steps: int = 6
          ) -> tuple[dict[str, list[float]], list[float]]:
    X, y = nn.make_moons(30, noise=0.1, seed=0)
    targets = nn.signed(y) if loss is nn.hinge else [float(t) for t in y]
    model = nn.MLP(2, [8, 8, 1], seed=1)
    opt = nn.SGD(model.parameters(), lr=0.1) if optimizer == "sgd" else \
        nn.Adam(model.parameters(), lr=0.01)
    history = nn.fit(model, X, targets, loss=loss, optimizer=opt, steps=steps, l2=1e-4,
                     quiet=True, compile=compile_step)
    return history, [p.data for p in model.parameters()]


@pytest.mark.parametrize(("loss", "optimizer"), [(nn.hinge, "sgd"), (nn.mse, "adam")])
def test_compiled_fit_matches_eager_fit(loss: Any, optimizer: str) -> None:
    eager_history, eager_params = train(False, loss, optimizer)
    compiled_history, compiled_params = train(True, loss, optimizer)
    assert compiled_history == eager_history  # every loss, lr and accuracy, exactly
    assert compiled_params == eager_params
    assert eager_history["loss"][-1] != eager_history["loss"][0]  # it did train


def test_compiled_fit_needs_full_batches() -> None:
    X, y = nn.make_moons(20, seed=0)
    model = nn.MLP(2, [4, 1], seed=1)
    with pytest.raises(ValueError, match="compile=True .* full-batch"):
        nn.fit(model, X, nn.signed(y), loss=nn.hinge, optimizer=nn.SGD(model.parameters(), 0.1),
               steps=2, batch_size=5, quiet=True, compile=True)


def test_compiled_cross_entropy_fit_is_eager_fit_exactly() -> None:
    """cross_entropy shifts by the largest logit, found by guarded comparisons."""
    X, y = nn.spirals(30, seed=0)
    runs = []
    for compile_step in (False, True):
        model = nn.MLP(2, [8, 3], seed=1)
        history = nn.fit(model, X, y, loss=nn.cross_entropy, steps=5, quiet=True,
                         optimizer=nn.Adam(model.parameters(), lr=0.01), compile=compile_step)
        runs.append((history["loss"], [p.data for p in model.parameters()]))
    assert runs[0] == runs[1]
