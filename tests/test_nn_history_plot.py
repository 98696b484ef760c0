"""nn.plot_history: the curves drawn are the history's numbers, axes labelled, stops marked."""

from __future__ import annotations

import pytest

import nn  # plot_history needs matplotlib, a test dependency (setup.cfg [test]): never skipped


def early_stopped_history():
    X, y = nn.make_moons(40, noise=0.35, seed=3)
    (X_train, y_train), validation = nn.split(X, y, 0.5, seed=0)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    return nn.fit(model, X_train, y_train, loss=nn.bce_with_logits,
                  optimizer=nn.Adam(model, lr=0.05), steps=100, validation=validation,
                  compile=True, quiet=True, early_stopping=nn.EarlyStopping(patience=6))


def lines(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_loss_and_metric_panels_draw_the_history():
    history = early_stopped_history()
    plot = nn.plot_history(history, title="moons")
    loss_ax, metric_ax = plot.figure.axes
    drawn = lines(loss_ax)
    train = drawn["training loss (before each step)"]
    assert list(train.get_xdata()) == list(range(len(history["loss"])))
    assert list(train.get_ydata()) == history["loss"]
    val = drawn["validation loss"]
    assert list(val.get_xdata()) == history["val_step"]
    assert list(val.get_ydata()) == history["val_loss"]
    assert loss_ax.get_xlabel() == "steps done (optimiser updates)"
    assert loss_ax.get_ylabel() in ("loss", "loss (log scale)")
    # Early stopping: a line at the best step (restored) and one at the stop.
    best = drawn[f"best at step {history.best_step} (weights restored)"]
    stop = drawn[f"early stop at step {history.stopped_step}"]
    assert list(best.get_xdata()) == [history.best_step] * 2
    assert list(stop.get_xdata()) == [history.stopped_step] * 2
    metric = lines(metric_ax)
    assert list(metric["training accuracy"].get_ydata()) == history["accuracy"]
    assert list(metric["validation accuracy"].get_ydata()) == history["val_accuracy"]
    assert metric_ax.get_ylabel() == "accuracy"
    assert plot.figure._suptitle.get_text() == "moons"


def test_the_loss_axis_is_logarithmic_when_it_spans_a_decade():
    wide = {"loss": [10.0, 1.0, 0.1, 0.01], "lr": [0.1] * 4}
    narrow = {"loss": [0.9, 0.5, 0.4], "lr": [0.1] * 3}
    zero = {"loss": [1.0, 0.5, 0.0], "lr": [0.1] * 3}  # the hinge loss can reach 0
    assert nn.plot_history(wide).figure.axes[0].get_yscale() == "log"
    assert nn.plot_history(wide).figure.axes[0].get_ylabel() == "loss (log scale)"
    assert nn.plot_history(narrow).figure.axes[0].get_yscale() == "linear"
    assert nn.plot_history(zero).figure.axes[0].get_yscale() == "linear"
    assert nn.plot_history(narrow, log=True).figure.axes[0].get_yscale() == "log"
    assert nn.plot_history(wide, log=False).figure.axes[0].get_yscale() == "linear"
    with pytest.raises(ValueError, match="log=True needs every loss > 0"):
        nn.plot_history(zero, log=True)
    assert len(nn.plot_history(wide).figure.axes) == 1  # no metrics: one panel


def test_shows_inline_as_png_and_saves(tmp_path):
    plot = nn.plot_history({"loss": [1.0, 0.5], "lr": [0.1, 0.1], "accuracy": [0.5, 0.75]})
    assert plot._repr_png_().startswith(b"\x89PNG\r\n\x1a\n")
    path = plot.savefig(tmp_path / "history.png")
    assert (tmp_path / "history.png").read_bytes().startswith(b"\x89PNG")
    assert path == str(tmp_path / "history.png")


def test_a_hand_made_history_without_val_step_puts_validation_after_each_step():
    plot = nn.plot_history({"loss": [1.0, 0.8, 0.7], "val_loss": [0.9, 0.85, 0.9]})
    val = lines(plot.figure.axes[0])["validation loss"]
    assert list(val.get_xdata()) == [1.0, 2.0, 3.0]


def test_bad_input():
    with pytest.raises(TypeError, match="history must be the dict fit\\(\\) returns"):
        nn.plot_history([1.0, 2.0])
    with pytest.raises(ValueError, match="the history is empty"):
        nn.plot_history({"loss": []})
    with pytest.raises(ValueError, match="2 validation figures but 1 val_step entries"):
        nn.plot_history({"loss": [1.0, 0.5], "val_loss": [1.0, 0.5], "val_step": [1]})
    with pytest.raises(TypeError, match=r"history\['accuracy'\] must be a list of numbers"):
        nn.plot_history({"loss": [1.0], "accuracy": 0.5})
