"""Compiled replay: trace a function's graph once, then recompute value and gradients fast.

``compile(fn, example_inputs)`` calls ``fn`` once on fresh leaf Values, flattens the recorded graph
into numbered slots (topological order) and builds a replay of it:

* ``backend="python"`` generates one straight-line Python function, one line per node, calling
  the op table's float functions (or, for ``+ - * neg relu``, the very same Python expression
  inline);
* ``backend="numpy"`` runs the graph level by level, one NumPy call per group of same-op nodes
  (see ``replay_numpy.py``);
* ``backend="loop"`` runs the trace's flat arrays node by node (see ``replay_loop.py``).

Each gives the numbers of the eager path (``fn`` on Values, then ``backward()``), bit for bit: the
forward uses the same float operations, and every gradient sums its contributions in the same
order as ``backward()`` does (NaN payloads and signs are not compared).

Leaves met in the trace fall into three kinds:

* the explicit inputs: the compiled callable takes their new numbers and returns their gradients;
* *parameters*: leaves with ``requires_grad=True`` captured inside ``fn`` (an MLP's weights).
  Each call reads their current ``.data`` and adds the gradient to their ``.grad``, as
  ``backward()`` does, so ``step = compile(loss, ...)``, ``step()``, ``opt.step()`` trains;
* *constants*: leaves with ``requires_grad=False``.  A plain number lifted into the graph by
  arithmetic (``x * 2.0``) is marked so when it is made (value.LIFTED) and its number is part of
  the trace; every other constant (data rows, frozen weights, Values fn makes) is read afresh on
  each call, and takes no gradient.

Every comparison of Values made while tracing is a *guard* (see guards.py): a replay checks that
each comes out as it did in the trace, and a call where one does not runs ``fn`` eagerly instead
(keeping a trace per control-flow path once the path recurs), so a call always returns eager's
numbers for what the trace can see.  Every other way a number leaves a Value inside fn is
refused with TraceError (see :func:`compile` for what is and is not guaranteed).  The trace is
told through a ContextVar of the tracing context and a log of other threads while it runs:
nothing about Value is patched, no decision depends on the calling module, no reference is
counted.

This module is the public face (``compile``, ``CompiledFunction``, the errors); the parts live
beside it: trace.py records a call as numbered slots, guards.py hears what fn does with its
Values, backend.py chooses a backend, python_backend.py / numpy_backend.py (with
numpy_plan.py) / loop.py build the replay, program.py holds one trace with its built replay,
check.py compares a fresh eager run with the trace.
"""

from __future__ import annotations

import warnings
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from ..core.gcpause import paused_gc
from ..core.value import Value, trace_sink
from .backend import BACKENDS
from .check import TraceMismatchError, _check_program
from .guards import TraceError, user_line
from .program import _Program
from .python_backend import python_source
from .trace import Trace, Traced, _numbers, _run_fn, _trace, _unflatten

__all__ = ["CompiledFunction", "RecompileLimitWarning", "TraceError", "TraceMismatchError",
           "compile"]


class RecompileLimitWarning(UserWarning):
    """A compiled function's guards kept failing: it now runs its function eagerly."""


class CompiledFunction:
    """A traced function: call it with new numbers to get (value, gradients of the inputs).

    Created by :func:`compile`; see its docstring for the semantics.  It keeps up to
    MAX_PROGRAMS traces, most recently used first; a call runs the first whose guards hold, and
    when none does it runs fn eagerly (tracing it), building a replay for that control-flow path
    once the path has come up twice.  It remembers at most MAX_PATHS paths (one hash each).
    When calls keep missing every trace -- at least RECOMPILE_LIMIT of them, and at least half
    of the last MISS_WINDOW calls -- re-tracing costs more than it saves: it warns once
    (RecompileLimitWarning, saying why) and from then on runs fn eagerly, without tracing
    (``gave_up`` holds the reason).
    """

    MAX_PROGRAMS = 8
    MAX_PATHS = 64
    RECOMPILE_LIMIT = 32
    MISS_WINDOW = 64

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
        with paused_gc():
            self._programs = [_Program(lambda: _trace(fn, first, self.has_aux), backend,
                                       self.name)]
        # Control-flow paths seen by eager runs: hash of the path -> times seen, oldest first.
        self._paths_seen: dict[int, int] = {}
        self._recent: deque[bool] = deque(maxlen=self.MISS_WINDOW)  # per call: missed?
        self.eager_calls = 0  # calls that no trace's guards covered (run eagerly)
        self.traces_built = 1
        self.gave_up: str | None = None  # why calls now run eagerly, untraced

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
        """'python', 'numpy' or 'loop': the backend the latest trace runs on."""
        return self._programs[0].backend

    @property
    def source(self) -> str:
        """The generated Python source of the python backend (for reading, not for running)."""
        return python_source(self.trace, with_grad=True)[0]

    def __call__(self, *inputs: Any) -> tuple[Any, ...]:
        """(value, d(value)/d(input) per input[, aux]); parameters' ``.grad`` accumulate."""
        _refuse_inside_a_trace(self.name, "a call")
        xs = _numbers(inputs, self.n_inputs, self.name)
        if self.gave_up is not None:
            return self._untraced(xs)
        if self.check_every_call:
            self.check(*xs)
        for k, program in enumerate(self._programs):
            result = program.run(xs)
            if result is not None:
                if k:
                    self._programs.insert(0, self._programs.pop(k))
                self._recent.append(False)
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
        self._recent.append(True)
        self.eager_calls += 1
        if (self.eager_calls >= self.RECOMPILE_LIMIT
                and 2 * sum(self._recent) >= self.MISS_WINDOW):
            self._give_up()
            return self._untraced(xs)
        with paused_gc():
            return self._eager_run(xs)

    def _give_up(self) -> None:
        """Stop tracing: say why, once."""
        self.gave_up = (
            f"{self.eager_calls} calls of compiled {self.name} took a control-flow path that no "
            f"trace covered (at least half of the last {self.MISS_WINDOW}; it keeps "
            f"{self.MAX_PROGRAMS} traces), so each one ran eagerly and was traced as well: "
            f"its guards (comparisons of Values) keep coming out differently.  From now on it "
            f"runs {self.name} eagerly, without tracing: the same numbers, at eager's speed.  "
            f"Compile a function whose comparisons rarely change outcome (sorting, many "
            f"branches on data do not), or call it eagerly.")
        warnings.warn(self.gave_up, RecompileLimitWarning, stacklevel=4)

    def _untraced(self, xs: list[float]) -> tuple[Any, ...]:
        """fn run eagerly on fresh leaves, no trace recorded: the numbers a call must give."""
        from ..core.backward import grad

        leaves = [Value(x) for x in xs]
        root, template, extras = _run_fn(self.fn, leaves, self.has_aux, self.name)
        reached = _leaves_reached(root)
        inputs = {id(v) for v in leaves}
        params = [v for v in reached if v._rg and id(v) not in inputs]
        grads = grad(root, [*leaves, *params], create_graph=False) if leaves or params else []
        for p, g in zip(params, grads[len(leaves):], strict=True):
            p.grad += g
        input_grads = tuple(grads[:len(leaves)])
        if self.has_aux:
            return root._data, input_grads, _unflatten(template, [v._data for v in extras])
        return root._data, input_grads

    def _eager_run(self, xs: list[float]) -> tuple[Any, ...]:
        from ..core.backward import grad

        traced = _trace(self.fn, xs, self.has_aux)
        path = hash(self._path(traced))
        # Each path is remembered as one hash (a collision only builds a replay a call sooner:
        # every replay checks its own guards), and at most MAX_PATHS of them, the oldest going.
        seen = self._paths_seen.pop(path, 0) + 1
        self._paths_seen[path] = seen
        if len(self._paths_seen) > self.MAX_PATHS:
            del self._paths_seen[next(iter(self._paths_seen))]
        if seen >= 2:
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
            return traced.root._data, input_grads, _unflatten(
                traced.template, [v._data for v in traced.extras])
        return traced.root._data, input_grads

    @staticmethod
    def _path(traced: Traced) -> tuple[Any, ...]:
        """What tells control-flow paths apart: the graph's size and every guard's outcome."""
        return (len(traced.guards), *(outcome for *_, outcome in traced.guards))

    def forward(self, *inputs: Any) -> Any:
        """The value only (with has_aux: (value, aux)); no gradient, no ``.grad`` touched."""
        _refuse_inside_a_trace(self.name, "its forward()")
        xs = _numbers(inputs, self.n_inputs, self.name)
        if self.gave_up is not None:
            root, template, extras = _run_fn(self.fn, [Value(x) for x in xs], self.has_aux,
                                             self.name)
            if self.has_aux:
                return root._data, _unflatten(template, [v._data for v in extras])
            return root._data
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
            return traced.root._data, _unflatten(traced.template,
                                                 [v._data for v in traced.extras])
        return traced.root._data

    def check(self, *inputs: Any) -> None:
        """Run fn eagerly on `inputs` and raise TraceMismatchError where it leaves the trace.

        Compares the fresh graph with the trace that a call on `inputs` would replay, slot by
        slot (op, wiring, which leaf, constant values), then the value, every gradient and aux
        output with the replay's.  Touches no ``.grad``.  When no trace's guards hold for
        `inputs`, a call runs fn eagerly and there is nothing to compare.
        """
        _refuse_inside_a_trace(self.name, "its check()")
        xs = _numbers(inputs, self.n_inputs, self.name)
        fresh = _trace(self.fn, xs, self.has_aux)
        for program in self._programs:
            result = program.run(xs)
            if result is not None:
                _check_program(program, fresh, result, self.name, self.n_inputs)
                return

    def program(self) -> str:
        """The traced program as text, one line per op (what ``jax.make_jaxpr`` shows)."""
        from .listing import program_text

        return program_text(self.trace, self.name, self.n_inputs)

    def __str__(self) -> str:
        return self.program()

    def __repr__(self) -> str:
        return (f"<compiled {self.name}: inputs={self.n_inputs}, parameters={len(self.params)}, "
                f"slots={self.trace.size}, backend={self.backend!r}, "
                f"traces={len(self._programs)}>")


def _refuse_inside_a_trace(name: str, how: str) -> None:
    """A compiled function used while another is traced in this context: refuse it."""
    sink = trace_sink.get()
    if sink is not None:
        sink.refuse_because(
            f"uses the compiled function {name} ({how})", user_line(),
            f"Its results are numbers: this trace would keep them at their trace-time values "
            f"while eager recomputes them.  Call {name}.fn (the plain function) instead, so that "
            f"its operations become part of this trace.")


def _leaves_reached(root: Value) -> list[Value]:
    from ..core import graph

    with graph.walk_lock:
        return graph.walk(root)[1]


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

    Control flow: comparisons of Values (``if x > 0``, ``max(x, y)``, ``bool(v)``, and which
    piece of relu/abs/max/min a gradient taken inside fn uses) are guards.  A call whose guards
    all hold replays; otherwise fn runs eagerly (and a path seen twice gets its own trace, up to
    CompiledFunction.MAX_PROGRAMS).  When calls keep missing every trace (sorting Values, many
    data-dependent branches), it warns once (RecompileLimitWarning) and runs fn eagerly from
    then on; it remembers at most CompiledFunction.MAX_PATHS paths.

    Guaranteed: a call gives eager's numbers (fn on Values, then ``backward()``) bit for bit,
    or raises.  Refused with TraceError, at the user's file and line, is every way inside fn
    that a number leaves a Value: ``.data`` (read or written), ``float()``, ``int()``,
    ``round()``, ``item()``, ``math`` functions, ``repr()``/``str()``/``f"{x:.3f}"``,
    ``local_grads``, ``copy.copy``/``copy.deepcopy``/pickling, ``backward()``, ``grad()`` or
    ``value_and_grad`` giving numbers (``grad(..., create_graph=True)`` is recorded as
    operations and replays), ``explain`` and drawings, a compiled function called inside
    (call its ``.fn`` instead), and drawing from ``random`` or NumPy's global generator;
    refused with ValueError: a number fn detaches from its own Values (``detach()``,
    ``no_grad()``).  Threads fn hands its Values to are watched too: their comparisons of the
    trace's Values (or of Values computed from them) become guards, their reads refuse the
    trace.

    Not guaranteed -- seen by no guard, caught only by ``check()``: Python state fn reads (a
    flag, a float attribute or closure number changed later, ``.grad``, an attribute rebound to
    another Value after compiling, the private ``_data`` slot), Values computed outside fn (they
    are recomputed from their leaves' current data), Python numbers other threads compute from
    anything but the trace's Values (a Value another thread reads or compares counts when it is
    in the traced graph or computed from one that is), and comparisons made by a function
    another thread is tracing at the same time.  ``detect_anomaly()`` does not look inside a
    replay (run fn eagerly to find where a NaN starts).  ``step.check(*xs)`` (or ``check=True``,
    which checks every call, eagerly and slowly) runs ``fn`` afresh and raises
    TraceMismatchError naming the first node where the graph differs (a constant whose number
    changed included); ``nn.fit(compile=True)`` checks steps 1, 2 and every
    1000th this way.

    ``backend="numpy"`` evaluates each level's same-op nodes with one NumPy call: fast on wide
    graphs (a batch through an MLP); a deep narrow graph (a long chain) runs as one sequential
    pass instead.  ``backend="python"`` generates straight-line Python, one line per node
    (readable via ``step.source``): the fastest replay of a narrow graph, but its compiling
    costs some 30 times eager's build + backward.  ``backend="loop"`` walks flat arrays of the
    trace node by node: built in one pass, for huge graphs.  The default, "auto", takes numpy
    when it is installed and the graph is wide enough, python for other graphs up to
    AUTO_GENERATE_AT_ONCE slots; up to AUTO_MAX_GENERATED slots it starts with loop and
    generates python on the AUTO_GENERATE_AFTER-th call (``step.backend`` says which runs);
    beyond, loop (see replay_backend.py).
    """
    return CompiledFunction(fn, example_inputs, backend, check, has_aux)
