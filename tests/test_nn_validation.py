"""fit(validation=..., early_stopping=...): validation figures, early stopping, bad input."""

from __future__ import annotations

import pytest

import autograd
import nn


def moons_split(n=40, noise=0.35, seed=3):
    X, y = nn.make_moons(n, noise=noise, seed=seed)
    return nn.split(X, y, 0.5, seed=0)


def val_loss_now(model, X_val, y_val, loss=nn.bce_with_logits, l2=0.0):
    """The validation loss of the model's current weights, computed independently of fit."""
    with autograd.no_grad():
        total = loss([model(x) for x in X_val], y_val)
        if l2:
            total = total + nn.l2(model, l2)
    return total.data


def grads(model):
    return [p.grad for p in model.parameters()]


def test_validation_is_measured_after_every_full_batch_step_and_changes_no_training():
    (X, y), (X_val, y_val) = moons_split()
    model, twin = nn.MLP(2, [6, 1], seed=1), nn.MLP(2, [6, 1], seed=1)
    history = nn.fit(model, X, y, loss=nn.bce_with_logits, optimizer=nn.SGD(model, lr=0.3),
                     steps=6, l2=1e-3, validation=(X_val, y_val), quiet=True)
    optimizer = nn.SGD(twin, lr=0.3)
    expected_loss, expected_val, expected_acc = [], [], []
    for _ in range(6):
        expected_loss.append(nn.train_step(twin, X, y, nn.bce_with_logits, optimizer, 1e-3)[0])
        expected_val.append(val_loss_now(twin, X_val, y_val, l2=1e-3))  # after the update
        with autograd.no_grad():
            scores = [twin(x).data for x in X_val]
        expected_acc.append(nn.logit_accuracy(scores, y_val))
    assert list(history) == ["loss", "lr", "accuracy", "val_step", "val_loss", "val_accuracy"]
    assert history["val_step"] == [1, 2, 3, 4, 5, 6]
    assert history["val_loss"] == expected_val
    assert history["val_accuracy"] == expected_acc
    assert history["loss"] == expected_loss  # validating changed nothing in training
    assert model.state_dict() == twin.state_dict()
    assert grads(model) == grads(twin)  # .grad holds the last step's gradients, as without
    assert history.stop_reason is None and history.stopped_step is None


def test_minibatch_training_validates_once_per_epoch():
    (X, y), (X_val, y_val) = moons_split(24)
    model = nn.MLP(2, [4, 1], seed=0)
    history = nn.fit(model, X, y, loss=nn.bce_with_logits, optimizer=nn.SGD(model, lr=0.1),
                     epochs=3, batch_size=5, validation=(X_val, y_val), quiet=True)
    assert len(history["loss"]) == 9  # 12 samples, batches of 5: 3 steps per epoch
    assert history["val_step"] == [3, 6, 9]
    assert len(history["val_loss"]) == len(history["val_accuracy"]) == 3
    assert history["val_loss"][-1] == val_loss_now(model, X_val, y_val)


def test_compiled_training_validates_through_the_compiled_forward_with_the_same_numbers():
    (X, y), (X_val, y_val) = moons_split()
    runs = {}
    for compiled in (False, True):
        model = nn.MLP(2, [8, 1], seed=2)
        history = nn.fit(model, X, y, loss=nn.bce_with_logits, optimizer=nn.Adam(model, lr=0.05),
                         steps=8, l2=1e-4, validation=(X_val, y_val), quiet=True,
                         compile=compiled)
        runs[compiled] = (history, model.state_dict(), grads(model))
    (eager, eager_weights, eager_grads), (replayed, replayed_weights, replayed_grads) = \
        runs[False], runs[True]
    assert replayed["val_loss"] == pytest.approx(eager["val_loss"], rel=1e-12, abs=1e-15)
    assert replayed["val_accuracy"] == eager["val_accuracy"]
    assert replayed_weights == pytest.approx(eager_weights, rel=1e-12, abs=1e-15)
    # The replayed validation forward adds nothing to .grad.
    assert replayed_grads == pytest.approx(eager_grads, rel=1e-12, abs=1e-15)


def test_early_stopping_stops_an_overfitting_run_and_restores_the_best_weights(capsys):
    (X, y), (X_val, y_val) = moons_split()
    model = nn.MLP(2, [16, 16, 1], seed=0)  # 337 parameters for 20 noisy points: it over-fits
    history = nn.fit(model, X, y, loss=nn.bce_with_logits, optimizer=nn.Adam(model, lr=0.05),
                     steps=150, validation=(X_val, y_val), compile=True, quiet=True,
                     early_stopping=nn.EarlyStopping(patience=8))
    stopped, best = history.stopped_step, history.best_step
    assert stopped is not None and stopped < 150 and len(history["loss"]) == stopped
    assert stopped == best + 8  # eight validations in a row without an improvement
    best_val = min(history["val_loss"])
    assert history["val_loss"][history["val_step"].index(best)] == best_val
    assert history["val_loss"][-1] > best_val  # it was rising when it stopped
    assert history["loss"][-1] < history["loss"][best]  # while training loss kept falling
    # The model holds the best weights again: its validation loss is the recorded best.
    assert val_loss_now(model, X_val, y_val) == pytest.approx(best_val, rel=1e-12)
    assert "early stopping after step" in history.stop_reason
    assert capsys.readouterr().out == ""  # quiet prints nothing

    twin = nn.MLP(2, [16, 16, 1], seed=0)
    nn.fit(twin, X, y, loss=nn.bce_with_logits, optimizer=nn.Adam(twin, lr=0.05), steps=150,
           validation=(X_val, y_val), early_stopping=nn.EarlyStopping(patience=8))
    out = capsys.readouterr().out
    assert out.strip() == history.stop_reason
    assert f"early stopping after step {stopped}: val_loss has not improved for 8 " in out
    assert f"best val_loss {best_val:.6g} after step {best}" in out
    assert "restored the weights of that step" in out


def test_min_delta_and_no_restore():
    (X, y), (X_val, y_val) = moons_split()
    model = nn.MLP(2, [6, 1], seed=4)
    # An improvement must beat the best by more than 10: none ever does after the first.
    history = nn.fit(model, X, y, loss=nn.bce_with_logits, optimizer=nn.SGD(model, lr=0.2),
                     steps=50, validation=(X_val, y_val), quiet=True,
                     early_stopping=nn.EarlyStopping(patience=3, min_delta=10.0,
                                                     restore_best=False))
    assert history.best_step == 1 and history.stopped_step == 4
    assert "improved by more than 10 for 3 validation(s)" in history.stop_reason
    assert "restored" not in history.stop_reason
    assert val_loss_now(model, X_val, y_val) == history["val_loss"][-1]  # last weights kept


def test_monitoring_accuracy_takes_the_largest_as_best():
    (X, y), (X_val, y_val) = moons_split()
    model = nn.MLP(2, [8, 1], seed=0)
    history = nn.fit(model, X, y, loss=nn.bce_with_logits, optimizer=nn.Adam(model, lr=0.05),
                     steps=40, validation=(X_val, y_val), quiet=True,
                     early_stopping=nn.EarlyStopping(patience=40, monitor="val_accuracy"))
    accuracies = history["val_accuracy"]
    first_best = accuracies.index(max(accuracies))
    assert history.best_step == history["val_step"][first_best]  # ties are no improvement
    assert history.stopped_step is None  # ran to the end


def test_running_to_the_end_still_restores_the_best_and_says_so(capsys):
    (X, y), (X_val, y_val) = moons_split()
    model = nn.MLP(2, [16, 16, 1], seed=0)
    history = nn.fit(model, X, y, loss=nn.bce_with_logits, optimizer=nn.Adam(model, lr=0.05),
                     steps=30, validation=(X_val, y_val), compile=True,
                     early_stopping=nn.EarlyStopping(patience=100))
    assert history.stopped_step is None and len(history["loss"]) == 30
    assert history.best_step < 30
    assert val_loss_now(model, X_val, y_val) == pytest.approx(min(history["val_loss"]),
                                                              rel=1e-12)
    out = capsys.readouterr().out
    assert out.startswith("training ran to the end; best val_loss")
    assert "restored the weights" in out


def test_progress_bar_shows_the_validation_figures(capsys):
    (X, y), (X_val, y_val) = moons_split(20)
    model = nn.MLP(2, [4, 1], seed=0)
    nn.fit(model, X, y, loss=nn.bce_with_logits, optimizer=nn.SGD(model, lr=0.1), steps=2,
           validation=(X_val, y_val))
    err = capsys.readouterr().err
    assert "val_loss=" in err and "val_accuracy=" in err


def test_bad_validation_input_trains_nothing():
    (X, y), (X_val, y_val) = moons_split(20)
    model = nn.MLP(2, [4, 1], seed=0)
    before = model.state_dict()

    def fit(**kw):
        nn.fit(model, X, y, loss=nn.bce_with_logits, optimizer=nn.SGD(model, lr=0.5), steps=3,
               quiet=True, **kw)

    cases = [
        (ValueError, r"validation X_val: sample 0 has 3 features; the model expects 2",
         {"validation": ([[0.0, 1.0, 2.0]] + X_val[1:], y_val)}),
        (ValueError, r"fit: 10 validation samples \(X_val\) but 9 targets \(y_val\)",
         {"validation": (X_val, y_val[:-1])}),
        (ValueError, r"validation X_val: the data set is empty", {"validation": ([], [])}),
        (ValueError, r"fit: validation data: bce_with_logits: target\[0\] should be one number",
         {"validation": (X_val, [[t, t] for t in y_val])}),
        (TypeError, r"validation must be a pair \(X_val, y_val\)", {"validation": X_val}),
        (ValueError, r"early_stopping needs validation=", {"early_stopping": nn.EarlyStopping()}),
        (TypeError, r"early_stopping must be an nn.EarlyStopping",
         {"validation": (X_val, y_val), "early_stopping": 5}),
        (ValueError, r"early_stopping monitors 'val_f1', but validation records only "
                     r"'val_loss', 'val_accuracy'",
         {"validation": (X_val, y_val), "early_stopping": nn.EarlyStopping(monitor="val_f1")}),
        (ValueError, r"metric name 'val_x' clashes",
         {"validation": (X_val, y_val), "metrics": {"val_x": nn.logit_accuracy}}),
    ]
    for error, message, kwargs in cases:
        with pytest.raises(error, match=message):
            fit(**kwargs)
        assert model.state_dict() == before, message  # nothing trained
        assert all(g == 0.0 for g in grads(model)), message


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"patience": 0}, ValueError, "patience must be at least 1"),
    ({"patience": 2.5}, TypeError, "patience must be an int"),
    ({"min_delta": -0.1}, ValueError, "min_delta must be a finite number >= 0"),
    ({"restore_best": "yes"}, TypeError, "restore_best must be True or False"),
    ({"monitor": "loss"}, ValueError, "monitor must name a validation figure"),
    ({"mode": "lowest"}, ValueError, "mode must be 'auto', 'min' or 'max'"),
])
def test_early_stopping_refuses_bad_settings(kwargs, error, message):
    with pytest.raises(error, match=message):
        nn.EarlyStopping(**kwargs)


def run_with_a_loss_that_changes_after_step_3(compiled):
    X_all, y_all = nn.make_moons(20, noise=0.35, seed=3)
    (X, y), (X_val, y_val) = nn.split(X_all, y_all, 0.3, seed=0)  # 14 and 6 samples
    factor = [1.0]
    calls = [0]

    def scaled_loss(outputs, targets):
        return nn.bce_with_logits(outputs, targets) * factor[0]  # a plain number: a constant

    def switch(outputs, targets):
        if len(outputs) == len(X):  # the training metric: after step 3, change the factor
            calls[0] += 1
            if calls[0] == 3:
                factor[0] = 3.0
        return 0.0

    model = nn.MLP(2, [4, 1], seed=0)
    history = nn.fit(model, X, y, loss=scaled_loss, optimizer=nn.SGD(model, lr=0.1), steps=6,
                     validation=(X_val, y_val), metrics={"switch": switch}, quiet=True,
                     compile=compiled)
    return history["val_loss"]


def test_compiled_validation_is_checked_and_retraced_like_the_training_step(monkeypatch):
    import nn.training.step

    monkeypatch.setattr(nn.training.step, "CHECK_EVERY", 1)  # check every call, not every 1000th
    eager = run_with_a_loss_that_changes_after_step_3(False)
    replayed = run_with_a_loss_that_changes_after_step_3(True)
    assert replayed == pytest.approx(eager, rel=1e-12)
    assert eager[2] > 2.5 * eager[1]  # from the third validation on, the factor is 3
