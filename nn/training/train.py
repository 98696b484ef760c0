"""fit(): the training loop, with a progress bar and a history of loss and accuracy per step."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from autograd.core import checks
from autograd.core.checks import nonnegative, positive_int
from autograd.core.gcpause import paused_gc

from .. import losses
from ..module import Module
from ..optim import Optimizer
from .early_stopping import EarlyStopping, History
from .metrics import argmax_accuracy, logit_accuracy, probability_accuracy, sign_accuracy
from .step import (
    Loss,
    Metric,
    check_samples,
    check_targets,
    compiled_train_step,
    train_step,
)
from .validation import Validator

# The accuracy that goes with each classification loss, shown when fit() is given no metrics.
DEFAULT_METRICS: dict[Loss, Metric] = {
    losses.hinge: sign_accuracy,
    losses.bce: probability_accuracy,
    losses.bce_with_logits: logit_accuracy,
    losses.cross_entropy: argmax_accuracy,
}


# calls of the step, numbered from 1, and on every CHECK_EVERY-th: each check costs one eager
# step, so one in a thousand adds about 10 % to a compiled W2 step.
def fit(model: Module, X: Sequence[Sequence[float]], y: Sequence[Any], *, loss: Loss,
        optimizer: Optimizer, steps: int | None = None, epochs: int | None = None,
        batch_size: int | None = None, l2: float = 0.0,
        metrics: Mapping[str, Metric] | None = None, quiet: bool = False, seed: int = 0,
        desc: str = "fit", compile: bool = False,
        validation: tuple[Sequence[Sequence[float]], Sequence[Any]] | None = None,
        early_stopping: EarlyStopping | None = None) -> History:
    """Train `model` on samples X with targets y; return the history of every step.

    Give either `steps` (optimiser steps) or `epochs` (passes over the data).  Without
    `batch_size` each step uses the whole data set in order, as micrograd's demo does; with it,
    each epoch visits the samples in an order shuffled by `seed`.  `l2` adds l2 · Σ p² over the
    optimiser's parameters to the loss.  `metrics` maps names to functions (outputs, targets) ->
    float; by default a classification loss brings its accuracy (see DEFAULT_METRICS).

    The history maps "loss", "lr" and each metric name to one number per step, measured on that
    step's batch *before* its update.  A tqdm progress bar (also in Jupyter) shows the latest
    loss and metrics unless `quiet`.

    `compile=True` traces the training step once (autograd.compile) and replays it: the same
    numbers, many times faster.  It needs full-batch training (no `batch_size`).  Comparisons of
    Values in the model or loss (bce's clamp, cross_entropy's max-logit shift) are guards: a step
    where one comes out differently runs eagerly or on another trace.  Steps 1, 2 and every
    1000th (FIRST_CHECKS, CHECK_EVERY) are also checked against an eager run, and traced again
    if something no guard sees (an attribute rebound to a new Value) has changed.

    `validation=(X_val, y_val)` evaluates the loss (+ the same l2 term) and the metrics on that
    data after every epoch's last update -- after every step in full-batch training -- with no
    gradient recorded, into history "val_loss" and "val_<metric>"; "val_step" holds the steps
    done at each.  The bar shows the latest.  Eager training validates under no_grad; with
    `compile=True` the validation forward is traced too and replayed (checked like the step).
    `early_stopping=nn.EarlyStopping(patience, min_delta, restore_best)` stops when the
    validation loss stops improving, restores the best weights and prints why
    (history.stop_reason).
    """
    inputs, targets, batch, per_epoch, total_steps = _plan(
        model, X, y, loss, optimizer, batch_size, steps, epochs, l2)
    chosen = _chosen_metrics(metrics, loss)
    history = History(loss=[], lr=[], **{name: [] for name in chosen})
    run_step = _step_runner(model, inputs, targets, loss, optimizer, l2, batch, compile)
    validator = _validator(model, validation, early_stopping, history,
                           (loss, optimizer, l2, chosen), compile)
    batches = _batches(len(inputs), batch, per_epoch, total_steps, seed)
    # No cycle collection while training: its scans of every live Value about double a step's
    # time, and Value graphs have no cycles to find (reference counting frees them).
    with paused_gc(), _progress_bar(total_steps, desc, quiet) as bar:
        for step, (picked, ends_epoch) in enumerate(batches):
            history["lr"].append(optimizer.current_lr())
            value, outputs = run_step(picked)
            shown = _record(history, chosen, value, outputs, [targets[i] for i in picked])
            # Without validation this costs two `is None` tests per step, nothing else.
            if validator is not None:
                validator.after_step(step + 1, ends_epoch, shown)
            bar.set_postfix(shown, refresh=False)  # drawn at tqdm's own pace, not every step
            bar.update()
            if validator is not None and validator.stop:
                break
    if validator is not None:
        validator.finish(quiet)
    return history


def _step_runner(model: Module, inputs: list[list[float]], targets: list[Any], loss: Loss,
                 optimizer: Optimizer, l2: float, batch: int, compile: bool
                 ) -> Callable[[list[int]], tuple[float, list[Any]]]:
    """What fit() calls per step on the chosen samples: train_step, or its compiled replay."""
    if not compile:
        def eager(picked: list[int]) -> tuple[float, list[Any]]:
            return train_step(model, [inputs[i] for i in picked], [targets[i] for i in picked],
                              loss, optimizer, l2)
        return eager
    if batch < len(inputs):
        raise ValueError("fit: compile=True traces one batch, so it needs full-batch training "
                         "(leave batch_size unset)")
    compiled = compiled_train_step(model, inputs, targets, loss, optimizer, l2)
    return lambda picked: compiled()  # the whole data set, in order: the traced batch


def _validator(model: Module, validation: Any, early_stopping: EarlyStopping | None,
               history: History, setup: tuple[Loss, Optimizer, float, dict[str, Metric]],
               compile: bool) -> Any:
    """fit()'s validation and early stopping (validation.py), or None when it has neither."""
    if validation is None and early_stopping is None:
        return None
    return Validator(model, validation, early_stopping, history, setup, compile)


def _batches(n: int, batch: int, per_epoch: int, total_steps: int, seed: int
             ) -> Iterator[tuple[list[int], bool]]:
    """Each step's sample indices, and whether the step ends an epoch.

    Full-batch training takes every sample in order; with batches, each epoch visits the samples
    in an order shuffled by `seed`.
    """
    rng = random.Random(checks.seed(seed, "fit"))
    order = list(range(n))
    for step in range(total_steps):
        k = step % per_epoch
        if k == 0 and batch < n:
            rng.shuffle(order)
        yield order[k * batch:(k + 1) * batch], k == per_epoch - 1


def _record(history: History, chosen: Mapping[str, Metric], value: float, outputs: list[Any],
            batch_targets: list[Any]) -> dict[str, str]:
    """Add one step's loss and metrics to the history; return them as the progress bar shows."""
    history["loss"].append(value)
    shown = {"loss": f"{value:.4g}"}
    for name, metric in chosen.items():
        history[name].append(metric(outputs, batch_targets))
        shown[name] = f"{history[name][-1]:.3g}"
    return shown


def _plan(model: Any, X: Any, y: Any, loss: Any, optimizer: Any, batch_size: Any, steps: Any,
          epochs: Any, l2: Any) -> tuple[list[list[float]], list[Any], int, int, int]:
    """Check fit()'s data and settings; return samples, targets, batch, steps per epoch, steps."""
    if not callable(loss):
        raise TypeError(f"fit: loss must be a function (outputs, targets) -> Value such as "
                        f"nn.mse, got {type(loss).__name__}: {loss!r}"[:200])
    inputs = check_samples(X, getattr(model, "nin", None))
    targets = check_targets(y, len(inputs), "y")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be an nn optimiser (SGD, Adam, AdamW), "
                        f"got {type(optimizer).__name__}")
    n = len(inputs)
    batch = n if batch_size is None else min(positive_int(batch_size, "fit: batch_size"), n)
    per_epoch = math.ceil(n / batch)
    if (steps is None) == (epochs is None):
        raise ValueError("fit: give exactly one of steps= or epochs=")
    total_steps = positive_int(steps, "fit: steps") if steps is not None else \
        positive_int(epochs, "fit: epochs") * per_epoch
    nonnegative(l2, "fit: l2")
    return inputs, targets, batch, per_epoch, total_steps


def _progress_bar(total: int, desc: str, quiet: bool) -> Any:
    if quiet:
        # Importing tqdm.auto in Jupyter without ipywidgets prints a warning; a quiet run has no
        # bar, so it should print nothing at all.
        from tqdm import tqdm as plain_tqdm

        return plain_tqdm(total=total, disable=True)
    from tqdm.auto import tqdm  # a widget in Jupyter, text in a terminal

    return tqdm(total=total, desc=desc, unit="step")


def _chosen_metrics(given: Mapping[str, Metric] | None, loss: Loss) -> dict[str, Metric]:
    if given is None:
        default = DEFAULT_METRICS.get(loss)
        return {} if default is None else {"accuracy": default}
    if not isinstance(given, Mapping):
        raise TypeError(f"fit: metrics must be a dict of name -> function, "
                        f"got {type(given).__name__}")
    for name, fn in given.items():
        if not callable(fn):
            raise TypeError(f"fit: metric {name!r} is not a function")
        if name in ("loss", "lr"):
            raise ValueError(f"fit: metric name {name!r} is taken by the history itself")
    return dict(given)


