"""One replay program: a trace of a compiled function and the replay built from it.

``_Program`` flattens a traced call, refuses numbers detached inside fn, picks the backend
(replay_backend) and builds the replay with it (with gradients at once, value-only on first
use).  Each run reads the parameters' and live constants' current numbers and returns the
replay's results, or None where a guard fails so that the caller runs fn eagerly instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.value import Value
from .backend import AUTO_GENERATE_AFTER, _choose_backend, generates_later
from .python_backend import _build_python
from .trace import Traced

# The slot's own getter, mapped over the parameters at C speed on every call.
# (Defined by the core under Value: the pure one's slot or the native Node's member.)
_data_of = next(c.__dict__["_data"] for c in Value.__mro__ if "_data" in c.__dict__).__get__


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
        # Calls left before "auto" generates Python for a mid-sized graph it started on the
        # loop backend (replay_backend.AUTO_GENERATE_AT_ONCE); None: never.
        self.calls_to_generate = AUTO_GENERATE_AFTER if generates_later(
            backend, self.backend, trace) else None
        self.params = trace.params
        # Parameters that receive a gradient, in the order the replay returns their totals.
        self.grad_params = [p for p, s in zip(self.params, trace.param_slots, strict=True)
                            if trace.receives[s]]
        self.consts = trace.consts
        # Numbers lifted into the graph by arithmetic (x * 2.0) cannot change: taken once.  Any
        # other constant (a Value fn captures or makes) is read afresh on every call, as eager
        # would read it.
        self.const_values = list(trace.const_values)
        self.live_consts = [(k, v) for k, (v, live) in enumerate(
            zip(trace.consts, trace.const_live, strict=True)) if live]
        self.replay = self.build(with_grad=True)
        self.forward: Callable[..., Any] | None = None  # built on first use of forward()

    def build(self, with_grad: bool) -> Callable[..., Any]:
        """The replay function of this trace (python, numpy or loop backend)."""
        if self.backend == "python":
            return _build_python(self.trace, with_grad)
        if self.backend == "loop":
            from .loop import build_loop

            return build_loop(self.trace, with_grad)
        from .numpy_backend import build_numpy

        assert self.plan is not None  # _choose_backend gives the numpy backend its plan
        return build_numpy(self.trace, self.plan, with_grad)

    def _count_call(self) -> None:
        """Count a call of a graph started on the loop backend; the last one generates Python."""
        assert self.calls_to_generate is not None
        self.calls_to_generate -= 1
        if self.calls_to_generate <= 0:
            self.calls_to_generate = None
            self.backend = "python"  # the same numbers, sooner
            self.replay = self.build(with_grad=True)
            self.forward = None

    def arguments(self) -> tuple[list[float], list[float]] | None:
        """Parameters' and constants' current numbers; None if a constant now takes gradients."""
        consts = self.const_values
        if self.live_consts:
            consts = consts.copy()
            for k, v in self.live_consts:
                if v._rg:  # unfrozen since the trace: eager would give it a gradient
                    return None
                consts[k] = v._data
        return list(map(_data_of, self.params)), consts

    def run(self, xs: list[float], with_grad: bool = True) -> tuple[Any, ...] | None:
        """The replay's results for inputs `xs`, or None where a guard fails."""
        arguments = self.arguments()
        if arguments is None:
            return None
        if self.calls_to_generate is not None:
            self._count_call()
        if with_grad:
            return self.replay(xs, *arguments)
        if self.forward is None:
            self.forward = self.build(with_grad=False)
        return self.forward(xs, *arguments)

