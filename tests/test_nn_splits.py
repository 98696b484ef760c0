"""nn.split and nn.kfold: deterministic, disjoint, covering, and strict about their arguments."""

from __future__ import annotations

import math

import pytest

import nn


def numbered(n):
    """Samples whose first feature is their index, so every sample can be traced."""
    return [[float(i), 0.5 * i] for i in range(n)], [i % 2 for i in range(n)]


def ids(X):
    return [int(x[0]) for x in X]


def test_split_is_disjoint_covers_everything_and_keeps_pairs():
    X, y = numbered(25)
    (X_train, y_train), (X_val, y_val) = nn.split(X, y, 0.2, seed=3)
    assert len(X_val) == 5 and len(X_train) == 20
    assert set(ids(X_train)).isdisjoint(ids(X_val))
    assert sorted(ids(X_train) + ids(X_val)) == list(range(25))
    for X_side, y_side in ((X_train, y_train), (X_val, y_val)):
        assert [i % 2 for i in ids(X_side)] == y_side  # each target stays with its sample
        assert ids(X_side) == sorted(ids(X_side))  # original order kept inside a side


def test_split_is_deterministic_and_seeded():
    X, y = numbered(40)
    assert nn.split(X, y, 0.25, seed=7) == nn.split(X, y, 0.25, seed=7)
    assert nn.split(X, y, 0.25, seed=7) != nn.split(X, y, 0.25, seed=8)
    # Held-out samples are a shuffled draw, not simply the last ones.
    assert ids(nn.split(X, y, 0.25, seed=7)[1][0]) != list(range(30, 40))


def test_split_sizes_round_and_keep_both_sides_non_empty():
    X, y = numbered(10)
    assert len(nn.split(X, y, 0.01)[1][0]) == 1  # rounds to 0, but validation needs one
    assert len(nn.split(X, y, 0.99)[0][0]) == 1  # training side keeps one
    assert len(nn.split(X, y, 0.34)[1][0]) == 3
    X2, y2 = numbered(2)
    (a, _), (b, _) = nn.split(X2, y2, 0.5)
    assert len(a) == len(b) == 1


def test_numpy_arrays_split_like_lists():
    import numpy as np  # a test dependency (setup.cfg [test])
    X, y = numbered(12)
    assert nn.split(np.array(X), np.array(y), 0.5, seed=1) == nn.split(X, y, 0.5, seed=1)
    assert nn.kfold(np.array(X), np.array(y), 3, seed=1) == nn.kfold(X, y, 3, seed=1)


@pytest.mark.parametrize("fraction", [0, 0.0, 1, 1.0, -0.1, 1.5, math.nan, math.inf])
def test_split_refuses_a_fraction_outside_0_1(fraction):
    X, y = numbered(10)
    with pytest.raises(ValueError, match="fraction must be strictly between 0 and 1"):
        nn.split(X, y, fraction)


def test_split_bad_input():
    X, y = numbered(10)
    with pytest.raises(TypeError, match="fraction must be a number"):
        nn.split(X, y, "0.2")
    with pytest.raises(TypeError, match="fraction must be a number"):
        nn.split(X, y, True)
    with pytest.raises(ValueError, match="X has 10 samples but y has 9 targets"):
        nn.split(X, y[:-1], 0.2)
    with pytest.raises(ValueError, match="needs at least 2 samples"):
        nn.split(X[:1], y[:1], 0.5)
    with pytest.raises(TypeError, match="X must be a list of samples"):
        nn.split("abc", [1, 2, 3], 0.5)
    with pytest.raises(TypeError, match="seed must be an int"):
        nn.split(X, y, 0.5, seed=1.5)


def test_kfold_folds_are_disjoint_cover_everything_and_balance():
    X, y = numbered(23)
    pairs = nn.kfold(X, y, 5, seed=2)
    assert len(pairs) == 5
    held_out = [ids(val[0]) for _, val in pairs]
    assert sorted(sum(held_out, [])) == list(range(23))  # every sample validated exactly once
    assert sorted(len(fold) for fold in held_out) == [4, 4, 5, 5, 5]
    for (X_train, y_train), (X_val, y_val) in pairs:
        assert sorted(ids(X_train) + ids(X_val)) == list(range(23))
        assert set(ids(X_train)).isdisjoint(ids(X_val))
        assert [i % 2 for i in ids(X_train)] == y_train
        assert [i % 2 for i in ids(X_val)] == y_val


def test_kfold_is_deterministic_and_seeded():
    X, y = numbered(20)
    assert nn.kfold(X, y, 4, seed=0) == nn.kfold(X, y, 4, seed=0)
    assert nn.kfold(X, y, 4, seed=0) != nn.kfold(X, y, 4, seed=1)
    # k = n is leave-one-out.
    assert sorted(len(val[0]) for _, val in nn.kfold(X, y, 20)) == [1] * 20


@pytest.mark.parametrize("k", [1, 0, -3])
def test_kfold_refuses_fewer_than_two_folds(k):
    X, y = numbered(10)
    with pytest.raises(ValueError, match=f"kfold: k must be at least 2.*got {k}"):
        nn.kfold(X, y, k)


def test_kfold_bad_input():
    X, y = numbered(10)
    with pytest.raises(TypeError, match="k must be an int"):
        nn.kfold(X, y, 2.0)
    with pytest.raises(ValueError, match="k = 11 folds need at least 11 samples, got 10"):
        nn.kfold(X, y, 11)
    with pytest.raises(ValueError, match="X has 10 samples but y has 8 targets"):
        nn.kfold(X, y[:8], 2)
