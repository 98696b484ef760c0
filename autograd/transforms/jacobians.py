"""Jacobians, Hessians and Hessian-vector products, built from forward sweeps and backward passes.

Names and shapes as in ``torch.autograd.functional`` and JAX: the Jacobian block of an output y
and an argument x has the shape of y followed by the shape of x, where a number has no shape and
a list has its length.  So f: number -> number gives a float, f: list -> number a list (the
gradient), f: list -> list a list of rows, one per output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..core.backward import grad
from ..core.value import Value, to_float
from .forward import (
    is_nested,
    is_vector,
    new_input,
    nonzero,
    number_or_value,
    order_of,
    outputs_of,
    tangent_sweep,
    traced,
)

MODES = ("auto", "forward", "reverse")


def _positions(argnums: int | Sequence[int]) -> tuple[tuple[int, ...], bool]:
    several = not isinstance(argnums, int)
    # Checked just below: each must be an int.
    positions: tuple[Any, ...] = (tuple(argnums) if several and isinstance(argnums, Sequence)
                                  else (argnums,))
    if any(isinstance(i, bool) or not isinstance(i, int) for i in positions) or not positions:
        raise TypeError(
            f"argnums must be an int or a non-empty tuple of ints, got {argnums!r}"[:200])
    return positions, several


def _inputs(args: Sequence[Any], positions: Sequence[int], nested: bool
            ) -> tuple[list[Any], list[list[Value]]]:
    """f's arguments with the differentiated ones made fresh nodes, and those nodes per argument."""
    xs = list(args)
    groups = []
    for i in positions:
        if not -len(xs) <= i < len(xs):
            raise ValueError(f"argnums names argument {i}, but {len(xs)} were given")
        a = xs[i]
        fresh = [new_input(e, nested) for e in a] if is_vector(a) else [new_input(a, nested)]
        xs[i] = fresh if is_vector(a) else fresh[0]
        groups.append(fresh)
    return xs, groups


def _chosen(args: Sequence[Any], positions: Sequence[int]) -> list[Any]:
    return [args[i] for i in positions if -len(args) <= i < len(args)]


def _block(rows: list[list[Any]], out_vector: bool, in_vector: bool) -> Any:
    """The entries d out_i / d in_j arranged as out's shape followed by in's shape."""
    if out_vector and in_vector:
        return rows
    if out_vector:
        return [row[0] for row in rows]
    if in_vector:
        return rows[0]
    return rows[0][0]


def _split(matrix: list[list[Any]], groups: list[list[Value]], out_vector: bool,
           in_vectors: list[bool], several: bool) -> Any:
    """Cut the full matrix (rows: outputs, columns: all inputs) into one block per argument."""
    blocks, start = [], 0
    for group, in_vector in zip(groups, in_vectors, strict=True):
        cols = [row[start:start + len(group)] for row in matrix]
        blocks.append(_block(cols, out_vector, in_vector))
        start += len(group)
    return tuple(blocks) if several else blocks[0]


def _forward_matrix(outs: list[Value], inputs: list[Value], nested: bool) -> list[list[Any]]:
    """One tangent sweep per input: column j is d outs / d inputs[j]."""
    order = order_of(outs)
    cache: dict[Value, tuple[Any, ...]] = {}
    one = Value(1.0, requires_grad=False) if nested else 1.0
    columns = []
    for x in inputs:
        found = tangent_sweep(order, {x: one}, create_graph=nested, locals_cache=cache)
        columns.append([number_or_value(found.get(y), nested) for y in outs])
    return [list(row) for row in zip(*columns, strict=True)] if columns else [[] for _ in outs]


def _reverse_matrix(outs: list[Value], inputs: list[Value], nested: bool) -> list[list[Any]]:
    """One backward pass per output: row i is d outs[i] / d inputs."""
    rows = []
    for y in outs:
        gs = grad(y, inputs, create_graph=nested)
        rows.append([number_or_value(g, nested) for g in gs])
    return rows


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}"[:200])


def jacobian(f: Callable[..., Any], argnums: int | Sequence[int] = 0, *, mode: str = "auto",
             create_graph: bool = False) -> Callable[..., Any]:
    """Turn f into the function returning its Jacobian with respect to the arguments `argnums`.

    `mode="auto"` makes one forward sweep per input when there are fewer inputs than outputs and
    one backward pass per output otherwise (JAX's jacfwd / jacrev); both give the same numbers.
    Other arguments and keywords pass to f untouched.  Floats, or Values when called with Values,
    inside another transform, or with `create_graph`.
    """
    positions, several = _positions(argnums)
    _check_mode(mode)

    def jac(*args: Any, **kwargs: Any) -> Any:
        nested = create_graph or is_nested(_chosen(args, positions))
        xs, groups = _inputs(args, positions, nested)
        outs, out_vector = outputs_of(traced(f, xs, kwargs), f)
        inputs = [x for group in groups for x in group]
        forward = mode == "forward" or (mode == "auto" and len(inputs) < len(outs))
        matrix = (_forward_matrix if forward else _reverse_matrix)(outs, inputs, nested)
        return _split(matrix, groups, out_vector, [is_vector(args[i]) for i in positions], several)

    jac.__name__ = f"jacobian({getattr(f, '__name__', 'f')})"
    return jac


def _scalar_output(out: Any, f: Callable[..., Any], what: str) -> Value:
    outs, vector = outputs_of(out, f)
    if vector:
        name = getattr(f, "__name__", repr(f))
        raise TypeError(f"{what} needs {name} to return one number (a scalar), got a list of "
                        f"{len(outs)}")
    return outs[0]


def hessian(f: Callable[..., Any], argnums: int | Sequence[int] = 0, *,
            create_graph: bool = False) -> Callable[..., Any]:
    """Turn a scalar f into the function returning its matrix of second derivatives.

    Forward over reverse: the gradient is built once as a graph (grad with create_graph), then
    one tangent sweep per input differentiates it.  With a tuple `argnums` the answer is a tuple
    of tuples of blocks, block (a, b) holding d²f / d arg_a d arg_b, as PyTorch arranges it.
    """
    positions, several = _positions(argnums)

    def hess(*args: Any, **kwargs: Any) -> Any:
        nested = create_graph or is_nested(_chosen(args, positions))
        xs, groups = _inputs(args, positions, nested)
        out = _scalar_output(traced(f, xs, kwargs), f, "hessian")
        inputs = [x for group in groups for x in group]
        gradient = grad(out, inputs, create_graph=True)
        matrix = _forward_matrix(gradient, inputs, nested)
        vectors = [is_vector(args[i]) for i in positions]
        rows, start = [], 0
        for group, row_vector in zip(groups, vectors, strict=True):
            part = matrix[start:start + len(group)]
            rows.append(_split(part, groups, row_vector, vectors, True))
            start += len(group)
        return tuple(rows) if several else rows[0][0]

    hess.__name__ = f"hessian({getattr(f, '__name__', 'f')})"
    return hess


def hvp(f: Callable[..., Any], primals: Any, v: Any, *, create_graph: bool = False
        ) -> tuple[Any, Any]:
    """(f(*primals), H·v): the Hessian of a scalar f at `primals` times the direction `v`.

    Forward over reverse, without forming H: the gradient graph is built once and a single
    tangent sweep along v differentiates it.  `primals` and `v` are shaped as for jvp; the
    product comes back shaped like `primals`.
    """
    from .forward import _pairs, _seed  # the argument rules are jvp's

    ps, vs, bare = _pairs(primals, v)
    nested = create_graph or is_nested(ps) or is_nested(vs)
    xs, groups = _inputs(ps, range(len(ps)), nested)
    out = _scalar_output(traced(f, xs, {}), f, "hvp")
    inputs = [x for group in groups for x in group]
    directions = [e for p, d in zip(ps, vs, strict=True) for e in (d if is_vector(p) else [d])]
    gradient = grad(out, inputs, create_graph=True)
    seeds = {x: _seed(d, nested) for x, d in zip(inputs, directions, strict=True)}
    found = tangent_sweep(order_of(gradient), nonzero(seeds), create_graph=nested,
                          locals_cache={})
    products = [number_or_value(found.get(g), nested) for g in gradient]
    shaped, start = [], 0
    for p, group in zip(ps, groups, strict=True):
        part = products[start:start + len(group)]
        shaped.append(part if is_vector(p) else part[0])
        start += len(group)
    value = out if nested else out.data
    return value, (shaped[0] if bare else tuple(shaped))


def vjp(f: Callable[..., Any], *primals: Any, create_graph: bool = False
        ) -> tuple[Any, Callable[[Any], tuple[Any, ...]]]:
    """(f(*primals), vjp_fn), as in JAX: vjp_fn(cotangent) is cotangent · Jacobian.

    f is traced once; each call of vjp_fn makes one backward pass seeded with the cotangent
    (shaped like f's output) and returns one entry per primal, each shaped like that primal.
    """
    nested = create_graph or is_nested(primals)
    xs, groups = _inputs(primals, range(len(primals)), nested)
    outs, vector = outputs_of(traced(f, xs, {}), f)
    inputs = [x for group in groups for x in group]

    def vjp_fn(cotangent: Any) -> tuple[Any, ...]:
        cts = _cotangents(cotangent, vector, len(outs))
        if nested:
            flat: list[Any] = [None] * len(inputs)
            for y, c in zip(outs, cts, strict=True):
                for k, g in enumerate(grad(y, inputs, create_graph=True)):
                    term = g * c
                    flat[k] = term if flat[k] is None else flat[k] + term
        else:
            flat = _pullback(outs, cts, inputs)
        shaped, start = [], 0
        for p, group in zip(primals, groups, strict=True):
            part = [number_or_value(g, nested) for g in flat[start:start + len(group)]]
            shaped.append(part if is_vector(p) else part[0])
            start += len(group)
        return tuple(shaped)

    values = [y if nested else y.data for y in outs]
    return (values if vector else values[0]), vjp_fn


def _cotangents(cotangent: Any, vector: bool, m: int) -> list[Any]:
    """The cotangent as one entry per output, checked against f's output shape."""
    if vector != is_vector(cotangent) or (vector and len(cotangent) != m):
        shape = f"a list of {m}" if vector else "one number"
        raise ValueError(f"vjp: the cotangent must have the shape of f's output ({shape})")
    cts = list(cotangent) if vector else [cotangent]
    return [c if isinstance(c, Value) else to_float(c) for c in cts]


def _pullback(outs: list[Value], cts: list[Any], inputs: list[Value]) -> list[float]:
    """One backward pass seeded with every output's cotangent at once (floats)."""
    adjoint: dict[Value, float] = {}
    for y, c in zip(outs, cts, strict=True):
        adjoint[y] = adjoint.get(y, 0.0) + (c.data if isinstance(c, Value) else c)
    for _ in adjoint_sweep(order_of(outs), adjoint):
        pass  # the sweep fills `adjoint`; its terms are for explain_modes
    return [adjoint.get(x, 0.0) for x in inputs]


def adjoint_sweep(order: list[Value], adjoint: dict[Value, float]
                  ) -> Iterator[tuple[Value, Value, float, float]]:
    """Reverse mode on the public graph API: from the seeded `adjoint`s back through `order`.

    Adds each chain-rule term local · g into ``adjoint`` and yields it as (node, input, local, g).
    """
    for v in reversed(order):
        g = adjoint.get(v)
        if g is None or v.is_leaf:
            continue
        for x, local in zip(v.inputs, v.local_grads, strict=False):
            if local is not None:
                adjoint[x] = adjoint.get(x, 0.0) + local * g
                yield v, x, local, g
