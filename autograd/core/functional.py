"""The functional face: value_and_grad, a nestable derivative transform, and gradcheck."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

from . import graphbreak
from .backward import grad
from .checks import is_real, nonnegative
from .graph import topological_order
from .modes import no_grad, transform_depth
from .ops import OPS
from .value import Value, to_float


def _as_values(args: Sequence[Any], positions: Sequence[int]) -> tuple[list[Any], bool]:
    """Wrap the differentiated arguments as fresh leaves, other numbers as constant Values.

    Anything else (data lists, settings) passes through untouched.  Also reports whether any
    argument already was a Value (a call from inside another transform).
    """
    nested = any(isinstance(a, Value) for a in args)
    xs = list(args)
    wanted = {i % len(xs) for i in positions} if xs else set()
    for i, x in enumerate(xs):
        if i in wanted and not isinstance(x, Value):
            xs[i] = Value(to_float(x))
        elif is_real(x):
            xs[i] = Value(float(x), requires_grad=False)  # so x.exp() works on it too
    return xs, nested


def _check_output(out: Any, f: Callable[..., Any]) -> Value:
    if isinstance(out, Value):
        return out
    if is_real(out):
        return Value(out, requires_grad=False)  # a constant function: its derivative is 0
    name = getattr(f, "__name__", repr(f))
    raise TypeError(f"{name} must return a Value or a number, got {type(out).__name__}")


def value_and_grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0
                   ) -> Callable[..., tuple[Any, Any]]:
    """Turn f(x, ...) -> scalar into a function returning (f(x, ...), df/dx) as JAX does.

    Only the arguments named by `argnums` are differentiated; the others, and keyword arguments,
    are passed to `f` untouched (data, settings).  Called with numbers it returns floats.  Called
    with Values, or while another transform is differentiating the caller (so `f` may close over
    its Values), it returns Values that can be differentiated again.  `argnums` may be a tuple,
    giving a tuple of gradients.
    """
    several = not isinstance(argnums, int)
    # Checked just below: each must be an int.
    positions: tuple[Any, ...] = (tuple(argnums) if several and isinstance(argnums, Sequence)
                                  else (argnums,))
    if any(isinstance(i, bool) or not isinstance(i, int) for i in positions):
        raise TypeError(f"argnums must be an int or a tuple of ints, got {argnums!r}"[:200])

    def wrapped(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        for i in positions:
            if not -len(args) <= i < len(args):
                raise ValueError(f"argnums names argument {i}, but {len(args)} were given")
        xs, nested = _as_values(args, positions)
        depth = transform_depth.get()
        nested = nested or depth > 0
        token = transform_depth.set(depth + 1)
        breaks = graphbreak.start()
        try:
            out = _check_output(f(*xs, **kwargs), f)
        finally:
            cut = graphbreak.stop(breaks)
            transform_depth.reset(token)
        graphbreak.check(cut, [xs[i] for i in positions], f)
        gs = grad(out, [xs[i] for i in positions], create_graph=nested)
        if not nested:
            return out.data, (tuple(gs) if several else gs[0])
        return out, (tuple(gs) if several else gs[0])

    wrapped.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    return wrapped


def derivative(f: Callable[..., Any], argnum: int = 0) -> Callable[..., Any]:
    """The function x -> df/dx; nest it for higher derivatives: derivative(derivative(f))."""
    vg = value_and_grad(f, argnum)

    def df(*args: Any, **kwargs: Any) -> Any:
        return vg(*args, **kwargs)[1]

    df.__name__ = f"derivative({getattr(f, '__name__', 'f')})"
    return df


class GradcheckError(AssertionError):
    """Backward disagrees with finite differences; the message names the culprit node."""


def gradcheck(f: Callable[..., Value], inputs: Sequence[float], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check f's backward gradients against central finite differences at `inputs`.

    On a mismatch, each node's stored local derivatives are checked the same way and the first
    node whose derivative is wrong is named (op and label) -- the place to look after adding an op.
    """
    for name, number in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        nonnegative(number, f"gradcheck: {name}")
    if eps == 0.0:
        raise ValueError("gradcheck: eps must be > 0 (it is the finite-difference step)")
    point = [to_float(x) for x in inputs]
    xs = [Value(x, label=f"x{i}") for i, x in enumerate(point)]
    out = _check_output(f(*xs), f)
    analytic = grad(out, xs, create_graph=False)
    problems = []
    for i in range(len(point)):
        numeric = _central_difference(functools.partial(_evaluate, f, point, i), point[i], eps)
        if not _close(analytic[i], numeric, atol, rtol):
            problems.append(f"d/dx{i}: backward gives {analytic[i]!r}, finite differences "
                            f"{numeric!r}")
    if not problems:
        return True
    culprit, kinks = _first_bad_local(out, eps, atol, rtol)
    message = "gradcheck failed:\n  " + "\n  ".join(problems)
    if kinks:
        # Not a wrong derivative: finite differences straddle a point where the slope jumps.
        message += ("\nnot differentiable at this point (a kink, not a bug): "
                    + "; ".join(kinks) + ". Check at a point away from the kink.")
    if culprit:
        message += "\n" + culprit
    if raise_exception:
        raise GradcheckError(message)
    return False


def _evaluate(f: Callable[..., Value], point: list[float], i: int, t: float) -> float:
    args = list(point)
    args[i] = t
    with no_grad():
        out = f(*[Value(a) for a in args])
    return out.data if isinstance(out, Value) else to_float(out)


def _central_difference(fn: Callable[[float], float], x: float, eps: float) -> float:
    return (fn(x + eps) - fn(x - eps)) / (2.0 * eps)


def _close(a: float, b: float, atol: float, rtol: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return True
    return abs(a - b) <= atol + rtol * abs(b)


def _nudged_forward(forward: Callable[..., tuple[float, ...]], data: list[float], k: int,
                    t: float) -> float:
    args = list(data)
    args[k] = t
    return forward(*args)[0]


def _first_bad_local(out: Value, eps: float, atol: float, rtol: float) -> tuple[str, list[str]]:
    """The first node (inputs first) whose stored local derivative disagrees with its op, and
    every node sitting on a kink (where one-sided slopes differ, so no derivative exists)."""
    kinks: list[str] = []
    for node in topological_order(out):
        if node.op is None:
            continue
        forward = OPS[node.op].forward
        data = [x.data for x in node.inputs]
        for k, stored in enumerate(node.local_grads):
            if stored is None:
                continue
            nudged = functools.partial(_nudged_forward, forward, data, k)
            numeric = _central_difference(nudged, data[k], eps)
            if _close(stored, numeric, atol, rtol):
                continue
            kink = _kink(node, data, k, stored, nudged, eps, atol, rtol)
            if kink:
                kinks.append(kink)
                continue
            label = f" labelled {node.label!r}" if node.label else ""
            return (f"first wrong local derivative: {node.op!r} node{label} "
                    f"(data={node.data!r}), input {k} (data={data[k]!r}): stored "
                    f"{stored!r}, finite differences {numeric!r}"), kinks
    return "", kinks


def _kink(node: Value, data: list[float], k: int, stored: float,
          nudged: Callable[[float], float], eps: float, atol: float, rtol: float) -> str:
    """'relu at 0: one-sided slopes 0 and 1; the engine uses 0, as PyTorch' or '' if no kink."""
    here = nudged(data[k])
    left = (here - nudged(data[k] - eps)) / eps
    right = (nudged(data[k] + eps) - here) / eps
    if _close(left, right, atol, rtol):
        return ""  # the slope does not jump here: a real disagreement
    op = OPS[node.op]  # type: ignore[index]
    at = ", ".join(f"{x:g}" for x in data)
    torch = ", as PyTorch" if op.torch and op.kink is not None else ""
    return (f"{node.op} at {at}: one-sided slopes {left:.6g} and {right:.6g}; the engine uses "
            f"{stored:.6g}{torch}")
