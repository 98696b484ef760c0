"""Reverse-mode differentiation: backward() fills .grad, grad() returns gradients.

Semantics (as in PyTorch): a leaf's ``.grad`` accumulates across backward() calls until it is
zeroed; an interior node's ``.grad`` is reset at the start of each pass, so it always holds
d(root)/d(node) of the latest pass.  A leaf with ``requires_grad=False`` keeps ``.grad == 0``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import graph, graphbreak, modes, native
from .graph import walk
from .ops import OPS
from .value import Value, to_float, trace_hook, tracing

# One recorded backward step: (node, upstream gradient, ((input, local derivative, product), ...)).
Step = tuple[Value, float, tuple[tuple[Value, float, float], ...]]


def backward(root: Value, grad: float = 1.0, *,
             record: Callable[[Step], Any] | None = None) -> None:
    """Accumulate d(root)/d(leaf) into every leaf's ``.grad`` (seeded with `grad`).

    `record`, if given, is called once per node in the order the pass runs, with the numbers the
    pass itself multiplied: this is what ``explain()`` shows.  Passes from several threads run
    one after the other (``graph.walk_lock``), so each adds its full share into shared leaves.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward() needs a Value, got {type(root).__name__}")
    if tracing:  # inside a compiled function: .grad gets numbers a replay could not repeat
        trace_hook(root, "backward()")
    seed = to_float(grad)
    checked = modes.anomaly_enabled()
    with graph.walk_lock:  # looked up at each call: a forked child renews it
        if root._a is None:  # a leaf: its gradient with respect to itself is the seed
            root.grad = root.grad + seed if root._rg else 0.0
            if record is not None:
                record((root, root.grad, ()))
            return
        if record is None and not checked:
            if _native_pass is not None:  # the same walk and the same sums, in C
                _native_pass(root, seed)
                return
            order, reached = walk(root, leaves=False, reset=True)
            root.grad = seed
            _run(order)
        else:  # the instrumented passes visit every node, leaves included
            order, reached = walk(root, reset=True)
            root.grad = seed
            chain_rule(order, _dot_grad, _add_to_dot_grad, checked=checked, record=record)
        for v in reached:  # the passes add into every leaf; one taking no gradient keeps 0
            if not v._rg:
                v.grad = 0.0


# The native core's plain pass (graph.walk(root, leaves=False, reset=True), _run and the reset of
# leaves that take no gradient, fused), or None where the pure engine runs.
_native_pass: Callable[[Value, float], None] | None = (
    None if native.module is None else native.module.backward_pass)


def _run(order: list[Value]) -> None:
    # chain_rule() for the plain pass, written out for speed: over interior nodes only, consumers
    # before inputs, so each node's grad is complete when it is read.  It allocates nothing but
    # the floats it computes.
    # The order holds interior nodes only, whose _a and _da are set (and _b with _db), which the
    # checker cannot know from the slots' types: hence the two ignores.
    for v in reversed(order):
        g = v.grad
        v._a.grad += v._da * g  # type: ignore[union-attr, operator]
        db = v._db
        if db is not None:
            v._b.grad += db * g  # type: ignore[union-attr]


def _stored(v: Value) -> tuple[Any, ...]:
    return v.local_grads


def _as_values(v: Value) -> tuple[Any, ...]:
    return OPS[v._op].local_value(v)  # type: ignore[index]  # interior nodes only: _op is set


def _mul(local: float, g: float) -> float:
    return local * g


def _dot_grad(v: Value) -> float:
    return v.grad


def _add_to_dot_grad(x: Value, product: float) -> None:
    x.grad += product


def chain_rule(order: list[Value], grad_of: Callable[[Value], Any],
               add: Callable[[Value, Any], None], locals_of: Callable[[Value], Any] = _stored,
               times: Callable[[Any, Any], Any] = _mul, checked: bool = False,
               record: Callable[[Step], Any] | None = None) -> None:
    """The chain rule over `order` (a topological order), consumers first: every pass but the
    plain backward() runs this one loop.

    `grad_of(v)` reads a node's gradient (None: nothing reached it); `add(x, product)` adds a
    contribution to an input's; `locals_of(v)` gives the local derivatives (stored floats, or
    Value expressions for create_graph) and `times` multiplies one by the upstream gradient.
    `checked` stops at the first contribution that turns nan or inf (detect_anomaly); `record`
    is called once per node with the numbers multiplied (explain).
    """
    for v in reversed(order):
        g = grad_of(v)
        if g is None:
            continue
        terms = []
        if v._a is not None:
            for x, local in zip(v.inputs, locals_of(v), strict=False):
                if local is None:  # an input that takes no gradient (a constant exponent)
                    continue
                product = times(local, g)
                if checked:
                    modes.check_backward(v, x, g, local, product)
                add(x, product)
                terms.append((x, local, product))
        if record is not None:
            record((v, g, tuple(terms)))


def zero_grad(values: Iterable[Value]) -> None:
    """Set ``.grad`` of each Value to 0."""
    for v in values:
        v.grad = 0.0


def grad(output: Value, inputs: Value | Sequence[Value], grad_output: float = 1.0,
         create_graph: bool | None = None, *, grad_outputs: Any = None) -> Any:
    """d(output)/d(input) for each input, without touching any ``.grad``.

    With ``create_graph=True`` the gradients are Values built from the op table's derivative
    expressions, so they can be differentiated again (second, third, ... derivatives).  An input
    that `output` does not depend on, or that does not require grad, gets 0.  The answer has the
    shape of `inputs`: a single Value gives a single gradient, a sequence a list.
    `grad_outputs` is PyTorch's spelling of `grad_output` (a number or a one-element sequence).
    `create_graph` left unset is False, except inside a transform (jvp, jacobian, derivative...):
    there the gradient must be a graph the transform can differentiate, as JAX's grad is.
    """
    if grad_outputs is not None:
        grad_output = _one_grad_output(grad_outputs, grad_output)
    if create_graph is None:
        create_graph = _inside_transform()
    single = isinstance(inputs, Value)
    wanted = [inputs] if isinstance(inputs, Value) else list(inputs)
    for x in [output, *wanted]:
        if not isinstance(x, Value):
            cut = graphbreak.last() if x is output else ""
            raise TypeError(f"grad() works on Values, got {type(x).__name__}{cut}")
    if tracing and not create_graph:  # numbers out of a compiled function's graph
        trace_hook(output, "grad() without create_graph=True")
    with graph.walk_lock:
        order = walk(output)[0]
    grads: dict[Value, Any] = {output: Value(grad_output, requires_grad=False) if create_graph
                               else to_float(grad_output)}
    if create_graph:  # a create_graph pass is checked by its own operations
        def add(x: Value, product: Any) -> None:
            grads[x] = product if x not in grads else grads[x] + product

        chain_rule(order, grads.get, add, locals_of=_as_values, times=chain_term)
    else:
        def add(x: Value, product: Any) -> None:
            grads[x] = grads.get(x, 0.0) + product

        chain_rule(order, grads.get, add, checked=modes.anomaly_enabled())
    # An input the output does not reach because math.exp(x) & co. cut it off: say so (0 would
    # be a silent wrong answer); an input the output never used still gets 0.
    graphbreak.check_reached(wanted, grads.__contains__)
    result = [_result(grads.get(x), x, create_graph) for x in wanted]
    return result[0] if single else result


def _inside_transform() -> bool:
    """Whether a transform is running the function that calls grad() (modes.transform_depth)."""
    return modes.transform_depth.get() > 0


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


def chain_term(local: Any, g: Any) -> Any:
    """local * g for a graph of derivatives (create_graph); forward mode's tangents use it too."""
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
