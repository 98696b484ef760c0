"""Compiled replay: trace a function's graph once, then recompute value and gradients fast.

``compile(fn, example_inputs)`` calls ``fn`` once on fresh leaf Values, flattens the recorded graph
into numbered slots (topological order) and builds a replay of it:

* ``backend="python"`` generates one straight-line Python function, one line per node, calling
  the op table's float functions (or, for ``+ - * neg relu``, the very same Python expression
  inline);
* ``backend="numpy"`` runs the graph level by level, one NumPy call per group of same-op nodes
  (see ``replay_numpy.py``).

Both give the numbers of the eager path (``fn`` on Values, then ``backward()``), bit for bit: the
forward uses the same float operations, and every gradient sums its contributions in the same
order as ``backward()`` does (NaN payloads and signs are not compared).

Leaves met in the trace fall into three kinds:

* the explicit inputs: the compiled callable takes their new numbers and returns their gradients;
* *parameters*: leaves with ``requires_grad=True`` captured inside ``fn`` (an MLP's weights).
  Each call reads their current ``.data`` and adds the gradient to their ``.grad``, as
  ``backward()`` does, so ``step = compile(loss, ...)``, ``step()``, ``opt.step()`` trains;
* *constants*: leaves with ``requires_grad=False`` (plain numbers lifted in arithmetic, frozen
  data).  Each call reads their current ``.data`` as well, and takes no gradient for them.

Every comparison of Values made while tracing is a *guard* (see guards.py): a replay checks that
each comes out as it did in the trace, and a call where one does not runs ``fn`` eagerly instead
(keeping a trace per control-flow path once the path recurs), so a call always returns eager's
numbers for what the trace can see.
"""

from __future__ import annotations

import builtins
import gc
import math
import numbers
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple

from . import graph
from .guards import TraceError, recording
from .modes import enable_grad, is_grad_enabled
from .ops import OPS, Inline
from .value import Value

if TYPE_CHECKING:
    from .replay_numpy import Plan

__all__ = ["CompiledFunction", "TraceError", "TraceMismatchError", "compile"]

# A comparison seen while tracing: (Value a, comparison, Value or float b, outcome).
Guard = tuple[Value, str, Any, bool]

BACKENDS = ("auto", "python", "numpy", "loop")


class TraceMismatchError(RuntimeError):
    """A fresh eager run of the function no longer follows the traced graph."""


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


# --- the python backend: one generated line per node ----------

# An op whose table entry has a "python" kernel (ops.Inline) is written as its Python expression
# instead of a call of its float function.  A local derivative that is 1.0, -1.0 or a bare operand
# is folded into the gradient line (x * 1.0 is x, x * -1.0 is -x, exactly); any other is kept in
# a variable (relu's step: 0 * inf must still give nan).  Every op, inline or called, is checked
# against eager on IEEE edge cases by the replay tests.


def _inline(op: str | None) -> Inline | None:
    kernel = OPS[op].kernels.get("python") if op is not None else None
    return kernel if isinstance(kernel, Inline) else None


_FOLDED = ("1.0", "-1.0", "{x}", "{y}")  # local derivatives written into the gradient line


def _gradient_term(local: str, names: dict[str, str], stored: str, g: str) -> str:
    """The contribution of one edge: upstream gradient `g` times the local derivative."""
    if local == "1.0":
        return g
    if local == "-1.0":
        return f"-{g}"
    if local in ("{x}", "{y}"):
        return f"{local.format(**names)} * {g}"
    return f"{stored} * {g}"


def _forward_lines(tr: Trace, i: int, with_grad: bool, called: list[str]) -> list[str]:
    """The generated lines computing slot i (a node) and, if needed, its stored derivatives."""
    op, args, carries = tr.op[i], tr.args[i], tr.carries[i]
    names = dict(zip("xy", (f"v{a}" for a in args), strict=False))
    inline = _inline(op)
    if inline is not None:
        lines = [f"    v{i} = {inline.value.format(**names)}"]
        for k, local in enumerate(inline.locals):
            if with_grad and carries[k] and local not in _FOLDED:
                lines.append(f"    d{i}_{k} = {local.format(**names)}")
        return lines
    assert op is not None
    if op not in called:
        called.append(op)
    call = f"F{called.index(op)}({', '.join(names.values())})"
    if with_grad and any(carries):
        targets = [f"v{i}"] + [f"d{i}_{k}" if c else "_" for k, c in enumerate(carries)]
        return [f"    {', '.join(targets)} = {call}"]
    return [f"    v{i} = {call}[0]"]


def python_source(tr: Trace, with_grad: bool) -> tuple[str, list[str]]:
    """Source of ``replay(xs, param_values, consts)`` and the op names it calls.

    The function returns (value, input grads, param grads, aux values), or without gradients
    (value, aux values).

    Every name in the source is built from an integer slot or op index, never from user text;
    numbers enter only through the arguments.
    """
    called: list[str] = []  # op names called through the table; F{k} is OPS[called[k]].forward
    lines = ["def replay(xs, param_values, consts):"]
    used_inputs = [f"v{s}" if s is not None else "_" for s in tr.input_slots]
    if used_inputs:
        lines.append(f"    {', '.join(used_inputs)}, = xs")
    if tr.param_slots:
        lines.append(f"    {', '.join(f'v{s}' for s in tr.param_slots)}, = param_values")
    if tr.const_slots:
        lines.append(f"    {', '.join(f'v{s}' for s in tr.const_slots)}, = consts")
    for i in range(tr.size):
        if tr.kind[i] == NODE:
            lines += _forward_lines(tr, i, with_grad, called)
    lines += guard_lines(tr)
    outputs = f"({''.join(f'v{s}, ' for s in tr.outputs)})"  # the aux outputs' values
    if not with_grad:
        lines.append(f"    return v{tr.root}, {outputs}")
        return "\n".join(lines) + "\n", called

    # Backward: consumers before inputs (reverse topological order), each input's contributions
    # summed in the order backward() adds them, so the sums round the same way.
    received: set[int] = set()
    # A slot whose only contribution is another slot's gradient unchanged (through +) shares
    # that variable instead of copying it.
    contributions = [0] * tr.size
    for i in range(tr.size):
        for a, carries in zip(tr.args[i], tr.carries[i], strict=True):
            contributions[a] += carries
    grad_name = {tr.root: f"g{tr.root}"}
    if tr.needs_grad[tr.root]:
        lines.append(f"    g{tr.root} = 1.0")
        received.add(tr.root)
    for i in reversed(range(tr.size)):
        if tr.kind[i] != NODE or i not in received:
            continue
        op, args, g = tr.op[i], tr.args[i], grad_name[i]
        names = dict(zip("xy", (f"v{a}" for a in args), strict=False))
        inline = _inline(op)
        for k, (a, carries) in enumerate(zip(args, tr.carries[i], strict=True)):
            if not carries:
                continue
            local = inline.locals[k] if inline is not None else ""
            term = _gradient_term(local, names, f"d{i}_{k}", g)
            if term == g and contributions[a] == 1:
                grad_name[a] = g
            else:
                grad_name[a] = f"g{a}"
                lines.append(f"    g{a} {'+=' if a in received else '='} {term}")
            received.add(a)
    # backward() adds into leaves that start at 0.0; adding 0.0 reproduces that (it turns a
    # total of -0.0 into 0.0, exactly as 0.0 + -0.0 does).
    input_grads = [f"{grad_name[s]} + 0.0" if s is not None and s in received else "0.0"
                   for s in tr.input_slots]
    param_grads = [grad_name[s] for s in tr.param_slots if s in received]
    lines.append(f"    return v{tr.root}, ({''.join(g + ', ' for g in input_grads)}), "
                 f"({''.join(g + ', ' for g in param_grads)}), {outputs}")
    return "\n".join(lines) + "\n", called


def guard_lines(tr: Trace) -> list[str]:
    """Lines that return None (meaning: re-trace) when a guard's outcome differs from the trace's.

    A guard's constant side is G[k]: numbers are never written into the source.
    """
    tests = []
    for k, (a, op, b, _, outcome) in enumerate(tr.guards):
        right = f"G[{k}]" if b is None else f"v{b}"
        tests.append(f"not v{a} {op} {right}" if outcome else f"v{a} {op} {right}")
    # One `if` per 100 tests keeps the lines readable.
    return [f"    if {' or '.join(tests[k:k + 100])}: return None"
            for k in range(0, len(tests), 100)]


def _build_python(tr: Trace, with_grad: bool) -> Callable[..., Any]:
    """Compile the generated source into a function."""
    source, called = python_source(tr, with_grad)
    namespace: dict[str, Any] = {f"F{k}": OPS[name].forward for k, name in enumerate(called)}
    namespace["G"] = tuple(const for *_, const, _ in tr.guards)
    # builtins.compile: this module's own compile() is the public tracer.
    exec(builtins.compile(source, "<valuegrad replay>", "exec"), namespace)
    return namespace["replay"]


# --- the public face ----------

# "auto" picks numpy when a NumPy call covers at least this many nodes on average.  Measured on
# 2 cores: a group costs about 8 us per call, a generated line about 80-300 ns per node.
AUTO_MIN_GROUP = 128


# "auto" generates Python for graphs up to this many slots and takes the loop backend beyond:
# compiling generated code costs some 50 us per line, so a 10^6-node graph would take minutes.
AUTO_MAX_GENERATED = 20_000


def _choose_backend(backend: str, tr: Trace) -> tuple[str, Plan | None]:
    """The backend a trace is built with, and the numpy backend's plan when that is the one."""
    if backend == "loop" or (backend == "auto" and tr.size > AUTO_MAX_GENERATED
                             and _narrow(tr)):
        return "loop", None  # (a narrow graph is not worth grouping for NumPy at all)
    plan = _numpy_plan(backend, tr)
    if plan is not None:
        return "numpy", plan
    if backend == "auto" and tr.size > AUTO_MAX_GENERATED:
        return "loop", None
    return "python", None


def _narrow(tr: Trace) -> bool:
    """Whether the graph is so deep for its size that NumPy groups would hold a few nodes each."""
    level = [0] * tr.size
    for i, args in enumerate(tr.args):
        if args:
            level[i] = 1 + max([level[a] for a in args])
    return tr.size < 8 * (max(level) + 1)


def _numpy_plan(backend: str, tr: Trace) -> Plan | None:
    """The numpy backend's plan if that backend is to be used, else None (python backend)."""
    if backend == "python":
        return None
    try:
        from .replay_numpy import Plan, group_nodes, mean_group_size
    except ImportError as missing:  # NumPy is an optional dependency
        if backend == "numpy":
            raise ImportError("compile: backend='numpy' needs NumPy (pip install numpy)") \
                from missing
        return None
    groups = group_nodes(tr)
    if backend == "auto" and mean_group_size(tr, groups) < AUTO_MIN_GROUP:
        return None
    return Plan(tr, groups)


# The slot's own getter, mapped over the parameters at C speed on every call.
_data_of = Value.__dict__["data"].__get__


def _held_elsewhere(values: list[Value]) -> list[bool]:
    """For each Value in `values` (a list nothing else refers to): does anything else hold it?

    Counted the same way as for a probe held by a list alone, so the baseline is exact; a
    reference that is only passing by (a traceback, say) errs on the safe side: read afresh.
    """
    probe = [Value(0.0)]
    baseline = [sys.getrefcount(v) for v in probe][0]
    return [count > baseline for count in [sys.getrefcount(v) for v in values]]


class _Program:
    """One trace and its built replay: it gives eager's numbers wherever its guards hold."""

    def __init__(self, make: Callable[[], Traced], backend: str, name: str) -> None:
        traced = make()
        self.trace = trace = traced.flatten()
        self.template = traced.template
        # The traced call's Values are not needed any more: dropping them here (`make` traced
        # them, so this is the only reference) frees the graph before the replay is built.
        del traced
        if trace.detached_slots:
            slot = trace.detached_slots[0]
            raise ValueError(
                f"compile: {name} detaches a number from its own Values (detach() or "
                f"no_grad()) at {trace.describe(slot)}: a replay would keep the trace-time "
                f"number {trace.const_values[trace.const_slots.index(slot)]!r} while "
                f"eager recomputes it.  Compute it with ops inside the graph, or pass it to fn "
                f"as an input.")
        self.backend, self.plan = _choose_backend(backend, trace)
        self.params = trace.params
        # Parameters that receive a gradient, in the order the replay returns their totals.
        self.grad_params = [p for p, s in zip(self.params, trace.param_slots, strict=True)
                            if trace.receives[s]]
        self.consts = trace.consts
        # Constants that only the trace holds (numbers lifted into the graph by fn, data rows
        # made inside it) cannot change: their numbers are taken once.  Any other constant is
        # read afresh on every call, as eager would read it.
        self.const_values = [v.data for v in trace.consts]
        self.live_consts = [(k, v) for k, v, held in zip(
            range(len(trace.consts)), trace.consts, _held_elsewhere(trace.consts), strict=True)
            if held]
        self.replay = self.build(with_grad=True)
        self.forward: Callable[..., Any] | None = None  # built on first use of forward()

    def build(self, with_grad: bool) -> Callable[..., Any]:
        """The replay function of this trace (python or numpy backend)."""
        if self.backend == "python":
            return _build_python(self.trace, with_grad)
        if self.backend == "loop":
            from .replay_loop import build_loop

            return build_loop(self.trace, with_grad)
        from .replay_numpy import build_numpy

        return build_numpy(self.trace, self.plan, with_grad)

    def arguments(self) -> tuple[list[float], list[float]] | None:
        """Parameters' and constants' current numbers; None if a constant now takes gradients."""
        consts = self.const_values
        if self.live_consts:
            consts = consts.copy()
            for k, v in self.live_consts:
                if v._rg:  # unfrozen since the trace: eager would give it a gradient
                    return None
                consts[k] = v.data
        return list(map(_data_of, self.params)), consts

    def run(self, xs: list[float], with_grad: bool = True) -> tuple[Any, ...] | None:
        """The replay's results for inputs `xs`, or None where a guard fails."""
        arguments = self.arguments()
        if arguments is None:
            return None
        if with_grad:
            return self.replay(xs, *arguments)
        if self.forward is None:
            self.forward = self.build(with_grad=False)
        return self.forward(xs, *arguments)


class CompiledFunction:
    """A traced function: call it with new numbers to get (value, gradients of the inputs).

    Created by :func:`compile`; see its docstring for the semantics.  It keeps up to
    MAX_PROGRAMS traces, most recently used first; a call runs the first whose guards hold, and
    when none does it runs fn eagerly (tracing it), building a replay for that control-flow path
    once the path has come up twice.
    """

    MAX_PROGRAMS = 8

    def __init__(self, fn: Callable[..., Any], example_inputs: Sequence[Any], backend: str,
                 check: bool, has_aux: bool) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"compile: backend must be one of {BACKENDS}, got {backend!r}")
        if not callable(fn):
            raise TypeError(f"compile: fn must be callable, got {type(fn).__name__}")
        self.fn = fn
        self.name = getattr(fn, "__name__", "fn")
        self.check_every_call = bool(check)
        self.has_aux = bool(has_aux)
        self._backend = backend
        first = _numbers(list(example_inputs), None, f"compile({self.name}) example_inputs")
        self.n_inputs = len(first)
        with collector_paused():
            self._programs = [_Program(lambda: _trace(fn, first, self.has_aux), backend,
                                       self.name)]
        self._paths_seen: dict[tuple[Any, ...], int] = {}
        self.eager_calls = 0  # calls that no trace's guards covered (run eagerly)
        self.traces_built = 1

    # The first (most recently used) program's view, as before guards existed.
    @property
    def trace(self) -> Trace:
        """The most recently used trace."""
        return self._programs[0].trace

    @property
    def params(self) -> list[Value]:
        """The parameters (captured leaves with requires_grad=True) of the latest trace."""
        return self._programs[0].params

    @property
    def backend(self) -> str:
        """'python' or 'numpy': the backend of the latest trace."""
        return self._programs[0].backend

    @property
    def source(self) -> str:
        """The generated Python source of the python backend (for reading, not for running)."""
        return python_source(self.trace, with_grad=True)[0]

    def __call__(self, *inputs: Any) -> tuple[Any, ...]:
        """(value, d(value)/d(input) per input[, aux]); parameters' ``.grad`` accumulate."""
        xs = _numbers(inputs, self.n_inputs, self.name)
        if self.check_every_call:
            self.check(*xs)
        for k, program in enumerate(self._programs):
            result = program.run(xs)
            if result is not None:
                if k:
                    self._programs.insert(0, self._programs.pop(k))
                return self._deliver(program, result)
        return self._eager(xs)

    def _deliver(self, program: _Program, result: tuple[Any, ...]) -> tuple[Any, ...]:
        value, input_grads, param_grads, outputs = result
        for p, g in zip(program.grad_params, param_grads, strict=True):
            # A parameter frozen since the trace keeps .grad == 0, as backward() leaves it; its
            # gradient never feeds anything else, so every other number is already eager's.
            if p._rg:
                p.grad += g
        if self.has_aux:
            return value, tuple(input_grads), _unflatten(program.template, outputs)
        return value, tuple(input_grads)

    def _eager(self, xs: list[float]) -> tuple[Any, ...]:
        """No trace covers `xs`: run fn eagerly, and keep its trace once its path recurs."""
        with collector_paused():
            return self._eager_run(xs)

    def _eager_run(self, xs: list[float]) -> tuple[Any, ...]:
        from .backward import grad

        self.eager_calls += 1
        traced = _trace(self.fn, xs, self.has_aux)
        path = self._path(traced)
        self._paths_seen[path] = self._paths_seen.get(path, 0) + 1
        if self._paths_seen[path] >= 2:
            program = _Program(lambda: traced, self._backend, self.name)
            self.traces_built += 1
            self._programs.insert(0, program)
            del self._programs[self.MAX_PROGRAMS:]
            result = program.run(xs)
            if result is not None:
                return self._deliver(program, result)
        tr = traced.flatten()
        if tr.detached_slots:
            _Program(lambda: traced, "python", self.name)  # raises the error naming the slot
        params = [p for p, s in zip(tr.params, tr.param_slots, strict=True) if tr.receives[s]]
        wanted = [*traced.inputs, *params]
        grads = grad(traced.root, wanted, create_graph=False) if wanted else []
        for p, g in zip(params, grads[len(traced.inputs):], strict=True):
            if p._rg:
                p.grad += g
        input_grads = tuple(grads[:len(traced.inputs)])
        if self.has_aux:
            return traced.root.data, input_grads, _unflatten(
                traced.template, [v.data for v in traced.extras])
        return traced.root.data, input_grads

    @staticmethod
    def _path(traced: Traced) -> tuple[Any, ...]:
        """What tells control-flow paths apart: the graph's size and every guard's outcome."""
        return (len(traced.guards), *(outcome for *_, outcome in traced.guards))

    def forward(self, *inputs: Any) -> Any:
        """The value only (with has_aux: (value, aux)); no gradient, no ``.grad`` touched."""
        xs = _numbers(inputs, self.n_inputs, self.name)
        for program in self._programs:
            result = program.run(xs, with_grad=False)
            if result is not None:
                value, outputs = result
                if self.has_aux:
                    return value, _unflatten(program.template, outputs)
                return value
        self.eager_calls += 1
        traced = _trace(self.fn, xs, self.has_aux)
        if self.has_aux:
            return traced.root.data, _unflatten(traced.template, [v.data for v in traced.extras])
        return traced.root.data

    def check(self, *inputs: Any) -> None:
        """Run fn eagerly on `inputs` and raise TraceMismatchError where it leaves the trace.

        Compares the fresh graph with the trace that a call on `inputs` would replay, slot by
        slot (op, wiring, which leaf, constant values), then the value, every gradient and aux
        output with the replay's.  Touches no ``.grad``.  When no trace's guards hold for
        `inputs`, a call runs fn eagerly and there is nothing to compare.
        """
        xs = _numbers(inputs, self.n_inputs, self.name)
        fresh = _trace(self.fn, xs, self.has_aux)
        for program in self._programs:
            result = program.run(xs)
            if result is not None:
                _check_program(program, fresh, result, self.name, self.n_inputs)
                return

    def program(self) -> str:
        """The traced program as text, one line per op (what ``jax.make_jaxpr`` shows)."""
        from .replay_print import program_text

        return program_text(self.trace, self.name, self.n_inputs)

    def __str__(self) -> str:
        return self.program()

    def __repr__(self) -> str:
        return (f"<compiled {self.name}: inputs={self.n_inputs}, parameters={len(self.params)}, "
                f"slots={self.trace.size}, backend={self.backend!r}, "
                f"traces={len(self._programs)}>")


def _check_program(program: _Program, fresh: Traced, result: tuple[Any, ...], name: str,
                   n_inputs: int) -> None:
    """Raise TraceMismatchError where `program` and the fresh eager run `fresh` differ."""
    from .backward import grad

    _compare(program.trace, fresh.flatten(), name)
    if not _same_template(program.template, fresh.template):
        raise TraceMismatchError(
            f"{name}: its aux output no longer matches the trace: traced "
            f"{program.template!r}, now {fresh.template!r} (numbers show a Value's index among "
            f"the aux Values).  Plain numbers and the nesting in aux are kept from the "
            f"trace; return Values to have numbers recomputed."[:600])
    wanted = [*fresh.inputs, *program.grad_params]
    eager_grads = grad(fresh.root, wanted, create_graph=False) if wanted else []
    value, input_grads, param_grads, outputs = result
    # A parameter's total lands on its .grad; grad() starts its sums at 0.0 as a zeroed .grad
    # does, and 0.0 + -0.0 is 0.0: compare what a zeroed .grad would hold.
    got = [value, *input_grads, *(0.0 + g for g in param_grads), *outputs]
    want = [fresh.root.data, *eager_grads, *(v.data for v in fresh.extras)]
    labels = ["the value"] + [f"d/d input {k}" for k in range(n_inputs)] + [
        f"d/d parameter {k}" for k in range(len(program.grad_params))] + [
        f"aux output {k}" for k in range(len(outputs))]
    for what, a, b in zip(labels, got, want, strict=True):
        if not same_float(a, b):
            raise TraceMismatchError(
                f"{name}: replay gives {what} = {a!r}, eager gives {b!r} on the same "
                f"graph.  Does fn use Values computed outside it?  The replay recomputes them "
                f"from their leaves' current .data; eager reuses their stored numbers.")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a trace is made and built.

    A graph of Values holds no reference cycles, so the collector only walks it again and
    again while compile allocates (about half the time of a large compile); memory is still
    freed by reference counting.  nn.fit pauses it the same way.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def same_float(a: float, b: float) -> bool:
    """Equal bits up to NaN payload: 0.0 and -0.0 differ, any two NaNs agree."""
    if a != a or b != b:
        return a != a and b != b
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _same_template(a: Any, b: Any) -> bool:
    """Whether two aux templates have the same nesting, keys, Value positions and numbers."""
    if type(a) is not type(b):  # also tells an aux Value (_Out) from a plain int
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same_template(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_template(a[k], b[k]) for k in a)
    if isinstance(a, float):
        return same_float(a, b)
    return bool(a == b)


def _compare(traced: Trace, fresh: Trace, name: str) -> None:
    """Raise TraceMismatchError naming the first slot where the two graphs differ."""
    for i in range(min(traced.size, fresh.size)):
        why = _slot_difference(traced, fresh, i)
        if why:
            raise TraceMismatchError(
                f"{name} no longer follows its trace (a Python branch on .data took another "
                f"path?): first difference at slot {i}: {why}. Compile it again for this "
                f"control flow.")
    if traced.size != fresh.size:
        raise TraceMismatchError(f"{name} no longer follows its trace: the traced graph has "
                                 f"{traced.size} slots, the fresh one {fresh.size}")
    if (traced.root, traced.outputs) != (fresh.root, fresh.outputs):
        raise TraceMismatchError(f"{name} no longer follows its trace: the same graph, but its "
                                 f"output and aux Values are now slots {fresh.root} and "
                                 f"{fresh.outputs}, traced as {traced.root} and {traced.outputs}")


def _slot_difference(traced: Trace, fresh: Trace, i: int) -> str:
    """Why slot i differs between two traces ('' if it does not)."""
    if {traced.kind[i], fresh.kind[i]} == {PARAM, CONST}:
        return (f"the trace has {traced.what(i)} there, the fresh run {fresh.what(i)}: a "
                f"captured leaf's requires_grad changed since the trace")
    if traced.kind[i] != fresh.kind[i] or traced.op[i] != fresh.op[i]:
        return f"the trace has {traced.what(i)} there, the fresh run {fresh.what(i)}"
    this = traced.what(i)
    if traced.args[i] != fresh.args[i]:
        return f"{this} whose inputs were slots {traced.args[i]}, now {fresh.args[i]}"
    if traced.carries[i] != fresh.carries[i]:
        return f"{this} whose constant exponent became a Value (or the reverse)"
    kind = traced.kind[i]
    if kind == INPUT and traced.input_slots.index(i) != fresh.input_slots.index(i):
        return f"{this} there, the fresh run input {fresh.input_slots.index(i)}"
    if kind == PARAM:
        k = traced.param_slots.index(i)
        if traced.params[k] is not fresh.params[fresh.param_slots.index(i)]:
            return f"{this} there, the fresh run another parameter Value"
    if kind == CONST:
        # What a replay uses: the traced leaf's current number (a literal keeps its own).
        old = traced.consts[traced.const_slots.index(i)].data
        new = fresh.const_values[fresh.const_slots.index(i)]
        if not same_float(old, new):
            return f"{this} that the replay reads as {old!r}, now {new!r}"
    return ""


def compile(fn: Callable[..., Any], example_inputs: Sequence[Any] = (), *,  # noqa: A001
            backend: str = "auto", check: bool = False, has_aux: bool = False
            ) -> CompiledFunction:
    """Trace ``fn(*Values)`` once and return a fast callable computing its value and gradients.

    ``step = compile(fn, example_inputs)`` calls ``fn`` once on leaf Values holding
    `example_inputs`.  Then ``step(*numbers)`` returns ``(value, grads)``, ``grads[k]`` being
    d(value)/d(input k), without building Values; leaves with ``requires_grad=True`` captured by
    `fn` (parameters) are read afresh each call and their gradient is added to their ``.grad``,
    as ``backward()`` would (starting from a zeroed ``.grad`` the numbers are identical; onto a
    non-zero ``.grad`` the call's total is added at once, as PyTorch does).  ``step.forward(*xs)``
    computes the value only.  Constants (``requires_grad=False`` leaves) are read afresh too;
    plain Python numbers fn reads are part of the trace.  With ``has_aux=True``, fn returns
    ``(value, aux)``, aux being Values in nested lists, tuples and dicts (model outputs, say);
    calls then return ``(value, grads, aux)`` with aux's Values replaced by their numbers (no
    gradient flows from aux).

    Control flow: comparisons of Values (``if x > 0``, ``max(x, y)``, ``bool(v)``) are guards.
    A call whose guards all hold replays; otherwise fn runs eagerly (and a path seen twice gets
    its own trace, up to CompiledFunction.MAX_PROGRAMS).  Refused with TraceError at the line
    that does it: taking a number out of a Value inside fn (``.data``, ``float()``, ``int()``,
    ``round()``, ``item()``, ``math`` functions), and drawing from ``random`` or NumPy's global
    generator; refused with ValueError: a number fn detaches from its own Values (``detach()``,
    ``no_grad()``).  Not seen by any guard: Python state fn reads (a flag, a float attribute, an
    attribute rebound to another Value after compiling) and Values computed outside fn (they
    are recomputed from their leaves' current data).  ``detect_anomaly()`` does not look inside
    a replay (run fn eagerly to find where a NaN starts).  ``step.check(*xs)`` (or ``check=True``,
    which checks every call, eagerly and slowly) runs ``fn`` afresh and raises TraceMismatchError
    naming the first node where the graph differs.

    ``backend="numpy"`` evaluates each level's same-op nodes with one NumPy call: fast on wide
    graphs (a batch through an MLP), slow on deep narrow ones.  ``backend="python"`` generates
    straight-line Python, one line per node (readable via ``step.source``).  ``backend="loop"``
    walks flat arrays of the trace node by node: built in one pass, for huge graphs.  The
    default, "auto", takes numpy when it is installed and the graph is wide enough, python for
    other graphs up to AUTO_MAX_GENERATED slots, loop beyond.
    """
    return CompiledFunction(fn, example_inputs, backend, check, has_aux)
