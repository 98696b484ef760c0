"""Losses: values and gradients against PyTorch and finite differences, stability, bad input."""

from __future__ import annotations

import math

import pytest
from conftest import require_torch
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Value, gradcheck

# A few outputs/targets that exercise both signs and the region near 0 and 1.
SCORES = [2.5, -1.25, 0.3, -0.05, 7.0]
PROBS = [0.9, 0.2, 0.55, 0.01, 0.999]
BINARY = [1.0, 0.0, 1.0, 0.0, 0.0]
SOFT = [0.7, 0.1, 1.0, 0.0, 0.5]
SIGNS = [1.0, -1.0, -1.0, 1.0, 1.0]
REAL = [1.5, -2.0, 0.25, 0.0, 3.0]


def ours(loss, outputs, targets):
    """Loss value and d(loss)/d(output) from valuegrad."""
    xs = [Value(o) for o in outputs]
    value = loss(xs, targets)
    value.backward()
    return value.data, [x.grad for x in xs]


def theirs(torch, fn, outputs, targets):
    x = torch.tensor(outputs, requires_grad=True)
    value = fn(x, torch.tensor(targets))
    value.backward()
    return value.item(), x.grad.tolist()


def assert_close(a, b, rel=1e-12):
    assert a == pytest.approx(b, rel=rel, abs=1e-15)


@pytest.mark.parametrize("name", ["mse", "bce", "bce_soft", "bce_logits", "hinge"])
def test_binary_and_regression_losses_match_pytorch(name):
    torch = require_torch()
    F = torch.nn.functional
    cases = {
        "mse": (nn.mse, F.mse_loss, REAL, SOFT),
        "bce": (nn.bce, F.binary_cross_entropy, PROBS, BINARY),
        "bce_soft": (nn.bce, F.binary_cross_entropy, PROBS, SOFT),
        "bce_logits": (nn.bce_with_logits, F.binary_cross_entropy_with_logits, SCORES, SOFT),
        "hinge": (nn.hinge, lambda s, y: torch.relu(1 - y * s).mean(), SCORES, SIGNS),
    }
    loss, reference, outputs, targets = cases[name]
    value, grads = ours(loss, outputs, targets)
    ref_value, ref_grads = theirs(torch, reference, outputs, targets)
    assert_close(value, ref_value)
    for g, r in zip(grads, ref_grads, strict=True):
        assert_close(g, r, rel=1e-10)


def test_half_sse_is_half_the_summed_squares():
    torch = require_torch()
    value, grads = ours(nn.half_sse, REAL, SOFT)
    ref_value, ref_grads = theirs(torch, lambda o, t: 0.5 * ((t - o) ** 2).sum(), REAL, SOFT)
    assert_close(value, ref_value)
    assert grads == pytest.approx(ref_grads, rel=1e-14)


def test_cross_entropy_matches_pytorch_on_a_batch():
    torch = require_torch()
    logits = [[2.0, -1.0, 0.5], [0.1, 0.2, 0.3], [-3.0, 4.0, 1.0], [800.0, -800.0, 799.0]]
    labels = [0, 2, 1, 2]
    xs = [[Value(z) for z in row] for row in logits]
    value = nn.cross_entropy(xs, labels)
    value.backward()
    z = torch.tensor(logits, requires_grad=True)
    reference = torch.nn.functional.cross_entropy(z, torch.tensor(labels))
    reference.backward()
    assert_close(value.data, reference.item())
    for row, ref_row in zip(xs, z.grad.tolist(), strict=True):
        for x, r in zip(row, ref_row, strict=True):
            assert_close(x.grad, r, rel=1e-10)


def test_l2_matches_pytorch():
    torch = require_torch()
    values = [Value(w) for w in REAL]
    penalty = nn.l2(values, 1e-4)
    penalty.backward()
    w = torch.tensor(REAL, requires_grad=True)
    reference = 1e-4 * (w * w).sum()
    reference.backward()
    assert_close(penalty.data, reference.item())
    assert [v.grad for v in values] == pytest.approx(w.grad.tolist(), rel=1e-14)


@pytest.mark.parametrize("loss, targets", [
    (nn.mse, [0.5, -1.0, 2.0]),
    (nn.half_sse, [0.5, -1.0, 2.0]),
    (nn.bce_with_logits, [1.0, 0.0, 0.3]),
    (nn.hinge, [1.0, -1.0, 1.0]),
])
def test_gradients_agree_with_finite_differences(loss, targets):
    assert gradcheck(lambda a, b, c: loss([a, b, c], targets), [0.4, 0.1, -0.8])


def test_bce_and_cross_entropy_gradients_agree_with_finite_differences():
    assert gradcheck(lambda a, b: nn.bce([a, b], [1.0, 0.25]), [0.3, 0.8])
    assert gradcheck(lambda a, b, c: nn.cross_entropy([a, b, c], 1), [0.2, -1.5, 3.0])


def test_logit_losses_are_stable_for_huge_scores():
    torch = require_torch()
    for z, t in [(1000.0, 0.0), (-1000.0, 1.0), (1000.0, 1.0), (-1000.0, 0.0)]:
        x = Value(z)
        loss = nn.bce_with_logits(x, t)
        loss.backward()
        zt = torch.tensor([z], requires_grad=True)
        ref = torch.nn.functional.binary_cross_entropy_with_logits(zt, torch.tensor([t]))
        ref.backward()
        assert math.isfinite(loss.data) and loss.data == ref.item()
        assert x.grad == zt.grad.item()
    # log-sum-exp: scores whose exp overflows still give exact finite answers.
    xs = [Value(1000.0), Value(0.0), Value(-1000.0)]
    loss = nn.cross_entropy(xs, 1)
    loss.backward()
    assert loss.data == 1000.0
    assert [x.grad for x in xs] == [1.0, -1.0, 0.0]


def test_bce_on_probabilities_clamps_log_like_pytorch():
    torch = require_torch()
    for p, t in [(0.0, 1.0), (1.0, 0.0), (0.0, 0.0), (1.0, 1.0), (1e-300, 1.0)]:
        ours_value = nn.bce(Value(p), t).data
        ref = torch.nn.functional.binary_cross_entropy(torch.tensor([p]), torch.tensor([t]))
        assert ours_value == ref.item()
    assert nn.bce(Value(0.0), 1.0).data == 100.0


def test_losses_accept_single_values_and_batches_of_lists():
    a, b = Value(1.0), Value(3.0)
    assert nn.mse(a, 0.0).data == 1.0
    assert nn.mse([[a, b], [b, a]], [[0.0, 0.0], [3.0, 1.0]]).data == 10.0 / 4
    assert nn.half_sse([a, b], [0.0, 1.0]).data == 0.5 + 2.0
    assert nn.hinge([Value(0.5), Value(-2.0)], [1, -1]).data == 0.25


def test_shape_mismatches_say_where():
    a, b = Value(1.0), Value(2.0)
    with pytest.raises(ValueError, match=r"mse: output has 2 entries but target has 3"):
        nn.mse([a, b], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"half_sse: target\[1\] should be a list of 2"):
        nn.half_sse([[a, b], [a, b]], [[1.0, 2.0], 3.0])
    with pytest.raises(ValueError, match=r"mse: target\[0\] should be one number .* got a list"):
        nn.mse([a], [[1.0]])
    with pytest.raises(TypeError, match=r"mse: target\[0\] should be one number .* got str"):
        nn.mse([a], ["1"])
    with pytest.raises(TypeError, match=r"output\[0\] should be a Value or a list"):
        nn.mse(["x"], [1.0])
    with pytest.raises(ValueError, match="output and target are empty"):
        nn.mse([], [])


def test_label_and_range_errors():
    with pytest.raises(ValueError, match=r"hinge needs labels -1 or \+1, got 0.0 at entry 1"):
        nn.hinge([Value(1.0), Value(2.0)], [1, 0])
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\], got 2.5 .*bce_with_logits"):
        nn.bce([Value(2.5)], [1.0])
    with pytest.raises(ValueError, match=r"targets in \[0, 1\], got -1.0"):
        nn.bce_with_logits([Value(2.5)], [-1.0])
    with pytest.raises(ValueError, match="target = 3 is not a class index for 3 classes"):
        nn.cross_entropy([Value(1.0), Value(2.0), Value(3.0)], 3)
    with pytest.raises(TypeError, match=r"target\[1\] should be a class index \(int\)"):
        nn.cross_entropy([[Value(1.0), Value(2.0)], [Value(1.0), Value(2.0)]], [0, 1.0])
    with pytest.raises(ValueError, match="2 targets but logits is a list of 3"):
        nn.cross_entropy([[Value(1.0), Value(2.0)]] * 3, [0, 1])
    with pytest.raises(ValueError, match="l2: no parameters"):
        nn.l2([])
    with pytest.raises(TypeError, match="l2: parameter 0 is float"):
        nn.l2([1.0])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-60, 60), min_size=2, max_size=5), st.data())
def test_logit_losses_match_pytorch_anywhere(scores, data):
    torch = require_torch()
    label = data.draw(st.integers(0, len(scores) - 1))
    targets = data.draw(st.lists(st.floats(0, 1), min_size=len(scores), max_size=len(scores)))
    xs = [Value(s) for s in scores]
    loss = nn.cross_entropy(xs, label) + nn.bce_with_logits(xs, targets)
    loss.backward()
    z = torch.tensor(scores, requires_grad=True)
    F = torch.nn.functional
    reference = (F.cross_entropy(z.unsqueeze(0), torch.tensor([label]))
                 + F.binary_cross_entropy_with_logits(z, torch.tensor(targets)))
    reference.backward()
    assert loss.data == pytest.approx(reference.item(), rel=1e-12, abs=1e-12)
    assert [x.grad for x in xs] == pytest.approx(z.grad.tolist(), rel=1e-9, abs=1e-12)
