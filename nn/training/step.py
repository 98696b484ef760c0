"""One training step, as fit() and its validation run it, and the checks of a data set."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import autograd
from autograd import Value
from autograd.core.checks import finite_real

from .. import losses
from ..optim import Optimizer

Loss = Callable[[Any, Any], Value]
Metric = Callable[[list[Any], list[Any]], float]


def loss_and_outputs(model: Callable[[Any], Any], inputs: list[list[float]],
                      targets: list[Any], loss: Loss, optimizer: Optimizer,
                      l2: float) -> tuple[Value, list[Any]]:
    """The forward half of a step: the batch's outputs and the loss (+ l2 · Σ p²)."""
    outputs = [model(x) for x in inputs]
    total = loss(outputs, targets)
    if not isinstance(total, Value):
        raise TypeError(f"the loss function must return a Value, got {type(total).__name__}")
    if l2:
        total = total + losses.l2(optimizer.params, l2)
    return total, outputs


def train_step(model: Callable[[Any], Any], inputs: list[list[float]], targets: list[Any],
               loss: Loss, optimizer: Optimizer, l2: float = 0.0) -> tuple[float, list[Any]]:
    """One step on one batch: forward, loss (+ l2 · Σ p²), backward, update.

    Returns the loss before the update and the model's outputs as floats.  fit() does nothing
    else per step, so a faster implementation of a step can replace this one function.
    """
    total, outputs = loss_and_outputs(model, inputs, targets, loss, optimizer, l2)
    optimizer.zero_grad()
    total.backward()
    optimizer.step()
    return total.data, [floats(out) for out in outputs]


def compiled_train_step(model: Callable[[Any], Any], inputs: list[list[float]],
                        targets: list[Any], loss: Loss, optimizer: Optimizer, l2: float = 0.0
                        ) -> Callable[[], tuple[float, list[Any]]]:
    """train_step on one fixed batch, traced once by autograd.compile and replayed per call.

    Each call does what ``train_step(model, inputs, targets, loss, optimizer, l2)`` does, with the
    same numbers, without building Values.  The batch is part of the trace, and so is every
    Python branch on numbers in the model or the loss (see autograd.compile).
    """
    def forward() -> tuple[Value, list[Any]]:
        return loss_and_outputs(model, inputs, targets, loss, optimizer, l2)

    compiled = [autograd.compile(forward, [], has_aux=True)]
    calls = [0]

    def run() -> tuple[float, list[Any]]:
        calls[0] += 1
        if calls[0] in FIRST_CHECKS or calls[0] % CHECK_EVERY == 0:
            try:
                compiled[0].check()
            except autograd.TraceMismatchError:
                # Something no guard sees has changed (an attribute rebound to a new Value, a
                # Python number the model reads): trace the step again, as it is now.
                compiled[0] = autograd.compile(forward, [], has_aux=True)
        optimizer.zero_grad()
        value, _, outputs = compiled[0]()  # adds the gradients into the parameters' .grad
        optimizer.step()
        return value, outputs

    return run


# fit(compile=True) compares its replay with an eager run (CompiledFunction.check) on these
FIRST_CHECKS = (1, 2)
CHECK_EVERY = 1000


def floats(out: Any) -> Any:
    """A model's output (a Value, or nested lists of them) as plain floats."""
    if isinstance(out, Value):
        return out.data
    return [floats(o) for o in out]


def check_targets(y: Any, n: int, name: str) -> list[Any]:
    """Check that `y` is a list of `n` targets (one per sample); return it as a list."""
    if hasattr(y, "tolist"):  # a NumPy array: plain Python numbers from here on
        y = y.tolist()
    if isinstance(y, (str, bytes)) or not isinstance(y, Sequence):
        raise TypeError(f"fit: {name} must be a list of targets, got {type(y).__name__}")
    if len(y) != n:
        what = "samples" if name == "y" else "validation samples (X_val)"
        raise ValueError(f"fit: {n} {what} but {len(y)} targets ({name})")
    return list(y)


def check_samples(X: Any, nin: int | None = None) -> list[list[float]]:
    """Check that X is a non-empty list of samples of `nin` numbers each; return them as floats."""
    if hasattr(X, "tolist"):  # a NumPy array
        X = X.tolist()
    if isinstance(X, (str, bytes)) or not isinstance(X, Sequence):
        raise TypeError(f"X must be a list of samples, got {type(X).__name__}")
    if len(X) == 0:
        raise ValueError("the data set is empty (X has no samples)")
    samples = []
    for i, sample in enumerate(X):
        if isinstance(sample, (str, bytes)) or not isinstance(sample, Sequence):
            raise TypeError(f"sample {i} must be a list of numbers, "
                            f"got {type(sample).__name__}: {sample!r}"[:200])
        if nin is not None and len(sample) != nin:
            raise ValueError(f"sample {i} has {len(sample)} features; the model expects {nin}")
        # Finite: one nan feature turns every loss after it into nan.
        samples.append([finite_real(x, f"sample {i}, feature {k}") for k, x in enumerate(sample)])
    return samples
