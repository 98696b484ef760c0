"""gradcheck at a kink reports the non-differentiable point, and does not blame the op."""

from __future__ import annotations

import pytest

import autograd


def test_relu_at_zero_is_reported_as_a_kink_with_its_one_sided_slopes():
    with pytest.raises(autograd.GradcheckError) as info:
        autograd.gradcheck(lambda a: a.relu(), [0.0])
    message = str(info.value)
    assert "relu at 0: one-sided slopes 0 and 1; the engine uses 0, as PyTorch" in message
    assert "not a bug" in message and "first wrong local derivative" not in message


def test_a_kink_inside_a_bigger_expression_is_named_too():
    with pytest.raises(autograd.GradcheckError, match=r"relu at 0: one-sided slopes 0 and 1"):
        autograd.gradcheck(lambda a, b: (a - b).relu() * 3.0, [1.0, 1.0])


def test_away_from_the_kink_relu_passes():
    assert autograd.gradcheck(lambda a: a.relu(), [0.5])
    assert autograd.gradcheck(lambda a: a.relu(), [-0.5])
