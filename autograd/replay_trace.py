"""Trace recording: one eager call of a function on fresh leaves, flattened into numbered slots.

``_trace`` calls ``fn`` on new leaf Values while the guard recorder (guards.py) watches, and
gives a ``Traced``: the call's root, aux outputs (as a template with ``_Out`` indices), detached
leaves and guards.  ``Trace`` is the same graph flattened in topological order: per slot its
kind (input, parameter, constant, node), op, input slots and which edges carry a gradient --
the form every replay backend (replay_python, replay_loop, replay_numpy) builds from and that
replay_check compares.  ``_numbers`` checks the numbers a compiled call is given.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from . import graph
from .guards import recording
from .modes import enable_grad, is_grad_enabled
from .ops import OPS
from .value import Value

# A comparison seen while tracing: (Value a, comparison, Value or float b, outcome).
Guard = tuple[Value, str, Any, bool]

# --- the trace: one call's graph as numbered slots ----------

INPUT, PARAM, CONST, NODE = "input", "param", "const", "node"
# The few `carries` tuples there are, shared by every slot instead of one tuple per node.
_CARRIES: dict[Any, tuple[bool, ...]] = {
    False: (False,), True: (True,), (False, False): (False, False), (False, True): (False, True),
    (True, False): (True, False), (True, True): (True, True)}


class Trace:
    """The graph of one call, flattened: slot i is the i-th Value in topological order."""

    def __init__(self, inputs: list[Value], root: Value, extras: Sequence[Value] = (),
                 detached: Sequence[Value] = (), guards: Sequence[Guard] = ()) -> None:
        # While the graph is flattened, each Value's walk mark holds its slot number: no table
        # of a million Values (graph walks compare marks with a fresh stamp, never with an int).
        with graph.walk_lock:
            self._flatten(inputs, root, extras, detached, guards)

    def _flatten(self, inputs: list[Value], root: Value, extras: Sequence[Value],
                 detached: Sequence[Value], guards: Sequence[Guard]) -> None:
        stamp = object()
        order = _walk_into([], root, stamp)
        self.root = len(order) - 1
        # Extra outputs (has_aux) and the Values compared by guards: their nodes outside the
        # root's graph come after the root and take no part in the backward pass.
        compared = [v for a, _, b, _ in guards for v in (a, b) if isinstance(v, Value)]
        for extra in [*extras, *compared]:
            if extra._mark is not stamp:
                _walk_into(order, extra, stamp)
        for i, v in enumerate(order):
            v._mark = i
        self.outputs = [v._mark for v in extras]
        input_index = {v: k for k, v in enumerate(inputs)}
        self.size = len(order)
        self.n_inputs = len(inputs)
        self.kind: list[str] = []
        self.op: list[str | None] = []  # op name per slot (None for a leaf)
        self.args: list[tuple[int, ...]] = []  # input slots per slot
        self.carries: list[tuple[bool, ...]] = []  # does a gradient flow along each input edge?
        self.needs_grad: list[bool] = []  # is any gradient-taking leaf upstream of this slot?
        self.input_slots: list[int | None] = [None] * len(inputs)  # None: input not used
        self.param_slots: list[int] = []
        self.params: list[Value] = []
        self.const_slots: list[int] = []
        self.const_values: list[float] = []  # at trace time (a replay reads .data afresh)
        self.consts: list[Value] = []
        # Constants that fn made from its own Values (detach(), no_grad): frozen by a replay.
        self.detached_slots: list[int] = []
        detached_ids = {id(v) for v in detached}
        self.labels = [v.label for v in order]  # only ever shown in error messages
        root = self.root
        for i, v in enumerate(order):
            op = v._op
            self.op.append(op)
            if op is not None:
                self._node(i, v, root)
                continue
            self.args.append(())  # a leaf
            self.carries.append(())
            if v in input_index:
                self.kind.append(INPUT)
                self.input_slots[input_index[v]] = i
                self.needs_grad.append(True)
            elif v._rg:
                self.kind.append(PARAM)
                self.param_slots.append(i)
                self.params.append(v)
                self.needs_grad.append(True)
            else:
                self.kind.append(CONST)
                self.const_slots.append(i)
                self.const_values.append(v.data)
                self.consts.append(v)
                self.needs_grad.append(False)
                if id(v) in detached_ids:
                    self.detached_slots.append(i)
        # Guards as (slot a, comparison, slot b or None, constant b, outcome).
        self.guards = [(a._mark, op, b._mark if isinstance(b, Value) else None,
                        0.0 if isinstance(b, Value) else b, outcome)
                       for a, op, b, outcome in guards]
        for v in order:  # leave no slot number behind for a later walk to misread
            v._mark = None
        # Which slots a gradient reaches: the root (if anything upstream takes a gradient) and
        # every target of a carrying edge.
        self.receives = [False] * self.size
        self.receives[self.root] = self.needs_grad[self.root]
        for i in range(self.size):
            for a, c in zip(self.args[i], self.carries[i], strict=True):
                if c:
                    self.receives[a] = True

    def _node(self, i: int, v: Value, root: int) -> None:
        """Add slot i, made by an operation: its op, input slots, and which edges carry."""
        if v._op not in OPS:
            raise TypeError(f"compile: the trace holds op {v._op!r}, not in the op table")
        needs_grad = self.needs_grad
        # A None local derivative (a constant exponent), an input no leaf of which takes a
        # gradient, and a node after the root all mean: nothing to send back along this edge.
        in_backward = i <= root
        a = v._a._mark
        carry_a = in_backward and needs_grad[a] and v._da is not None
        if v._b is None:
            args: tuple[int, ...] = (a,)
            carries = _CARRIES[carry_a]
        else:
            b = v._b._mark
            args = (a, b)
            carry_b = in_backward and needs_grad[b] and v._db is not None
            carries = _CARRIES[carry_a, carry_b]
        self.kind.append(NODE)
        self.args.append(args)
        self.carries.append(carries)
        needs_grad.append(True in carries)

    def what(self, i: int) -> str:
        """What slot i holds, for an error message: its kind, op and label."""
        if self.kind[i] == INPUT:
            text = f"input {self.input_slots.index(i)}"
        elif self.kind[i] == NODE:
            text = f"a {self.op[i]!r} node"
        else:
            text = f"a captured {'parameter' if self.kind[i] == PARAM else 'constant'}"
        return text + (f" labelled {self.labels[i]!r}" if self.labels[i] else "")

    def describe(self, i: int) -> str:
        """Name slot i for an error message: its position, then what it holds."""
        return f"slot {i} ({self.what(i)})"


class Traced(NamedTuple):
    """One eager call of fn on fresh leaves, and what the trace sink recorded meanwhile."""

    inputs: list[Value]
    root: Value
    template: Any  # has_aux: aux's nesting with each Value replaced by its index in extras
    extras: list[Value]
    detached: list[Value]  # leaves fn made with detach() or under no_grad()
    guards: list[Guard]

    def flatten(self) -> Trace:
        """The numbered-slot form of this call's graph."""
        return Trace(self.inputs, self.root, self.extras, self.detached, self.guards)


def _walk_into(order: list[Value], root: Value, stamp: object) -> list[Value]:
    """Append root's graph to `order`, inputs first, skipping Values already marked `stamp`.

    graph.topological_order's iterative walk, with a stamp shared by several roots; the caller
    holds graph.walk_lock.
    """
    root._mark = stamp
    stack = [root]
    push, pop, emit = stack.append, stack.pop, order.append
    while stack:
        v = stack[-1]
        a = v._a
        if a is not None:
            if a._mark is not stamp:
                a._mark = stamp
                push(a)
                continue
            b = v._b
            if b is not None and b._mark is not stamp:
                b._mark = stamp
                push(b)
                continue
        pop()
        emit(v)
    return order


def _trace(fn: Callable[..., Any], numbers_in: list[float], has_aux: bool) -> Traced:
    """Call fn on fresh leaves holding `numbers_in`, recording guards (see guards.py)."""
    xs = [Value(x) for x in numbers_in]
    name = getattr(fn, "__name__", repr(fn))
    with recording(name) as recorder:
        if is_grad_enabled():
            out = fn(*xs)
        else:
            with enable_grad():  # compiled inside no_grad(): the trace must still record it
                out = fn(*xs)
    template: Any = None
    extras: list[Value] = []
    if has_aux:
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError(f"compile: with has_aux=True, {name} must return a pair (Value, aux), "
                            f"got {type(out).__name__}")
        out, aux = out
        template = _flatten(aux, extras, name)
    return Traced(xs, _as_output(out, name), template, extras, recorder.detached,
                  recorder.guards)


def _as_output(out: Any, name: str) -> Value:
    if isinstance(out, Value):
        return out
    if isinstance(out, numbers.Real) and not isinstance(out, bool):
        return Value(out, requires_grad=False)  # a constant function
    raise TypeError(f"compile: {name} must return a Value (or a number), got "
                    f"{type(out).__name__}")


class _Out(int):
    """In an aux template: the index of an output Value."""


def _flatten(aux: Any, extras: list[Value], name: str) -> Any:
    """Copy of the nested lists/tuples/dicts `aux` with each Value v replaced by _Out(index)."""
    if isinstance(aux, Value):
        extras.append(aux)
        return _Out(len(extras) - 1)
    if isinstance(aux, (list, tuple)):  # a tuple subclass comes back as a plain tuple
        items = [_flatten(a, extras, name) for a in aux]
        return items if isinstance(aux, list) else tuple(items)
    if isinstance(aux, dict):
        return {k: _flatten(a, extras, name) for k, a in aux.items()}
    if isinstance(aux, (numbers.Number, str)) or aux is None:
        return aux  # returned as it is
    raise TypeError(f"compile: the aux output of {name} may hold Values, numbers, lists, tuples "
                    f"and dicts, got {type(aux).__name__}")


def _unflatten(template: Any, numbers_out: Sequence[float]) -> Any:
    """The aux template with each _Out(k) replaced by numbers_out[k]."""
    if isinstance(template, _Out):
        return numbers_out[template]
    if isinstance(template, list):
        return [_unflatten(t, numbers_out) for t in template]
    if isinstance(template, tuple):
        return tuple(_unflatten(t, numbers_out) for t in template)
    if isinstance(template, dict):
        return {k: _unflatten(t, numbers_out) for k, t in template.items()}
    return template


def _numbers(xs: Sequence[Any], expected: int | None, who: str) -> list[float]:
    """Check and convert the input numbers of a call, naming the first bad one."""
    if expected is not None and len(xs) != expected:
        raise TypeError(f"{who} takes {expected} input{'s' if expected != 1 else ''}, "
                        f"got {len(xs)}")
    out = []
    for k, x in enumerate(xs):
        if x.__class__ is float:
            out.append(x)
        elif isinstance(x, Value):
            out.append(x.data)
        elif isinstance(x, numbers.Real) and not isinstance(x, bool):
            try:
                out.append(float(x))
            except OverflowError:  # an int beyond float64: the engine's ValueError, as Value()
                raise ValueError(f"{who}: input {k} is too large for a float64: "
                                 f"{x!r}"[:200]) from None
        else:
            raise TypeError(f"{who}: input {k} must be a real number (int, float, NumPy "
                            f"scalar or Value), got {type(x).__name__}: {x!r}"[:300])
    return out

