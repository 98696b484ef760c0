"""fit(): history, batches and epochs, metrics, the progress bar, bad input."""

from __future__ import annotations

import gc

import pytest

import nn
from autograd import Value


def small_problem(seed=0):
    X, y = nn.make_moons(24, noise=0.1, seed=seed)
    return X, y, nn.MLP(2, [6, 1], activation="tanh", seed=seed)


def test_fit_is_train_step_repeated():
    X, y, model = small_problem()
    twin = nn.MLP(2, [6, 1], activation="tanh", seed=0)
    history = nn.fit(model, X, y, loss=nn.bce_with_logits, optimizer=nn.SGD(model, lr=0.5),
                     steps=5, quiet=True)
    optimizer = nn.SGD(twin, lr=0.5)
    losses = [nn.train_step(twin, X, y, nn.bce_with_logits, optimizer)[0] for _ in range(5)]
    assert history["loss"] == losses
    assert model.state_dict() == twin.state_dict()
    assert history["lr"] == [0.5] * 5
    assert len(history["accuracy"]) == 5 and all(0.0 <= a <= 1.0 for a in history["accuracy"])
    assert history["loss"][-1] < history["loss"][0]


def test_history_records_the_batch_before_the_update():
    model = nn.MLP(1, [1], activation="linear", seed=0)
    model.set_weights([[[0.0]]], [[0.0]])
    history = nn.fit(model, [[1.0]], [2.0], loss=nn.mse, optimizer=nn.SGD(model, lr=0.25),
                     steps=2, quiet=True)
    # step 0: output 0, loss 4, gradient -4 per parameter -> w = b = 1; step 1: output 2, loss 0.
    assert history == {"loss": [4.0, 0.0], "lr": [0.25, 0.25]}


def test_minibatches_cover_every_sample_once_per_epoch():
    seen = []

    def recording_loss(outputs, targets):
        seen.append(sorted(targets))
        return nn.mse(outputs, targets)

    X = [[float(i)] for i in range(7)]
    y = [float(i) for i in range(7)]
    model = nn.MLP(1, [1], activation="linear", seed=0)
    history = nn.fit(model, X, y, loss=recording_loss, optimizer=nn.SGD(model, lr=0.0),
                     epochs=2, batch_size=3, quiet=True, seed=5)
    assert len(history["loss"]) == 6  # ceil(7 / 3) batches per epoch
    assert [len(batch) for batch in seen] == [3, 3, 1, 3, 3, 1]
    assert sorted(sum(seen[:3], [])) == y and sorted(sum(seen[3:], [])) == y
    assert seen[:3] != seen[3:]  # reshuffled between epochs


def test_multi_class_training_with_cross_entropy_improves_accuracy():
    X, y = nn.spirals(30, n_classes=3, noise=0.1, seed=2)
    model = nn.MLP(2, [12, 3], activation="tanh", seed=2)
    history = nn.fit(model, X, y, loss=nn.cross_entropy, optimizer=nn.Adam(model, lr=0.05),
                     steps=40, quiet=True)
    assert history["loss"][-1] < history["loss"][0]
    assert history["accuracy"][-1] > history["accuracy"][0]


def test_custom_metrics_and_l2():
    X, y, model = small_problem(1)
    calls = []

    def batch_size(outputs, targets):
        calls.append(len(outputs))
        return float(len(outputs))

    history = nn.fit(model, X, y, loss=nn.bce_with_logits,
                     optimizer=nn.SGD(model, lr=0.1), steps=2, l2=0.5,
                     metrics={"n": batch_size}, quiet=True)
    assert set(history) == {"loss", "lr", "n"} and history["n"] == [24.0, 24.0]
    twin = nn.MLP(2, [6, 1], activation="tanh", seed=1)
    plain = nn.bce_with_logits([twin(x) for x in X], y) + nn.l2(twin, 0.5)
    assert history["loss"][0] == pytest.approx(plain.data, rel=1e-14)


def test_progress_bar_shows_loss_and_accuracy(capsys):
    X, y, model = small_problem()
    nn.fit(model, X, y, loss=nn.bce_with_logits, optimizer=nn.SGD(model, lr=0.5), steps=3)
    err = capsys.readouterr().err
    assert "3/3" in err and "loss=" in err and "accuracy=" in err
    nn.fit(model, X, y, loss=nn.bce_with_logits, optimizer=nn.SGD(model, lr=0.5), steps=3,
           quiet=True)
    assert capsys.readouterr().err == ""


def test_cycle_collector_is_restored():
    X, y, model = small_problem()
    assert gc.isenabled()
    nn.fit(model, X, y, loss=nn.bce_with_logits, optimizer=nn.SGD(model, lr=0.5), steps=1,
           quiet=True)
    assert gc.isenabled()
    gc.disable()
    try:
        nn.fit(model, X, y, loss=nn.bce_with_logits, optimizer=nn.SGD(model, lr=0.5), steps=1,
               quiet=True)
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_bad_training_input():
    X, y, model = small_problem()
    opt = nn.SGD(model, lr=0.1)
    fit = lambda X, y, **kw: nn.fit(model, X, y, loss=kw.pop("loss", nn.bce_with_logits),
                                    optimizer=kw.pop("optimizer", opt),
                                    quiet=True, **({"steps": 1} | kw))
    with pytest.raises(ValueError, match="the data set is empty"):
        fit([], [])
    with pytest.raises(ValueError, match="24 samples but 23 targets"):
        fit(X, y[:-1])
    with pytest.raises(ValueError, match="sample 2 has 3 features; the model expects 2"):
        fit(X[:2] + [[1.0, 2.0, 3.0]], y[:3])
    with pytest.raises(TypeError, match="sample 1, feature 0 must be a number, got str: 'a'"):
        fit([[0.0, 1.0], ["a", 1.0]], [0, 1])
    with pytest.raises(TypeError, match="sample 0 must be a list of numbers, got float"):
        fit([1.0, 2.0], [0, 1])
    with pytest.raises(ValueError, match=r"target\[0\] should be one number"):
        fit(X[:2], [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="exactly one of steps= or epochs="):
        fit(X, y, epochs=2)
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        fit(X, y, batch_size=0)
    with pytest.raises(TypeError, match="optimizer must be an nn optimiser"):
        fit(X, y, optimizer=object())
    with pytest.raises(TypeError, match="the loss function must return a Value, got float"):
        fit(X, y, loss=lambda o, t: 0.0)
    with pytest.raises(ValueError, match="metric name 'loss' is taken"):
        fit(X, y, metrics={"loss": lambda o, t: 0.0})
    with pytest.raises(ValueError, match="l2 must be a finite number >= 0"):
        fit(X, y, l2=-1.0)


def test_a_single_value_model_output_is_fine_for_custom_models():
    class Line(nn.Module):
        def __init__(self):
            self.w = Value(0.0)

        def __call__(self, x):
            return self.w * x[0]

    model = Line()
    history = nn.fit(model, [[1.0], [2.0]], [2.0, 4.0], loss=nn.mse,
                     optimizer=nn.SGD(model, lr=0.1), steps=30, quiet=True)
    assert model.w.data == pytest.approx(2.0, abs=1e-6)
    assert history["loss"][-1] < 1e-10


def test_numpy_arrays_are_accepted_as_data():
    import numpy as np  # a test dependency (setup.cfg [test])
    X, y, model = small_problem()
    twin = nn.MLP(2, [6, 1], activation="tanh", seed=0)
    a = nn.fit(model, np.array(X), np.array(y), loss=nn.bce_with_logits,
               optimizer=nn.SGD(model, lr=0.5), steps=2, quiet=True)
    b = nn.fit(twin, X, y, loss=nn.bce_with_logits, optimizer=nn.SGD(twin, lr=0.5), steps=2,
               quiet=True)
    assert a == b
    assert model(np.array([0.5, 0.25])).data == twin([0.5, 0.25]).data
