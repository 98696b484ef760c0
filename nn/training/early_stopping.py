"""Early stopping: watch a validation figure, stop when it stops improving, keep the best weights.

The rule is the one Keras and Lightning users know: after each validation, the figure counts as
an improvement if it beats the best so far by more than `min_delta`; after `patience`
validations in a row without one, training stops.  With `restore_best` the model ends holding
the weights it had at its best validation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from autograd import Value
from autograd.core.checks import nonnegative, positive_int


class History(dict):
    """fit()'s history: a dict of name -> list of numbers, plus how training ended.

    `best_step` (steps done when the monitored figure was best), `stopped_step` (steps done when
    early stopping ended training, else None) and `stop_reason` (a sentence, else None) are set
    when fit() is given early stopping.
    """

    best_step: int | None = None
    stopped_step: int | None = None
    stop_reason: str | None = None


@dataclass(frozen=True)
class EarlyStopping:
    """Stop fit() once `monitor` has not improved by more than `min_delta` for `patience` checks.

    `monitor` is "val_loss" or "val_<metric>"; `mode` "min" or "max" says which way is better
    ("auto": min for a loss, max for anything else, such as accuracy).  `restore_best` puts the
    best-scoring weights back at the end (also when training ran to the end without stopping).
    The optimiser's own state (momentum, Adam's moments) is not rewound.
    """

    patience: int = 10
    min_delta: float = 0.0
    restore_best: bool = True
    monitor: str = "val_loss"
    mode: str = "auto"

    def __post_init__(self) -> None:
        positive_int(self.patience, "EarlyStopping: patience")
        nonnegative(self.min_delta, "EarlyStopping: min_delta")
        if not isinstance(self.restore_best, bool):
            raise TypeError(f"EarlyStopping: restore_best must be True or False, "
                            f"got {self.restore_best!r}"[:200])
        if not isinstance(self.monitor, str) or not self.monitor.startswith("val_"):
            raise ValueError(f"EarlyStopping: monitor must name a validation figure such as "
                             f"'val_loss' or 'val_accuracy', got {self.monitor!r}"[:200])
        if self.mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'auto', 'min' or 'max', "
                             f"got {self.mode!r}"[:200])

    @property
    def minimise(self) -> bool:
        """True if a smaller monitored figure is better."""
        if self.mode == "auto":
            return "loss" in self.monitor
        return self.mode == "min"


class Watch:
    """The state of one fit()'s early stopping: best figure, its weights, checks since it."""

    def __init__(self, rule: EarlyStopping, params: list[Value]) -> None:
        self.rule = rule
        self.params = params
        self.best = math.inf if rule.minimise else -math.inf
        self.best_step: int | None = None
        self.best_weights: list[float] = []
        self.waited = 0

    def update(self, figure: float, steps_done: int) -> bool:
        """Record one validation figure; True when training should stop."""
        rule = self.rule
        if rule.minimise:
            better = figure < self.best - rule.min_delta
        else:
            better = figure > self.best + rule.min_delta
        if better or self.best_step is None and not math.isnan(figure):
            self.best, self.best_step, self.waited = figure, steps_done, 0
            if rule.restore_best:
                self.best_weights = [p.data for p in self.params]
            return False
        self.waited += 1
        return self.waited >= rule.patience

    def finish(self, history: History, stopped_at: int | None) -> str | None:
        """Restore the best weights if asked; record how training ended; the message to print."""
        rule = self.rule
        history.best_step = self.best_step
        history.stopped_step = stopped_at
        restored = rule.restore_best and self.best_step is not None and self.best_weights and \
            any(p.data != w for p, w in zip(self.params, self.best_weights, strict=True))
        if restored:
            for p, w in zip(self.params, self.best_weights, strict=True):
                p.data = w
        best = (f"best {rule.monitor} {self.best:.6g} after step {self.best_step}"
                if self.best_step is not None else f"{rule.monitor} was never a number")
        if stopped_at is not None:
            how = "improved" if rule.min_delta == 0 else f"improved by more than {rule.min_delta:g}"
            message = (f"early stopping after step {stopped_at}: {rule.monitor} has not {how} "
                       f"for {rule.patience} validation(s); {best}")
        elif restored:
            message = f"training ran to the end; {best}"
        else:
            return None
        if restored:
            message += "; restored the weights of that step"
        history.stop_reason = message
        return message
