"""Seeds: an int, a NumPy integer (the same draws) or None, in every nn function that takes one."""

from __future__ import annotations

import pytest

import nn

np = pytest.importorskip("numpy")


def test_numpy_integers_seed_splits_data_models_and_training_as_ints_do():
    X, y = nn.make_moons(20, noise=0.1, seed=np.int64(1))
    assert (X, y) == nn.make_moons(20, noise=0.1, seed=1)
    assert nn.split(X, y, seed=np.int64(3)) == nn.split(X, y, seed=3)
    assert nn.split(X, y, seed=np.int32(3)) == nn.split(X, y, seed=3)
    assert nn.kfold(X, y, k=4, seed=np.uint8(3)) == nn.kfold(X, y, k=4, seed=3)
    for make in (nn.make_circles, nn.xor, nn.spirals):
        assert make(8, noise=0.1, seed=np.int64(2)) == make(8, noise=0.1, seed=2)
    assert nn.MLP(2, [3, 1], seed=np.int64(4)).state_dict() == \
        nn.MLP(2, [3, 1], seed=4).state_dict()
    runs = []
    for seed in (np.int64(5), 5):
        model = nn.MLP(2, [3, 1], seed=0)
        runs.append(nn.fit(model, X, nn.signed(y), loss=nn.hinge, optimizer=nn.SGD(model, lr=0.1),
                           steps=3, batch_size=4, seed=seed, quiet=True)["loss"])
    assert runs[0] == runs[1]


@pytest.mark.parametrize("bad", [1.5, "3", True, np.float64(3.0)])
def test_other_seeds_are_refused_naming_the_function(bad):
    X, y = nn.make_moons(10, seed=0)
    with pytest.raises(TypeError, match=r"split: seed must be an int or None"):
        nn.split(X, y, seed=bad)
    with pytest.raises(TypeError, match=r"seed must be an int or None"):
        nn.MLP(2, [1], seed=bad)
