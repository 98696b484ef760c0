"""Trace recording: one eager call of a function on fresh leaves, flattened into numbered slots.

``_trace`` calls ``fn`` on new leaf Values while the guard recorder (guards.py) watches, and
gives a ``Traced``: the call's root, aux outputs (as a template with ``_Out`` indices), detached
leaves and guards.  ``Trace`` is the same graph flattened in topological order, in flat arrays: per
slot its op, input slots and which edges carry a gradient (and, made on first use, its kind:
input, parameter, constant, node) -- the form every replay backend (replay_python, replay_loop,
replay_numpy) builds from and that replay_check compares.  ``_numbers`` checks the numbers a
compiled call is given.
"""

from __future__ import annotations

import functools
import numbers
from array import array
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from ..core import checks, graph
from ..core.modes import enable_grad, is_grad_enabled
from ..core.ops import OPS
from ..core.value import LIFTED, Value
from .guards import recording

# A comparison seen while tracing: (Value a, comparison, Value or float b, outcome).
Guard = tuple[Value, str, Any, bool]

# --- the trace: one call's graph as numbered slots ----------

INPUT, PARAM, CONST, NODE = "input", "param", "const", "node"
NO_SLOT = -1  # in `first` / `second`: a leaf's (or a one-input node's) missing input


class Trace:
    """The graph of one call, flattened: slot i is the i-th Value in topological order.

    Kept in flat arrays, a few bytes per slot, so that a trace of millions of nodes costs far
    less than the Values it was made from: ``op[i]`` (None for a leaf), the input slots
    ``first[i]`` and ``second[i]`` (NO_SLOT where there is none), and one byte per slot for each
    of ``carry_a``/``carry_b`` (does a gradient flow back along that input edge?),
    ``needs_grad`` (is any gradient-taking leaf upstream?) and ``receives`` (does a gradient
    reach the slot?).  ``args``, ``carries``, ``kind`` and ``labels`` are per-slot lists made on
    first use, for the small-graph readers (generated Python, printing, check()).
    """

    def __init__(self, inputs: list[Value], root: Value, extras: Sequence[Value] = (),
                 detached: Sequence[Value] = (), guards: Sequence[Guard] = ()) -> None:
        self.op: list[str | None] = []
        self.first, self.second = array("q"), array("q")
        self.carry_a, self.carry_b = bytearray(), bytearray()
        self.needs_grad, self.receives = bytearray(), bytearray()
        self.label_at: dict[int, str] = {}  # only ever shown in error messages and printouts
        self.lifted: list[int] = []  # leaf slots holding a number lifted by arithmetic (LIFTED)
        order: list[Value] = []
        # While the graph is flattened, each Value's walk mark holds its slot number: no table
        # of a million Values (other walks compare marks with a fresh stamp, never with an int).
        with graph.walk_lock:
            try:
                self._number(root, order, in_backward=True)
                self.root = len(order) - 1
                # Extra outputs (has_aux) and the Values compared by guards: their nodes outside
                # the root's graph come after the root and take no part in the backward pass.
                for v in [*extras, *(v for a, _, b, _ in guards for v in (a, b))]:
                    if isinstance(v, Value):
                        self._number(v, order, in_backward=False)
                self.outputs = [v._mark for v in extras]
                # Guards as (slot a, comparison, slot b or None, constant b, outcome).
                self.guards = [(a._mark, op, b._mark if isinstance(b, Value) else None,
                                0.0 if isinstance(b, Value) else b, outcome)
                               for a, op, b, outcome in guards]
                self._leaves(order, inputs, detached)
            finally:
                for v in order:  # leave no slot number behind for a later walk to misread
                    v._mark = None
                for i in self.lifted:  # and the lifted constants as they were, for a later trace
                    order[i]._mark = LIFTED
        self.size = len(order)
        self.n_nodes = self.size - self.op.count(None)
        # The root receives its seed if anything upstream takes a gradient.
        self.receives[self.root] = self.needs_grad[self.root]
        unknown = {name for name in self.op if name is not None} - OPS.keys()
        if unknown:
            raise TypeError(f"compile: the trace holds op {sorted(unknown)[0]!r}, not in the "
                            f"op table")

    def _number(self, top: Value, order: list[Value], in_backward: bool) -> None:
        """Give top's graph slots, inputs first, skipping Values that already have one.

        graph.walk's iterative depth-first walk, writing each Value's row as it is listed: its
        inputs are listed before it, so their marks already hold their slot numbers.  (A Value
        on the stack has no int mark yet, and cannot be met again before it is listed.)
        """
        if top._mark.__class__ is int:
            return
        op, first, second = self.op.append, self.first.append, self.second.append
        carry_a, carry_b = self.carry_a.append, self.carry_b.append
        needs, receives, labels = self.needs_grad, self.receives, self.label_at
        stack = [top]
        push, pop, emit = stack.append, stack.pop, order.append
        while stack:
            v = stack[-1]
            a, b = v._a, v._b
            if a is not None and a._mark.__class__ is not int:
                push(a)
                continue
            if b is not None and b._mark.__class__ is not int:
                push(b)
                continue
            pop()
            lifted = v._mark is LIFTED
            v._mark = i = len(order)
            emit(v)
            op(v._op)
            receives.append(0)
            if getattr(v, "_label", ""):
                labels[i] = v._label
            if a is None:  # a leaf: inputs and parameters (requires_grad) take gradients
                first(NO_SLOT)
                second(NO_SLOT)
                carry_a(0)
                carry_b(0)
                needs.append(v._rg)
                if lifted:
                    self.lifted.append(i)
                continue
            # A None local derivative (a constant exponent), an input no leaf of which takes a
            # gradient, and a node after the root all mean: nothing to send back along an edge.
            j = a._mark
            first(j)
            ca = in_backward and needs[j] and v._da is not None
            if ca:
                receives[j] = 1
            cb = False
            if b is None:
                second(NO_SLOT)
            else:
                k = b._mark
                second(k)
                cb = in_backward and needs[k] and v._db is not None
                if cb:
                    receives[k] = 1
            carry_a(ca)
            carry_b(cb)
            needs.append(ca or cb)

    def _leaves(self, order: list[Value], inputs: list[Value], detached: Sequence[Value]
                ) -> None:
        """Sort the leaves into inputs, parameters and constants (marks hold slot numbers)."""
        self.n_inputs = len(inputs)
        self.input_slots: list[int | None] = [None] * len(inputs)  # None: input not used
        self.param_slots: list[int] = []
        self.params: list[Value] = []
        self.const_slots: list[int] = []
        self.const_values: list[float] = []  # at trace time (a replay reads .data afresh)
        self.consts: list[Value] = []
        # Which constants a replay reads afresh: all but the numbers arithmetic lifted into the
        # graph (x * 2.0), which nothing outside the graph holds, so nothing can change them.
        self.const_live: list[bool] = []
        lifted = set(self.lifted)
        # Constants that fn made from its own Values (detach(), no_grad): frozen by a replay.
        self.detached_slots: list[int] = []
        detached_ids = {id(v) for v in detached}
        input_index = {id(v): k for k, v in enumerate(inputs)}
        for i in [i for i, op in enumerate(self.op) if op is None]:
            v = order[i]
            if id(v) in input_index:
                self.input_slots[input_index[id(v)]] = i
            elif v._rg:
                self.param_slots.append(i)
                self.params.append(v)
            else:
                self.const_slots.append(i)
                self.const_values.append(v._data)
                self.consts.append(v)
                self.const_live.append(i not in lifted)
                if id(v) in detached_ids:
                    self.detached_slots.append(i)

    @functools.cached_property
    def args(self) -> list[tuple[int, ...]]:
        """Input slots per slot: () for a leaf."""
        return [() if a < 0 else (a,) if b < 0 else (a, b)
                for a, b in zip(self.first, self.second, strict=True)]

    @functools.cached_property
    def carries(self) -> list[tuple[bool, ...]]:
        """Per slot and input edge: does a gradient flow back along it?"""
        return [(bool(ca), bool(cb))[:len(args)]
                for args, ca, cb in zip(self.args, self.carry_a, self.carry_b, strict=True)]

    @functools.cached_property
    def kind(self) -> list[str]:
        """INPUT, PARAM, CONST or NODE per slot."""
        kinds = [CONST if op is None else NODE for op in self.op]
        for s in self.input_slots:
            if s is not None:
                kinds[s] = INPUT
        for s in self.param_slots:
            kinds[s] = PARAM
        return kinds

    @functools.cached_property
    def labels(self) -> list[str]:
        """Each slot's label ('' for most)."""
        labels = [""] * self.size
        for i, text in self.label_at.items():
            labels[i] = text
        return labels

    def what(self, i: int) -> str:
        """What slot i holds, for an error message: its kind, op and label."""
        kind = self.kind[i]
        if kind == INPUT:
            text = f"input {self.input_slots.index(i)}"
        elif kind == NODE:
            text = f"a {self.op[i]!r} node"
        else:
            text = f"a captured {'parameter' if kind == PARAM else 'constant'}"
        label = self.label_at.get(i, "")
        return text + (f" labelled {label!r}" if label else "")

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


def _run_fn(fn: Callable[..., Any], leaves: list[Value], has_aux: bool, name: str
            ) -> tuple[Value, Any, list[Value]]:
    """fn on `leaves`, recording a graph even inside no_grad: (root, aux template, aux Values)."""
    if is_grad_enabled():
        out = fn(*leaves)
    else:
        with enable_grad():  # (enable_grad costs every op the slow path: only when needed)
            out = fn(*leaves)
    template: Any = None
    extras: list[Value] = []
    if has_aux:
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError(f"compile: with has_aux=True, {name} must return a pair (Value, "
                            f"aux), got {type(out).__name__}")
        out, aux = out
        template = _flatten(aux, extras, name)
    return _as_output(out, name), template, extras


def _trace(fn: Callable[..., Any], numbers_in: list[float], has_aux: bool) -> Traced:
    """Call fn on fresh leaves holding `numbers_in`, recording guards (see guards.py)."""
    xs = [Value(x) for x in numbers_in]
    name = getattr(fn, "__name__", repr(fn))
    with recording(name) as recorder:
        root, template, extras = _run_fn(fn, xs, has_aux, name)
        # What other threads did meanwhile with this graph's Values (see guards.Recorder.adopt).
        # A guard's right side is a Value or a plain number; only Values root a graph.
        recorder.adopt([*xs, root, *extras,
                        *(v for a, _, b, _ in recorder.guards for v in (a, b)
                          if isinstance(v, Value))])
    return Traced(xs, root, template, extras, recorder.detached, recorder.guards)


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


def _real(x: Any, k: int, who: str) -> float:
    """Input k as a float64 through the engine's own check (checks.real, as Value() does): a
    finite number beyond float64 (an int, np.longdouble("1e4000")) is a ValueError, never inf."""
    try:
        return checks.real(x, f"{who}: input {k}")
    except ValueError:
        raise ValueError(f"{who}: input {k} is too large for a float64: {x!r}"[:200]) from None


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
            out.append(_real(x, k, who))
        else:
            raise TypeError(f"{who}: input {k} must be a real number (int, float, NumPy "
                            f"scalar or Value), got {type(x).__name__}: {x!r}"[:300])
    return out

