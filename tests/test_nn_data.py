"""Toy data sets: seeded, plain lists, the documented label convention, the right geometry."""

from __future__ import annotations

import math

import pytest

import nn

MAKERS = [nn.make_moons, nn.make_circles, nn.xor, nn.spirals]


@pytest.mark.parametrize("make", MAKERS)
def test_seeded_plain_lists(make):
    X, y = make(40, noise=0.1, seed=3)
    assert (X, y) == make(40, noise=0.1, seed=3)
    assert X != make(40, noise=0.1, seed=4)[0]
    assert type(X) is list and type(y) is list and len(X) == len(y) == 40
    assert all(type(p) is list and len(p) == 2 and all(type(c) is float for c in p) for p in X)
    assert all(type(label) is int for label in y)


@pytest.mark.parametrize("make", [nn.make_moons, nn.make_circles])
def test_two_balanced_classes_labelled_0_and_1(make):
    _, y = make(41, seed=0)
    assert sorted(set(y)) == [0, 1] and y.count(0) == 20 and y.count(1) == 21
    assert y != sorted(y)  # shuffled


def test_moons_geometry_without_noise():
    X, y = nn.make_moons(50, seed=0)
    for (a, b), label in zip(X, y, strict=True):
        # Upper moon: unit half circle at the origin; lower moon: the same, flipped and shifted.
        cx, cy = (0.0, 0.0) if label == 0 else (1.0, 0.5)
        assert math.hypot(a - cx, b - cy) == pytest.approx(1.0, abs=1e-12)
        assert (b >= -1e-12) if label == 0 else (b <= 0.5 + 1e-12)


def test_circles_geometry_without_noise():
    X, y = nn.make_circles(30, factor=0.5, seed=0)
    for (a, b), label in zip(X, y, strict=True):
        assert math.hypot(a, b) == pytest.approx(1.0 if label == 0 else 0.5, abs=1e-12)


def test_noise_moves_points_by_about_its_size():
    clean, _ = nn.make_moons(400, seed=1)
    noisy, _ = nn.make_moons(400, noise=0.1, seed=1)  # same seed: same shuffle, then noise
    shifts = [a - b for p, q in zip(noisy, clean, strict=True) for a, b in zip(p, q, strict=True)]
    spread = math.sqrt(sum(s * s for s in shifts) / len(shifts))
    assert 0.08 < spread < 0.12


def test_xor_is_the_truth_table():
    assert nn.xor() == ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    X, y = nn.xor(8, noise=0.05, seed=1)
    assert y == [0, 1, 1, 0] * 2
    assert all(abs(X[i][0] - X[i + 4][0]) < 0.5 for i in range(4))


def test_spirals_have_every_class_and_unit_radius():
    X, y = nn.spirals(31, n_classes=3, noise=0.0, seed=0)
    assert [y.count(k) for k in range(3)] == [11, 10, 10]
    assert max(math.hypot(a, b) for a, b in X) == pytest.approx(1.0)


def test_signed_labels_for_the_hinge_loss():
    assert nn.signed([0, 1, 1, 0]) == [-1, 1, 1, -1]
    with pytest.raises(ValueError, match="needs labels 0 or 1, got 2 at index 1"):
        nn.signed([0, 2])


def test_bad_data_set_arguments():
    with pytest.raises(ValueError, match="n_samples must be at least 1, got 0"):
        nn.make_moons(0)
    with pytest.raises(TypeError, match="n_samples must be an int, got float"):
        nn.make_circles(10.0)
    with pytest.raises(ValueError, match="noise must be a finite number >= 0, got -0.1"):
        nn.xor(4, noise=-0.1)
    with pytest.raises(ValueError, match="n_classes must be an int >= 2"):
        nn.spirals(10, n_classes=1)
    with pytest.raises(ValueError, match="factor must be a number between 0 and 1"):
        nn.make_circles(10, factor=1.5)
