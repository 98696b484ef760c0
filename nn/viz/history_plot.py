"""plot_history(): fit()'s history as training and validation curves (matplotlib: `plot` extra).

Loss on the left (log scale when it spans a decade or more and stays positive), the metrics on
the right, training solid and validation dashed, against the steps done; early stopping's best
and stopping points are marked.  The result shows inline in Jupyter (it renders itself as PNG,
whatever matplotlib backend is active) and saves with .savefig(path).
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

from autograd.output.files import check_target

NOT_METRICS = ("loss", "lr", "val_step")
TRAIN, VALIDATION, MARK = "#1f5fa8", "#d35400", "#555555"


class HistoryPlot:
    """A drawn history: `.figure` is the matplotlib Figure; shows as PNG in Jupyter."""

    def __init__(self, figure: Any) -> None:
        self.figure = figure

    def savefig(self, path: str | os.PathLike[str], dpi: int = 100) -> str:
        """Write the picture (format from the file name: .png, .svg, .pdf); return the path."""
        check_target(path, "a plot")  # matplotlib would wait forever on a FIFO
        self.figure.savefig(path, dpi=dpi)
        return os.fspath(path)

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()


def _numbers(history: Mapping[str, Any], key: str) -> list[float]:
    values = history[key]
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"plot_history: history[{key!r}] must be a list of numbers, "
                        f"got {type(values).__name__}")
    return [float(v) for v in values]


def _val_steps(history: Mapping[str, Any], n_val: int) -> list[float]:
    if "val_step" in history:
        steps = _numbers(history, "val_step")
        if len(steps) != n_val:
            raise ValueError(f"plot_history: history has {n_val} validation figures but "
                             f"{len(steps)} val_step entries")
        return steps
    return [float(i + 1) for i in range(n_val)]  # a hand-made history: one per step


def _wants_log(curves: list[list[float]], log: bool | None) -> bool:
    values = [v for curve in curves for v in curve if math.isfinite(v)]
    if log is not None:
        if log and values and min(values) <= 0:
            raise ValueError("plot_history: log=True needs every loss > 0")
        return log
    return bool(values) and min(values) > 0 and max(values) / min(values) >= 10


def _log_axis(ax: Any, curves: list[list[float]]) -> None:
    """A log y axis labelled with plain numbers (0.3, not 3×10⁻¹); 2 and 5 too if it is short."""
    from matplotlib.ticker import FuncFormatter

    values = [v for curve in curves for v in curve if math.isfinite(v) and v > 0]
    short = math.log10(max(values) / min(values)) < 2

    def minor(v: float, _: Any) -> str:
        mantissa = round(v / 10 ** math.floor(math.log10(v)), 6)
        return f"{v:g}" if short and mantissa in (2.0, 5.0) else ""

    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(minor))


def _mark_early_stopping(ax: Any, history: Mapping[str, Any]) -> None:
    best = getattr(history, "best_step", None)
    stopped = getattr(history, "stopped_step", None)
    if best is not None:
        restored = "restored" in (getattr(history, "stop_reason", None) or "")
        ax.axvline(best, color=MARK, linestyle=":", linewidth=1.2,
                   label=f"best at step {best}" + (" (weights restored)" if restored else ""))
    if stopped is not None:
        ax.axvline(stopped, color=MARK, linestyle="-.", linewidth=1.2,
                   label=f"early stop at step {stopped}")


def _loss_panel(ax: Any, history: Mapping[str, Any], log: bool | None) -> None:
    loss = _numbers(history, "loss")
    ax.plot(range(len(loss)), loss, color=TRAIN, label="training loss (before each step)")
    curves = [loss]
    if "val_loss" in history:
        val = _numbers(history, "val_loss")
        steps = _val_steps(history, len(val))
        ax.plot(steps, val, color=VALIDATION, linestyle="--", label="validation loss")
        best = getattr(history, "best_step", None)
        if best in steps:
            ax.plot([best], [val[steps.index(best)]], "o", color=VALIDATION, markersize=5)
        curves.append(val)
    scale = _wants_log(curves, log)
    if scale:
        _log_axis(ax, curves)
    ax.set_xlabel("steps done (optimiser updates)")
    ax.set_ylabel("loss (log scale)" if scale else "loss")
    _mark_early_stopping(ax, history)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def _metric_panel(ax: Any, history: Mapping[str, Any], metrics: list[str]) -> None:
    for k, name in enumerate(metrics):
        shade = 0.55 * k / max(1, len(metrics) - 1)
        values = _numbers(history, name)
        ax.plot(range(len(values)), values, color=TRAIN, alpha=1 - shade,
                label=f"training {name}")
        if f"val_{name}" in history:
            val = _numbers(history, f"val_{name}")
            ax.plot(_val_steps(history, len(val)), val, color=VALIDATION, alpha=1 - shade,
                    linestyle="--", label=f"validation {name}")
    ax.set_xlabel("steps done (optimiser updates)")
    ax.set_ylabel(metrics[0] if len(metrics) == 1 else "metric")
    _mark_early_stopping(ax, history)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def plot_history(history: Mapping[str, Any], *, title: str | None = None,
                 log: bool | None = None) -> HistoryPlot:
    """Draw fit()'s history: loss (and val_loss), metrics (and val_<metric>), early stopping.

    `log` forces the loss axis to a log scale (True) or a linear one (False); by default it is
    logarithmic when the losses are positive and span a factor of 10 or more.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plot_history needs matplotlib: pip install 'valuegrad[plot]'") from None
    if not isinstance(history, Mapping) or "loss" not in history:
        raise TypeError("plot_history: history must be the dict fit() returns "
                        "(with a 'loss' list)")
    if not history["loss"]:
        raise ValueError("plot_history: the history is empty (no steps)")
    metrics = [k for k in history if k not in NOT_METRICS and not k.startswith("val_")]
    figure = Figure(figsize=(10 if metrics else 5.5, 3.8))
    axes = figure.subplots(1, 2 if metrics else 1, squeeze=False)[0]
    _loss_panel(axes[0], history, log)
    axes[0].set_title("loss")
    if metrics:
        _metric_panel(axes[1], history, metrics)
        axes[1].set_title(", ".join(metrics))
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return HistoryPlot(figure)
