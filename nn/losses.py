"""Loss functions on Values: each returns one Value to call backward() on.

`output` is what the model returned -- a Value, or a list of them (one per sample, or one per
output), or a list of such lists for a batch of multi-output samples -- and `target` has the same
shape with plain numbers.  Every loss checks the shapes match and says where they differ.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

from autograd import Value
from autograd.core.checks import is_real

from .module import Module

# log(p) is clamped at -100 in bce, as PyTorch's BCELoss does, so p = 0 gives a large finite
# loss rather than inf.
LOG_FLOOR = -100.0


def pairs(output: Any, target: Any, loss: str) -> list[tuple[Value | float, float]]:
    """Flatten `output` and `target` side by side after checking they have the same shape."""
    found: list[tuple[Value | float, float]] = []
    _pair_up(output, target, "", loss, found)
    if not found:
        raise ValueError(f"{loss}: output and target are empty")
    return found


def _pair_up(out: Any, tgt: Any, where: str, loss: str, found: list) -> None:
    if isinstance(out, Value) or is_real(out):
        if isinstance(tgt, Value):
            tgt = tgt.data
        if not is_real(tgt):
            raise (TypeError if not isinstance(tgt, (list, tuple)) else ValueError)(
                f"{loss}: target{where} should be one number (output{where} is one), "
                f"got {_describe(tgt)}")
        number = float(tgt)
        if not math.isfinite(number):  # a nan target would make the loss nan without a word
            raise ValueError(f"{loss}: target{where} must be a finite number, got {number!r}")
        found.append((out, number))
    elif isinstance(out, (list, tuple)):
        if not isinstance(tgt, (list, tuple)):
            raise ValueError(f"{loss}: target{where} should be a list of {len(out)} "
                             f"(like output{where}), got {_describe(tgt)}")
        if len(out) != len(tgt):
            raise ValueError(f"{loss}: output{where} has {len(out)} entries but target{where} "
                             f"has {len(tgt)}")
        for i, (o, t) in enumerate(zip(out, tgt, strict=True)):
            _pair_up(o, t, f"{where}[{i}]", loss, found)
    else:
        raise TypeError(f"{loss}: output{where} should be a Value or a list of Values, "
                        f"got {_describe(out)}")


def _describe(x: Any) -> str:
    if isinstance(x, (list, tuple)):
        return f"a list of {len(x)}"
    return f"{type(x).__name__} {x!r}"[:120]


def _total(terms: Sequence[Value | float]) -> Value:
    """Sum, starting from the first term (no extra 0 leaf in the graph)."""
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total if isinstance(total, Value) else Value(total, requires_grad=False)


def _mean(terms: Sequence[Value | float]) -> Value:
    return _total(terms) / len(terms)




# --- regression ----------

def mse(output: Any, target: Any) -> Value:
    """Mean squared error: the mean of (output - target)² over every entry."""
    return _mean([(o - t) ** 2 for o, t in pairs(output, target, "mse")])


def half_sse(output: Any, target: Any) -> Value:
    """Half the sum of squared errors, E = Σ ½(t - o)², the classic backprop tutorials' loss."""
    return _total([0.5 * (t - o) ** 2 for o, t in pairs(output, target, "half_sse")])


# --- binary classification (targets 0 or 1) ----------

def bce(output: Any, target: Any) -> Value:
    """Binary cross-entropy of probabilities in [0, 1] (e.g. sigmoid outputs), averaged.

    Prefer bce_with_logits on raw scores: it never loses precision near 0 or 1.
    """
    terms = []
    for i, (p, t) in enumerate(pairs(output, target, "bce")):
        _check_target01(t, i, "bce")
        # Comparisons of the Value itself, never of its .data: autograd.compile keeps each
        # outcome as a guard, so a replay re-traces where one changes.
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"bce needs probabilities in [0, 1], got {_shown(p)} at entry {i} "
                             f"(use bce_with_logits for raw scores)")
        # A term with a zero weight is left out, so a clamped log never costs a gradient.
        parts = []
        if t != 0.0:
            parts.append(t * _clamped_log(p))
        if t != 1.0:
            parts.append((1.0 - t) * _clamped_log(1.0 - p))
        terms.append(-_total(parts))
    return _mean(terms)


def _clamped_log(p: Value | float) -> Value | float:
    if not isinstance(p, Value):
        return math.log(p) if p > 0.0 and math.log(p) >= LOG_FLOOR else LOG_FLOOR
    if p > 0.0:  # guards of a trace, as in bce
        log_p = p.log()
        if log_p >= LOG_FLOOR:
            return log_p
    return LOG_FLOOR  # a constant: no gradient flows through the clamped end


def _shown(x: Value | float) -> str:
    """The number of a Value or float for an error message (read from the slot: inside a
    compiled function the message is raised, so the number never enters the trace)."""
    return repr(x._data if isinstance(x, Value) else float(x))


def bce_with_logits(output: Any, target: Any) -> Value:
    """Binary cross-entropy of raw scores z (sigmoid applied inside), stable for any z.

    Uses softplus(z) - t·z, which equals -[t·log σ(z) + (1-t)·log(1-σ(z))] without ever
    forming σ(z) (so no log(0)); its gradient is σ(z) - t.
    """
    terms = []
    for i, (z, t) in enumerate(pairs(output, target, "bce_with_logits")):
        _check_target01(t, i, "bce_with_logits")
        z = z if isinstance(z, Value) else Value(z, requires_grad=False)
        terms.append(z.softplus() - t * z)
    return _mean(terms)


def _check_target01(t: float, i: int, loss: str) -> None:
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"{loss} needs targets in [0, 1], got {t!r} at entry {i}")


def hinge(output: Any, target: Any) -> Value:
    """micrograd's max-margin (SVM) loss: the mean of relu(1 - y·score), labels y = -1 or +1."""
    terms = []
    for i, (s, y) in enumerate(pairs(output, target, "hinge")):
        if y not in (-1.0, 1.0):
            raise ValueError(f"hinge needs labels -1 or +1, got {y!r} at entry {i} "
                             f"(nn.signed(y) turns 0/1 labels into -1/+1)")
        s = s if isinstance(s, Value) else Value(s, requires_grad=False)
        terms.append((1.0 + -y * s).relu())
    return _mean(terms)


# --- multi-class classification ----------

def cross_entropy(logits: Sequence[Any], target: int | Sequence[int]) -> Value:
    """Softmax cross-entropy of raw scores against class indices, averaged over samples.

    One sample: `logits` is a list of Values and `target` an int.  A batch: a list of such lists
    and a list of ints.  log Σ exp is computed after subtracting the largest score, so it neither
    overflows nor underflows.
    """
    if isinstance(target, (list, tuple)):
        if not isinstance(logits, (list, tuple)) or len(logits) != len(target):
            raise ValueError(f"cross_entropy: {len(target)} targets but logits is "
                             f"{_describe(logits)}")
        if not target:
            raise ValueError("cross_entropy: output and target are empty")
        return _mean([_one_cross_entropy(z, t, f"[{i}]")
                      for i, (z, t) in enumerate(zip(logits, target, strict=True))])
    return _one_cross_entropy(logits, target, "")


def _one_cross_entropy(logits: Any, target: Any, where: str) -> Value:
    if not isinstance(logits, (list, tuple)) or len(logits) < 2:
        raise ValueError(f"cross_entropy: logits{where} should be a list of at least 2 class "
                         f"scores, got {_describe(logits)}")
    if isinstance(target, bool) or not isinstance(target, numbers.Integral):
        raise TypeError(f"cross_entropy: target{where} should be a class index (int), "
                        f"got {_describe(target)}")
    if not 0 <= int(target) < len(logits):
        raise ValueError(f"cross_entropy: target{where} = {target} is not a class index for "
                         f"{len(logits)} classes")
    for k, z in enumerate(logits):
        if not (isinstance(z, Value) or is_real(z)):
            raise TypeError(f"cross_entropy: logits{where}[{k}] should be a Value or a number, "
                            f"got {_describe(z)}")
    zs = [z if isinstance(z, Value) else Value(z, requires_grad=False) for z in logits]
    # The shift by the largest score: log Σ exp(z) = m + log Σ exp(z - m) for any m, and its
    # derivative with respect to m is 0.  m is the top Value itself (found by comparisons, which
    # autograd.compile guards), so a replay shifts by the current largest score.
    top: Value | float = max(zs)
    if not -math.inf < top < math.inf:
        top = 0.0  # let inf / nan scores propagate as they are
    log_sum_exp = _total([(z - top).exp() for z in zs]).log() + top
    return log_sum_exp - zs[int(target)]


# --- regularisation ----------

def l2(params: Module | Iterable[Value], alpha: float = 1.0) -> Value:
    """alpha · Σ p², the weight penalty micrograd's demo adds to its loss (alpha 1e-4 there)."""
    if not (is_real(alpha) and math.isfinite(alpha) and alpha >= 0.0):
        raise ValueError(f"l2: alpha must be a finite number >= 0, got {alpha!r}"[:200])
    values = params.parameters() if isinstance(params, Module) else list(params)
    if not values:
        raise ValueError("l2: no parameters given")
    for k, p in enumerate(values):
        if not isinstance(p, Value):
            raise TypeError(f"l2: parameter {k} is {type(p).__name__}, not a Value")
    return alpha * _total([p * p for p in values])
