"""Optimisers: trajectories against PyTorch's, frozen parameters, schedules, bad input."""

from __future__ import annotations

import pytest
from conftest import require_torch

import nn
from autograd import Value

START = [0.5, -1.5, 2.0]


def loss_of(ws):
    """A small non-quadratic loss so momentum and Adam's moments all matter."""
    a, b, c = ws
    return (a * b - 1.0) ** 2 + (b + c).tanh() + 0.1 * c ** 4


def our_trajectory(make, steps=25):
    ws = [Value(w) for w in START]
    optimizer = make(ws)
    for _ in range(steps):
        optimizer.zero_grad()
        loss_of(ws).backward()
        optimizer.step()
    return [w.data for w in ws]


def torch_trajectory(torch, make, steps=25):
    w = torch.tensor(START, requires_grad=True)
    optimizer = make([w])
    for _ in range(steps):
        optimizer.zero_grad()
        loss_of(w).backward()
        optimizer.step()
    return w.tolist()


@pytest.mark.parametrize("ours, theirs", [
    (lambda p: nn.SGD(p, lr=0.05), lambda t, p: t.optim.SGD(p, lr=0.05)),
    (lambda p: nn.SGD(p, lr=0.05, momentum=0.9),
     lambda t, p: t.optim.SGD(p, lr=0.05, momentum=0.9)),
    (lambda p: nn.SGD(p, lr=0.05, momentum=0.5, weight_decay=0.1),
     lambda t, p: t.optim.SGD(p, lr=0.05, momentum=0.5, weight_decay=0.1)),
    (lambda p: nn.Adam(p, lr=0.1), lambda t, p: t.optim.Adam(p, lr=0.1)),
    (lambda p: nn.Adam(p, lr=0.1, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05),
     lambda t, p: t.optim.Adam(p, lr=0.1, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)),
    (lambda p: nn.AdamW(p, lr=0.1), lambda t, p: t.optim.AdamW(p, lr=0.1)),
    (lambda p: nn.AdamW(p, lr=0.1, weight_decay=0.3),
     lambda t, p: t.optim.AdamW(p, lr=0.1, weight_decay=0.3)),
], ids=["sgd", "momentum", "momentum+decay", "adam", "adam+options", "adamw", "adamw+decay"])
def test_trajectories_match_pytorch(ours, theirs):
    torch = require_torch()
    mine = our_trajectory(ours)
    reference = torch_trajectory(torch, lambda p: theirs(torch, p))
    assert mine != START
    assert mine == pytest.approx(reference, rel=1e-12, abs=1e-14)


def test_frozen_parameters_are_skipped_and_keep_their_state():
    ws = [Value(w) for w in START]
    ws[1].requires_grad = False
    optimizer = nn.Adam(ws, lr=0.1)
    for _ in range(3):
        optimizer.zero_grad()
        loss_of(ws).backward()
        optimizer.step()
    assert ws[1].data == START[1] and ws[0].data != START[0]
    assert optimizer.counts == [3, 0, 3]


def test_sgd_step_is_plain_gradient_descent():
    w = Value(2.0)
    optimizer = nn.SGD([w], lr=0.25)
    (w * w).backward()
    optimizer.step()
    assert w.data == 2.0 - 0.25 * 4.0
    optimizer.zero_grad()
    assert w.grad == 0.0 and optimizer.steps == 1


def test_learning_rate_schedule_gets_the_step_count():
    seen = []

    def schedule(k):
        seen.append(k)
        return 1.0 - 0.9 * k / 100

    w = Value(1.0)
    optimizer = nn.SGD([w], lr=schedule)
    for _ in range(3):
        optimizer.zero_grad()
        w.backward()  # d w / d w = 1, so each step moves w by the rate
        optimizer.step()
    assert seen == [0, 1, 2]
    assert w.data == 1.0 - 1.0 - 0.991 - 0.982
    assert optimizer.current_lr() == 1.0 - 0.9 * 3 / 100


def test_modules_can_be_given_directly():
    mlp = nn.MLP(2, [2, 1], seed=0)
    assert nn.SGD(mlp, lr=0.1).params == mlp.parameters()


def test_bad_optimiser_arguments():
    with pytest.raises(ValueError, match="no trainable parameters .*0 given"):
        nn.SGD([], lr=0.1)
    frozen = Value(1.0, requires_grad=False)
    with pytest.raises(ValueError, match="no trainable parameters .*1 given, none with"):
        nn.Adam([frozen])
    with pytest.raises(TypeError, match="parameter 0 given to SGD is float, not a Value"):
        nn.SGD([1.0], lr=0.1)
    with pytest.raises(ValueError, match="computed by an operation"):
        nn.SGD([Value(1.0) * 2], lr=0.1)
    with pytest.raises(ValueError, match="lr must be a finite number >= 0, got -0.1"):
        nn.SGD([Value(1.0)], lr=-0.1)
    with pytest.raises(TypeError, match="lr must be a number, got str"):
        nn.SGD([Value(1.0)], lr="0.1")
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\.0\)"):
        nn.SGD([Value(1.0)], lr=0.1, momentum=1.0)
    with pytest.raises(TypeError, match="betas must be a pair"):
        nn.Adam([Value(1.0)], betas=0.9)
    optimizer = nn.SGD([Value(1.0)], lr=lambda k: float("nan"))
    with pytest.raises(ValueError, match="lr schedule at step 0 must be a finite number"):
        optimizer.step()


def test_hyper_parameters_are_checked_when_the_optimiser_is_made():
    w = [Value(1.0)]
    for bad, message in [(dict(eps=-1e-8), r"eps must be a finite number >= 0, got -1e-08"),
                         (dict(eps=float("nan")), "eps must be a finite number >= 0, got nan"),
                         (dict(lr=-0.1), "lr must be a finite number >= 0"),
                         (dict(lr=float("inf")), "lr must be a finite number >= 0, got inf"),
                         (dict(betas=(1.0, 0.999)), r"betas\[0\] must be in \[0, 1\.0\), got 1"),
                         (dict(betas=(0.9, -0.1)), r"betas\[1\] must be in \[0, 1\.0\)"),
                         (dict(weight_decay=-1.0), "weight_decay must be a finite number >= 0")]:
        for make in (nn.Adam, nn.AdamW):
            with pytest.raises(ValueError, match=message):
                make(w, **bad)
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\.0\), got -0.5"):
        nn.SGD(w, lr=0.1, momentum=-0.5)
    with pytest.raises(TypeError, match="eps must be a number, got str"):
        nn.Adam(w, eps="1e-8")


@pytest.mark.parametrize("make", [nn.Adam, nn.AdamW], ids=["adam", "adamw"])
@pytest.mark.parametrize("grads", [[0.0, 0.0], [0.0, 3.0], [float("inf"), 0.0]],
                         ids=["zero", "one-zero", "inf"])
def test_updates_follow_ieee_like_pytorch(make, grads):
    torch = require_torch()
    ours = [Value(1.0), Value(-2.0)]
    optimizer = make(ours, lr=0.1, eps=0.0)
    theirs = torch.tensor([1.0, -2.0], requires_grad=True)
    reference = getattr(torch.optim, make.__name__)([theirs], lr=0.1, eps=0.0)
    for _ in range(2):
        for p, g in zip(ours, grads):
            p.grad = g
        optimizer.step()  # eps=0 with a zero gradient is 0 / 0: nan, as in PyTorch
        theirs.grad = torch.tensor(grads)
        reference.step()
    expected = theirs.tolist()
    for p, want in zip(ours, expected):
        assert (p.data != p.data and want != want) or p.data == pytest.approx(want, rel=1e-12)


def test_ieee_divide_gives_infinities_and_nan():
    from nn.optim import ieee_divide
    assert ieee_divide(1.0, 0.0) == float("inf") and ieee_divide(-1.0, 0.0) == float("-inf")
    assert ieee_divide(1.0, -0.0) == float("-inf")
    assert ieee_divide(0.0, 0.0) != ieee_divide(0.0, 0.0)  # nan
    assert ieee_divide(6.0, 3.0) == 2.0
