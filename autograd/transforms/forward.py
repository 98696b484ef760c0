"""Forward mode: tangents pushed through a recorded graph with the op table's local derivatives.

A dual-number evaluation carries (value, tangent) through every operation and multiplies each
incoming tangent by the operation's local derivative.  valuegrad records the graph anyway, and
every node already holds its local derivatives from the forward pass, so a forward-mode pass is a
sweep over the nodes in the order they were made: tangent(node) = Σ local_k · tangent(input_k).
No derivative is written twice: the floats are the ones backward() uses, and under
``create_graph`` the Value expressions come from ``ops.OPS[op].local_value``, so the tangents can
be differentiated again (jvp of grad is a Hessian-vector product).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..core import graphbreak, modes
from ..core.backward import chain_term  # as in grad(create_graph=True): ±1 adds no node
from ..core.checks import is_real
from ..core.graph import topological_order
from ..core.ops import OPS
from ..core.value import Value, to_float


def order_of(roots: Sequence[Value]) -> list[Value]:
    """Every node the roots depend on, inputs before their consumers, each node once."""
    seen: set[int] = set()
    order: list[Value] = []
    for root in roots:
        for v in topological_order(root):
            if id(v) not in seen:  # ids are safe: every node stays alive in `order`
                seen.add(id(v))
                order.append(v)
    return order


def tangent_sweep(order: Sequence[Value], seeds: dict[Value, Any], create_graph: bool = False,
                  locals_cache: dict[Value, tuple[Any, ...]] | None = None,
                  record: Callable[[Value, list[Any]], Any] | None = None) -> dict[Value, Any]:
    """The tangent of every node in `order` (inputs first), given the tangents of some nodes.

    A seeded node keeps its seed (it is an input of the function being differentiated); a node
    no seed reaches is left out (its tangent is exactly 0, and 0 · inf must not turn it nan).
    With `create_graph` the tangents are Values; `locals_cache` keeps the local derivatives as
    Values between several sweeps over one graph.  `record(node, terms)`, if given, receives
    each reached node's (input, local derivative, input tangent) terms (explain_modes shows them).
    """
    tangents = dict(seeds)
    for v in order:
        if v._a is None or v in seeds:
            continue
        if create_graph:
            locals_ = _local_values(v, locals_cache)
        else:
            locals_ = v.local_grads
        total = None
        terms: list[tuple[Value, Any, Any]] | None = [] if record is not None else None
        for x, local in zip(v.inputs, locals_, strict=False):
            t = tangents.get(x)
            if t is None or local is None:
                continue
            term = chain_term(local, t) if create_graph else local * t
            total = term if total is None else total + term
            if terms is not None:
                terms.append((x, local, t))
        if total is not None:
            tangents[v] = total
            if record is not None and terms is not None:
                record(v, terms)
    return tangents


def _local_values(v: Value, cache: dict[Value, tuple[Any, ...]] | None) -> tuple[Any, ...]:
    op = OPS[v._op]  # type: ignore[index]  # called for interior nodes only: _op is set
    if cache is None:
        return op.local_value(v)
    found = cache.get(v)
    if found is None:
        found = cache[v] = op.local_value(v)
    return found


# --- arguments and results: numbers or Values, alone or in flat lists ----------

def is_vector(x: Any) -> bool:
    """A list or tuple argument (a vector of scalars), as opposed to one number or Value."""
    return isinstance(x, (list, tuple))


def new_input(x: Any, nested: bool) -> Value:
    """A fresh node standing for the input x: a leaf for a number, an identity node for a Value.

    A Value from an outer transform is wrapped in an identity node (x + 0) so that this
    transform's seed sits on a node of its own: the function may also reach x itself through a
    closure, and that use must not be seeded (JAX's perturbation confusion).
    """
    if isinstance(x, Value):
        return x + 0.0
    if not is_real(x):
        raise TypeError(f"inputs must be numbers or Values (or lists of them), got "
                        f"{type(x).__name__}: {x!r}"[:200])
    return Value(to_float(x))


def contains_value(x: Any) -> bool:
    """Whether x, or an entry of the list x, is a Value."""
    if is_vector(x):
        return any(isinstance(e, Value) for e in x)
    return isinstance(x, Value)


def outputs_of(out: Any, f: Callable[..., Any]) -> tuple[list[Value], bool]:
    """f's result as a flat list of Values, and whether it was a list (a vector function)."""
    vector = is_vector(out)
    items = list(out) if vector else [out]
    values = []
    for item in items:
        if isinstance(item, Value):
            values.append(item)
        elif is_real(item):
            values.append(Value(float(item), requires_grad=False))  # a constant output
        else:
            name = getattr(f, "__name__", repr(f))
            raise TypeError(f"{name} must return a Value, a number, or a flat list of them; got "
                            f"{type(item).__name__}"[:200])
    return values, vector


def number_or_value(t: Any, nested: bool) -> Any:
    """A tangent as the caller gets it: a float, or a Value when nested."""
    if nested:
        return t if isinstance(t, Value) else Value(0.0 if t is None else t, requires_grad=False)
    if t is None:
        return 0.0
    return t.data if isinstance(t, Value) else t


def traced(f: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    """Call f as a transform does, so transforms inside it build graphs (see functional.py)."""
    token = modes.transform_depth.set(modes.transform_depth.get() + 1)
    breaks = graphbreak.start()
    try:
        out = f(*args, **kwargs)
    finally:
        cut = graphbreak.stop(breaks)
        modes.transform_depth.reset(token)
    graphbreak.check(cut, _values_in(args), f)  # math.exp(x) inside f: refuse, do not differentiate
    return out


def _values_in(args: Sequence[Any]) -> list[Any]:
    """The Values among the arguments, those inside lists and tuples included."""
    found: list[Any] = []
    stack = list(args)
    while stack:
        a = stack.pop()
        if isinstance(a, Value):
            found.append(a)
        elif isinstance(a, (list, tuple)):
            stack.extend(a)
    return found


def is_nested(values: Sequence[Any]) -> bool:
    """Inside another transform, or given Values: results must stay differentiable Values."""
    return modes.transform_depth.get() > 0 or any(contains_value(v) for v in values)


# --- jvp ----------

def _pairs(primals: Any, tangents: Any) -> tuple[list[Any], list[Any], bool]:
    """primals/tangents as lists of arguments; a bare number or Value is one argument."""
    bare = not isinstance(primals, (list, tuple))
    ps = [primals] if bare else list(primals)
    ts = [tangents] if bare and not isinstance(tangents, (list, tuple)) else (
        [tangents] if bare else list(tangents))
    if len(ps) != len(ts):
        raise ValueError(f"jvp: {len(ps)} primals but {len(ts)} tangents")
    for k, (p, t) in enumerate(zip(ps, ts, strict=True)):
        if is_vector(p) != is_vector(t) or (is_vector(p) and len(p) != len(t)):
            raise ValueError(f"jvp: tangent {k} must have the shape of primal {k}")
    return ps, ts, bare


def jvp(f: Callable[..., Any], primals: Any, tangents: Any, *, create_graph: bool = False
        ) -> tuple[Any, Any]:
    """Forward mode: (f(*primals), the directional derivative of f along `tangents`), as in JAX.

    `primals` is the tuple of f's arguments (a bare number is one argument), each a number or a
    list of numbers; `tangents` has the same shape.  f returns a Value or a list of Values, and
    the tangent comes back in that shape.  Floats, or Values when called with Values, inside
    another transform, or with `create_graph`.
    """
    ps, ts, _ = _pairs(primals, tangents)
    nested = create_graph or is_nested(ps) or is_nested(ts)
    args: list[Any] = []
    seeds: dict[Value, Any] = {}
    for p, t in zip(ps, ts, strict=True):
        if is_vector(p):
            xs = [new_input(e, nested) for e in p]
            args.append(xs)
            seeds.update((x, _seed(s, nested)) for x, s in zip(xs, t, strict=True))
        else:
            x = new_input(p, nested)
            args.append(x)
            seeds[x] = _seed(t, nested)
    outs, vector = outputs_of(traced(f, args, {}), f)
    found = tangent_sweep(order_of(outs), nonzero(seeds), create_graph=nested, locals_cache={})
    values = [y if nested else y.data for y in outs]
    slopes = [number_or_value(found.get(y), nested) for y in outs]
    return (values, slopes) if vector else (values[0], slopes[0])


def nonzero(seeds: dict[Value, Any]) -> dict[Value, Any]:
    """The seeds without constant zeros: an input not moved is not an input of the sweep.

    So the directional derivative along (1, 0) equals the first partial derivative that backward
    gives, even where the other input's branch has an infinite slope (0 · inf would be nan).
    """
    return {x: t for x, t in seeds.items() if not _constant_zero(t)}


def _constant_zero(t: Any) -> bool:
    if isinstance(t, Value):
        return t.is_leaf and not t.requires_grad and t._data == 0.0
    return t == 0.0


def _seed(t: Any, nested: bool) -> Any:
    if isinstance(t, Value):
        return t if nested else t.data
    t = to_float(t)
    return Value(t, requires_grad=False) if nested else t
