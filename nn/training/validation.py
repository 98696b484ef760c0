"""fit()'s validation pass: figures on held-out data after every epoch, and early stopping."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import autograd
from autograd import Value

from ..optim import Optimizer
from . import step
from .early_stopping import EarlyStopping, History, Watch
from .step import Loss, Metric


class Validator:
    """fit()'s validation: figures after every epoch into the history and the bar; early stopping.

    Built before training starts, it checks the validation data and runs one validation pass,
    so bad data or a loss that cannot take it fails with nothing trained.
    """

    def __init__(self, model: Any, validation: Any, rule: EarlyStopping | None,
                 history: History, setup: tuple[Loss, Optimizer, float, dict[str, Metric]],
                 compile: bool) -> None:
        loss, optimizer, l2, metrics = setup
        if validation is None:
            raise ValueError("fit: early_stopping needs validation=(X_val, y_val) to watch")
        if rule is not None and not isinstance(rule, EarlyStopping):
            raise TypeError(f"fit: early_stopping must be an nn.EarlyStopping(patience=..., "
                            f"min_delta=...), got {type(rule).__name__}: {rule!r}"[:200])
        for name in metrics:
            if name.startswith("val_"):
                raise ValueError(f"fit: metric name {name!r} clashes with the validation "
                                 f"figures (val_<metric>); rename it")
        names = ["val_loss", *(f"val_{name}" for name in metrics)]
        if rule is not None and rule.monitor not in names:
            raise ValueError(f"fit: early_stopping monitors {rule.monitor!r}, but validation "
                             f"records only {', '.join(map(repr, names))}")
        inputs, targets = _validation_data(model, validation)
        self.evaluate = _validation_pass(model, inputs, targets, setup, compile)
        self.history = history
        history["val_step"] = []
        for name in names:
            history[name] = []
        self.watch = None if rule is None else Watch(rule, list(optimizer.params))
        self.shown: dict[str, str] = {}
        self.stop = False
        self.stopped_at: int | None = None

    def after_step(self, steps_done: int, epoch_end: bool, shown: dict[str, str]) -> None:
        """At an epoch's end, validate and record; add the latest figures to the bar's `shown`."""
        if epoch_end:
            figures = self.evaluate()
            self.history["val_step"].append(steps_done)
            for name, figure in figures.items():
                self.history[name].append(figure)
            self.shown = {name: f"{figure:.4g}" for name, figure in figures.items()}
            watch = self.watch
            if watch is not None and watch.update(figures[watch.rule.monitor], steps_done):
                self.stop, self.stopped_at = True, steps_done
        shown.update(self.shown)

    def finish(self, quiet: bool) -> None:
        """After training: restore the best weights if asked, and say why training stopped."""
        if self.watch is not None:
            message = self.watch.finish(self.history, self.stopped_at)
            if message is not None and not quiet:
                print(message)


def _validation_data(model: Any, validation: Any) -> tuple[list[list[float]], list[Any]]:
    if isinstance(validation, (str, bytes)) or not isinstance(validation, Sequence) or \
            len(validation) != 2:
        raise TypeError(f"fit: validation must be a pair (X_val, y_val), "
                        f"got {type(validation).__name__}"[:200])
    X_val, y_val = validation
    try:
        inputs = step.check_samples(X_val, getattr(model, "nin", None))
    except (TypeError, ValueError) as err:
        raise type(err)(f"fit: validation X_val: {err}") from None
    return inputs, step.check_targets(y_val, len(inputs), "y_val")


def _validation_pass(model: Any, inputs: list[list[float]], targets: list[Any],
                     setup: tuple[Loss, Optimizer, float, dict[str, Metric]], compile: bool
                     ) -> Callable[[], dict[str, float]]:
    """A function returning val_loss and val_<metric> for the model's current weights.

    Eager: one forward pass under no_grad (no graph kept, no .grad touched).  With compile: the
    validation forward traced by autograd.compile and replayed (see _checked_forward).
    """
    loss, optimizer, l2, metrics = setup

    def loss_and_outputs() -> tuple[Value, list[Any]]:
        return step.loss_and_outputs(model, inputs, targets, loss, optimizer, l2)

    def eager() -> tuple[float, list[Any]]:
        with autograd.no_grad():
            total, outputs = loss_and_outputs()
        return total.data, [step.floats(out) for out in outputs]

    try:
        forward = _checked_forward(loss_and_outputs) if compile else eager

        def evaluate() -> dict[str, float]:
            value, outputs = forward()
            figures = {"val_loss": value}
            for name, metric in metrics.items():
                figures[f"val_{name}"] = metric(outputs, targets)
            return figures

        evaluate()  # once now: targets of the wrong shape fail before anything is trained
    except (TypeError, ValueError) as err:
        raise type(err)(f"fit: validation data: {err}") from None
    return evaluate


def _checked_forward(fn: Callable[[], tuple[Value, list[Any]]]
                     ) -> Callable[[], tuple[float, list[Any]]]:
    """fn traced by autograd.compile; its .forward() per call, checked as the training step is.

    On the calls numbered FIRST_CHECKS and every CHECK_EVERY-th, the replay is compared with an
    eager run (check() touches no .grad) and traced again if something no guard sees changed.
    """
    traced = [autograd.compile(fn, [], has_aux=True)]
    calls = [0]

    def forward() -> tuple[float, list[Any]]:
        calls[0] += 1
        if calls[0] in step.FIRST_CHECKS or calls[0] % step.CHECK_EVERY == 0:
            try:
                traced[0].check()
            except autograd.TraceMismatchError:
                traced[0] = autograd.compile(fn, [], has_aux=True)
        return traced[0].forward()

    return forward
