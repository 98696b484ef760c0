"""Reverse-mode differentiation: backward() fills .grad, grad() returns gradients.

Semantics (as in PyTorch): a leaf's ``.grad`` accumulates across backward() calls until it is
zeroed; an interior node's ``.grad`` is reset at the start of each pass, so it always holds
d(root)/d(node) of the latest pass.  A leaf with ``requires_grad=False`` keeps ``.grad == 0``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import graph, modes
from .graph import topological_order
from .ops import OPS
from .value import Value, to_float

# One recorded backward step: (node, upstream gradient, ((input, local derivative, product), ...)).
Step = tuple[Value, float, tuple[tuple[Value, float, float], ...]]


def backward(root: Value, grad: float = 1.0, *,
             record: Callable[[Step], Any] | None = None) -> None:
    """Accumulate d(root)/d(leaf) into every leaf's ``.grad`` (seeded with `grad`).

    `record`, if given, is called once per node in the order the pass runs, with the numbers the
    pass itself multiplied: this is what ``explain()`` shows.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward() needs a Value, got {type(root).__name__}")
    seed = to_float(grad)
    if root._a is None:  # a leaf: its gradient with respect to itself is the seed
        if root._rg:
            root.grad += seed
        else:
            root.grad = 0.0
        if record is not None:
            record((root, root.grad, ()))
        return
    if record is None and not modes.anomaly_enabled():
        with graph.walk_lock:
            order, frozen = _interior_order(root)
        root.grad = seed
        _run(order)
    else:  # the instrumented passes visit every node, leaves included, as they always have
        order = topological_order(root)
        frozen = _reset_interior(order)
        root.grad = seed
        if record is not None:
            _run_recording(order, record)
        else:
            _run_checked(order)
    for v in frozen:
        v.grad = 0.0


def _interior_order(root: Value) -> tuple[list[Value], list[Value]]:
    """graph.topological_order fused with backward's bookkeeping, so the graph is walked once.

    Returns the interior nodes only (leaves have nothing to propagate), each with its grad
    already reset to 0, and the leaves that take no gradient.  `root` must be interior; the
    caller holds graph.walk_lock.
    """
    order: list[Value] = []
    frozen: list[Value] = []
    stamp = object()
    root._mark = stamp
    stack = [root]
    push, pop, emit = stack.append, stack.pop, order.append
    while stack:
        v = stack[-1]
        a = v._a
        if a._mark is not stamp:
            a._mark = stamp
            if a._a is not None:
                push(a)
                continue
            if not a._rg:
                frozen.append(a)
        b = v._b
        if b is not None and b._mark is not stamp:
            b._mark = stamp
            if b._a is not None:
                push(b)
                continue
            if not b._rg:
                frozen.append(b)
        pop()
        v.grad = 0.0
        emit(v)
    return order, frozen


def _reset_interior(order: list[Value]) -> list[Value]:
    """Zero interior grads (they hold one pass only) and return the leaves that take no gradient."""
    frozen = []
    for v in order:
        if v._a is not None:
            v.grad = 0.0
        elif not v._rg:
            frozen.append(v)
    return frozen


def _run(order: list[Value]) -> None:
    # The hot loop, over interior nodes only: consumers before inputs, so each node's grad is
    # complete when it is read.  It allocates nothing but the floats it computes.
    for v in reversed(order):
        g = v.grad
        v._a.grad += v._da * g
        db = v._db
        if db is not None:
            v._b.grad += db * g


def _run_checked(order: list[Value]) -> None:
    """_run, stopping at the first contribution that turns nan or inf (detect_anomaly)."""
    for v in reversed(order):
        g = v.grad
        for x, local in zip(v.inputs, v.local_grads, strict=False):
            if local is not None:
                product = local * g
                modes.check_backward(v, x, g, local, product)
                x.grad += product


def _run_recording(order: list[Value], record: Callable[[Step], Any]) -> None:
    """_run, reporting every multiplication it does (and checking it under detect_anomaly)."""
    checked = modes.anomaly_enabled()
    for v in reversed(order):
        g = v.grad
        terms = []
        for x, local in zip(v.inputs, v.local_grads, strict=False):
            if local is not None:
                product = local * g
                if checked:
                    modes.check_backward(v, x, g, local, product)
                x.grad += product
                terms.append((x, local, product))
        record((v, g, tuple(terms)))


def zero_grad(values: Iterable[Value]) -> None:
    """Set ``.grad`` of each Value to 0."""
    for v in values:
        v.grad = 0.0


def grad(output: Value, inputs: Value | Sequence[Value], grad_output: float = 1.0,
         create_graph: bool = False, *, grad_outputs: Any = None) -> Any:
    """d(output)/d(input) for each input, without touching any ``.grad``.

    With ``create_graph=True`` the gradients are Values built from the op table's derivative
    expressions, so they can be differentiated again (second, third, ... derivatives).  An input
    that `output` does not depend on, or that does not require grad, gets 0.  The answer has the
    shape of `inputs`: a single Value gives a single gradient, a sequence a list.
    `grad_outputs` is PyTorch's spelling of `grad_output` (a number or a one-element sequence).
    """
    if grad_outputs is not None:
        grad_output = _one_grad_output(grad_outputs, grad_output)
    single = isinstance(inputs, Value)
    wanted = [inputs] if single else list(inputs)
    for x in [output, *wanted]:
        if not isinstance(x, Value):
            raise TypeError(f"grad() works on Values, got {type(x).__name__}")
    order = topological_order(output)
    checked = modes.anomaly_enabled()  # a create_graph pass is checked by its own operations
    grads: dict[Value, Any] = {output: Value(grad_output, requires_grad=False) if create_graph
                               else to_float(grad_output)}
    for v in reversed(order):
        g = grads.get(v)
        if g is None or v._a is None:
            continue
        if create_graph:
            locals_ = OPS[v._op].local_value(v)
            for x, local in zip(v.inputs, locals_, strict=False):
                if local is not None:
                    term = _times(local, g)
                    grads[x] = term if x not in grads else grads[x] + term
        else:
            for x, local in zip(v.inputs, v.local_grads, strict=False):
                if local is not None:
                    product = local * g
                    if checked:
                        modes.check_backward(v, x, g, local, product)
                    grads[x] = grads.get(x, 0.0) + product
    result = [_result(grads.get(x), x, create_graph) for x in wanted]
    return result[0] if single else result


def _one_grad_output(grad_outputs: Any, grad_output: float) -> float:
    """The seed given as PyTorch's `grad_outputs`: one number, or a sequence holding one."""
    if isinstance(grad_outputs, (list, tuple)):
        if len(grad_outputs) != 1:
            raise ValueError(f"grad_outputs needs one entry per output (grad() takes one output), "
                             f"got {len(grad_outputs)}")
        grad_outputs = grad_outputs[0]
    if isinstance(grad_outputs, Value):
        grad_outputs = grad_outputs.data
    if grad_output != 1.0:
        raise TypeError("give grad_output or grad_outputs, not both")
    return to_float(grad_outputs)


def _times(local: Any, g: Value) -> Value:
    # Skip the multiplication by ±1 so higher-order graphs stay as small as the formulas.
    if isinstance(local, (int, float)):
        if local == 1.0:
            return g
        if local == -1.0:
            return -g
    return local * g


def _result(g: Any, x: Value, create_graph: bool) -> Any:
    if x._a is None and not x._rg:
        g = None
    if create_graph:
        return g if isinstance(g, Value) else Value(0.0 if g is None else g, requires_grad=False)
    return 0.0 if g is None else g
